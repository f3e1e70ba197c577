/*
 * api.c -- small pieces every management handler uses: the body checks
 * and parse, the Location of a new entity, sealing a secret, the node
 * read check for assets, and the health route.
 */
#include <inttypes.h>
#include <string.h>

#include "api.h"
#include "crypto.h"
#include "db.h"
#include "json.h"
#include "keyring.h"

/*
 * What the JSON parse may take from the request arena: 8 bytes for each
 * byte of the body cap, between 64 KiB and a quarter of the arena.  A
 * document built to make the parser allocate is 422, and the rest of the
 * request keeps its memory.
 */
#define JSON_MEM_FACTOR	8
#define JSON_MEM_MIN	(64 * 1024)
#define JSON_MEM_MAX	(FP_ARENA_CAP / 4)

/*
 * Content type, size, presence, then the JSON itself into base.
 */
enum fp_err
api_body(struct req *r, const struct field *fields, void *base,
    const char **secret)
{
	struct jlimits	 lim;
	enum fp_err	 rc;

	if ((rc = req_json_body(r)) != FP_OK)
		return rc;
	lim.depth = r->s->json_max_depth;
	lim.string = r->s->json_max_string;
	lim.array = r->s->json_max_array;
	if (r->s->body_max > JSON_MEM_MAX / JSON_MEM_FACTOR)
		lim.mem = JSON_MEM_MAX;
	else if (r->s->body_max < JSON_MEM_MIN / JSON_MEM_FACTOR)
		lim.mem = JSON_MEM_MIN;
	else
		lim.mem = JSON_MEM_FACTOR * r->s->body_max;
	return json_parse(r->a, &lim, r->body, r->body_len, fields, base,
	    secret, &r->detail);
}

/*
 * Location of a created entity: the /api/v1 path (reference §6.1).  Set
 * before the commit, so that running out of memory changes nothing.
 */
enum fp_err
api_location(struct req *r, const char *collection, int64_t id)
{
	if ((r->location = arena_printf(r->a, "%s/%s/%" PRId64, FP_API_BASE,
	    collection, id)) == NULL)
		return FP_ENOMEM;
	return FP_OK;
}

/*
 * Seal a secret under the current master key for the row named by aad.
 * No usable key (the key file changed and does not load): 503, so a
 * secret is never stored under a key the next rotation cannot open.
 */
enum fp_err
api_seal(struct req *r, const char *aad, const char *secret,
    unsigned char **blob, size_t *len)
{
	size_t	 n = strlen(secret);

	if (aad == NULL || (*blob = arena_alloc(r->a, SEAL_LEN(n))) == NULL)
		return FP_ENOMEM;
	if (keyring_seal(r->keys, aad, secret, n, *blob, len) != 0) {
		r->detail = "no usable master key: cannot seal";
		return FP_EDBDOWN;
	}
	return FP_OK;
}

/*
 * Reference §6.3 step 4: the caller must be able to read the node.  A
 * node nobody registered is UNKNOWN_OBJECT; another user's private node
 * is ACCESS_DENIED; a public node is readable by all (§11 item 25).
 */
enum fp_err
api_node_check(struct req *r, int64_t node_id)
{
	int64_t		 owner;
	bool		 is_public;
	enum fp_err	 rc;

	if ((rc = db_node_get(r->db, r->a, node_id, &owner, &is_public)) !=
	    FP_OK)
		return rc;
	if (owner != r->user_id && !is_public)
		return FP_ENODE;
	return FP_OK;
}

/* GET /ping: no authentication, no database (benchmark ceiling B). */
enum fp_err
api_ping(struct req *r)
{
	yajl_gen	 g;

	if ((g = resp_begin(r, 200)) == NULL)
		return FP_ENOMEM;
	yajl_gen_map_open(g);
	json_kv_str(g, "status", "ok");
	yajl_gen_map_close(g);
	return resp_end(r);
}
