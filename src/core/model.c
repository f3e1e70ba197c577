/*
 * model.c -- the enumeration tables of reference §3: Java name, one-char
 * code and stored value.  Reading accepts the name in any case or, for
 * enums with SolarNetwork's "fromValue" reader, the exact one-character
 * code (reference §2.2).  Writing always uses the name.
 */
#include <string.h>
#include <strings.h>

#include "db.h"
#include "model.h"

#define N(a)	(sizeof(a) / sizeof((a)[0]))

static const struct enumval reg_status[] = {
	{ "Pending", 'p', 112 },
	{ "Registered", 'r', 114 },
	{ "Failed", 'f', 102 },
};

/* FlexibilityProvider is not a valid audience; refused before lookup. */
static const struct enumval audience[] = {
	{ "CapacityProvider", 'p', 112 },
	{ "CapacityOptimizer", 'o', 111 },
};

/* The code branch never matches for periods (reference §2.2), so names
 * only; the value is the number of seconds. */
static const struct enumval meas_period[] = {
	{ "Minute", '\0', 60 },
	{ "FiveMinute", '\0', 300 },
	{ "TenMinute", '\0', 600 },
	{ "FifteenMinute", '\0', 900 },
	{ "TwentyMinute", '\0', 1200 },
	{ "ThirtyMinute", '\0', 1800 },
	{ "Hour", '\0', 3600 },
};

static const struct enumval category[] = {
	{ "Charging", 'v', 118 },
	{ "Consumption", 'c', 99 },
	{ "Generation", 'g', 103 },
	{ "Storage", 's', 115 },
};

static const struct enumval phase[] = {
	{ "Unknown", 'u', 117 },
	{ "A", 'a', 97 },
	{ "B", 'b', 98 },
	{ "C", 'c', 99 },
	{ "All", 'z', 122 },
};

static const struct enumval unit[] = {
	{ "A", 'a', 97 },
	{ "W", 'p', 112 },
	{ "kW", 'P', 80 },
	{ "Wh", 'e', 101 },
	{ "kWh", 'E', 69 },
};

/* No fromValue reader: exact names only (reference §3.7). */
static const struct enumval stat[] = {
	{ "Average", 'a', 97 },
	{ "Count", 'c', 99 },
	{ "Minimum", 'm', 109 },
	{ "Maximum", 'M', 77 },
	{ "Start", 's', 115 },
	{ "End", 'e', 101 },
	{ "Difference", 'd', 100 },
};

static const struct enumval energy_type[] = {
	{ "Flexible", 'f', 102 },
	{ "NonFlexible", 'n', 110 },
	{ "Total", 't', 116 },
};

static const struct enumval energy_dir[] = {
	{ "Net", 'n', 110 },
	{ "Import", 'i', 105 },
	{ "Export", 'e', 101 },
};

static const struct enumval meas_style[] = {
	{ "Continuous", 'c', 99 },
	{ "Intermittent", 'i', 105 },
};

const struct enumdef enums[ENUM__MAX] = {
	{ "RegistrationStatus", reg_status, N(reg_status), true },	/* ENUM_REG_STATUS */
	{ "OscpRole", audience, N(audience), false },			/* ENUM_AUDIENCE */
	{ "MeasurementPeriod", meas_period, N(meas_period), true },	/* ENUM_MEAS_PERIOD */
	{ "AssetCategory", category, N(category), true },		/* ENUM_CATEGORY */
	{ "Phase", phase, N(phase), true },				/* ENUM_PHASE */
	{ "MeasurementUnit", unit, N(unit), true },			/* ENUM_UNIT */
	{ "StatisticType", stat, N(stat), false },			/* ENUM_STAT */
	{ "EnergyType", energy_type, N(energy_type), true },		/* ENUM_ENERGY_TYPE */
	{ "EnergyDirection", energy_dir, N(energy_dir), true },		/* ENUM_ENERGY_DIR */
	{ "MeasurementStyle", meas_style, N(meas_style), true },	/* ENUM_MEAS_STYLE */
};

/*
 * Each constant is tried in turn (reference §2.2): it matches a one-char
 * value equal to its code, or its name ignoring case (exact name for enums
 * without the reader).
 */
int
enum_read(enum enumkind k, const char *s, size_t len)
{
	const struct enumdef	*d = &enums[k];
	size_t			 i;

	for (i = 0; i < d->n; i++) {
		const struct enumval	*v = &d->v[i];

		if (d->by_code && len == 1 && v->code != '\0' &&
		    s[0] == v->code)
			return (int)i;
		if (strlen(v->name) != len)
			continue;
		if (d->by_code ? strncasecmp(v->name, s, len) == 0 :
		    strncmp(v->name, s, len) == 0)
			return (int)i;
	}
	return -1;
}

const char *
enum_name(enum enumkind k, int value)
{
	const struct enumdef	*d = &enums[k];
	size_t			 i;

	for (i = 0; i < d->n; i++)
		if (d->v[i].value == value)
			return d->v[i].name;
	return NULL;
}

int
enum_value(enum enumkind k, int idx)
{
	if (idx < 0 || (size_t)idx >= enums[k].n)
		return DB_NULL_INT;
	return enums[k].v[idx].value;
}

void
peer_init(struct peer *p)
{
	memset(p, 0, sizeof(*p));
	p->user_id = p->id = p->created = p->modified = DB_NULL;
	p->fp_id = DB_NULL;
	p->reg_status = DB_NULL_INT;
	p->heartbeat_secs = DB_NULL_INT;
	p->heartbeat_at = DB_NULL;
	p->offline_at = DB_NULL;
}

void
group_init(struct group *g)
{
	memset(g, 0, sizeof(*g));
	g->user_id = g->id = g->created = g->modified = DB_NULL;
	g->cp_id = g->co_id = DB_NULL;
	g->cp_meas_secs = g->co_meas_secs = DB_NULL_INT;
	g->cp_meas_at = g->co_meas_at = DB_NULL;
}

static void
meas_init(struct meas *m)
{
	memset(m, 0, sizeof(*m));
	m->unit = m->stat = m->type = m->dir = DB_NULL_INT;
}

void
asset_init(struct asset *s)
{
	memset(s, 0, sizeof(*s));
	s->user_id = s->id = s->created = s->modified = DB_NULL;
	s->cg_id = s->node_id = DB_NULL;
	s->audience = s->category = s->phase = DB_NULL_INT;
	meas_init(&s->inst);
	meas_init(&s->energy);
}
