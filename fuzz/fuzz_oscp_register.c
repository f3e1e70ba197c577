/*
 * fuzz_oscp_register.c -- the OSCP Register (POST /register):
 * oscp_parse_register(), then the Register we would send back built from
 * what was accepted.
 */
#include "fuzz_oscp.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena		*a = fz_arena();
	struct jlimits		 lim;
	struct oscp_register	 m;
	const char		*detail = NULL;
	char			*copy = fz_cstr(data, size);
	enum fp_err		 rc;

	fz_oscp_limits(&lim);
	rc = oscp_parse_register(a, &lim, (const unsigned char *)copy, size,
	    &m, &detail);
	fz_oscp_rc(rc, detail);
	if (rc == FP_OK) {
		FZ_ASSERT(m.token != NULL && *m.token != '\0');
		if (m.base_url != NULL)
			fz_json_check(oscp_json_register(a, m.token,
			    m.base_url));
	}
	arena_reset(a);
	free(copy);
	return 0;
}
