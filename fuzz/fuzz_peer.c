/*
 * fuzz_peer.c -- a Capacity Provider / Capacity Optimizer body (POST and
 * PUT /capacity-providers, /capacity-optimizers): json_parse() with the
 * CP/CO field table and the default limits, then valid_peer() for both
 * roles, then the entity rendered as the POST answer renders it.
 */
#include "api.h"
#include "db.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct req	 r;
	struct jlimits	 lim;
	struct peer	 p;
	const char	*secret = NULL, *detail = NULL;
	char		*body = fz_cstr(data, size);
	enum fp_err	 rc;
	enum peer_role	 role;
	yajl_gen	 g;

	fz_limits(&lim);
	for (role = ROLE_CP; role < ROLE__MAX; role++) {
		fz_req(&r);
		peer_init(&p);
		rc = json_parse(r.a, &lim, (const unsigned char *)body, size,
		    json_peer_fields, &p, &secret, &detail);
		fz_parse_check(rc, detail);
		if (rc == FP_OK)
			rc = fz_valid_check(&r, valid_peer(&r, role, &p));
		if (rc == FP_OK) {
			FZ_ASSERT((g = yajl_gen_alloc(NULL)) != NULL);
			p.token = "tok";
			json_peer(g, &p);
			fz_gen_check(g);
			yajl_gen_free(g);
		}
		arena_reset(r.a);
	}
	free(body);
	return 0;
}
