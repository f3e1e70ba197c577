/*
 * valid.c -- bean-validation equivalents (reference §4): each failed
 * constraint adds one errors[] entry with the reference's location, code
 * and message, and the handler answers 422 VAL.00004.  A null value that
 * is both NotNull and NotBlank yields both entries, as Hibernate Validator
 * does.  Lengths count characters (UTF-8 code points), as Java does for
 * BMP text.
 */
#include <string.h>

#include "api.h"
#include "db.h"
#include "model.h"

/* Length in UTF-16 code units, as Java's String.length() counts it. */
static size_t
chars(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n += ((unsigned char)*s >= 0xF0) ? 2 : 1;
	return n;
}

/* Blank as Java's String.trim() sees it: nothing above U+0020. */
static bool
blank(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s > ' ')
			return false;
	return true;
}

static const char *
quoted(struct req *r, const char *s)
{
	yajl_gen		 g;
	const unsigned char	*buf;
	size_t			 len;
	const char		*out;

	if ((g = yajl_gen_alloc(NULL)) == NULL)
		return NULL;
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
	yajl_gen_get_buf(g, &buf, &len);
	out = arena_strndup(r->a, (const char *)buf, len);
	yajl_gen_free(g);
	return out;
}

/* A text property: messages NULL means that constraint does not apply. */
struct textrule {
	const char	*location;
	const char	*notnull;
	const char	*notblank;
	size_t		 max;
	const char	*size;
};

/* Returns -1 when the rejected value could not be quoted (no memory). */
static int
text(struct req *r, const struct textrule *t, const char *v)
{
	const char	*q;

	if (v == NULL) {
		if (t->notnull != NULL)
			req_verr(r, t->location, "NotNull", t->notnull, NULL);
		if (t->notblank != NULL)
			req_verr(r, t->location, "NotBlank", t->notblank, NULL);
		return 0;
	}
	if (t->notblank != NULL && blank(v)) {
		if ((q = quoted(r, v)) == NULL)
			return -1;
		req_verr(r, t->location, "NotBlank", t->notblank, q);
	}
	if (t->max > 0 && chars(v) > t->max) {
		if ((q = quoted(r, v)) == NULL)
			return -1;
		req_verr(r, t->location, "Size", t->size, q);
	}
	return 0;
}

static void
notnull_int(struct req *r, const char *loc, int64_t v, const char *msg)
{
	if (v == DB_NULL)
		req_verr(r, loc, "NotNull", msg, NULL);
}

static void
notnull_enum(struct req *r, const char *loc, int v, const char *msg)
{
	if (v == DB_NULL_INT)
		req_verr(r, loc, "NotNull", msg, NULL);
}

static const struct textrule cp_name = {
	"name", "The Capacity Provider name is required.",
	"The Capacity Provider name must not be empty.", 64,
	"The Capacity Provider name must be no more than 64 characters long."
};

static const struct textrule co_name = {
	"name", "The Capacity Optimizer name is required.",
	"The Capacity Optimizer name must not be empty.", 64,
	"The Capacity Optimizer name must be no more than 64 characters long."
};

enum fp_err
valid_peer(struct req *r, enum peer_role role, const struct peer *p)
{
	if (text(r, role == ROLE_CP ? &cp_name : &co_name, p->name) != 0)
		return FP_ENOMEM;
	return r->nerrors > 0 ? FP_EINVAL : FP_OK;
}

static const struct textrule cg_name = {
	"name", "The Capacity Group name is required.",
	"The Capacity Group name must not be empty.", 64,
	"size must be between 0 and 64"
};

static const struct textrule cg_ident = {
	"identifier", "The Capacity Group identifier is required.",
	"The Capacity Group identifier must not be empty.", 128,
	"size must be between 0 and 128"
};

enum fp_err
valid_group(struct req *r, const struct group *g)
{
	if (text(r, &cg_name, g->name) != 0 ||
	    text(r, &cg_ident, g->ident) != 0)
		return FP_ENOMEM;
	notnull_int(r, "capacityProviderId", g->cp_id,
	    "The Capacity Group Capacity Provider ID is required.");
	notnull_enum(r, "capacityProviderMeasurementPeriod", g->cp_meas_secs,
	    "The Capacity Group capacity provider measurement period is "
	    "required.");
	notnull_int(r, "capacityOptimizerId", g->co_id,
	    "The Capacity Group Capacity Optimizer ID is required.");
	notnull_enum(r, "capacityOptimizerMeasurementPeriod", g->co_meas_secs,
	    "The Capacity Group capacity optimizer measurement period is "
	    "required.");
	return r->nerrors > 0 ? FP_EINVAL : FP_OK;
}

static const struct textrule asset_name = {
	"name", "must not be null", "must not be blank", 64,
	"size must be between 0 and 64"
};

/* Length 64 is our validation (SPEC §2 improvement 6), not a DB error. */
static const struct textrule asset_ident = {
	"identifier", "The Asset identifier is required.",
	"The Asset identifier must not be empty.", 64,
	"The Asset identifier must be no more than 64 characters long."
};

static const struct textrule asset_source = {
	"sourceId", "The Asset source ID is required.",
	"The Asset source ID must not be empty.", 64,
	"The Asset source ID must be no more than 64 characters long."
};

/* The locations and messages of one measurement object. */
struct measrule {
	const char	*props;
	const char	*props_null;
	const char	*props_empty;
	const char	*stat;
	const char	*stat_null;
	const char	*unit;
	const char	*unit_null;
};

#define MEASRULE(w) {							\
	w ".propertyNames",						\
	"The Asset " w " property names are required.",			\
	"The Asset " w " property names must not be empty.",		\
	w ".statisticType",						\
	"The Asset " w " statistic type is required.",			\
	w ".unit",							\
	"The Asset " w " unit is required."				\
}

static const struct measrule inst_rule = MEASRULE("instantaneous");
static const struct measrule energy_rule = MEASRULE("energy");

static void
meas(struct req *r, const struct measrule *t, const struct meas *m,
    bool energy)
{
	if (!m->present)
		return;
	if (m->props == NULL) {
		/* @NotNull and @NotEmpty both fail on null. */
		req_verr(r, t->props, "NotNull", t->props_null, NULL);
		req_verr(r, t->props, "NotEmpty", t->props_empty, NULL);
	} else if (m->nprops == 0)
		req_verr(r, t->props, "NotEmpty", t->props_empty, "[]");
	notnull_enum(r, t->stat, m->stat, t->stat_null);
	notnull_enum(r, t->unit, m->unit, t->unit_null);
	if (!energy)
		return;
	notnull_enum(r, "energy.type", m->type,
	    "The Asset energy type is required.");
	notnull_enum(r, "energy.direction", m->dir,
	    "The Asset energy direction is required.");
}

enum fp_err
valid_asset(struct req *r, const struct asset *a)
{
	if (text(r, &asset_name, a->name) != 0)
		return FP_ENOMEM;
	notnull_int(r, "capacityGroupId", a->cg_id,
	    "The Asset capacity group ID is required.");
	if (text(r, &asset_ident, a->ident) != 0)
		return FP_ENOMEM;
	notnull_enum(r, "audience", a->audience,
	    "The Asset audience is required.");
	notnull_int(r, "nodeId", a->node_id, "The Asset node ID is required.");
	if (text(r, &asset_source, a->source_id) != 0)
		return FP_ENOMEM;
	notnull_enum(r, "category", a->category,
	    "The Asset category is required.");
	notnull_enum(r, "phase", a->phase, "The Asset phase is required.");
	meas(r, &inst_rule, &a->inst, false);
	meas(r, &energy_rule, &a->energy, true);
	return r->nerrors > 0 ? FP_EINVAL : FP_OK;
}
