/*
 * fuzz_group.c -- a Capacity Group body (POST and PUT /capacity-groups):
 * json_parse() with the group field table and the default limits, then
 * valid_group(), then the entity rendered.
 */
#include "api.h"
#include "db.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct req	 r;
	struct jlimits	 lim;
	struct group	 c;
	const char	*detail = NULL;
	char		*body = fz_cstr(data, size);
	enum fp_err	 rc;
	yajl_gen	 g;

	fz_limits(&lim);
	fz_req(&r);
	group_init(&c);
	rc = json_parse(r.a, &lim, (const unsigned char *)body, size,
	    json_group_fields, &c, NULL, &detail);
	fz_parse_check(rc, detail);
	if (rc == FP_OK)
		rc = fz_valid_check(&r, valid_group(&r, &c));
	if (rc == FP_OK) {
		FZ_ASSERT((g = yajl_gen_alloc(NULL)) != NULL);
		json_group(g, &c);
		fz_gen_check(g);
		yajl_gen_free(g);
	}
	arena_reset(r.a);
	free(body);
	return 0;
}
