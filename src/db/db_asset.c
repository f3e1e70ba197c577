/*
 * db_asset.c -- Assets in the database, and the node ownership lookup
 * used by the asset handlers.  An absent measurement sub-object is stored
 * as NULL columns and read back as absent (reference §4.4).
 */
#include <string.h>

#include "db.h"
#include "model.h"

#define ASSET_OUT	"llttbslsilsiisisisisiiis"

/* DECIMAL(38,18) comes back as 0.001000000000000000: print it as the
 * client sent it, without trailing zeros (reference §5.4). */
static void
trim(const char *s)
{
	char	*p = (char *)s;
	char	*dot;
	size_t	 n;

	if (p == NULL || (dot = strchr(p, '.')) == NULL)
		return;
	n = strlen(p);
	while (n > 0 && p[n - 1] == '0')
		p[--n] = '\0';
	if (p + n - 1 == dot)
		*dot = '\0';
}

static int
fetch(struct db *db, struct arena *a, struct asset *s)
{
	int	 r;

	memset(s, 0, sizeof(*s));
	r = db_fetch(db, a, ASSET_OUT, &s->user_id, &s->id, &s->created,
	    &s->modified, &s->enabled, &s->name, &s->cg_id, &s->ident,
	    &s->audience, &s->node_id, &s->source_id, &s->category,
	    &s->phase, &s->inst.props, &s->inst.unit, &s->inst.mult,
	    &s->inst.stat, &s->energy.props, &s->energy.unit,
	    &s->energy.mult, &s->energy.stat, &s->energy.type,
	    &s->energy.dir, &s->sprops);
	if (r == 1) {
		s->inst.present = s->inst.props != NULL;
		s->energy.present = s->energy.props != NULL;
		trim(s->inst.mult);
		trim(s->energy.mult);
	}
	return r;
}

enum fp_err
db_asset_list(struct db *db, struct arena *a, int64_t user_id, int64_t cg_id,
    asset_cb cb, void *arg)
{
	struct asset	 s;
	enum fp_err	 rc;
	int		 r;

	if ((rc = db_query(db, STMT_ASSET_LIST, "ll", user_id, cg_id)) !=
	    FP_OK)
		return rc;
	while ((r = fetch(db, a, &s)) == 1)
		if ((rc = cb(arg, &s)) != FP_OK) {
			db_done(db);
			return rc;
		}
	return r == 0 ? FP_OK : db_error(db);
}

enum fp_err
db_asset_get(struct db *db, struct arena *a, int64_t user_id, int64_t id,
    struct asset *s)
{
	enum fp_err	 rc;
	int		 r;

	if ((rc = db_query(db, STMT_ASSET_GET, "ll", user_id, id)) != FP_OK)
		return rc;
	r = fetch(db, a, s);
	db_done(db);
	if (r < 0)
		return db_error(db);
	return r == 1 ? FP_OK : FP_ENOTFOUND;
}

#define MEAS_ARGS(m) \
	(m)->present ? (m)->props : NULL, \
	(m)->present ? (m)->unit : DB_NULL_INT, \
	(m)->present ? (m)->mult : NULL, \
	(m)->present ? (m)->stat : DB_NULL_INT

enum fp_err
db_asset_insert(struct db *db, struct asset *s)
{
	const struct meas	*e = &s->energy;
	enum fp_err		 rc;

	if ((rc = db_exec(db, STMT_ASSET_INSERT, "lttbslsilsiisisisisiiis",
	    s->user_id, s->created, s->modified, (int)s->enabled, s->name,
	    s->cg_id, s->ident, s->audience, s->node_id, s->source_id,
	    s->category, s->phase, MEAS_ARGS(&s->inst), MEAS_ARGS(e),
	    e->present ? e->type : DB_NULL_INT,
	    e->present ? e->dir : DB_NULL_INT, s->sprops)) != FP_OK)
		return rc;
	s->id = db_insert_id(db);
	return FP_OK;
}

enum fp_err
db_asset_update(struct db *db, struct asset *s)
{
	const struct meas	*e = &s->energy;
	enum fp_err		 rc;

	if ((rc = db_exec(db, STMT_ASSET_UPDATE, "tbslsilsiisisisisiiisll",
	    s->modified, (int)s->enabled, s->name, s->cg_id, s->ident,
	    s->audience, s->node_id, s->source_id, s->category, s->phase,
	    MEAS_ARGS(&s->inst), MEAS_ARGS(e),
	    e->present ? e->type : DB_NULL_INT,
	    e->present ? e->dir : DB_NULL_INT, s->sprops, s->user_id,
	    s->id)) != FP_OK)
		return rc;
	return db_affected(db) == 0 ? FP_ENOTFOUND : FP_OK;
}

enum fp_err
db_asset_delete(struct db *db, int64_t user_id, int64_t id)
{
	return db_exec(db, STMT_ASSET_DELETE, "ll", user_id, id);
}

/* FP_ENOTFOUND when no such node is registered. */
enum fp_err
db_node_get(struct db *db, struct arena *a, int64_t node_id, int64_t *owner,
    bool *is_public)
{
	enum fp_err	 rc;
	int		 r;

	if ((rc = db_query(db, STMT_NODE_GET, "l", node_id)) != FP_OK)
		return rc;
	r = db_fetch(db, a, "lb", owner, is_public);
	db_done(db);
	if (r < 0)
		return db_error(db);
	return r == 1 ? FP_OK : FP_ENOTFOUND;
}
