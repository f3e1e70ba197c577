/*
 * test_json.c -- src/json_parse.c and src/json_emit.c.  Parsing: whole
 * CP/CO, group and asset bodies into their structs; the limits (depth,
 * string bytes, array length) everywhere in the document, ignored keys
 * and serviceProps included; strict UTF-8; duplicate keys at every level;
 * strict JSON types; int64 range; enum reading; the audience rules;
 * serviceProps as JSON text without "oauth-client-secret"; a top level
 * that is not an object; memory: ignored objects cost nothing, the
 * caller's budget is a 422, an exhausted arena is FP_ENOMEM at every
 * allocation, never a crash.  Emitting: key order and null omission of the
 * three entities, json_raw's skipped key, the timestamp format.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <yajl/yajl_gen.h>

#include "db.h"
#include "json.h"
#include "model.h"
#include "unit.h"

#define L(s)	(s), strlen(s)
#define US	INT64_C(1000000)
#define T0	INT64_C(1741338303)	/* 2025-03-07T09:05:03Z */

/* The daemon's defaults; mem is api_body()'s budget for a 256 KiB cap. */
static const struct jlimits deflim = {
	FP_JSON_DEPTH_DEFAULT, FP_JSON_STRING_DEFAULT, FP_JSON_ARRAY_DEFAULT,
	8 * FP_BODY_MAX_DEFAULT
};

/* Entities start as the handlers start them: model.c's peer_init(),
 * group_init(), asset_init(). */

enum kind { K_PEER, K_GROUP, K_ASSET };

union ent {
	struct peer	 p;
	struct group	 g;
	struct asset	 s;
};

static const struct field *
fields_of(enum kind k)
{
	return k == K_PEER ? json_peer_fields : k == K_GROUP ?
	    json_group_fields : json_asset_fields;
}

static enum fp_err
parse(struct arena *a, const struct jlimits *lim, enum kind k,
    const char *body, size_t len, union ent *e, const char **secret,
    const char **detail)
{
	switch (k) {
	case K_PEER:
		peer_init(&e->p);
		break;
	case K_GROUP:
		group_init(&e->g);
		break;
	case K_ASSET:
		asset_init(&e->s);
		break;
	}
	*detail = NULL;
	if (secret != NULL)
		*secret = NULL;
	return json_parse(a, lim, (const unsigned char *)body, len,
	    fields_of(k), e, secret, detail);
}

/* ------------------------------------------------------------------ */
/* Whole bodies */

static void
t_peer_body(void)
{
	static const char body[] = "{\"userId\":99,\"configId\":5,"
	    "\"token\":\"zzz\",\"created\":\"2020-01-01 00:00:00Z\","
	    "\"name\":\"Grid Co\",\"registrationStatus\":\"Registered\","
	    "\"baseUrl\":\"https://cp.example/oscp/cp/2.0\",\"enabled\":true,"
	    "\"oscpVersion\":\"2.0\",\"settings\":{\"heartbeatSeconds\":5},"
	    "\"flexibilityProviderId\":77,"
	    "\"serviceProps\":{\"oauth-token-url\":\"https://auth.example/"
	    "token\",\"oauth-client-id\":\"abc\",\"oauth-client-secret\":"
	    "\"s3cr3t\"}}";
	struct arena	*a;
	union ent	 e;
	const char	*secret, *detail;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(1024 * 1024));
	CU_ASSERT_EQUAL_FATAL(parse(a, &deflim, K_PEER, body, strlen(body),
	    &e, &secret, &detail), FP_OK);
	CU_ASSERT_STRING_EQUAL(e.p.name, "Grid Co");
	CU_ASSERT_EQUAL(e.p.reg_status, 114);
	CU_ASSERT_STRING_EQUAL(e.p.base_url, "https://cp.example/oscp/cp/2.0");
	CU_ASSERT_TRUE(e.p.enabled);
	CU_ASSERT_STRING_EQUAL(e.p.oscp_ver, "2.0");
	CU_ASSERT_STRING_EQUAL(e.p.sprops, "{\"oauth-token-url\":"
	    "\"https://auth.example/token\",\"oauth-client-id\":\"abc\"}");
	CU_ASSERT_PTR_NOT_NULL_FATAL(secret);
	CU_ASSERT_STRING_EQUAL(secret, "s3cr3t");
	/* Ignored input: identity, token, times, settings, fp id. */
	CU_ASSERT_EQUAL(e.p.user_id, DB_NULL);
	CU_ASSERT_EQUAL(e.p.id, DB_NULL);
	CU_ASSERT_PTR_NULL(e.p.token);
	CU_ASSERT_EQUAL(e.p.created, DB_NULL);
	CU_ASSERT_EQUAL(e.p.fp_id, DB_NULL);
	CU_ASSERT_EQUAL(e.p.heartbeat_secs, DB_NULL_INT);

	/* The published create example: no status, no props. */
	CU_ASSERT_EQUAL(parse(a, &deflim, K_PEER, L("{\"name\":\"x\"}"), &e,
	    &secret, &detail), FP_OK);
	CU_ASSERT_EQUAL(e.p.reg_status, DB_NULL_INT);
	CU_ASSERT_PTR_NULL(e.p.sprops);
	CU_ASSERT_PTR_NULL(e.p.base_url);
	CU_ASSERT_PTR_NULL(secret);
	CU_ASSERT_FALSE(e.p.enabled);

	/* Explicit nulls are absent values. */
	CU_ASSERT_EQUAL(parse(a, &deflim, K_PEER, L("{\"name\":null,"
	    "\"registrationStatus\":null,\"enabled\":null,\"baseUrl\":null,"
	    "\"serviceProps\":null}"), &e, &secret, &detail), FP_OK);
	CU_ASSERT_PTR_NULL(e.p.name);
	CU_ASSERT_EQUAL(e.p.reg_status, DB_NULL_INT);
	CU_ASSERT_PTR_NULL(e.p.sprops);
	arena_free(a);
}

static void
t_group_body(void)
{
	static const char body[] = "{\"name\":\"G\",\"enabled\":false,"
	    "\"identifier\":\"grp-1\",\"capacityProviderId\":7,"
	    "\"capacityOptimizerId\":9223372036854775807,"
	    "\"capacityProviderMeasurementPeriod\":\"fifteenminute\","
	    "\"capacityOptimizerMeasurementPeriod\":\"Hour\","
	    "\"capacityProviderMeasurementDate\":\"2020-01-01 00:00:00Z\","
	    "\"serviceProps\":{\"group-combined-asset-id\":\"all\","
	    "\"oauth-client-secret\":\"k\"}}";
	struct arena	*a;
	union ent	 e;
	const char	*detail;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(1024 * 1024));
	CU_ASSERT_EQUAL_FATAL(parse(a, &deflim, K_GROUP, body, strlen(body),
	    &e, NULL, &detail), FP_OK);
	CU_ASSERT_STRING_EQUAL(e.g.name, "G");
	CU_ASSERT_FALSE(e.g.enabled);
	CU_ASSERT_STRING_EQUAL(e.g.ident, "grp-1");
	CU_ASSERT_EQUAL(e.g.cp_id, 7);
	CU_ASSERT_EQUAL(e.g.co_id, INT64_MAX);
	CU_ASSERT_EQUAL(e.g.cp_meas_secs, 900);
	CU_ASSERT_EQUAL(e.g.co_meas_secs, 3600);
	CU_ASSERT_EQUAL(e.g.cp_meas_at, DB_NULL);
	/* No secret pointer: the secret is still taken out. */
	CU_ASSERT_STRING_EQUAL(e.g.sprops,
	    "{\"group-combined-asset-id\":\"all\"}");
	arena_free(a);
}

static void
t_asset_body(void)
{
	/* reference §6.5 */
	static const char body[] = "{\"name\":\"Charger 1\","
	    "\"capacityGroupId\":3,\"identifier\":\"chg-1\","
	    "\"audience\":\"CapacityProvider\",\"nodeId\":123,"
	    "\"sourceId\":\"/ev/1\",\"category\":\"Charging\","
	    "\"phase\":\"All\",\"enabled\":true,\"instantaneous\":"
	    "{\"propertyNames\":[\"watts\"],\"unit\":\"kW\","
	    "\"multiplier\":0.001,\"statisticType\":\"Maximum\"},"
	    "\"energy\":{\"propertyNames\":[\"wattHours\",\"b\"],"
	    "\"unit\":\"kWh\",\"multiplier\":1.000,"
	    "\"statisticType\":\"Difference\",\"type\":\"Total\","
	    "\"direction\":\"Import\",\"extra\":{\"x\":[1]}}}";
	struct arena	*a;
	union ent	 e;
	const char	*detail;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(1024 * 1024));
	CU_ASSERT_EQUAL_FATAL(parse(a, &deflim, K_ASSET, body, strlen(body),
	    &e, NULL, &detail), FP_OK);
	CU_ASSERT_STRING_EQUAL(e.s.name, "Charger 1");
	CU_ASSERT_EQUAL(e.s.cg_id, 3);
	CU_ASSERT_STRING_EQUAL(e.s.ident, "chg-1");
	CU_ASSERT_EQUAL(e.s.audience, 112);
	CU_ASSERT_EQUAL(e.s.node_id, 123);
	CU_ASSERT_STRING_EQUAL(e.s.source_id, "/ev/1");
	CU_ASSERT_EQUAL(e.s.category, 118);
	CU_ASSERT_EQUAL(e.s.phase, 122);
	CU_ASSERT_TRUE(e.s.enabled);
	CU_ASSERT_TRUE(e.s.inst.present);
	CU_ASSERT_STRING_EQUAL(e.s.inst.props, "[\"watts\"]");
	CU_ASSERT_EQUAL(e.s.inst.nprops, 1);
	CU_ASSERT_EQUAL(e.s.inst.unit, 80);
	CU_ASSERT_STRING_EQUAL(e.s.inst.mult, "0.001");
	CU_ASSERT_EQUAL(e.s.inst.stat, 77);
	CU_ASSERT_EQUAL(e.s.inst.type, DB_NULL_INT);
	CU_ASSERT_TRUE(e.s.energy.present);
	CU_ASSERT_STRING_EQUAL(e.s.energy.props, "[\"wattHours\",\"b\"]");
	CU_ASSERT_EQUAL(e.s.energy.nprops, 2);
	CU_ASSERT_EQUAL(e.s.energy.unit, 69);
	CU_ASSERT_STRING_EQUAL(e.s.energy.mult, "1.000");	/* scale kept */
	CU_ASSERT_EQUAL(e.s.energy.stat, 100);
	CU_ASSERT_EQUAL(e.s.energy.type, 116);
	CU_ASSERT_EQUAL(e.s.energy.dir, 105);
	CU_ASSERT_PTR_NULL(e.s.sprops);

	/* Sub-objects: absent, null, empty, empty names. */
	CU_ASSERT_EQUAL(parse(a, &deflim, K_ASSET,
	    L("{\"instantaneous\":null}"), &e, NULL, &detail), FP_OK);
	CU_ASSERT_FALSE(e.s.inst.present);
	CU_ASSERT_FALSE(e.s.energy.present);
	CU_ASSERT_EQUAL(parse(a, &deflim, K_ASSET, L("{\"energy\":{}}"), &e,
	    NULL, &detail), FP_OK);
	CU_ASSERT_TRUE(e.s.energy.present);
	CU_ASSERT_PTR_NULL(e.s.energy.props);
	CU_ASSERT_EQUAL(e.s.energy.unit, DB_NULL_INT);
	CU_ASSERT_EQUAL(parse(a, &deflim, K_ASSET, L("{\"energy\":"
	    "{\"propertyNames\":[]}}"), &e, NULL, &detail), FP_OK);
	CU_ASSERT_STRING_EQUAL(e.s.energy.props, "[]");
	CU_ASSERT_EQUAL(e.s.energy.nprops, 0);
	CU_ASSERT_EQUAL(parse(a, &deflim, K_ASSET, L("{\"instantaneous\":"
	    "{\"propertyNames\":null}}"), &e, NULL, &detail), FP_OK);
	CU_ASSERT_TRUE(e.s.inst.present);
	CU_ASSERT_PTR_NULL(e.s.inst.props);
	/* The same property names at two levels are distinct fields. */
	CU_ASSERT_EQUAL(parse(a, &deflim, K_ASSET, L("{\"name\":\"n\","
	    "\"instantaneous\":{\"name\":\"x\",\"unit\":\"W\"},\"energy\":"
	    "{\"unit\":\"Wh\"}}"), &e, NULL, &detail), FP_OK);
	CU_ASSERT_STRING_EQUAL(e.s.name, "n");
	CU_ASSERT_EQUAL(e.s.inst.unit, 112);
	CU_ASSERT_EQUAL(e.s.energy.unit, 101);
	arena_free(a);
}

/* ------------------------------------------------------------------ */
/* Fixed bodies: accepted values and errors */

struct pcase {
	enum kind	 k;
	const char	*body;
	enum fp_err	 rc;
	const char	*detail;	/* FP_OK: unused; else a substring */
};

#define MJ	"Malformed JSON: "
#define MR	"Malformed request: "

static void
t_errors(void)
{
	static const struct pcase t[] = {
		/* syntax */
		{ K_PEER, "", FP_EMALFORMED, MJ },
		{ K_PEER, "   ", FP_EMALFORMED, MJ },
		{ K_PEER, "{", FP_EMALFORMED, MJ },
		{ K_PEER, "{\"name\":}", FP_EMALFORMED, MJ },
		{ K_PEER, "{\"name\":\"x\",}", FP_EMALFORMED, MJ },
		{ K_PEER, "{\"name\":\"x\"} x", FP_EMALFORMED, MJ },
		{ K_PEER, "{\"name\":\"x\"}{}", FP_EMALFORMED, MJ },
		{ K_PEER, "{name:\"x\"}", FP_EMALFORMED, MJ },
		{ K_PEER, "{'name':'x'}", FP_EMALFORMED, MJ },
		{ K_PEER, "{\"a\":01}", FP_EMALFORMED, MJ },
		{ K_PEER, "{\"a\":NaN}", FP_EMALFORMED, MJ },
		{ K_PEER, "{\"a\":\"x\ty\"}", FP_EMALFORMED, MJ },
		{ K_PEER, "{\"name\":\"a\\u0000b\"}", FP_EMALFORMED, MJ },
		{ K_GROUP, "{\"a\\u0000\":1}", FP_EMALFORMED, MJ },
		{ K_GROUP, "\xEF\xBB\xBF{}", FP_EMALFORMED, MJ },	/* BOM */
		/* unpaired surrogate escapes (yajl: '?' or another character) */
		{ K_PEER, "{\"name\":\"a\\ud800b\"}", FP_EMALFORMED, "surrogate" },
		{ K_PEER, "{\"name\":\"a\\uD83D\"}", FP_EMALFORMED, "surrogate" },
		{ K_PEER, "{\"name\":\"\\ud800\\u0041\"}", FP_EMALFORMED, "surrogate" },
		{ K_PEER, "{\"name\":\"\\ud800\\ud800\"}", FP_EMALFORMED, "surrogate" },
		{ K_PEER, "{\"name\":\"a\\udc00\"}", FP_EMALFORMED, "surrogate" },
		{ K_GROUP, "{\"\\ud800\":1}", FP_EMALFORMED, "surrogate" },
		{ K_PEER, "{\"name\":\"\\ud83d\\ude00\"}", FP_OK, NULL },
		{ K_PEER, "{\"name\":\"\\\\ud800\"}", FP_OK, NULL },	/* \\ then text */
		{ K_PEER, "{\"name\":\"\\\\\\ud83d\\ude00\"}", FP_OK, NULL },
		{ K_PEER, "{\"a\":1} ", FP_OK, NULL },
		{ K_PEER, " \n{}\n", FP_OK, NULL },
		/* top level not an object */
		{ K_PEER, "[]", FP_EMALFORMED, MJ },
		{ K_PEER, "[{\"name\":\"x\"}]", FP_EMALFORMED, MJ },
		{ K_GROUP, "5", FP_EMALFORMED, MJ },
		{ K_GROUP, "\"x\"", FP_EMALFORMED, MJ },
		{ K_ASSET, "null", FP_EMALFORMED, MJ },
		{ K_ASSET, "true", FP_EMALFORMED, MJ },
		/* duplicate keys, known or not, at every level */
		{ K_PEER, "{\"name\":\"a\",\"name\":\"b\"}", FP_EMALFORMED,
		    MJ "Duplicate field 'name'" },
		{ K_PEER, "{\"name\":null,\"name\":\"b\"}", FP_EMALFORMED,
		    MJ "Duplicate field 'name'" },
		{ K_PEER, "{\"x\":1,\"y\":2,\"x\":3}", FP_EMALFORMED,
		    MJ "Duplicate field 'x'" },
		{ K_PEER, "{\"serviceProps\":{\"a\":1,\"a\":2}}", FP_EMALFORMED,
		    MJ "Duplicate field 'a'" },
		{ K_PEER, "{\"serviceProps\":{\"oauth-client-secret\":\"a\","
		    "\"oauth-client-secret\":\"b\"}}", FP_EMALFORMED,
		    MJ "Duplicate field 'oauth-client-secret'" },
		{ K_PEER, "{\"serviceProps\":{\"x\":{\"a\":1,\"a\":2}}}",
		    FP_EMALFORMED, MJ "Duplicate field 'a'" },
		{ K_GROUP, "{\"ignored\":{\"a\":1,\"a\":2}}", FP_EMALFORMED,
		    MJ "Duplicate field 'a'" },
		{ K_GROUP, "{\"ignored\":[{\"a\":1},{\"b\":{\"c\":1,\"c\":1}}]}",
		    FP_EMALFORMED, MJ "Duplicate field 'c'" },
		{ K_ASSET, "{\"instantaneous\":{\"unit\":\"W\",\"unit\":\"kW\"}}",
		    FP_EMALFORMED, MJ "Duplicate field 'unit'" },
		{ K_ASSET, "{\"energy\":{},\"energy\":{}}", FP_EMALFORMED,
		    MJ "Duplicate field 'energy'" },
		/* not duplicates: siblings, other levels, case */
		{ K_GROUP, "{\"ignored\":[{\"a\":1},{\"a\":2}]}", FP_OK, NULL },
		{ K_PEER, "{\"name\":\"a\",\"serviceProps\":{\"name\":\"b\"}}",
		    FP_OK, NULL },
		{ K_PEER, "{\"name\":\"a\",\"Name\":\"b\",\"NAME\":1}", FP_OK,
		    NULL },
		{ K_ASSET, "{\"x\":{\"a\":{\"a\":{\"a\":1}}}}", FP_OK, NULL },
		/* wrong JSON types for known fields: strict */
		{ K_PEER, "{\"name\":5}", FP_EMALFORMED, "'name'" },
		{ K_PEER, "{\"name\":true}", FP_EMALFORMED, "'name'" },
		{ K_PEER, "{\"name\":{}}", FP_EMALFORMED, "'name'" },
		{ K_PEER, "{\"name\":[\"a\"]}", FP_EMALFORMED, "'name'" },
		{ K_PEER, "{\"enabled\":\"yes\"}", FP_EMALFORMED, "'enabled'" },
		{ K_PEER, "{\"enabled\":1}", FP_EMALFORMED, "'enabled'" },
		{ K_PEER, "{\"baseUrl\":1}", FP_EMALFORMED, "'baseUrl'" },
		{ K_PEER, "{\"registrationStatus\":114}", FP_EMALFORMED,
		    "'registrationStatus'" },
		{ K_PEER, "{\"serviceProps\":\"x\"}", FP_EMALFORMED,
		    "'serviceProps'" },
		{ K_PEER, "{\"serviceProps\":[]}", FP_EMALFORMED,
		    "'serviceProps'" },
		{ K_PEER, "{\"serviceProps\":5}", FP_EMALFORMED,
		    "'serviceProps'" },
		{ K_GROUP, "{\"capacityProviderId\":\"7\"}", FP_EMALFORMED,
		    "'capacityProviderId'" },
		{ K_GROUP, "{\"capacityProviderId\":7.0}", FP_EMALFORMED,
		    "'capacityProviderId'" },
		{ K_GROUP, "{\"capacityProviderId\":7.5}", FP_EMALFORMED,
		    "'capacityProviderId'" },
		{ K_GROUP, "{\"capacityOptimizerId\":1e3}", FP_EMALFORMED,
		    "'capacityOptimizerId'" },
		{ K_GROUP, "{\"capacityOptimizerId\":1E3}", FP_EMALFORMED,
		    "'capacityOptimizerId'" },
		{ K_GROUP, "{\"capacityOptimizerId\":true}", FP_EMALFORMED,
		    "'capacityOptimizerId'" },
		{ K_GROUP, "{\"capacityOptimizerId\":[1]}", FP_EMALFORMED,
		    "'capacityOptimizerId'" },
		{ K_GROUP, "{\"capacityProviderMeasurementPeriod\":900}",
		    FP_EMALFORMED, "'capacityProviderMeasurementPeriod'" },
		{ K_ASSET, "{\"nodeId\":\"123\"}", FP_EMALFORMED, "'nodeId'" },
		{ K_ASSET, "{\"audience\":112}", FP_EMALFORMED, "'audience'" },
		{ K_ASSET, "{\"instantaneous\":[]}", FP_EMALFORMED,
		    "'instantaneous'" },
		{ K_ASSET, "{\"instantaneous\":5}", FP_EMALFORMED,
		    "'instantaneous'" },
		{ K_ASSET, "{\"energy\":\"x\"}", FP_EMALFORMED, "'energy'" },
		{ K_ASSET, "{\"energy\":{\"propertyNames\":\"w\"}}",
		    FP_EMALFORMED, "'propertyNames'" },
		{ K_ASSET, "{\"energy\":{\"propertyNames\":{}}}",
		    FP_EMALFORMED, "'propertyNames'" },
		{ K_ASSET, "{\"energy\":{\"propertyNames\":[1]}}",
		    FP_EMALFORMED, "'propertyNames'" },
		{ K_ASSET, "{\"energy\":{\"propertyNames\":[\"a\",null]}}",
		    FP_EMALFORMED, "'propertyNames'" },
		{ K_ASSET, "{\"energy\":{\"propertyNames\":[[\"a\"]]}}",
		    FP_EMALFORMED, "'propertyNames'" },
		{ K_ASSET, "{\"energy\":{\"propertyNames\":[{}]}}",
		    FP_EMALFORMED, "'propertyNames'" },
		{ K_ASSET, "{\"instantaneous\":{\"multiplier\":\"0.1\"}}",
		    FP_EMALFORMED, "'multiplier'" },
		{ K_ASSET, "{\"instantaneous\":{\"unit\":1}}", FP_EMALFORMED,
		    "'unit'" },
		/* unknown keys take any type */
		{ K_GROUP, "{\"userId\":\"x\",\"configId\":[1,{}],\"token\":"
		    "null,\"created\":false,\"extra\":1e999}", FP_OK, NULL },
		/* int64 range */
		{ K_GROUP, "{\"capacityProviderId\":9223372036854775807}", FP_OK,
		    NULL },
		{ K_GROUP, "{\"capacityProviderId\":-9223372036854775807}",
		    FP_OK, NULL },
		{ K_GROUP, "{\"capacityProviderId\":-1}", FP_OK, NULL },
		{ K_GROUP, "{\"capacityProviderId\":9223372036854775808}",
		    FP_EMALFORMED, "'capacityProviderId'" },
		{ K_GROUP, "{\"capacityOptimizerId\":-9223372036854775809}",
		    FP_EMALFORMED, "'capacityOptimizerId'" },
		{ K_ASSET, "{\"nodeId\":123456789012345678901234567890}",
		    FP_EMALFORMED, "'nodeId'" },
		{ K_ASSET, "{\"capacityGroupId\":18446744073709551616}",
		    FP_EMALFORMED, "'capacityGroupId'" },
		/* enums */
		{ K_PEER, "{\"registrationStatus\":\"nope\"}", FP_EMALFORMED,
		    "nope" },
		{ K_PEER, "{\"registrationStatus\":\"\"}", FP_EMALFORMED, MJ },
		{ K_PEER, "{\"registrationStatus\":\"R\"}", FP_EMALFORMED, MJ },
		{ K_GROUP, "{\"capacityProviderMeasurementPeriod\":\"900\"}",
		    FP_EMALFORMED, "900" },
		{ K_GROUP, "{\"capacityOptimizerMeasurementPeriod\":\"m\"}",
		    FP_EMALFORMED, MJ },
		{ K_ASSET, "{\"category\":\"Battery\"}", FP_EMALFORMED,
		    "Battery" },
		{ K_ASSET, "{\"phase\":\"D\"}", FP_EMALFORMED, MJ },
		{ K_ASSET, "{\"instantaneous\":{\"statisticType\":\"maximum\"}}",
		    FP_EMALFORMED, "maximum" },
		{ K_ASSET, "{\"instantaneous\":{\"statisticType\":\"M\"}}",
		    FP_EMALFORMED, MJ },
		{ K_ASSET, "{\"energy\":{\"type\":\"x\"}}", FP_EMALFORMED, MJ },
		{ K_ASSET, "{\"energy\":{\"direction\":\"Exoprt\"}}",
		    FP_EMALFORMED, "Exoprt" },
		{ K_ASSET, "{\"instantaneous\":{\"unit\":\"MW\"}}",
		    FP_EMALFORMED, MJ },
		/* audience: exact names; FlexibilityProvider and null refused
		 * as a bad request, not as bad JSON (reference §4.4) */
		{ K_ASSET, "{\"audience\":\"FlexibilityProvider\"}", FP_EILLEGAL,
		    MR },
		{ K_ASSET, "{\"audience\":null}", FP_EILLEGAL, MR },
		{ K_ASSET, "{\"audience\":\"capacityprovider\"}", FP_EMALFORMED,
		    MJ },
		{ K_ASSET, "{\"audience\":\"p\"}", FP_EMALFORMED, MJ },
		{ K_ASSET, "{\"audience\":\"fp\"}", FP_EMALFORMED, MJ },
		{ K_ASSET, "{\"audience\":\"FLEXIBILITYPROVIDER\"}",
		    FP_EMALFORMED, MJ },
		{ K_ASSET, "{\"audience\":\"CapacityOptimizer\"}", FP_OK, NULL },
		{ K_ASSET, "{}", FP_OK, NULL },
		/* invalid UTF-8 anywhere */
		{ K_PEER, "{\"name\":\"\xff\"}", FP_EMALFORMED, MJ },
		{ K_PEER, "{\"name\":\"\xc0\xaf\"}", FP_EMALFORMED, MJ },
		{ K_PEER, "{\"name\":\"\xe0\x80\xaf\"}", FP_EMALFORMED, MJ },
		{ K_PEER, "{\"name\":\"\xed\xa0\x80\"}", FP_EMALFORMED, MJ },
		{ K_PEER, "{\"name\":\"\xf4\x90\x80\x80\"}", FP_EMALFORMED, MJ },
		{ K_PEER, "{\"name\":\"\xf8\x88\x80\x80\x80\"}", FP_EMALFORMED,
		    MJ },
		{ K_PEER, "{\"name\":\"a\xe2\x82\"}", FP_EMALFORMED, MJ },
		{ K_PEER, "{\"name\":\"\x80\"}", FP_EMALFORMED, MJ },
		{ K_PEER, "{\"x\":\"\xc0\xaf\"}", FP_EMALFORMED, MJ },
		{ K_PEER, "{\"\xc0\xaf\":1}", FP_EMALFORMED, MJ },
		{ K_PEER, "{\"serviceProps\":{\"k\":[\"\xed\xbf\xbf\"]}}",
		    FP_EMALFORMED, MJ },
		{ K_PEER, "{\"ignored\":{\"\xf5\x80\x80\x80\":1}}",
		    FP_EMALFORMED, MJ },
		{ K_PEER, "{\"name\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"
		    "\xf4\x8f\xbf\xbf\xef\xbf\xbf\"}", FP_OK, NULL },
		{ K_PEER, "{\"name\":\"\\u00e9\\ud83d\\ude00\"}", FP_OK, NULL },
	};
	struct arena	*a;
	union ent	 e;
	const char	*secret, *detail;
	enum fp_err	 rc;
	size_t		 i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(1024 * 1024));
	for (i = 0; i < N(t); i++) {
		rc = parse(a, &deflim, t[i].k, t[i].body, strlen(t[i].body),
		    &e, &secret, &detail);
		CHECK(rc == t[i].rc, "%s: rc %d, want %d (%s)", t[i].body, rc,
		    t[i].rc, nn(detail));
		if (t[i].rc == FP_OK || rc != t[i].rc)
			goto next;
		CHECK(detail != NULL && strstr(detail, t[i].detail) != NULL,
		    "%s: detail \"%s\" lacks \"%s\"", t[i].body, nn(detail),
		    t[i].detail);
		/* The prefix names the class of the error. */
		CHECK(detail != NULL && strncmp(detail, rc == FP_EILLEGAL ?
		    MR : MJ, strlen(MJ)) == 0, "%s: detail \"%s\"", t[i].body,
		    nn(detail));
		/* yajl's message has no trailing newline left. */
		CHECK(detail != NULL && detail[strlen(detail) - 1] != '\n',
		    "%s: detail ends in a newline", t[i].body);
 next:
		arena_reset(a);
	}
	arena_free(a);
}

/* Accepted enum spellings land as stored values. */
static void
t_enums(void)
{
	static const struct {
		enum kind	 k;
		const char	*body;
		size_t		 off;	/* of the int in the struct */
		int		 value;
	} t[] = {
		{ K_PEER, "{\"registrationStatus\":\"r\"}",
		    offsetof(struct peer, reg_status), 114 },
		{ K_PEER, "{\"registrationStatus\":\"REGISTERED\"}",
		    offsetof(struct peer, reg_status), 114 },
		{ K_PEER, "{\"registrationStatus\":\"failed\"}",
		    offsetof(struct peer, reg_status), 102 },
		{ K_PEER, "{\"registrationStatus\":\"p\"}",
		    offsetof(struct peer, reg_status), 112 },
		{ K_GROUP, "{\"capacityProviderMeasurementPeriod\":"
		    "\"fifteenminute\"}",
		    offsetof(struct group, cp_meas_secs), 900 },
		{ K_GROUP, "{\"capacityOptimizerMeasurementPeriod\":"
		    "\"FIVEMINUTE\"}",
		    offsetof(struct group, co_meas_secs), 300 },
		{ K_ASSET, "{\"audience\":\"CapacityOptimizer\"}",
		    offsetof(struct asset, audience), 111 },
		{ K_ASSET, "{\"category\":\"g\"}",
		    offsetof(struct asset, category), 103 },
		{ K_ASSET, "{\"category\":\"STORAGE\"}",
		    offsetof(struct asset, category), 115 },
		{ K_ASSET, "{\"phase\":\"a\"}",
		    offsetof(struct asset, phase), 97 },
		{ K_ASSET, "{\"phase\":\"all\"}",
		    offsetof(struct asset, phase), 122 },
		{ K_ASSET, "{\"instantaneous\":{\"unit\":\"P\"}}",
		    offsetof(struct asset, inst) + offsetof(struct meas, unit),
		    80 },
		{ K_ASSET, "{\"instantaneous\":{\"unit\":\"w\"}}",
		    offsetof(struct asset, inst) + offsetof(struct meas, unit),
		    112 },
		{ K_ASSET, "{\"instantaneous\":{\"statisticType\":\"Count\"}}",
		    offsetof(struct asset, inst) + offsetof(struct meas, stat),
		    99 },
		{ K_ASSET, "{\"energy\":{\"type\":\"n\"}}",
		    offsetof(struct asset, energy) + offsetof(struct meas, type),
		    110 },
		{ K_ASSET, "{\"energy\":{\"direction\":\"export\"}}",
		    offsetof(struct asset, energy) + offsetof(struct meas, dir),
		    101 },
		{ K_ASSET, "{\"energy\":{\"unit\":\"E\"}}",
		    offsetof(struct asset, energy) + offsetof(struct meas, unit),
		    69 },
	};
	struct arena	*a;
	union ent	 e;
	const char	*detail;
	enum fp_err	 rc;
	int		 v;
	size_t		 i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(1024 * 1024));
	for (i = 0; i < N(t); i++) {
		rc = parse(a, &deflim, t[i].k, t[i].body, strlen(t[i].body),
		    &e, NULL, &detail);
		CHECK(rc == FP_OK, "%s: rc %d (%s)", t[i].body, rc, nn(detail));
		memcpy(&v, (char *)&e + t[i].off, sizeof(v));
		CHECK(v == t[i].value, "%s: %d, want %d", t[i].body, v,
		    t[i].value);
		arena_reset(a);
	}
	arena_free(a);
}

/* ------------------------------------------------------------------ */
/* serviceProps */

static void
t_props(void)
{
	static const struct {
		enum kind	 k;
		const char	*body;
		const char	*sprops;	/* expected JSON text */
		const char	*secret;
	} t[] = {
		{ K_PEER, "{\"serviceProps\":{}}", "{}", NULL },
		{ K_PEER, "{\"serviceProps\":{\"oauth-client-secret\":\"s\"}}",
		    "{}", "s" },
		{ K_PEER, "{\"serviceProps\":{\"a\":1,\"oauth-client-secret\":"
		    "\"s\",\"b\":2}}", "{\"a\":1,\"b\":2}", "s" },
		/* values copied with their number text and escapes */
		{ K_PEER, "{\"serviceProps\":{\"n\":2.50,\"e\":1e3,\"neg\":-0,"
		    "\"t\":true,\"f\":false,\"z\":null,\"s\":\"a\\\"b\\\\c"
		    "\\u00e9\\n/\",\"arr\":[1,[2],{\"x\":[]}],\"o\":{}}}",
		    "{\"n\":2.50,\"e\":1e3,\"neg\":-0,\"t\":true,\"f\":false,"
		    "\"z\":null,\"s\":\"a\\\"b\\\\c\xc3\xa9\\n/\",\"arr\":"
		    "[1,[2],{\"x\":[]}],\"o\":{}}", NULL },
		/* only the top-level key is the secret */
		{ K_PEER, "{\"serviceProps\":{\"x\":{\"oauth-client-secret\":"
		    "\"k\"}}}", "{\"x\":{\"oauth-client-secret\":\"k\"}}",
		    NULL },
		{ K_PEER, "{\"oauth-client-secret\":\"top\",\"serviceProps\":"
		    "{\"a\":1}}", "{\"a\":1}", NULL },
		/* a non-string secret is dropped, not returned */
		{ K_PEER, "{\"serviceProps\":{\"oauth-client-secret\":5,"
		    "\"y\":2}}", "{\"y\":2}", NULL },
		{ K_PEER, "{\"serviceProps\":{\"oauth-client-secret\":"
		    "{\"a\":[1,{\"b\":2}]},\"y\":[3]}}", "{\"y\":[3]}", NULL },
		{ K_PEER, "{\"serviceProps\":{\"oauth-client-secret\":null}}",
		    "{}", NULL },
		/* other keys are not the secret */
		{ K_PEER, "{\"serviceProps\":{\"oauth-client-secretx\":\"s\","
		    "\"OAUTH-CLIENT-SECRET\":\"t\"}}",
		    "{\"oauth-client-secretx\":\"s\","
		    "\"OAUTH-CLIENT-SECRET\":\"t\"}", NULL },
		{ K_PEER, "{\"serviceProps\":{\"url-paths\":{\"Heartbeat\":"
		    "\"/hb\"},\"http-headers\":{\"X-A\":\"1\"}},\"name\":\"n\"}",
		    "{\"url-paths\":{\"Heartbeat\":\"/hb\"},\"http-headers\":"
		    "{\"X-A\":\"1\"}}", NULL },
		{ K_GROUP, "{\"serviceProps\":{\"oauth-client-secret\":\"s\","
		    "\"group-combined-asset-id\":\"c\"}}",
		    "{\"group-combined-asset-id\":\"c\"}", NULL },
		{ K_ASSET, "{\"serviceProps\":{\"k\":[\"v\"]}}",
		    "{\"k\":[\"v\"]}", NULL },
		{ K_PEER, "{\"serviceProps\":null}", NULL, NULL },
	};
	struct arena	*a;
	union ent	 e;
	const char	*secret, *detail, *sp;
	enum fp_err	 rc;
	size_t		 i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(1024 * 1024));
	for (i = 0; i < N(t); i++) {
		rc = parse(a, &deflim, t[i].k, t[i].body, strlen(t[i].body),
		    &e, t[i].k == K_PEER ? &secret : NULL, &detail);
		CHECK(rc == FP_OK, "%s: rc %d (%s)", t[i].body, rc, nn(detail));
		if (rc != FP_OK)
			goto next;
		sp = t[i].k == K_PEER ? e.p.sprops : t[i].k == K_GROUP ?
		    e.g.sprops : e.s.sprops;
		CHECK(streq(sp, t[i].sprops), "%s: sprops %s, want %s",
		    t[i].body, nn(sp), nn(t[i].sprops));
		if (t[i].k == K_PEER)
			CHECK(streq(secret, t[i].secret), "%s: secret %s",
			    t[i].body, nn(secret));
		if (t[i].secret != NULL)
			CHECK(sp != NULL && strstr(sp, "oauth-client-secret") ==
			    NULL, "%s: secret left in props", t[i].body);
 next:
		arena_reset(a);
	}
	arena_free(a);
}

/* ------------------------------------------------------------------ */
/* Limits, with bodies built at run time */

/* pre + n copies of unit joined by sep + post, in the arena. */
static char *
rep(struct arena *a, const char *pre, const char *unit, size_t n,
    const char *sep, const char *post)
{
	size_t	 lp = strlen(pre), lu = strlen(unit), ls = strlen(sep);
	size_t	 lq = strlen(post), len, i;
	char	*buf, *p;

	len = lp + n * lu + (n > 0 ? (n - 1) * ls : 0) + lq;
	if ((buf = arena_alloc(a, len + 1)) == NULL)
		return NULL;
	p = buf;
	memcpy(p, pre, lp);
	p += lp;
	for (i = 0; i < n; i++) {
		if (i > 0) {
			memcpy(p, sep, ls);
			p += ls;
		}
		memcpy(p, unit, lu);
		p += lu;
	}
	memcpy(p, post, lq);
	p[lq] = '\0';
	return buf;
}

static void
t_limits(void)
{
	static const struct {
		const char	*desc;
		enum kind	 k;
		const char	*pre, *unit;
		size_t		 n;
		const char	*sep, *post;
		enum fp_err	 rc;
		const char	*detail;
	} t[] = {
		/* strings: 8192 bytes */
		{ "name 8192", K_PEER, "{\"name\":\"", "a", 8192, "", "\"}",
		    FP_OK, NULL },
		{ "name 8193", K_PEER, "{\"name\":\"", "a", 8193, "", "\"}",
		    FP_EMALFORMED, "8192" },
		{ "name 4096 2-byte", K_PEER, "{\"name\":\"", "\xc3\xa9", 4096,
		    "", "\"}", FP_OK, NULL },
		{ "name 4097 2-byte", K_PEER, "{\"name\":\"", "\xc3\xa9", 4097,
		    "", "\"}", FP_EMALFORMED, "8192" },
		{ "ignored 8193", K_GROUP, "{\"zzz\":\"", "a", 8193, "", "\"}",
		    FP_EMALFORMED, "8192" },
		{ "ignored nested 8193", K_GROUP, "{\"zzz\":[{\"y\":\"", "a",
		    8193, "", "\"}]}", FP_EMALFORMED, "8192" },
		{ "key 8192", K_GROUP, "{\"", "k", 8192, "", "\":1}", FP_OK,
		    NULL },
		{ "key 8193", K_GROUP, "{\"", "k", 8193, "", "\":1}",
		    FP_EMALFORMED, "8192" },
		{ "props value 8193", K_PEER, "{\"serviceProps\":{\"a\":\"",
		    "b", 8193, "", "\"}}", FP_EMALFORMED, "8192" },
		{ "secret 8193", K_PEER,
		    "{\"serviceProps\":{\"oauth-client-secret\":\"", "b", 8193,
		    "", "\"}}", FP_EMALFORMED, "8192" },
		{ "property name 8193", K_ASSET,
		    "{\"energy\":{\"propertyNames\":[\"", "p", 8193, "",
		    "\"]}}", FP_EMALFORMED, "8192" },
		/* an escaped string counts its decoded bytes */
		{ "escaped 8192", K_PEER, "{\"name\":\"", "\\u0041", 8192, "",
		    "\"}", FP_OK, NULL },
		/* arrays: 1024 elements */
		{ "ignored array 1024", K_GROUP, "{\"x\":[", "1", 1024, ",",
		    "]}", FP_OK, NULL },
		{ "ignored array 1025", K_GROUP, "{\"x\":[", "1", 1025, ",",
		    "]}", FP_EMALFORMED, "1024" },
		{ "ignored array of objects 1025", K_GROUP, "{\"x\":[", "{}",
		    1025, ",", "]}", FP_EMALFORMED, "1024" },
		{ "nested ignored array 1025", K_GROUP, "{\"x\":{\"y\":[[",
		    "null", 1025, ",", "]]}}", FP_EMALFORMED, "1024" },
		{ "props array 1024", K_PEER, "{\"serviceProps\":{\"a\":[",
		    "\"s\"", 1024, ",", "]}}", FP_OK, NULL },
		{ "props array 1025", K_PEER, "{\"serviceProps\":{\"a\":[",
		    "\"s\"", 1025, ",", "]}}", FP_EMALFORMED, "1024" },
		{ "secret array 1025", K_PEER,
		    "{\"serviceProps\":{\"oauth-client-secret\":[", "0", 1025,
		    ",", "]}}", FP_EMALFORMED, "1024" },
		{ "propertyNames 1024", K_ASSET,
		    "{\"instantaneous\":{\"propertyNames\":[", "\"p\"", 1024,
		    ",", "]}}", FP_OK, NULL },
		{ "propertyNames 1025", K_ASSET,
		    "{\"instantaneous\":{\"propertyNames\":[", "\"p\"", 1025,
		    ",", "]}}", FP_EMALFORMED, "1024" },
		/* many keys are not an array */
		/* depth: the root object is level 1 */
		{ "depth 16 arrays", K_GROUP, "{\"x\":", "[", 15, "",
		    "]]]]]]]]]]]]]]]}", FP_OK, NULL },
		{ "depth 17 arrays", K_GROUP, "{\"x\":", "[", 16, "",
		    "]]]]]]]]]]]]]]]]}", FP_EMALFORMED, "16" },
		{ "depth 17 objects", K_GROUP, "", "{\"a\":", 17, "",
		    "1}}}}}}}}}}}}}}}}}", FP_EMALFORMED, "16" },
		{ "depth 16 objects", K_GROUP, "", "{\"a\":", 16, "",
		    "1}}}}}}}}}}}}}}}}", FP_OK, NULL },
		{ "depth 17 in props", K_PEER, "{\"serviceProps\":", "{\"a\":",
		    16, "", "1}}}}}}}}}}}}}}}}}", FP_EMALFORMED, "16" },
		{ "depth 16 in props", K_PEER, "{\"serviceProps\":", "{\"a\":",
		    15, "", "1}}}}}}}}}}}}}}}}", FP_OK, NULL },
		{ "depth 100", K_ASSET, "{\"x\":", "[", 100, "", "", FP_EMALFORMED,
		    "16" },
	};
	struct arena	*a;
	union ent	 e;
	const char	*secret, *detail;
	char		*body;
	enum fp_err	 rc;
	size_t		 i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(4 * 1024 * 1024));
	for (i = 0; i < N(t); i++) {
		body = rep(a, t[i].pre, t[i].unit, t[i].n, t[i].sep, t[i].post);
		CU_ASSERT_PTR_NOT_NULL_FATAL(body);
		rc = parse(a, &deflim, t[i].k, body, strlen(body), &e,
		    t[i].k == K_PEER ? &secret : NULL, &detail);
		CHECK(rc == t[i].rc, "%s: rc %d, want %d (%s)", t[i].desc, rc,
		    t[i].rc, nn(detail));
		if (t[i].rc != FP_OK && rc == t[i].rc)
			CHECK(detail != NULL && strncmp(detail, MJ,
			    strlen(MJ)) == 0 && strstr(detail, t[i].detail) !=
			    NULL, "%s: detail \"%s\"", t[i].desc, nn(detail));
		arena_reset(a);
	}
	arena_free(a);
}

/* Limits come from the caller, not from constants. */
static void
t_custom_limits(void)
{
	static const struct jlimits lim = { 3, 12, 2, 64 * 1024 };
	static const struct {
		const char	*body;
		enum fp_err	 rc;
	} t[] = {
		{ "{\"name\":\"abcdefghijkl\"}", FP_OK },
		{ "{\"name\":\"abcdefghijklm\"}", FP_EMALFORMED },
		{ "{\"abcdefghijkl\":1}", FP_OK },
		{ "{\"abcdefghijklm\":1}", FP_EMALFORMED },
		{ "{\"x\":[1,2]}", FP_OK },
		{ "{\"x\":[1,2,3]}", FP_EMALFORMED },
		{ "{\"x\":[[1,2],[3,4]]}", FP_OK },
		{ "{\"x\":[[1,2],[3,4],[]]}", FP_EMALFORMED },
		{ "{\"x\":[[[]]]}", FP_EMALFORMED },
		{ "{\"x\":{\"y\":{}}}", FP_OK },
		{ "{\"x\":{\"y\":{\"z\":{}}}}", FP_EMALFORMED },
		{ "{\"serviceProps\":{\"a\":[1,2]}}", FP_OK },
		{ "{\"serviceProps\":{\"a\":[1,2,3]}}", FP_EMALFORMED },
		{ "{\"serviceProps\":{\"a\":\"abcdefghijklm\"}}",
		    FP_EMALFORMED },
		{ "{\"serviceProps\":{\"a\":{\"b\":1}}}", FP_OK },
		{ "{\"serviceProps\":{\"a\":{\"b\":[]}}}", FP_EMALFORMED },
	};
	struct arena	*a;
	union ent	 e;
	const char	*secret, *detail;
	enum fp_err	 rc;
	size_t		 i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(1024 * 1024));
	for (i = 0; i < N(t); i++) {
		rc = parse(a, &lim, K_PEER, t[i].body, strlen(t[i].body), &e,
		    &secret, &detail);
		CHECK(rc == t[i].rc, "%s: rc %d, want %d (%s)", t[i].body, rc,
		    t[i].rc, nn(detail));
		arena_reset(a);
	}
	arena_free(a);
}

/* Duplicate detection survives the key set growing. */
static void
t_many_keys(void)
{
	struct arena	*a;
	union ent	 e;
	const char	*detail;
	char		*body, *p;
	size_t		 i, cap = 64 * 1024;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(4 * 1024 * 1024));
	CU_ASSERT_PTR_NOT_NULL_FATAL(body = malloc(cap));
	p = body;
	p += sprintf(p, "{");
	for (i = 0; i < 3000; i++)
		p += sprintf(p, "%s\"k%zu\":%zu", i ? "," : "", i, i);
	strcpy(p, "}");
	CU_ASSERT_EQUAL(parse(a, &deflim, K_GROUP, body, strlen(body), &e,
	    NULL, &detail), FP_OK);
	arena_reset(a);
	sprintf(p, ",\"k1777\":0}");
	CU_ASSERT_EQUAL(parse(a, &deflim, K_GROUP, body, strlen(body), &e,
	    NULL, &detail), FP_EMALFORMED);
	CU_ASSERT_PTR_NOT_NULL(detail);
	if (detail != NULL)
		CU_ASSERT_STRING_EQUAL(detail, MJ "Duplicate field 'k1777'");
	arena_reset(a);
	/* the same inside serviceProps */
	p = body;
	p += sprintf(p, "{\"serviceProps\":{");
	for (i = 0; i < 500; i++)
		p += sprintf(p, "%s\"p%zu\":%zu", i ? "," : "", i, i);
	sprintf(p, ",\"p3\":0}}");
	CU_ASSERT_EQUAL(parse(a, &deflim, K_GROUP, body, strlen(body), &e,
	    NULL, &detail), FP_EMALFORMED);
	free(body);
	arena_free(a);
}

/* body = pre, then n copies of unit separated by ",", then post (malloc). */
static char *
repeat(const char *pre, const char *unit, size_t n, const char *post)
{
	size_t	 lp = strlen(pre), lu = strlen(unit), i;
	char	*b, *p;

	if ((b = malloc(lp + n * (lu + 1) + strlen(post) + 1)) == NULL)
		return NULL;
	p = b + lp;
	memcpy(b, pre, lp);
	for (i = 0; i < n; i++) {
		if (i > 0)
			*p++ = ',';
		memcpy(p, unit, lu);
		p += lu;
	}
	strcpy(p, post);
	return b;
}

/*
 * Issue 10: 30 000 {"":0} objects in one unknown property (~210 KiB).
 * Each used to get its own key table (~39 times its size) and the
 * request arena ran out: 500, or a crash on an unchecked allocation.
 * Objects in ignored values now cost no memory of their own.  Each body
 * is pre, 1000 rows of per objects each, post.
 */
static void
t_ignored_objects(void)
{
	static const struct {
		const char	*desc;
		const char	*pre, *row0, *obj, *row1, *post;
		size_t		 per;
		size_t		 extra;	/* arena bytes allowed besides 16 KiB */
	} t[] = {
		{ "ignored arrays", "{\"name\":\"cp\",\"x\":[", "[",
		    "{\"\":0}", "]", "]}", 30, 0 },
		{ "ignored nesting", "{\"name\":\"cp\",\"x\":[", "[",
		    "{\"\":{\"\":[{\"\":0}]}}", "]", "]}", 10, 0 },
		{ "ignored keyed siblings", "{\"name\":\"cp\",\"x\":[", "{",
		    "\"\":{\"\":0},\"a\":{\"\":0},\"b\":{\"\":0},\"c\":{\"\":0},"
		    "\"d\":{\"\":0},\"e\":{\"\":0},\"f\":{\"\":0},\"g\":{\"\":0},"
		    "\"h\":{\"\":0},\"i\":{\"\":0}", "}", "]}", 1, 0 },
		/* captured: the text itself is kept, nothing per object */
		{ "serviceProps", "{\"name\":\"cp\",\"serviceProps\":{\"x\":[",
		    "[", "{\"\":0}", "]", "]}}", 30, 256 * 1024 },
	};
	struct arena	*a;
	union ent	 e;
	const char	*secret, *detail;
	char		*row, *body;
	size_t		 i, used;
	enum fp_err	 rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(FP_ARENA_CAP));
	for (i = 0; i < N(t); i++) {
		row = repeat(t[i].row0, t[i].obj, t[i].per, t[i].row1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(row);
		body = repeat(t[i].pre, row, 1000, t[i].post);
		CU_ASSERT_PTR_NOT_NULL_FATAL(body);
		free(row);
		rc = parse(a, &deflim, K_PEER, body, strlen(body), &e, &secret,
		    &detail);
		used = arena_used(a);
		CHECK(rc == FP_OK, "%s: rc %d (%s)", t[i].desc, rc,
		    nn(detail));
		CHECK(rc != FP_OK || streq(e.p.name, "cp"), "%s: name",
		    t[i].desc);
		CHECK(used <= 16 * 1024 + t[i].extra,
		    "%s: %zu arena bytes for a %zu-byte body", t[i].desc, used,
		    strlen(body));
		arena_reset(a);
		free(body);
	}
	arena_free(a);
}

/*
 * The caller's budget (lim->mem) bounds what a parse takes from the
 * arena; a document that needs more is 422 "Malformed JSON", whatever
 * the memory goes to: key tables of a huge object, keys yajl had to
 * unescape, captured serviceProps, string values.
 */
static void
t_budget(void)
{
	static const struct jlimits lim = {
		FP_JSON_DEPTH_DEFAULT, FP_JSON_STRING_DEFAULT,
		FP_JSON_ARRAY_DEFAULT, 64 * 1024
	};
	static const char want[] = MJ "document needs more than 65536 "
	    "bytes of memory to parse";
	struct arena	*a;
	union ent	 e;
	const char	*secret, *detail;
	char		*body, *p;
	size_t		 i, k, used;
	enum fp_err	 rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(FP_ARENA_CAP));
	for (i = 0; i < 4; i++) {
		switch (i) {
		case 0:		/* 6000 keys in one ignored object */
			CU_ASSERT_PTR_NOT_NULL_FATAL(body = malloc(64 * 1024));
			p = body + sprintf(body, "{\"x\":{");
			for (k = 0; k < 6000; k++)
				p += sprintf(p, "%s\"%zx\":0", k ? "," : "", k);
			strcpy(p, "}}");
			break;
		case 1:		/* escaped keys are copied */
			body = repeat("{\"x\":[", "[{\"\\u0041\":0},{\"\\u0042\""
			    ":1},{\"\\u0043\":2},{\"\\u0044\":3},{\"\\u0045\":4}"
			    ",{\"\\u0046\":5},{\"\\u0047\":6},{\"\\u0048\":7}]",
			    1000, "]}");
			break;
		case 2:		/* serviceProps text */
			body = repeat("{\"serviceProps\":{\"x\":[", "\"abcdefgh"
			    "ijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcde"
			    "fghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz\"",
			    1000, "]}}");
			break;
		default:	/* the same amount fits a bigger budget */
			body = repeat("{\"serviceProps\":{\"x\":[", "\"abcdefgh"
			    "ijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcde"
			    "fghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz\"",
			    1000, "]}}");
			break;
		}
		CU_ASSERT_PTR_NOT_NULL_FATAL(body);
		rc = parse(a, i < 3 ? &lim : &deflim, K_PEER, body,
		    strlen(body), &e, &secret, &detail);
		used = arena_used(a);
		if (i < 3) {
			CHECK(rc == FP_EMALFORMED, "case %zu: rc %d (%s)", i, rc,
			    nn(detail));
			CHECK(streq(detail, want), "case %zu: \"%s\"", i,
			    nn(detail));
			CHECK(used <= lim.mem + 1024, "case %zu: %zu bytes", i,
			    used);
		} else
			CHECK(rc == FP_OK, "case %zu: rc %d (%s)", i, rc,
			    nn(detail));
		arena_reset(a);
		free(body);
	}
	arena_free(a);
}

/*
 * Every allocation of the parse may fail: arenas from nearly nothing
 * upwards give either the normal outcome or FP_ENOMEM, never a crash, a
 * NULL message or a half-parsed success.  Error messages that do not fit
 * fall back to "Malformed JSON" (still a 422).
 */
static void
t_arena_exhausted(void)
{
	static const struct {
		enum kind	 k;
		const char	*body;
		enum fp_err	 rc;
	} t[] = {
		{ K_PEER, "{\"name\":\"Grid Co\",\"enabled\":true,\"baseUrl\":"
		    "\"https://cp.example\",\"registrationStatus\":"
		    "\"Registered\",\"serviceProps\":{\"a\":[1,{\"b\":null}],"
		    "\"\\u0041\":\"x\",\"oauth-client-secret\":\"s3\"},"
		    "\"ignored\":[{\"\\u0042\":0},{\"c\":{\"d\":1}}]}", FP_OK },
		{ K_GROUP, "{\"name\":\"G\",\"identifier\":\"g\","
		    "\"capacityProviderId\":7,\"capacityOptimizerId\":"
		    "9223372036854775807,\"capacityProviderMeasurementPeriod\":"
		    "\"Hour\"}", FP_OK },
		{ K_ASSET, "{\"name\":\"n\",\"nodeId\":123,\"audience\":"
		    "\"CapacityProvider\",\"instantaneous\":{\"propertyNames\":"
		    "[\"watts\",\"b\"],\"unit\":\"kW\",\"multiplier\":0.001},"
		    "\"energy\":{\"unit\":\"kWh\"}}", FP_OK },
		{ K_PEER, "{\"name\":5}", FP_EMALFORMED },
		{ K_PEER, "{\"registrationStatus\":\"Nope\"}", FP_EMALFORMED },
		{ K_GROUP, "{\"capacityProviderId\":99999999999999999999}",
		    FP_EMALFORMED },
		{ K_GROUP, "{\"capacityProviderId\":-9223372036854775809}",
		    FP_EMALFORMED },
		{ K_GROUP, "{\"capacityProviderId\":1.5}", FP_EMALFORMED },
		{ K_PEER, "{\"x\":1,\"\\u0078\":2}", FP_EMALFORMED },
		{ K_PEER, "{\"serviceProps\":{\"a\":1,\"a\":2}}",
		    FP_EMALFORMED },
		{ K_PEER, "{\"name\":\"a\",}", FP_EMALFORMED },
		{ K_PEER, "{\"x\":[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]}",
		    FP_EMALFORMED },
		{ K_ASSET, "{\"audience\":\"FlexibilityProvider\"}",
		    FP_EILLEGAL },
		{ K_ASSET, "{\"audience\":null}", FP_EILLEGAL },
		{ K_ASSET, "{\"instantaneous\":{\"propertyNames\":[1]}}",
		    FP_EMALFORMED },
	};
	struct arena	*a;
	union ent	 e, ref;
	const char	*secret, *rsecret, *detail;
	char		*rdetail;
	size_t		 i, cap;
	enum fp_err	 rc;
	bool		 same;

	for (i = 0; i < N(t); i++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(1024 * 1024));
		rc = parse(a, &deflim, t[i].k, t[i].body, strlen(t[i].body),
		    &ref, &rsecret, &detail);
		CHECK(rc == t[i].rc, "%s: rc %d (%s)", t[i].body, rc,
		    nn(detail));
		rdetail = detail != NULL ? strdup(detail) : NULL;
		if (rsecret != NULL)
			rsecret = strdup(rsecret);
		switch (t[i].k) {	/* keep what the checks below compare */
		case K_PEER:
			ref.p.name = ref.p.name ? strdup(ref.p.name) : NULL;
			ref.p.sprops = ref.p.sprops ? strdup(ref.p.sprops) :
			    NULL;
			break;
		case K_GROUP:
			ref.g.name = ref.g.name ? strdup(ref.g.name) : NULL;
			break;
		case K_ASSET:
			ref.s.inst.props = ref.s.inst.props ?
			    strdup(ref.s.inst.props) : NULL;
			ref.s.inst.mult = ref.s.inst.mult ?
			    strdup(ref.s.inst.mult) : NULL;
			break;
		}
		arena_free(a);
		/* from the smallest arena arena_new() accepts upwards */
		for (cap = 48; cap <= 8192; cap += 8) {
			CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(cap));
			rc = parse(a, &deflim, t[i].k, t[i].body,
			    strlen(t[i].body), &e, &secret, &detail);
			CHECK(rc == t[i].rc || rc == FP_ENOMEM,
			    "%s, arena %zu: rc %d", t[i].body, cap, rc);
			if (rc != FP_OK && rc != FP_ENOMEM)
				CHECK(streq(detail, rdetail) || streq(detail,
				    "Malformed JSON") || streq(detail,
				    "Malformed request"), "%s, arena %zu: "
				    "\"%s\"", t[i].body, cap, nn(detail));
			if (rc == FP_OK) {
				switch (t[i].k) {
				case K_PEER:
					same = streq(e.p.name, ref.p.name) &&
					    streq(e.p.sprops, ref.p.sprops) &&
					    streq(secret, rsecret) &&
					    e.p.reg_status == ref.p.reg_status;
					break;
				case K_GROUP:
					same = streq(e.g.name, ref.g.name) &&
					    e.g.cp_id == ref.g.cp_id &&
					    e.g.co_id == ref.g.co_id;
					break;
				default:
					same = streq(e.s.inst.props,
					    ref.s.inst.props) &&
					    streq(e.s.inst.mult,
					    ref.s.inst.mult) &&
					    e.s.inst.nprops ==
					    ref.s.inst.nprops &&
					    e.s.energy.unit ==
					    ref.s.energy.unit;
					break;
				}
				CHECK(same, "%s, arena %zu: different result",
				    t[i].body, cap);
			}
			arena_free(a);
		}
		/* and the largest of them was enough */
		CHECK(rc == t[i].rc, "%s: rc %d with an 8 KiB arena",
		    t[i].body, rc);
		free(rdetail);
		free((char *)rsecret);
		switch (t[i].k) {
		case K_PEER:
			free((char *)ref.p.name);
			free((char *)ref.p.sprops);
			break;
		case K_GROUP:
			free((char *)ref.g.name);
			break;
		case K_ASSET:
			free((char *)ref.s.inst.props);
			free((char *)ref.s.inst.mult);
			break;
		}
	}
}

/* ------------------------------------------------------------------ */
/* Emitting */

static char *
gen_text(struct arena *a, yajl_gen g)
{
	const unsigned char	*buf;
	size_t			 len;

	char			*s;

	yajl_gen_get_buf(g, &buf, &len);
	s = arena_strndup(a, (const char *)buf, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	return s != NULL ? s : (char *)"";
}

static void
t_emit_peer(void)
{
	static const char *const full =
	    "{\"userId\":42,\"configId\":7,"
	    "\"created\":\"2025-03-07 09:05:03.123456Z\","
	    "\"modified\":\"2025-03-07 09:05:04Z\",\"enabled\":true,"
	    "\"name\":\"Grid Co\",\"token\":\"TOKEN\","
	    "\"baseUrl\":\"https://cp.example/oscp/cp/2.0\","
	    "\"oscpVersion\":\"2.0\",\"flexibilityProviderId\":19,"
	    "\"registrationStatus\":\"Registered\",\"settings\":"
	    "{\"heartbeatSeconds\":60,\"measurementStyles\":"
	    "[\"Continuous\",\"Intermittent\"]},"
	    "\"heartbeatDate\":\"2025-03-07 09:05:03.12Z\","
	    "\"offlineDate\":\"2025-03-07 09:05:05Z\","
	    "\"serviceProps\":{\"oauth-token-url\":\"u\","
	    "\"oauth-client-id\":\"abc\",\"n\":{\"oauth-client-secret\":1}}}";
	static const char *const minimal =
	    "{\"userId\":42,\"configId\":8,"
	    "\"created\":\"2025-03-07 09:05:03Z\","
	    "\"modified\":\"2025-03-07 09:05:03Z\",\"enabled\":false,"
	    "\"name\":\"n\",\"flexibilityProviderId\":20,"
	    "\"registrationStatus\":\"Pending\",\"settings\":{}}";
	struct arena	*a;
	struct peer	 p;
	yajl_gen	 g;
	char		*out;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(1024 * 1024));
	peer_init(&p);
	p.user_id = 42;
	p.id = 7;
	p.created = T0 * US + 123456;
	p.modified = (T0 + 1) * US;
	p.enabled = true;
	p.name = "Grid Co";
	p.token = "TOKEN";
	p.base_url = "https://cp.example/oscp/cp/2.0";
	p.oscp_ver = "2.0";
	p.fp_id = 19;
	p.reg_status = 114;
	p.heartbeat_secs = 60;
	p.meas_styles = "[99,105]";
	p.heartbeat_at = T0 * US + 120000;
	p.offline_at = (T0 + 2) * US;
	p.sprops = "{\"oauth-token-url\":\"u\",\"oauth-client-secret\":"
	    "\"s3cr3t\",\"oauth-client-id\":\"abc\","
	    "\"n\":{\"oauth-client-secret\":1}}";
	p.oauth_secret = "s3cr3t";
	CU_ASSERT_PTR_NOT_NULL_FATAL(g = yajl_gen_alloc(NULL));
	json_peer(g, &p);
	out = gen_text(a, g);
	CHECK(streq(out, full), "json_peer full:\n%s\nwant\n%s", out, full);
	CU_ASSERT_PTR_NULL(strstr(out, "s3cr3t"));
	yajl_gen_free(g);

	peer_init(&p);
	p.user_id = 42;
	p.id = 8;
	p.created = p.modified = T0 * US;
	p.name = "n";
	p.fp_id = 20;
	p.reg_status = 112;
	CU_ASSERT_PTR_NOT_NULL_FATAL(g = yajl_gen_alloc(NULL));
	json_peer(g, &p);
	out = gen_text(a, g);
	CHECK(streq(out, minimal), "json_peer minimal:\n%s\nwant\n%s", out,
	    minimal);
	yajl_gen_free(g);

	/* Unknown stored codes are left out rather than invented. */
	peer_init(&p);
	p.name = "n";
	p.reg_status = 1;
	p.meas_styles = "[99,7,105]";
	CU_ASSERT_PTR_NOT_NULL_FATAL(g = yajl_gen_alloc(NULL));
	json_peer(g, &p);
	out = gen_text(a, g);
	CHECK(streq(out, "{\"enabled\":false,\"name\":\"n\",\"settings\":"
	    "{\"measurementStyles\":[\"Continuous\",\"Intermittent\"]}}"),
	    "json_peer unknown codes: %s", out);
	yajl_gen_free(g);
	arena_free(a);
}

static void
t_emit_group(void)
{
	static const char *const full =
	    "{\"userId\":1,\"configId\":2,"
	    "\"created\":\"2025-03-07 09:05:03Z\","
	    "\"modified\":\"2025-03-07 09:05:03.000001Z\",\"enabled\":true,"
	    "\"name\":\"G\",\"identifier\":\"g-1\",\"capacityProviderId\":3,"
	    "\"capacityOptimizerId\":4,"
	    "\"capacityProviderMeasurementPeriod\":\"FifteenMinute\","
	    "\"capacityOptimizerMeasurementPeriod\":\"Hour\","
	    "\"capacityProviderMeasurementDate\":\"2025-03-07 09:15:00Z\","
	    "\"capacityOptimizerMeasurementDate\":\"2025-03-07 10:00:00Z\","
	    "\"serviceProps\":{\"a\":[1,2.50]}}";
	static const char *const minimal =
	    "{\"userId\":1,\"configId\":2,\"enabled\":false,\"name\":\"G\","
	    "\"identifier\":\"g-1\",\"capacityProviderId\":3,"
	    "\"capacityOptimizerId\":4,"
	    "\"capacityProviderMeasurementPeriod\":\"Minute\","
	    "\"capacityOptimizerMeasurementPeriod\":\"ThirtyMinute\"}";
	struct arena	*a;
	struct group	 c;
	yajl_gen	 g;
	char		*out;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(1024 * 1024));
	group_init(&c);
	c.user_id = 1;
	c.id = 2;
	c.created = T0 * US;
	c.modified = T0 * US + 1;
	c.enabled = true;
	c.name = "G";
	c.ident = "g-1";
	c.cp_id = 3;
	c.co_id = 4;
	c.cp_meas_secs = 900;
	c.co_meas_secs = 3600;
	c.cp_meas_at = (T0 - 303 + 900) * US;
	c.co_meas_at = (T0 - 303 + 3600) * US;
	c.sprops = "{\"a\":[1,2.50]}";
	CU_ASSERT_PTR_NOT_NULL_FATAL(g = yajl_gen_alloc(NULL));
	json_group(g, &c);
	out = gen_text(a, g);
	CHECK(streq(out, full), "json_group full:\n%s\nwant\n%s", out, full);
	yajl_gen_free(g);

	group_init(&c);
	c.user_id = 1;
	c.id = 2;
	c.name = "G";
	c.ident = "g-1";
	c.cp_id = 3;
	c.co_id = 4;
	c.cp_meas_secs = 60;
	c.co_meas_secs = 1800;
	CU_ASSERT_PTR_NOT_NULL_FATAL(g = yajl_gen_alloc(NULL));
	json_group(g, &c);
	out = gen_text(a, g);
	CHECK(streq(out, minimal), "json_group minimal:\n%s\nwant\n%s", out,
	    minimal);
	yajl_gen_free(g);
	arena_free(a);
}

static void
t_emit_asset(void)
{
	static const char *const full =
	    "{\"userId\":5,\"configId\":6,"
	    "\"created\":\"2025-03-07 09:05:03Z\","
	    "\"modified\":\"2025-03-07 09:05:03Z\",\"enabled\":true,"
	    "\"name\":\"Charger 1\",\"capacityGroupId\":3,"
	    "\"identifier\":\"chg-1\",\"audience\":\"CapacityProvider\","
	    "\"nodeId\":123,\"sourceId\":\"/ev/1\",\"category\":\"Charging\","
	    "\"phase\":\"All\",\"instantaneous\":{\"propertyNames\":"
	    "[\"watts\"],\"unit\":\"kW\",\"multiplier\":0.001,"
	    "\"statisticType\":\"Maximum\"},\"energy\":{\"propertyNames\":"
	    "[\"wattHours\",\"x\"],\"unit\":\"kWh\",\"multiplier\":1000,"
	    "\"statisticType\":\"Difference\",\"type\":\"Total\","
	    "\"direction\":\"Import\"},\"serviceProps\":{}}";
	static const char *const minimal =
	    "{\"userId\":5,\"configId\":6,\"enabled\":false,"
	    "\"name\":\"A\",\"capacityGroupId\":3,"
	    "\"identifier\":\"i\",\"audience\":\"CapacityOptimizer\","
	    "\"nodeId\":1,\"sourceId\":\"s\",\"category\":\"Storage\","
	    "\"phase\":\"B\"}";
	struct arena	*a;
	struct asset	 s;
	yajl_gen	 g;
	char		*out;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(1024 * 1024));
	asset_init(&s);
	s.user_id = 5;
	s.id = 6;
	s.created = s.modified = T0 * US;
	s.enabled = true;
	s.name = "Charger 1";
	s.cg_id = 3;
	s.ident = "chg-1";
	s.audience = 112;
	s.node_id = 123;
	s.source_id = "/ev/1";
	s.category = 118;
	s.phase = 122;
	s.inst.present = true;
	s.inst.props = "[\"watts\"]";
	s.inst.nprops = 1;
	s.inst.unit = 80;
	s.inst.mult = "0.001";
	s.inst.stat = 77;
	s.inst.type = 116;	/* not an instantaneous member */
	s.energy.present = true;
	s.energy.props = "[\"wattHours\",\"x\"]";
	s.energy.nprops = 2;
	s.energy.unit = 69;
	s.energy.mult = "1000";
	s.energy.stat = 100;
	s.energy.type = 116;
	s.energy.dir = 105;
	s.sprops = "{}";
	CU_ASSERT_PTR_NOT_NULL_FATAL(g = yajl_gen_alloc(NULL));
	json_asset(g, &s);
	out = gen_text(a, g);
	CHECK(streq(out, full), "json_asset full:\n%s\nwant\n%s", out, full);
	CU_ASSERT_PTR_NULL(strstr(out, "token"));
	yajl_gen_free(g);

	asset_init(&s);
	s.user_id = 5;
	s.id = 6;
	s.name = "A";
	s.cg_id = 3;
	s.ident = "i";
	s.audience = 111;
	s.node_id = 1;
	s.source_id = "s";
	s.category = 115;
	s.phase = 98;
	/* present but without names: left out (reference §4.4) */
	s.energy.present = true;
	s.energy.unit = 101;
	CU_ASSERT_PTR_NOT_NULL_FATAL(g = yajl_gen_alloc(NULL));
	json_asset(g, &s);
	out = gen_text(a, g);
	CHECK(streq(out, minimal), "json_asset minimal:\n%s\nwant\n%s", out,
	    minimal);
	yajl_gen_free(g);
	arena_free(a);
}

/* Parse a body, emit it back: the asset sub-objects survive. */
static void
t_roundtrip(void)
{
	static const char body[] = "{\"name\":\"A\",\"capacityGroupId\":3,"
	    "\"identifier\":\"i\",\"audience\":\"CapacityProvider\","
	    "\"nodeId\":1,\"sourceId\":\"s\",\"category\":\"v\","
	    "\"phase\":\"z\",\"instantaneous\":{\"propertyNames\":[\"a\","
	    "\"b\\\"c\"],\"unit\":\"kW\",\"multiplier\":0.001,"
	    "\"statisticType\":\"Maximum\"},\"serviceProps\":{\"k\":[1]}}";
	static const char want[] = "{\"enabled\":false,\"name\":\"A\","
	    "\"capacityGroupId\":3,\"identifier\":\"i\","
	    "\"audience\":\"CapacityProvider\",\"nodeId\":1,"
	    "\"sourceId\":\"s\",\"category\":\"Charging\",\"phase\":\"All\","
	    "\"instantaneous\":{\"propertyNames\":[\"a\",\"b\\\"c\"],"
	    "\"unit\":\"kW\",\"multiplier\":0.001,\"statisticType\":"
	    "\"Maximum\"},\"serviceProps\":{\"k\":[1]}}";
	struct arena	*a;
	union ent	 e;
	const char	*detail;
	yajl_gen	 g;
	char		*out;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(1024 * 1024));
	CU_ASSERT_EQUAL_FATAL(parse(a, &deflim, K_ASSET, body, strlen(body),
	    &e, NULL, &detail), FP_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g = yajl_gen_alloc(NULL));
	json_asset(g, &e.s);
	out = gen_text(a, g);
	CHECK(streq(out, want), "round trip:\n%s\nwant\n%s", out, want);
	yajl_gen_free(g);
	arena_free(a);
}

static void
t_raw(void)
{
	static const struct {
		const char	*in;
		const char	*skip;
		int		 rc;
		const char	*out;
	} t[] = {
		{ "{\"a\":1,\"b\":2}", NULL, 0, "{\"a\":1,\"b\":2}" },
		{ "{\"a\":1,\"oauth-client-secret\":\"s\",\"b\":2}",
		    "oauth-client-secret", 0, "{\"a\":1,\"b\":2}" },
		{ "{\"oauth-client-secret\":{\"x\":[1,{\"y\":2}]},\"b\":"
		    "{\"oauth-client-secret\":\"k\"}}", "oauth-client-secret",
		    0, "{\"b\":{\"oauth-client-secret\":\"k\"}}" },
		{ "{\"s\":[1,[2,[3]]],\"t\":null}", "s", 0, "{\"t\":null}" },
		{ "{\"s\":null,\"t\":true}", "s", 0, "{\"t\":true}" },
		{ "{\"s\":false,\"t\":1.50}", "s", 0, "{\"t\":1.50}" },
		{ "{\"s\":-1e5}", "s", 0, "{}" },
		{ "{\"ss\":1,\"s\":2}", "s", 0, "{\"ss\":1}" },
		{ "{}", "s", 0, "{}" },
		{ "[\"watts\",\"a\\\"b\"]", NULL, 0, "[\"watts\",\"a\\\"b\"]" },
		{ " { \"a\" : [ 1 , 2 ] } ", NULL, 0, "{\"a\":[1,2]}" },
		{ "{\"u\":\"\\u00e9\\n\"}", NULL, 0,
		    "{\"u\":\"\xc3\xa9\\n\"}" },
		{ "{\"a\":", NULL, -1, NULL },
		{ "{\"a\":1}x", NULL, -1, NULL },
		{ "", NULL, -1, NULL },
	};
	struct arena	*a;
	yajl_gen	 g;
	char		*out;
	int		 rc;
	size_t		 i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(1024 * 1024));
	for (i = 0; i < N(t); i++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(g = yajl_gen_alloc(NULL));
		rc = json_raw(g, t[i].in, t[i].skip);
		CHECK(rc == t[i].rc, "json_raw(%s): %d", t[i].in, rc);
		if (t[i].rc == 0) {
			out = gen_text(a, g);
			CHECK(streq(out, t[i].out), "json_raw(%s, %s) = %s, "
			    "want %s", t[i].in, nn(t[i].skip), out, t[i].out);
		}
		yajl_gen_free(g);
		arena_reset(a);
	}
	arena_free(a);
}

static void
t_kv(void)
{
	static const char want[] =
	    "{\"t1\":\"2025-03-07 09:05:03Z\","
	    "\"t2\":\"2025-03-07 09:05:03.12Z\","
	    "\"t3\":\"2025-03-07 09:05:03.000001Z\","
	    "\"t4\":\"2025-03-07 09:05:03.746647Z\","
	    "\"t5\":\"1970-01-01 00:00:00Z\","
	    "\"i1\":0,\"i2\":-9223372036854775807,\"i3\":9223372036854775807,"
	    "\"b\":false,\"e1\":\"kWh\",\"n\":0.0010,\"s\":\"\\\"\\\\\","
	    "\"r\":[1]}";
	struct arena	*a;
	yajl_gen	 g;
	char		*out;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(1024 * 1024));
	CU_ASSERT_PTR_NOT_NULL_FATAL(g = yajl_gen_alloc(NULL));
	yajl_gen_map_open(g);
	json_kv_time(g, "t1", T0 * US);
	json_kv_time(g, "t2", T0 * US + 120000);
	json_kv_time(g, "t3", T0 * US + 1);
	json_kv_time(g, "t4", T0 * US + 746647);
	json_kv_time(g, "t5", 0);
	json_kv_time(g, "tnull", DB_NULL);
	json_kv_int(g, "i1", 0);
	json_kv_int(g, "i2", -INT64_MAX);
	json_kv_int(g, "i3", INT64_MAX);
	json_kv_int(g, "inull", DB_NULL);
	json_kv_bool(g, "b", false);
	json_kv_enum(g, "e1", ENUM_UNIT, 69);
	json_kv_enum(g, "enull", ENUM_UNIT, DB_NULL_INT);
	json_kv_enum(g, "ebad", ENUM_UNIT, 1);
	json_kv_number(g, "n", "0.0010");
	json_kv_number(g, "nnull", NULL);
	json_kv_str(g, "s", "\"\\");
	json_kv_str(g, "snull", NULL);
	CU_ASSERT_EQUAL(json_kv_raw(g, "r", "[1]", NULL), 0);
	CU_ASSERT_EQUAL(json_kv_raw(g, "rnull", NULL, NULL), 0);
	yajl_gen_map_close(g);
	out = gen_text(a, g);
	CHECK(streq(out, want), "kv helpers:\n%s\nwant\n%s", out, want);
	yajl_gen_free(g);
	arena_free(a);
}

void
test_json_register(void)
{
	CU_pSuite	 s;

	s = CU_add_suite("json", NULL, NULL);
	CU_add_test(s, "parse CP/CO body", t_peer_body);
	CU_add_test(s, "parse group body", t_group_body);
	CU_add_test(s, "parse asset body", t_asset_body);
	CU_add_test(s, "parse errors", t_errors);
	CU_add_test(s, "enum spellings", t_enums);
	CU_add_test(s, "serviceProps and the secret", t_props);
	CU_add_test(s, "default limits", t_limits);
	CU_add_test(s, "caller's limits", t_custom_limits);
	CU_add_test(s, "duplicates among many keys", t_many_keys);
	CU_add_test(s, "objects in ignored values", t_ignored_objects);
	CU_add_test(s, "the caller's memory budget", t_budget);
	CU_add_test(s, "arena exhausted at every step", t_arena_exhausted);
	CU_add_test(s, "emit CP/CO", t_emit_peer);
	CU_add_test(s, "emit group", t_emit_group);
	CU_add_test(s, "emit asset", t_emit_asset);
	CU_add_test(s, "parse then emit", t_roundtrip);
	CU_add_test(s, "json_raw", t_raw);
	CU_add_test(s, "key/value helpers", t_kv);
}
