/*
 * fuzz_oscp_register.c -- the OSCP Register (POST /register): oscp_parse_register(),
 * then the Register we would send back built from what was accepted.
 */
#include "oscp.h"
#include "timefmt.h"
#include "fuzz.h"

/* inbound() in oscp_api.c: the settings' limits, no memory budget (the
 * arena cap bounds the tree). */
static void
oscp_limits(struct jlimits *lim)
{
	fz_limits(lim);
	lim->mem = 0;
}

/* What the handlers may rely on for any result. */
static void
check_rc(enum fp_err rc, const char *detail)
{
	FZ_ASSERT(rc == FP_OK || rc == FP_EMALFORMED || rc == FP_EINVAL ||
	    rc == FP_ENOMEM);
	if (rc != FP_OK)
		FZ_ASSERT(detail != NULL);
}

/* An instant we accepted must be one we can write back out. */
static void __attribute__((unused))
check_time(int64_t us)
{
	char	 buf[TIME_BUFSZ];
	int64_t	 back;

	FZ_ASSERT(time_fmt_oscp(us, buf) > 0);
	FZ_ASSERT(time_parse_rfc3339(buf, strlen(buf), &back) == 0);
	FZ_ASSERT(back <= us && us - back < 1000);
	FZ_ASSERT(time_fmt_sn(us, buf) > 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena	*a = fz_arena();
	struct jlimits	 lim;
	const char	*detail = NULL;
	char		*copy = fz_cstr(data, size);
	const unsigned char *body = (const unsigned char *)copy;
	enum fp_err	 rc;
	yajl_gen	 g;
	struct oscp_register	 m;
	char			*out;

	oscp_limits(&lim);
	rc = oscp_parse_register(a, &lim, body, size, &m, &detail);
	check_rc(rc, detail);
	if (rc == FP_OK) {
		FZ_ASSERT(m.token != NULL && *m.token != '\0');
		if (m.base_url != NULL) {
			FZ_ASSERT((out = oscp_json_register(a, m.token,
			    m.base_url)) != NULL);
			FZ_ASSERT((g = yajl_gen_alloc(NULL)) != NULL);
			FZ_ASSERT(json_raw(g, out, NULL) == 0);
			yajl_gen_free(g);
		}
	}
	arena_reset(a);
	free(copy);
	return 0;
}
