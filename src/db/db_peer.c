/*
 * db_peer.c -- Capacity Providers and Capacity Optimizers in the database.
 * Both roles have identical tables (reference §5.1), so each function
 * picks its statement from a per-role row.  Callers own the transaction.
 */
#include <string.h>

#include "db.h"
#include "model.h"

enum { P_LIST, P_GET, P_INSERT, P_HB, P_UPDATE, P_FPID, P_SECRET, P__MAX };

static const enum stmt S[ROLE__MAX][P__MAX] = {
	{ STMT_CP_LIST, STMT_CP_GET, STMT_CP_INSERT, STMT_CP_HB_INSERT,
	  STMT_CP_UPDATE, STMT_CP_FP_ID, STMT_CP_SECRET_UPSERT },
	{ STMT_CO_LIST, STMT_CO_GET, STMT_CO_INSERT, STMT_CO_HB_INSERT,
	  STMT_CO_UPDATE, STMT_CO_FP_ID, STMT_CO_SECRET_UPSERT },
};

#define PEER_OUT	"llttbsssliistts"

static int
fetch(struct db *db, struct arena *a, struct peer *p)
{
	memset(p, 0, sizeof(*p));
	return db_fetch(db, a, PEER_OUT, &p->user_id, &p->id, &p->created,
	    &p->modified, &p->enabled, &p->name, &p->base_url, &p->oscp_ver,
	    &p->fp_id, &p->reg_status, &p->heartbeat_secs, &p->meas_styles,
	    &p->heartbeat_at, &p->offline_at, &p->sprops);
}

/*
 * Call cb for each of the user's CPs (or COs), ordered by id.
 */
enum fp_err
db_peer_list(struct db *db, struct arena *a, enum peer_role role,
    int64_t user_id, peer_cb cb, void *arg)
{
	struct peer	 p;
	enum fp_err	 rc;
	int		 r;

	if ((rc = db_query(db, S[role][P_LIST], "l", user_id)) != FP_OK)
		return rc;
	while ((r = fetch(db, a, &p)) == 1)
		if ((rc = cb(arg, &p)) != FP_OK) {
			db_done(db);
			return rc;
		}
	return r == 0 ? FP_OK : db_error(db);
}

/* FP_ENOTFOUND when the id is missing or another user's. */
enum fp_err
db_peer_get(struct db *db, struct arena *a, enum peer_role role,
    int64_t user_id, int64_t id, struct peer *p)
{
	enum fp_err	 rc;
	int		 r;

	if ((rc = db_query(db, S[role][P_GET], "ll", user_id, id)) != FP_OK)
		return rc;
	r = fetch(db, a, p);
	db_done(db);
	if (r < 0)
		return db_error(db);
	return r == 1 ? FP_OK : FP_ENOTFOUND;
}

/*
 * Insert the FP token row (digest only), the conf and its heartbeat row
 * (reference §6.2).  Sets p->fp_id and p->id.
 */
enum fp_err
db_peer_insert(struct db *db, enum peer_role role, struct peer *p,
    const unsigned char digest[32])
{
	enum fp_err	 rc;

	if ((rc = db_exec(db, STMT_FP_TOKEN_INSERT, "lx", p->user_id,
	    digest, (size_t)32)) != FP_OK)
		return rc;
	p->fp_id = db_insert_id(db);
	if ((rc = db_exec(db, S[role][P_INSERT], "lttblissss", p->user_id,
	    p->created, p->modified, (int)p->enabled, p->fp_id, p->reg_status,
	    p->name, p->base_url, p->oscp_ver, p->sprops)) != FP_OK)
		return rc;
	p->id = db_insert_id(db);
	return db_exec(db, S[role][P_HB], "ll", p->user_id, p->id);
}

/* Full replacement of the editable columns; FP_ENOTFOUND if no row. */
enum fp_err
db_peer_update(struct db *db, enum peer_role role, struct peer *p)
{
	enum fp_err	 rc;

	if ((rc = db_exec(db, S[role][P_UPDATE], "tbissssll", p->modified,
	    (int)p->enabled, p->reg_status, p->name, p->base_url, p->oscp_ver,
	    p->sprops, p->user_id, p->id)) != FP_OK)
		return rc;
	return db_affected(db) == 0 ? FP_ENOTFOUND : FP_OK;
}

/* Store (or replace) the sealed OAuth client secret. */
enum fp_err
db_peer_secret(struct db *db, enum peer_role role, int64_t user_id,
    int64_t id, const unsigned char *sealed, size_t len)
{
	return db_exec(db, S[role][P_SECRET], "llx", user_id, id, sealed, len);
}

/*
 * Delete by removing the FP token row: the conf, heartbeat, token and
 * secret rows, the groups using it and their assets all cascade.  A
 * missing or foreign id is not an error (reference §6.2).
 */
enum fp_err
db_peer_delete(struct db *db, enum peer_role role, int64_t user_id,
    int64_t id)
{
	struct arena	*none = NULL;
	int64_t		 fp_id = DB_NULL;
	enum fp_err	 rc;
	int		 r;

	if ((rc = db_query(db, S[role][P_FPID], "ll", user_id, id)) != FP_OK)
		return rc;
	r = db_fetch(db, none, "l", &fp_id);
	db_done(db);
	if (r < 0)
		return db_error(db);
	if (r == 0)
		return FP_OK;
	return db_exec(db, STMT_FP_TOKEN_DELETE, "ll", user_id, fp_id);
}
