/*
 * fuzz_asset.c -- an Asset body (POST and PUT /assets): json_parse() with
 * the asset field table (two measurement sub-objects) and the default
 * limits, then valid_asset(), then the entity rendered as the POST answer
 * renders it.
 */
#include "api.h"
#include "db.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct req	 r;
	struct jlimits	 lim;
	struct asset	 s;
	const char	*detail = NULL;
	char		*body = fz_cstr(data, size);
	enum fp_err	 rc;
	yajl_gen	 g;

	fz_limits(&lim);
	fz_req(&r);
	asset_init(&s);
	rc = json_parse(r.a, &lim, (const unsigned char *)body, size,
	    json_asset_fields, &s, NULL, &detail);
	fz_parse_check(rc, detail);
	if (rc == FP_OK)
		rc = fz_valid_check(&r, valid_asset(&r, &s));
	if (rc == FP_OK) {
		FZ_ASSERT((g = yajl_gen_alloc(NULL)) != NULL);
		json_asset(g, &s);
		fz_gen_check(g);
		yajl_gen_free(g);
	}
	arena_reset(r.a);
	free(body);
	return 0;
}
