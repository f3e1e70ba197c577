/*
 * test_valid.c -- src/valid.c: the bean-validation equivalents for CP/CO,
 * groups and assets.  Each case starts from a valid entity, changes a few
 * members and lists the exact errors[] entries expected (location, code,
 * message, rejectedValue JSON), compared as a set since the reference
 * does not fix their order (reference §4.2-§4.4, §6.3, api-decisions.md).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "api.h"
#include "db.h"
#include "model.h"
#include "unit.h"


/* Text of a given length in characters. */
#define A16	"abcdefghijklmnop"
#define A64	A16 A16 A16 A16
#define A65	A64 "q"
#define A128	A64 A64
#define A129	A128 "r"
#define E8	"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
#define E64	E8 E8 E8 E8 E8 E8 E8 E8			/* 64 chars, 128 bytes */
#define E65	E64 "\xc3\xa9"
#define EU8	"\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac" \
		"\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
#define EU64	EU8 EU8 EU8 EU8 EU8 EU8 EU8 EU8		/* 64 chars, 192 bytes */
#define EU65	EU64 "x"
#define EM	"\xf0\x9f\x98\x80"		/* U+1F600: 2 UTF-16 units */
#define EM8	EM EM EM EM EM EM EM EM
#define EM32	EM8 EM8 EM8 EM8				/* 64 UTF-16 units */
#define A63	A16 A16 A16 "abcdefghijklmno"
#define SP65	"     " "     " "     " "     " "     " "     " "     " \
		"     " "     " "     " "     " "     " "     "
#define Q(s)	"\"" s "\""

enum fld {
	X_END,
	X_NAME, X_IDENT, X_SOURCE,
	X_CG, X_NODE, X_AUD, X_CAT, X_PHASE,
	X_CPID, X_COID, X_CPPER, X_COPER,
	X_I_PRESENT, X_I_PROPS, X_I_UNIT, X_I_STAT,
	X_E_PRESENT, X_E_PROPS, X_E_UNIT, X_E_STAT, X_E_TYPE, X_E_DIR
};

struct set {
	enum fld	 f;
	const char	*s;	/* strings and property arrays */
	int64_t		 v;	/* numbers; count of property names */
};

struct vcase {
	const char	*desc;
	enum peer_role	 role;		/* peers only */
	struct set	 set[5];
	struct verr	 exp[12];	/* location NULL terminates */
};

static void
set_meas(struct meas *m, enum fld f, const struct set *x, bool energy)
{
	switch (f - (energy ? X_E_PRESENT : X_I_PRESENT)) {
	case 0:
		m->present = x->v != 0;
		break;
	case 1:
		m->props = x->s;
		m->nprops = (size_t)x->v;
		break;
	case 2:
		m->unit = (int)x->v;
		break;
	case 3:
		m->stat = (int)x->v;
		break;
	case 4:
		m->type = (int)x->v;
		break;
	case 5:
		m->dir = (int)x->v;
		break;
	}
}

static void
apply_asset(struct asset *a, const struct set *x)
{
	for (; x->f != X_END; x++) {
		switch (x->f) {
		case X_NAME:
			a->name = x->s;
			break;
		case X_IDENT:
			a->ident = x->s;
			break;
		case X_SOURCE:
			a->source_id = x->s;
			break;
		case X_CG:
			a->cg_id = x->v;
			break;
		case X_NODE:
			a->node_id = x->v;
			break;
		case X_AUD:
			a->audience = (int)x->v;
			break;
		case X_CAT:
			a->category = (int)x->v;
			break;
		case X_PHASE:
			a->phase = (int)x->v;
			break;
		case X_I_PRESENT:
		case X_I_PROPS:
		case X_I_UNIT:
		case X_I_STAT:
			set_meas(&a->inst, x->f, x, false);
			break;
		default:
			if (x->f >= X_E_PRESENT)
				set_meas(&a->energy, x->f, x, true);
			break;
		}
	}
}

static void
apply_group(struct group *g, const struct set *x)
{
	for (; x->f != X_END; x++) {
		switch (x->f) {
		case X_NAME:
			g->name = x->s;
			break;
		case X_IDENT:
			g->ident = x->s;
			break;
		case X_CPID:
			g->cp_id = x->v;
			break;
		case X_COID:
			g->co_id = x->v;
			break;
		case X_CPPER:
			g->cp_meas_secs = (int)x->v;
			break;
		case X_COPER:
			g->co_meas_secs = (int)x->v;
			break;
		default:
			break;
		}
	}
}

/* errors[] equals exp as a multiset; rc agrees with it. */
static void
compare(const char *desc, const struct req *r, enum fp_err rc,
    const struct verr *exp)
{
	bool	 used[REQ_MAX_ERRORS] = { false };
	size_t	 nexp, i, j;

	for (nexp = 0; exp[nexp].location != NULL; nexp++)
		;
	CHECK(rc == (nexp > 0 ? FP_EINVAL : FP_OK), "%s: rc %d", desc, rc);
	CHECK(r->nerrors == nexp, "%s: %zu errors, want %zu", desc,
	    r->nerrors, nexp);
	for (i = 0; i < nexp; i++) {
		for (j = 0; j < r->nerrors; j++) {
			const struct verr	*e = &r->errors[j];

			if (!used[j] && streq(e->location, exp[i].location) &&
			    streq(e->code, exp[i].code) &&
			    streq(e->message, exp[i].message) &&
			    streq(e->rejected, exp[i].rejected))
				break;
		}
		CHECK(j < r->nerrors, "%s: missing {%s, %s, \"%s\", %s}", desc,
		    exp[i].location, exp[i].code, exp[i].message,
		    exp[i].rejected ? exp[i].rejected : "null");
		if (j < r->nerrors)
			used[j] = true;
	}
	for (j = 0; j < r->nerrors; j++)
		CHECK(used[j] || r->nerrors != nexp, "%s: unexpected {%s, %s, "
		    "\"%s\", %s}", desc, r->errors[j].location,
		    r->errors[j].code, r->errors[j].message,
		    r->errors[j].rejected ? r->errors[j].rejected : "null");
}

#define CPREQ	"The Capacity Provider name is required."
#define CPBLANK	"The Capacity Provider name must not be empty."
#define CPSIZE	"The Capacity Provider name must be no more than 64 " \
		"characters long."
#define COREQ	"The Capacity Optimizer name is required."
#define COBLANK	"The Capacity Optimizer name must not be empty."
#define COSIZE	"The Capacity Optimizer name must be no more than 64 " \
		"characters long."

static void
t_peer(void)
{
	static const struct vcase t[] = {
		{ "valid CP", ROLE_CP, { { X_NAME, "Grid Co", 0 } }, { { 0 } } },
		{ "valid CO", ROLE_CO, { { X_NAME, "Opt", 0 } }, { { 0 } } },
		{ "CP name null", ROLE_CP, { { X_NAME, NULL, 0 } }, {
		    { "name", "NotNull", CPREQ, NULL },
		    { "name", "NotBlank", CPBLANK, NULL } } },
		{ "CO name null", ROLE_CO, { { X_NAME, NULL, 0 } }, {
		    { "name", "NotNull", COREQ, NULL },
		    { "name", "NotBlank", COBLANK, NULL } } },
		{ "CP name empty", ROLE_CP, { { X_NAME, "", 0 } }, {
		    { "name", "NotBlank", CPBLANK, "\"\"" } } },
		{ "CO name blank", ROLE_CO, { { X_NAME, "   ", 0 } }, {
		    { "name", "NotBlank", COBLANK, "\"   \"" } } },
		{ "CP name tab/newline", ROLE_CP, { { X_NAME, " \t\n\r", 0 } }, {
		    { "name", "NotBlank", CPBLANK, "\" \\t\\n\\r\"" } } },
		{ "CP name 64", ROLE_CP, { { X_NAME, A64, 0 } }, { { 0 } } },
		{ "CP name 65", ROLE_CP, { { X_NAME, A65, 0 } }, {
		    { "name", "Size", CPSIZE, Q(A65) } } },
		{ "CO name 65", ROLE_CO, { { X_NAME, A65, 0 } }, {
		    { "name", "Size", COSIZE, Q(A65) } } },
		/* characters, not bytes */
		{ "CP name 64 2-byte chars", ROLE_CP, { { X_NAME, E64, 0 } },
		    { { 0 } } },
		{ "CP name 65 2-byte chars", ROLE_CP, { { X_NAME, E65, 0 } }, {
		    { "name", "Size", CPSIZE, Q(E65) } } },
		{ "CP name 64 3-byte chars", ROLE_CP, { { X_NAME, EU64, 0 } },
		    { { 0 } } },
		{ "CP name 65 mixed chars", ROLE_CP, { { X_NAME, EU65, 0 } }, {
		    { "name", "Size", CPSIZE, Q(EU65) } } },
		/*
		 * Java's @Size counts String.length(), UTF-16 code units: a
		 * character outside the BMP counts twice.
		 */
		{ "CP name 32 astral chars", ROLE_CP, { { X_NAME, EM32, 0 } },
		    { { 0 } } },
		{ "CP name 33 astral chars", ROLE_CP,
		    { { X_NAME, EM32 EM, 0 } }, {
		    { "name", "Size", CPSIZE, Q(EM32 EM) } } },
		{ "CP name 63 + 1 astral char", ROLE_CP,
		    { { X_NAME, A63 EM, 0 } }, {
		    { "name", "Size", CPSIZE, Q(A63 EM) } } },
		/* blank and too long: both constraints fail */
		{ "CP name 65 spaces", ROLE_CP, { { X_NAME, SP65, 0 } }, {
		    { "name", "NotBlank", CPBLANK, Q(SP65) },
		    { "name", "Size", CPSIZE, Q(SP65) } } },
		{ "CP name non-blank with spaces", ROLE_CP,
		    { { X_NAME, "  a  ", 0 } }, { { 0 } } },
		/* NBSP is not removed by Java's trim(): not blank */
		{ "CP name NBSP", ROLE_CP, { { X_NAME, "\xc2\xa0", 0 } },
		    { { 0 } } },
		/*
		 * Hibernate's NotBlank is trim().length() > 0, and trim()
		 * drops every char <= U+0020, control characters included.
		 */
		{ "CP name control char", ROLE_CP, { { X_NAME, "\x01", 0 } }, {
		    { "name", "NotBlank", CPBLANK, "\"\\u0001\"" } } },
		{ "CO name unit separator", ROLE_CO,
		    { { X_NAME, " \x1f ", 0 } }, {
		    { "name", "NotBlank", COBLANK, "\" \\u001F \"" } } },
	};
	struct arena	*a;
	struct req	 r;
	struct peer	 p;
	enum fp_err	 rc;
	size_t		 i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(1024 * 1024));
	for (i = 0; i < N(t); i++) {
		memset(&r, 0, sizeof(r));
		r.a = a;
		memset(&p, 0, sizeof(p));
		p.fp_id = DB_NULL;
		p.reg_status = DB_NULL_INT;	/* not validated: Pending */
		p.heartbeat_secs = DB_NULL_INT;
		p.name = t[i].set[0].s;
		rc = valid_peer(&r, t[i].role, &p);
		compare(t[i].desc, &r, rc, t[i].exp);
		arena_reset(a);
	}
	arena_free(a);
}

#define GREQ	"The Capacity Group name is required."
#define GBLANK	"The Capacity Group name must not be empty."
#define GIREQ	"The Capacity Group identifier is required."
#define GIBLANK	"The Capacity Group identifier must not be empty."
#define GCP	"The Capacity Group Capacity Provider ID is required."
#define GCO	"The Capacity Group Capacity Optimizer ID is required."
#define GCPPER	"The Capacity Group capacity provider measurement period is " \
		"required."
#define GCOPER	"The Capacity Group capacity optimizer measurement period " \
		"is required."

static void
t_group(void)
{
	static const struct vcase t[] = {
		{ "valid", 0, { { 0 } }, { { 0 } } },
		{ "name null", 0, { { X_NAME, NULL, 0 } }, {
		    { "name", "NotNull", GREQ, NULL },
		    { "name", "NotBlank", GBLANK, NULL } } },
		{ "name blank", 0, { { X_NAME, " ", 0 } }, {
		    { "name", "NotBlank", GBLANK, "\" \"" } } },
		{ "name 64", 0, { { X_NAME, A64, 0 } }, { { 0 } } },
		{ "name 65", 0, { { X_NAME, A65, 0 } }, {
		    { "name", "Size", "size must be between 0 and 64",
		    Q(A65) } } },
		{ "name 65 2-byte chars", 0, { { X_NAME, E65, 0 } }, {
		    { "name", "Size", "size must be between 0 and 64",
		    Q(E65) } } },
		{ "identifier null", 0, { { X_IDENT, NULL, 0 } }, {
		    { "identifier", "NotNull", GIREQ, NULL },
		    { "identifier", "NotBlank", GIBLANK, NULL } } },
		{ "identifier empty", 0, { { X_IDENT, "", 0 } }, {
		    { "identifier", "NotBlank", GIBLANK, "\"\"" } } },
		{ "identifier 128", 0, { { X_IDENT, A128, 0 } }, { { 0 } } },
		{ "identifier 129", 0, { { X_IDENT, A129, 0 } }, {
		    { "identifier", "Size", "size must be between 0 and 128",
		    Q(A129) } } },
		{ "identifier 65", 0, { { X_IDENT, A65, 0 } }, { { 0 } } },
		{ "ids and periods missing", 0, {
		    { X_CPID, NULL, DB_NULL }, { X_COID, NULL, DB_NULL },
		    { X_CPPER, NULL, DB_NULL_INT },
		    { X_COPER, NULL, DB_NULL_INT } }, {
		    { "capacityProviderId", "NotNull", GCP, NULL },
		    { "capacityOptimizerId", "NotNull", GCO, NULL },
		    { "capacityProviderMeasurementPeriod", "NotNull", GCPPER,
		    NULL },
		    { "capacityOptimizerMeasurementPeriod", "NotNull", GCOPER,
		    NULL } } },
		/* reference §6.3 example */
		{ "identifier and CP id missing", 0, {
		    { X_IDENT, NULL, 0 }, { X_CPID, NULL, DB_NULL } }, {
		    { "identifier", "NotNull", GIREQ, NULL },
		    { "identifier", "NotBlank", GIBLANK, NULL },
		    { "capacityProviderId", "NotNull", GCP, NULL } } },
		{ "everything missing", 0, {
		    { X_NAME, NULL, 0 }, { X_IDENT, NULL, 0 },
		    { X_CPID, NULL, DB_NULL }, { X_COID, NULL, DB_NULL },
		    { X_CPPER, NULL, DB_NULL_INT } }, {
		    { "name", "NotNull", GREQ, NULL },
		    { "name", "NotBlank", GBLANK, NULL },
		    { "identifier", "NotNull", GIREQ, NULL },
		    { "identifier", "NotBlank", GIBLANK, NULL },
		    { "capacityProviderId", "NotNull", GCP, NULL },
		    { "capacityOptimizerId", "NotNull", GCO, NULL },
		    { "capacityProviderMeasurementPeriod", "NotNull", GCPPER,
		    NULL } } },
		/* ids are not range-checked here (the FK does it) */
		{ "negative ids", 0, { { X_CPID, NULL, -1 },
		    { X_COID, NULL, 0 } }, { { 0 } } },
	};
	struct arena	*a;
	struct req	 r;
	struct group	 g;
	enum fp_err	 rc;
	size_t		 i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(1024 * 1024));
	for (i = 0; i < N(t); i++) {
		memset(&r, 0, sizeof(r));
		r.a = a;
		memset(&g, 0, sizeof(g));
		g.name = "Group 1";
		g.ident = "g-1";
		g.cp_id = 1;
		g.co_id = 2;
		g.cp_meas_secs = 900;
		g.co_meas_secs = 300;
		g.cp_meas_at = g.co_meas_at = DB_NULL;
		apply_group(&g, t[i].set);
		rc = valid_group(&r, &g);
		compare(t[i].desc, &r, rc, t[i].exp);
		arena_reset(a);
	}
	arena_free(a);
}

#define AIREQ	"The Asset identifier is required."
#define AIBLANK	"The Asset identifier must not be empty."
#define AISIZE	"The Asset identifier must be no more than 64 characters long."
#define ASREQ	"The Asset source ID is required."
#define ASBLANK	"The Asset source ID must not be empty."
#define ASSIZE	"The Asset source ID must be no more than 64 characters long."

static void
t_asset(void)
{
	static const struct vcase t[] = {
		{ "valid, no sub-objects", 0, { { 0 } }, { { 0 } } },
		{ "valid, both sub-objects", 0, {
		    { X_I_PRESENT, NULL, 1 }, { X_E_PRESENT, NULL, 1 } },
		    { { 0 } } },
		{ "name null", 0, { { X_NAME, NULL, 0 } }, {
		    { "name", "NotNull", "must not be null", NULL },
		    { "name", "NotBlank", "must not be blank", NULL } } },
		{ "name blank", 0, { { X_NAME, "\t", 0 } }, {
		    { "name", "NotBlank", "must not be blank", "\"\\t\"" } } },
		{ "name 65", 0, { { X_NAME, A65, 0 } }, {
		    { "name", "Size", "size must be between 0 and 64",
		    Q(A65) } } },
		{ "name 64 3-byte chars", 0, { { X_NAME, EU64, 0 } },
		    { { 0 } } },
		{ "identifier null", 0, { { X_IDENT, NULL, 0 } }, {
		    { "identifier", "NotNull", AIREQ, NULL },
		    { "identifier", "NotBlank", AIBLANK, NULL } } },
		{ "identifier empty", 0, { { X_IDENT, "", 0 } }, {
		    { "identifier", "NotBlank", AIBLANK, "\"\"" } } },
		{ "identifier 64", 0, { { X_IDENT, A64, 0 } }, { { 0 } } },
		/* SPEC §2 improvement 6 */
		{ "identifier 65", 0, { { X_IDENT, A65, 0 } }, {
		    { "identifier", "Size", AISIZE, Q(A65) } } },
		{ "identifier 64 2-byte chars", 0, { { X_IDENT, E64, 0 } },
		    { { 0 } } },
		{ "identifier 65 2-byte chars", 0, { { X_IDENT, E65, 0 } }, {
		    { "identifier", "Size", AISIZE, Q(E65) } } },
		{ "sourceId null", 0, { { X_SOURCE, NULL, 0 } }, {
		    { "sourceId", "NotNull", ASREQ, NULL },
		    { "sourceId", "NotBlank", ASBLANK, NULL } } },
		{ "sourceId blank", 0, { { X_SOURCE, "  ", 0 } }, {
		    { "sourceId", "NotBlank", ASBLANK, "\"  \"" } } },
		{ "sourceId 64", 0, { { X_SOURCE, A64, 0 } }, { { 0 } } },
		{ "sourceId 65", 0, { { X_SOURCE, A65, 0 } }, {
		    { "sourceId", "Size", ASSIZE, Q(A65) } } },
		{ "sourceId 65 3-byte chars", 0, { { X_SOURCE, EU65, 0 } }, {
		    { "sourceId", "Size", ASSIZE, Q(EU65) } } },
		{ "capacityGroupId null", 0, { { X_CG, NULL, DB_NULL } }, {
		    { "capacityGroupId", "NotNull",
		    "The Asset capacity group ID is required.", NULL } } },
		{ "audience null", 0, { { X_AUD, NULL, DB_NULL_INT } }, {
		    { "audience", "NotNull", "The Asset audience is required.",
		    NULL } } },
		{ "nodeId null", 0, { { X_NODE, NULL, DB_NULL } }, {
		    { "nodeId", "NotNull", "The Asset node ID is required.",
		    NULL } } },
		{ "category null", 0, { { X_CAT, NULL, DB_NULL_INT } }, {
		    { "category", "NotNull", "The Asset category is required.",
		    NULL } } },
		{ "phase null", 0, { { X_PHASE, NULL, DB_NULL_INT } }, {
		    { "phase", "NotNull", "The Asset phase is required.",
		    NULL } } },
		/* reference §10 case 31 */
		{ "instantaneous.propertyNames []", 0, {
		    { X_I_PRESENT, NULL, 1 }, { X_I_PROPS, "[]", 0 } }, {
		    { "instantaneous.propertyNames", "NotEmpty",
		    "The Asset instantaneous property names must not be "
		    "empty.", "[]" } } },
		{ "instantaneous.propertyNames null", 0, {
		    { X_I_PRESENT, NULL, 1 }, { X_I_PROPS, NULL, 0 } }, {
		    { "instantaneous.propertyNames", "NotNull",
		    "The Asset instantaneous property names are required.",
		    NULL },
		    { "instantaneous.propertyNames", "NotEmpty",
		    "The Asset instantaneous property names must not be "
		    "empty.", NULL } } },
		{ "instantaneous unit and statistic missing", 0, {
		    { X_I_PRESENT, NULL, 1 }, { X_I_UNIT, NULL, DB_NULL_INT },
		    { X_I_STAT, NULL, DB_NULL_INT } }, {
		    { "instantaneous.unit", "NotNull",
		    "The Asset instantaneous unit is required.", NULL },
		    { "instantaneous.statisticType", "NotNull",
		    "The Asset instantaneous statistic type is required.",
		    NULL } } },
		/* type/direction belong to energy only */
		{ "instantaneous without type/direction", 0, {
		    { X_I_PRESENT, NULL, 1 } }, { { 0 } } },
		/* reference §10 case 32 */
		{ "energy type missing", 0, {
		    { X_E_PRESENT, NULL, 1 }, { X_E_TYPE, NULL, DB_NULL_INT } },
		    { { "energy.type", "NotNull",
		    "The Asset energy type is required.", NULL } } },
		{ "energy direction missing", 0, {
		    { X_E_PRESENT, NULL, 1 }, { X_E_DIR, NULL, DB_NULL_INT } },
		    { { "energy.direction", "NotNull",
		    "The Asset energy direction is required.", NULL } } },
		{ "energy empty object", 0, {
		    { X_E_PRESENT, NULL, 1 }, { X_E_PROPS, NULL, 0 },
		    { X_E_UNIT, NULL, DB_NULL_INT },
		    { X_E_STAT, NULL, DB_NULL_INT },
		    { X_E_TYPE, NULL, DB_NULL_INT } }, {
		    { "energy.propertyNames", "NotNull",
		    "The Asset energy property names are required.", NULL },
		    { "energy.propertyNames", "NotEmpty",
		    "The Asset energy property names must not be empty.",
		    NULL },
		    { "energy.unit", "NotNull",
		    "The Asset energy unit is required.", NULL },
		    { "energy.statisticType", "NotNull",
		    "The Asset energy statistic type is required.", NULL },
		    { "energy.type", "NotNull",
		    "The Asset energy type is required.", NULL } } },
		{ "energy.propertyNames []", 0, {
		    { X_E_PRESENT, NULL, 1 }, { X_E_PROPS, "[]", 0 } }, {
		    { "energy.propertyNames", "NotEmpty",
		    "The Asset energy property names must not be empty.",
		    "[]" } } },
		/* an absent sub-object is not validated */
		{ "absent sub-objects with garbage", 0, {
		    { X_I_PROPS, NULL, 0 }, { X_I_UNIT, NULL, DB_NULL_INT },
		    { X_E_PROPS, "[]", 0 }, { X_E_TYPE, NULL, DB_NULL_INT } },
		    { { 0 } } },
		{ "several at once", 0, {
		    { X_CG, NULL, DB_NULL }, { X_IDENT, "", 0 },
		    { X_AUD, NULL, DB_NULL_INT }, { X_SOURCE, A65, 0 } }, {
		    { "capacityGroupId", "NotNull",
		    "The Asset capacity group ID is required.", NULL },
		    { "identifier", "NotBlank", AIBLANK, "\"\"" },
		    { "audience", "NotNull", "The Asset audience is required.",
		    NULL },
		    { "sourceId", "Size", ASSIZE, Q(A65) } } },
	};
	struct arena	*a;
	struct req	 r;
	struct asset	 s;
	enum fp_err	 rc;
	size_t		 i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(1024 * 1024));
	for (i = 0; i < N(t); i++) {
		memset(&r, 0, sizeof(r));
		r.a = a;
		memset(&s, 0, sizeof(s));
		s.name = "Charger 1";
		s.cg_id = 3;
		s.ident = "chg-1";
		s.audience = 112;
		s.node_id = 123;
		s.source_id = "/ev/1";
		s.category = 118;
		s.phase = 122;
		/* Sub-objects filled in but absent until a case says so. */
		s.inst.props = "[\"watts\"]";
		s.inst.nprops = 1;
		s.inst.unit = 80;
		s.inst.mult = "0.001";
		s.inst.stat = 77;
		s.inst.type = s.inst.dir = DB_NULL_INT;
		s.energy.props = "[\"wattHours\"]";
		s.energy.nprops = 1;
		s.energy.unit = 69;
		s.energy.mult = "0.001";
		s.energy.stat = 100;
		s.energy.type = 116;
		s.energy.dir = 105;
		apply_asset(&s, t[i].set);
		rc = valid_asset(&r, &s);
		compare(t[i].desc, &r, rc, t[i].exp);
		arena_reset(a);
	}
	arena_free(a);
}

/*
 * With the arena nearly full, every entry still has its location and
 * message (they are constants), and a rejected value that cannot be
 * quoted makes the check FP_ENOMEM instead of an entry without it.
 */
static void
t_no_memory(void)
{
	struct arena	*a;
	struct req	 r;
	struct asset	 s;
	enum fp_err	 rc;
	size_t		 cap, j;
	bool		 ok;

	for (cap = 48; cap <= 1024; cap += 16) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(cap));
		memset(&r, 0, sizeof(r));
		r.a = a;
		memset(&s, 0, sizeof(s));
		s.name = "   ";
		s.ident = A65;
		s.cg_id = s.node_id = DB_NULL;
		s.audience = s.category = s.phase = DB_NULL_INT;
		s.inst.present = s.energy.present = true;
		s.inst.unit = s.inst.stat = DB_NULL_INT;
		s.energy.unit = s.energy.stat = DB_NULL_INT;
		s.energy.type = s.energy.dir = DB_NULL_INT;
		rc = valid_asset(&r, &s);
		CHECK(rc == FP_EINVAL || rc == FP_ENOMEM, "arena %zu: rc %d",
		    cap, rc);
		for (j = 0, ok = true; j < r.nerrors; j++) {
			const struct verr	*e = &r.errors[j];

			if (e->location == NULL || e->message == NULL)
				ok = false;
			/* name and identifier are given: values rejected */
			else if (e->rejected == NULL &&
			    (strcmp(e->location, "name") == 0 ||
			    strcmp(e->location, "identifier") == 0))
				ok = false;
		}
		CHECK(ok, "arena %zu: an entry lost a member", cap);
		arena_free(a);
	}
	CHECK(rc == FP_EINVAL, "rc %d with a 1 KiB arena", rc);
}

void
test_valid_register(void)
{
	CU_pSuite	 s;

	s = CU_add_suite("valid", NULL, NULL);
	CU_add_test(s, "CP/CO", t_peer);
	CU_add_test(s, "capacity group", t_group);
	CU_add_test(s, "asset", t_asset);
	CU_add_test(s, "arena nearly full", t_no_memory);
}
