/*
 * api_group.c -- /capacity-groups and the per-group asset listing
 * (SPEC §2, reference §6).  A group must reference the caller's own CP
 * and CO: the composite foreign keys refuse anything else (422 DAO.00105).
 */
#include <string.h>

#include "api.h"
#include "db.h"
#include "json.h"
#include "timefmt.h"

static enum fp_err
input(struct req *r, struct group *g)
{
	enum fp_err	 rc;

	group_init(g);
	if ((rc = api_body(r, json_group_fields, g, NULL)) != FP_OK)
		return rc;
	if ((rc = valid_group(r, g)) != FP_OK)
		return rc;
	g->user_id = r->user_id;
	return FP_OK;
}

static enum fp_err
emit_row(void *arg, const struct group *g)
{
	struct req	*r = arg;

	json_group(r->g, g);
	arena_reset(r->rowa);
	return resp_flush(r);
}

enum fp_err
api_group_list(struct req *r)
{
	enum fp_err	 rc;

	if (resp_begin(r, 200) == NULL)
		return FP_ENOMEM;
	yajl_gen_array_open(r->g);
	if ((rc = db_group_list(r->db, r->rowa, r->user_id, emit_row,
	    r)) != FP_OK)
		return rc;
	yajl_gen_array_close(r->g);
	return resp_end(r);
}

enum fp_err
api_group_create(struct req *r)
{
	struct group	 g;
	enum fp_err	 rc;

	if ((rc = input(r, &g)) != FP_OK)
		return rc;
	g.created = g.modified = time_now_us();

	if ((rc = db_begin(r->db)) != FP_OK ||
	    (rc = db_group_insert(r->db, &g)) != FP_OK ||
	    (rc = api_location(r, "capacity-groups", g.id)) != FP_OK ||
	    (rc = db_commit(r->db)) != FP_OK)
		return rc;

	if (resp_begin(r, 201) == NULL)
		return FP_ENOMEM;
	json_group(r->g, &g);
	return resp_end(r);
}

enum fp_err
api_group_get(struct req *r)
{
	struct group	 g;
	enum fp_err	 rc;

	if ((rc = db_group_get(r->db, r->a, r->user_id, r->id, &g)) != FP_OK)
		return rc;
	if (resp_begin(r, 200) == NULL)
		return FP_ENOMEM;
	json_group(r->g, &g);
	return resp_end(r);
}

enum fp_err
api_group_update(struct req *r)
{
	struct group	 g, out;
	enum fp_err	 rc;

	if ((rc = input(r, &g)) != FP_OK)
		return rc;
	g.id = r->id;
	g.modified = time_now_us();

	if ((rc = db_begin(r->db)) != FP_OK ||
	    (rc = db_group_update(r->db, &g)) != FP_OK ||
	    (rc = db_group_get(r->db, r->a, r->user_id, r->id, &out)) !=
	    FP_OK ||
	    (rc = db_commit(r->db)) != FP_OK)
		return rc;

	if (resp_begin(r, 200) == NULL)
		return FP_ENOMEM;
	json_group(r->g, &out);
	return resp_end(r);
}

enum fp_err
api_group_delete(struct req *r)
{
	enum fp_err	 rc;

	if ((rc = db_begin(r->db)) != FP_OK ||
	    (rc = db_group_delete(r->db, r->user_id, r->id)) != FP_OK ||
	    (rc = db_commit(r->db)) != FP_OK)
		return rc;
	return resp_ok_nodata(r);
}

static enum fp_err
emit_asset(void *arg, const struct asset *s)
{
	struct req	*r = arg;

	json_asset(r->g, s);
	arena_reset(r->rowa);
	return resp_flush(r);
}

/*
 * GET (and, per SPEC §2, DELETE) /capacity-groups/{id}/assets: the
 * group's assets ordered by id, streamed; [] for an unknown or foreign
 * group.
 */
enum fp_err
api_group_assets(struct req *r)
{
	enum fp_err	 rc;

	if (resp_begin(r, 200) == NULL)
		return FP_ENOMEM;
	yajl_gen_array_open(r->g);
	if ((rc = db_asset_list(r->db, r->rowa, r->user_id, r->id,
	    emit_asset, r)) != FP_OK)
		return rc;
	yajl_gen_array_close(r->g);
	return resp_end(r);
}
