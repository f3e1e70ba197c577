/*
 * db_group.c -- Capacity Groups in the database, with their two
 * measurement-time rows (reference §5.3).  Callers own the transaction.
 */
#include <string.h>

#include "db.h"
#include "model.h"

#define GROUP_OUT	"llttbsslliitts"

static int
fetch(struct db *db, struct arena *a, struct group *g)
{
	memset(g, 0, sizeof(*g));
	return db_fetch(db, a, GROUP_OUT, &g->user_id, &g->id, &g->created,
	    &g->modified, &g->enabled, &g->name, &g->ident, &g->cp_id,
	    &g->co_id, &g->cp_meas_secs, &g->co_meas_secs, &g->cp_meas_at,
	    &g->co_meas_at, &g->sprops);
}

enum fp_err
db_group_list(struct db *db, struct arena *a, int64_t user_id, group_cb cb,
    void *arg)
{
	struct group	 g;
	enum fp_err	 rc;
	int		 r;

	if ((rc = db_query(db, STMT_CG_LIST, "l", user_id)) != FP_OK)
		return rc;
	while ((r = fetch(db, a, &g)) == 1)
		if ((rc = cb(arg, &g)) != FP_OK) {
			db_done(db);
			return rc;
		}
	return r == 0 ? FP_OK : db_error(db);
}

enum fp_err
db_group_get(struct db *db, struct arena *a, int64_t user_id, int64_t id,
    struct group *g)
{
	enum fp_err	 rc;
	int		 r;

	if ((rc = db_query(db, STMT_CG_GET, "ll", user_id, id)) != FP_OK)
		return rc;
	r = fetch(db, a, g);
	db_done(db);
	if (r < 0)
		return db_error(db);
	return r == 1 ? FP_OK : FP_ENOTFOUND;
}

/* Insert the group and both measurement rows (meas_at NULL). */
enum fp_err
db_group_insert(struct db *db, struct group *g)
{
	enum fp_err	 rc;

	if ((rc = db_exec(db, STMT_CG_INSERT, "lttbsslliis", g->user_id,
	    g->created, g->modified, (int)g->enabled, g->name, g->ident,
	    g->cp_id, g->co_id, g->cp_meas_secs, g->co_meas_secs,
	    g->sprops)) != FP_OK)
		return rc;
	g->id = db_insert_id(db);
	if ((rc = db_exec(db, STMT_CG_CP_MEAS_INSERT, "ll", g->user_id,
	    g->id)) != FP_OK)
		return rc;
	return db_exec(db, STMT_CG_CO_MEAS_INSERT, "ll", g->user_id, g->id);
}

enum fp_err
db_group_update(struct db *db, struct group *g)
{
	enum fp_err	 rc;

	if ((rc = db_exec(db, STMT_CG_UPDATE, "tbsslliisll", g->modified,
	    (int)g->enabled, g->name, g->ident, g->cp_id, g->co_id,
	    g->cp_meas_secs, g->co_meas_secs, g->sprops, g->user_id,
	    g->id)) != FP_OK)
		return rc;
	return db_affected(db) == 0 ? FP_ENOTFOUND : FP_OK;
}

enum fp_err
db_group_delete(struct db *db, int64_t user_id, int64_t id)
{
	return db_exec(db, STMT_CG_DELETE, "ll", user_id, id);
}
