/*
 * fuzz_asset.c -- an Asset body (POST and PUT /assets): json_parse() with
 * the asset field table (two measurement sub-objects) and the default
 * limits, then valid_asset(), then the entity rendered as the POST answer
 * renders it.
 */
#include "api.h"
#include "db.h"
#include "fuzz.h"

static void
meas_init(struct meas *m)
{
	memset(m, 0, sizeof(*m));
	m->unit = m->stat = m->type = m->dir = DB_NULL_INT;
}

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
	memset(&s, 0, sizeof(s));
	s.cg_id = s.node_id = DB_NULL;
	s.audience = s.category = s.phase = DB_NULL_INT;
	meas_init(&s.inst);
	meas_init(&s.energy);
	rc = json_parse(r.a, &lim, (const unsigned char *)body, size,
	    json_asset_fields, &s, NULL, &detail);
	if (rc == FP_EMALFORMED || rc == FP_EILLEGAL)
		FZ_ASSERT(detail != NULL);
	if (rc == FP_OK) {
		rc = valid_asset(&r, &s);
		if (rc == FP_EINVAL)
			fz_verr_check(&r);
		else
			FZ_ASSERT(rc == FP_OK);
	}
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
