/*
 * api_asset.c -- /assets (SPEC §2, reference §6).  Order of checks as
 * the reference: JSON read, validation, read access to nodeId, then the
 * database (the group must be the caller's: 422 DAO.00105 otherwise).
 * Assets never carry a token (reference §11 item 7).
 */
#include <string.h>

#include "api.h"
#include "db.h"
#include "json.h"
#include "timefmt.h"

static enum fp_err
input(struct req *r, struct asset *s)
{
	enum fp_err	 rc;

	asset_init(s);
	if ((rc = api_body(r, json_asset_fields, s, NULL)) != FP_OK)
		return rc;
	if ((rc = valid_asset(r, s)) != FP_OK)
		return rc;
	s->user_id = r->user_id;
	return api_node_check(r, s->node_id);
}

enum fp_err
api_asset_create(struct req *r)
{
	struct asset	 s;
	enum fp_err	 rc;

	if ((rc = input(r, &s)) != FP_OK)
		return rc;
	s.created = s.modified = time_now_us();

	if ((rc = db_begin(r->db)) != FP_OK ||
	    (rc = db_asset_insert(r->db, &s)) != FP_OK ||
	    (rc = api_location(r, "assets", s.id)) != FP_OK ||
	    (rc = db_commit(r->db)) != FP_OK)
		return rc;

	if (resp_begin(r, 201) == NULL)
		return FP_ENOMEM;
	json_asset(r->g, &s);
	return resp_end(r);
}

enum fp_err
api_asset_get(struct req *r)
{
	struct asset	 s;
	enum fp_err	 rc;

	if ((rc = db_asset_get(r->db, r->a, r->user_id, r->id, &s)) != FP_OK)
		return rc;
	if (resp_begin(r, 200) == NULL)
		return FP_ENOMEM;
	json_asset(r->g, &s);
	return resp_end(r);
}

enum fp_err
api_asset_update(struct req *r)
{
	struct asset	 s, out;
	enum fp_err	 rc;

	if ((rc = input(r, &s)) != FP_OK)
		return rc;
	s.id = r->id;
	s.modified = time_now_us();

	if ((rc = db_begin(r->db)) != FP_OK ||
	    (rc = db_asset_update(r->db, &s)) != FP_OK ||
	    (rc = db_asset_get(r->db, r->a, r->user_id, r->id, &out)) !=
	    FP_OK ||
	    (rc = db_commit(r->db)) != FP_OK)
		return rc;

	if (resp_begin(r, 200) == NULL)
		return FP_ENOMEM;
	json_asset(r->g, &out);
	return resp_end(r);
}

enum fp_err
api_asset_delete(struct req *r)
{
	enum fp_err	 rc;

	if ((rc = db_begin(r->db)) != FP_OK ||
	    (rc = db_asset_delete(r->db, r->user_id, r->id)) != FP_OK ||
	    (rc = db_commit(r->db)) != FP_OK)
		return rc;
	return resp_ok_nodata(r);
}
