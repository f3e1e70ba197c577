/*
 * test_model.c -- src/model.c: every enumeration table against reference
 * §3 (name, one-character code, stored value), and the three accessors:
 * enum_read (name in any case or exact code for "fromValue" enums, exact
 * name only for StatisticType and OscpRole, names only for
 * MeasurementPeriod), enum_name and enum_value.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "db.h"
#include "model.h"
#include "unit.h"


struct row {
	enum enumkind	 kind;
	const char	*name;
	char		 code;
	int		 value;
};

/* Reference §3.1-§3.10, written out independently of model.c. */
static const struct row rows[] = {
	{ ENUM_REG_STATUS, "Pending", 'p', 112 },
	{ ENUM_REG_STATUS, "Registered", 'r', 114 },
	{ ENUM_REG_STATUS, "Failed", 'f', 102 },
	{ ENUM_AUDIENCE, "CapacityProvider", 'p', 112 },
	{ ENUM_AUDIENCE, "CapacityOptimizer", 'o', 111 },
	{ ENUM_MEAS_PERIOD, "Minute", '\0', 60 },
	{ ENUM_MEAS_PERIOD, "FiveMinute", '\0', 300 },
	{ ENUM_MEAS_PERIOD, "TenMinute", '\0', 600 },
	{ ENUM_MEAS_PERIOD, "FifteenMinute", '\0', 900 },
	{ ENUM_MEAS_PERIOD, "TwentyMinute", '\0', 1200 },
	{ ENUM_MEAS_PERIOD, "ThirtyMinute", '\0', 1800 },
	{ ENUM_MEAS_PERIOD, "Hour", '\0', 3600 },
	{ ENUM_CATEGORY, "Charging", 'v', 118 },
	{ ENUM_CATEGORY, "Consumption", 'c', 99 },
	{ ENUM_CATEGORY, "Generation", 'g', 103 },
	{ ENUM_CATEGORY, "Storage", 's', 115 },
	{ ENUM_PHASE, "Unknown", 'u', 117 },
	{ ENUM_PHASE, "A", 'a', 97 },
	{ ENUM_PHASE, "B", 'b', 98 },
	{ ENUM_PHASE, "C", 'c', 99 },
	{ ENUM_PHASE, "All", 'z', 122 },
	{ ENUM_UNIT, "A", 'a', 97 },
	{ ENUM_UNIT, "W", 'p', 112 },
	{ ENUM_UNIT, "kW", 'P', 80 },
	{ ENUM_UNIT, "Wh", 'e', 101 },
	{ ENUM_UNIT, "kWh", 'E', 69 },
	{ ENUM_STAT, "Average", 'a', 97 },
	{ ENUM_STAT, "Count", 'c', 99 },
	{ ENUM_STAT, "Minimum", 'm', 109 },
	{ ENUM_STAT, "Maximum", 'M', 77 },
	{ ENUM_STAT, "Start", 's', 115 },
	{ ENUM_STAT, "End", 'e', 101 },
	{ ENUM_STAT, "Difference", 'd', 100 },
	{ ENUM_ENERGY_TYPE, "Flexible", 'f', 102 },
	{ ENUM_ENERGY_TYPE, "NonFlexible", 'n', 110 },
	{ ENUM_ENERGY_TYPE, "Total", 't', 116 },
	{ ENUM_ENERGY_DIR, "Net", 'n', 110 },
	{ ENUM_ENERGY_DIR, "Import", 'i', 105 },
	{ ENUM_ENERGY_DIR, "Export", 'e', 101 },
	{ ENUM_MEAS_STYLE, "Continuous", 'c', 99 },
	{ ENUM_MEAS_STYLE, "Intermittent", 'i', 105 },
};

/* Which enums have the "fromValue" reader (reference §2.2). */
static const bool by_code[ENUM__MAX] = {
	[ENUM_REG_STATUS] = true,
	[ENUM_AUDIENCE] = false,
	[ENUM_MEAS_PERIOD] = true,
	[ENUM_CATEGORY] = true,
	[ENUM_PHASE] = true,
	[ENUM_UNIT] = true,
	[ENUM_STAT] = false,
	[ENUM_ENERGY_TYPE] = true,
	[ENUM_ENERGY_DIR] = true,
	[ENUM_MEAS_STYLE] = true,
};

static int
read_s(enum enumkind k, const char *s)
{
	return enum_read(k, s, strlen(s));
}

/* The tables hold exactly the reference's constants, in order. */
static void
t_tables(void)
{
	size_t	 count[ENUM__MAX] = { 0 };
	size_t	 i, idx;
	int	 k;

	for (i = 0; i < N(rows); i++) {
		const struct enumdef	*d = &enums[rows[i].kind];

		idx = count[rows[i].kind]++;
		CU_ASSERT_FATAL(idx < d->n);
		CU_ASSERT_STRING_EQUAL(d->v[idx].name, rows[i].name);
		CU_ASSERT_EQUAL(d->v[idx].code, rows[i].code);
		CU_ASSERT_EQUAL(d->v[idx].value, rows[i].value);
		/* The stored value is the code point of the code. */
		if (rows[i].code != '\0')
			CU_ASSERT_EQUAL(rows[i].value, rows[i].code);
	}
	for (k = 0; k < ENUM__MAX; k++) {
		CU_ASSERT_EQUAL(enums[k].n, count[k]);
		CU_ASSERT_PTR_NOT_NULL(enums[k].what);
		CU_ASSERT_EQUAL(enums[k].by_code, by_code[k]);
	}
	/* FlexibilityProvider is not a valid audience at all. */
	CU_ASSERT_EQUAL(read_s(ENUM_AUDIENCE, "FlexibilityProvider"), -1);
	CU_ASSERT_PTR_NULL(enum_name(ENUM_AUDIENCE, 102));
	CU_ASSERT_EQUAL(REG_PENDING_VALUE, 112);
}

/* Every name reads back to its own index; enum_name/enum_value agree. */
static void
t_roundtrip(void)
{
	size_t	 count[ENUM__MAX] = { 0 };
	size_t	 i;
	int	 idx;

	for (i = 0; i < N(rows); i++) {
		const struct row	*r = &rows[i];

		idx = (int)count[r->kind]++;
		CU_ASSERT_EQUAL(read_s(r->kind, r->name), idx);
		CU_ASSERT_EQUAL(enum_value(r->kind, idx), r->value);
		CU_ASSERT_PTR_NOT_NULL_FATAL(enum_name(r->kind, r->value));
		CU_ASSERT_STRING_EQUAL(enum_name(r->kind, r->value), r->name);
	}
}

/* Reading by name ignoring case, by exact code, or not at all. */
static void
t_read(void)
{
	static const struct {
		enum enumkind	 kind;
		const char	*in;
		int		 value;	/* DB_NULL_INT: rejected */
	} t[] = {
		/* RegistrationStatus: reference §10 case 8 */
		{ ENUM_REG_STATUS, "r", 114 },
		{ ENUM_REG_STATUS, "Registered", 114 },
		{ ENUM_REG_STATUS, "REGISTERED", 114 },
		{ ENUM_REG_STATUS, "registered", 114 },
		{ ENUM_REG_STATUS, "nope", DB_NULL_INT },
		{ ENUM_REG_STATUS, "p", 112 },
		{ ENUM_REG_STATUS, "f", 102 },
		{ ENUM_REG_STATUS, "P", DB_NULL_INT },	/* case-sensitive */
		{ ENUM_REG_STATUS, "R", DB_NULL_INT },
		{ ENUM_REG_STATUS, "", DB_NULL_INT },
		{ ENUM_REG_STATUS, "Pending ", DB_NULL_INT },
		{ ENUM_REG_STATUS, " Pending", DB_NULL_INT },
		{ ENUM_REG_STATUS, "Pendin", DB_NULL_INT },
		{ ENUM_REG_STATUS, "Pendingg", DB_NULL_INT },
		{ ENUM_REG_STATUS, "112", DB_NULL_INT },
		/* MeasurementPeriod: names only (reference §10 case 23) */
		{ ENUM_MEAS_PERIOD, "fifteenminute", 900 },
		{ ENUM_MEAS_PERIOD, "FIFTEENMINUTE", 900 },
		{ ENUM_MEAS_PERIOD, "FifteenMinute", 900 },
		{ ENUM_MEAS_PERIOD, "hour", 3600 },
		{ ENUM_MEAS_PERIOD, "900", DB_NULL_INT },
		{ ENUM_MEAS_PERIOD, "60", DB_NULL_INT },
		{ ENUM_MEAS_PERIOD, "m", DB_NULL_INT },
		{ ENUM_MEAS_PERIOD, "<", DB_NULL_INT },	/* char 60 */
		{ ENUM_MEAS_PERIOD, "", DB_NULL_INT },
		/* AssetCategory */
		{ ENUM_CATEGORY, "v", 118 },
		{ ENUM_CATEGORY, "charging", 118 },
		{ ENUM_CATEGORY, "c", 99 },
		{ ENUM_CATEGORY, "g", 103 },
		{ ENUM_CATEGORY, "s", 115 },
		{ ENUM_CATEGORY, "STORAGE", 115 },
		{ ENUM_CATEGORY, "V", DB_NULL_INT },
		/* Phase: one-letter names and codes overlap */
		{ ENUM_PHASE, "a", 97 },
		{ ENUM_PHASE, "A", 97 },
		{ ENUM_PHASE, "b", 98 },
		{ ENUM_PHASE, "B", 98 },
		{ ENUM_PHASE, "C", 99 },
		{ ENUM_PHASE, "z", 122 },
		{ ENUM_PHASE, "Z", DB_NULL_INT },
		{ ENUM_PHASE, "all", 122 },
		{ ENUM_PHASE, "u", 117 },
		{ ENUM_PHASE, "unknown", 117 },
		{ ENUM_PHASE, "D", DB_NULL_INT },
		/* MeasurementUnit: case matters for codes, not for names */
		{ ENUM_UNIT, "P", 80 },
		{ ENUM_UNIT, "p", 112 },
		{ ENUM_UNIT, "E", 69 },
		{ ENUM_UNIT, "e", 101 },
		{ ENUM_UNIT, "a", 97 },
		{ ENUM_UNIT, "A", 97 },
		{ ENUM_UNIT, "w", 112 },		/* name "W", any case */
		{ ENUM_UNIT, "KW", 80 },
		{ ENUM_UNIT, "kwh", 69 },
		{ ENUM_UNIT, "WH", 101 },
		{ ENUM_UNIT, "MW", DB_NULL_INT },
		/* StatisticType: exact names only */
		{ ENUM_STAT, "Maximum", 77 },
		{ ENUM_STAT, "Difference", 100 },
		{ ENUM_STAT, "maximum", DB_NULL_INT },
		{ ENUM_STAT, "MAXIMUM", DB_NULL_INT },
		{ ENUM_STAT, "M", DB_NULL_INT },
		{ ENUM_STAT, "a", DB_NULL_INT },
		{ ENUM_STAT, "d", DB_NULL_INT },
		/* EnergyType / EnergyDirection */
		{ ENUM_ENERGY_TYPE, "t", 116 },
		{ ENUM_ENERGY_TYPE, "nonflexible", 110 },
		{ ENUM_ENERGY_TYPE, "n", 110 },
		{ ENUM_ENERGY_TYPE, "T", DB_NULL_INT },
		{ ENUM_ENERGY_DIR, "i", 105 },
		{ ENUM_ENERGY_DIR, "EXPORT", 101 },
		{ ENUM_ENERGY_DIR, "Exoprt", DB_NULL_INT },
		{ ENUM_ENERGY_DIR, "n", 110 },
		/* OscpRole as audience: exact names only */
		{ ENUM_AUDIENCE, "CapacityProvider", 112 },
		{ ENUM_AUDIENCE, "CapacityOptimizer", 111 },
		{ ENUM_AUDIENCE, "capacityprovider", DB_NULL_INT },
		{ ENUM_AUDIENCE, "p", DB_NULL_INT },
		{ ENUM_AUDIENCE, "o", DB_NULL_INT },
		{ ENUM_AUDIENCE, "cp", DB_NULL_INT },
		/* MeasurementStyle */
		{ ENUM_MEAS_STYLE, "c", 99 },
		{ ENUM_MEAS_STYLE, "INTERMITTENT", 105 },
		{ ENUM_MEAS_STYLE, "x", DB_NULL_INT },
	};
	size_t	 i;
	int	 idx;

	for (i = 0; i < N(t); i++) {
		idx = read_s(t[i].kind, t[i].in);
		CHECK(enum_value(t[i].kind, idx) == t[i].value,
		    "%s \"%s\" reads as %d, want %d", enums[t[i].kind].what,
		    t[i].in, enum_value(t[i].kind, idx), t[i].value);
		if (t[i].value == DB_NULL_INT)
			CHECK(idx == -1, "\"%s\" index %d", t[i].in, idx);
	}
}

/* enum_read honours len: the text need not be NUL-terminated. */
static void
t_read_len(void)
{
	CU_ASSERT_EQUAL(enum_value(ENUM_REG_STATUS,
	    enum_read(ENUM_REG_STATUS, "rXYZ", 1)), 114);
	CU_ASSERT_EQUAL(enum_value(ENUM_REG_STATUS,
	    enum_read(ENUM_REG_STATUS, "FailedXYZ", 6)), 102);
	CU_ASSERT_EQUAL(enum_read(ENUM_REG_STATUS, "Failed", 5), -1);
	CU_ASSERT_EQUAL(enum_read(ENUM_REG_STATUS, "Failed", 0), -1);
	CU_ASSERT_EQUAL(enum_value(ENUM_PHASE,
	    enum_read(ENUM_PHASE, "All\"}", 3)), 122);
}

static void
t_name_value(void)
{
	static const struct {
		enum enumkind	 kind;
		int		 value;
	} unknown[] = {
		{ ENUM_REG_STATUS, 0 },
		{ ENUM_REG_STATUS, 'P' },
		{ ENUM_REG_STATUS, DB_NULL_INT },
		{ ENUM_MEAS_PERIOD, 900 + 1 },
		{ ENUM_MEAS_PERIOD, 0 },
		{ ENUM_UNIT, 'w' },
		{ ENUM_PHASE, 'd' },
		{ ENUM_STAT, 0 },
		{ ENUM_AUDIENCE, 'f' },
		{ ENUM_MEAS_STYLE, -1 },
	};
	size_t	 i;
	int	 k;

	for (i = 0; i < N(unknown); i++)
		CU_ASSERT_PTR_NULL(enum_name(unknown[i].kind, unknown[i].value));
	for (k = 0; k < ENUM__MAX; k++) {
		CU_ASSERT_EQUAL(enum_value(k, -1), DB_NULL_INT);
		CU_ASSERT_EQUAL(enum_value(k, (int)enums[k].n), DB_NULL_INT);
		CU_ASSERT_EQUAL(enum_value(k, 1000), DB_NULL_INT);
	}
	CU_ASSERT_STRING_EQUAL(enum_name(ENUM_MEAS_PERIOD, 900),
	    "FifteenMinute");
	CU_ASSERT_STRING_EQUAL(enum_name(ENUM_UNIT, 80), "kW");
	CU_ASSERT_STRING_EQUAL(enum_name(ENUM_STAT, 77), "Maximum");
}

void
test_model_register(void)
{
	CU_pSuite	 s;

	s = CU_add_suite("model", NULL, NULL);
	CU_add_test(s, "enum tables match reference §3", t_tables);
	CU_add_test(s, "name round trip", t_roundtrip);
	CU_add_test(s, "enum_read by name and code", t_read);
	CU_add_test(s, "enum_read honours length", t_read_len);
	CU_add_test(s, "enum_name / enum_value bounds", t_name_value);
}
