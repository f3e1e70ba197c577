/*
 * test_route.c -- src/route.c: the route table (SPEC §2), strict path ids
 * (parse_id), method names, route_match (404 unknown path, 405 with the
 * allowed-method mask, 422 bad id, ids and route names on success) and
 * the Allow header text (route_allow).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "api.h"
#include "http.h"
#include "unit.h"

#define B	FP_API_BASE
#define M(m)	(1u << (m))

static void
t_parse_id(void)
{
	static const struct {
		const char	*in;
		size_t		 len;	/* 0: strlen(in) */
		int		 rc;
		int64_t		 id;
	} t[] = {
		{ "1", 0, 0, 1 },
		{ "42", 0, 0, 42 },
		{ "007", 0, 0, 7 },
		{ "9223372036854775807", 0, 0, INT64_MAX },
		{ "9223372036854775806", 0, 0, INT64_MAX - 1 },
		{ "9223372036854775808", 0, -1, 0 },
		{ "18446744073709551616", 0, -1, 0 },
		{ "99999999999999999999999", 0, -1, 0 },
		{ "0", 0, -1, 0 },
		{ "00", 0, -1, 0 },
		{ "-1", 0, -1, 0 },
		{ "+1", 0, -1, 0 },
		{ " 1", 0, -1, 0 },
		{ "1 ", 0, -1, 0 },
		{ "1a", 0, -1, 0 },
		{ "abc", 0, -1, 0 },
		{ "1.0", 0, -1, 0 },
		{ "1e3", 0, -1, 0 },
		{ "0x10", 0, -1, 0 },
		{ "%31", 0, -1, 0 },
		{ "", 0, -1, 0 },
		{ "12/assets", 2, 0, 12 },	/* len is honoured */
		{ "12/assets", 3, -1, 0 },
		{ "5", 0, 0, 5 },
	};
	size_t	 i, len;
	int64_t	 id;
	int	 rc;

	for (i = 0; i < N(t); i++) {
		id = -77;
		len = t[i].len ? t[i].len : strlen(t[i].in);
		rc = parse_id(t[i].in, len, &id);
		CHECK(rc == t[i].rc, "parse_id(\"%.*s\") = %d, want %d",
		    (int)len, t[i].in, rc, t[i].rc);
		if (t[i].rc == 0)
			CHECK(id == t[i].id, "parse_id(\"%.*s\") id %lld",
			    (int)len, t[i].in, (long long)id);
		else
			CHECK(id == -77, "parse_id(\"%s\") wrote %lld on "
			    "failure", t[i].in, (long long)id);
	}
}

static void
t_methods(void)
{
	static const struct {
		const char	*in;
		enum method	 m;
	} t[] = {
		{ "GET", METHOD_GET },
		{ "POST", METHOD_POST },
		{ "PUT", METHOD_PUT },
		{ "DELETE", METHOD_DELETE },
		{ "PATCH", METHOD_PATCH },
		{ "HEAD", METHOD_HEAD },
		{ "OPTIONS", METHOD_OPTIONS },
		{ "get", METHOD_OTHER },	/* case-sensitive */
		{ "Get", METHOD_OTHER },
		{ "TRACE", METHOD_OTHER },
		{ "OTHER", METHOD_OTHER },
		{ "", METHOD_OTHER },
		{ "GET ", METHOD_OTHER },
		{ "GETX", METHOD_OTHER },
	};
	size_t	 i;
	int	 m;

	for (i = 0; i < N(t); i++)
		CHECK(method_parse(t[i].in) == t[i].m, "method_parse(\"%s\")",
		    t[i].in);
	CU_ASSERT_EQUAL(method_parse(NULL), METHOD_OTHER);
	for (m = 0; m < METHOD_OTHER; m++)
		CHECK(method_parse(method_name(m)) == (enum method)m,
		    "method_name(%d) round trip", m);
}

static void
t_allow(void)
{
	static const struct {
		unsigned	 mask;
		const char	*out;
	} t[] = {
		{ 0, "" },
		{ M(METHOD_GET), "GET" },
		{ M(METHOD_POST), "POST" },
		{ M(METHOD_GET) | M(METHOD_POST), "GET, POST" },
		{ M(METHOD_GET) | M(METHOD_PUT) | M(METHOD_DELETE),
		    "GET, PUT, DELETE" },
		{ M(METHOD_GET) | M(METHOD_DELETE), "GET, DELETE" },
		{ M(METHOD_DELETE) | M(METHOD_GET), "GET, DELETE" },
		{ M(METHOD_GET) | M(METHOD_POST) | M(METHOD_PUT) |
		    M(METHOD_DELETE) | M(METHOD_PATCH) | M(METHOD_HEAD) |
		    M(METHOD_OPTIONS),
		    "GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS" },
		{ M(METHOD_OTHER), "" },	/* never a real method */
		{ M(METHOD_OTHER) | M(METHOD_PUT), "PUT" },
	};
	char	 buf[128];
	char	 small[8];
	size_t	 i;

	for (i = 0; i < N(t); i++) {
		memset(buf, 'x', sizeof(buf));
		route_allow(t[i].mask, buf, sizeof(buf));
		CHECK(strcmp(buf, t[i].out) == 0, "route_allow(%#x) = \"%s\", "
		    "want \"%s\"", t[i].mask, buf, t[i].out);
	}
	/* Truncates, stays terminated, never writes past len (ASan). */
	memset(small, 'x', sizeof(small));
	route_allow(M(METHOD_GET) | M(METHOD_POST) | M(METHOD_PUT) |
	    M(METHOD_DELETE), small, sizeof(small));
	CU_ASSERT_STRING_EQUAL(small, "GET, PO");
	memset(small, 'x', sizeof(small));
	route_allow(M(METHOD_GET) | M(METHOD_DELETE), small, 1);
	CU_ASSERT_EQUAL(small[0], '\0');
	CU_ASSERT_EQUAL(small[1], 'x');
}

/* The table itself: names, families, the methods of SPEC §2 and §3. */
static void
t_table(void)
{
	static const struct {
		enum route	 r;
		const char	*name;
		enum api_family	 fam;
		unsigned	 methods;
	} t[] = {
		{ ROUTE_PING, "/ping", FAM_PUBLIC, M(METHOD_GET) },
		{ ROUTE_CP_LIST, "/capacity-providers", FAM_MGMT,
		    M(METHOD_GET) | M(METHOD_POST) },
		{ ROUTE_CP_ITEM, "/capacity-providers/{id}", FAM_MGMT,
		    M(METHOD_GET) | M(METHOD_PUT) | M(METHOD_DELETE) },
		{ ROUTE_CO_LIST, "/capacity-optimizers", FAM_MGMT,
		    M(METHOD_GET) | M(METHOD_POST) },
		{ ROUTE_CO_ITEM, "/capacity-optimizers/{id}", FAM_MGMT,
		    M(METHOD_GET) | M(METHOD_PUT) | M(METHOD_DELETE) },
		{ ROUTE_CG_LIST, "/capacity-groups", FAM_MGMT,
		    M(METHOD_GET) | M(METHOD_POST) },
		{ ROUTE_CG_ITEM, "/capacity-groups/{id}", FAM_MGMT,
		    M(METHOD_GET) | M(METHOD_PUT) | M(METHOD_DELETE) },
		{ ROUTE_CG_ASSETS, "/capacity-groups/{id}/assets", FAM_MGMT,
		    M(METHOD_GET) | M(METHOD_DELETE) },
		{ ROUTE_ASSET_LIST, "/assets", FAM_MGMT, M(METHOD_POST) },
		{ ROUTE_ASSET_ITEM, "/assets/{id}", FAM_MGMT,
		    M(METHOD_GET) | M(METHOD_PUT) | M(METHOD_DELETE) },
		{ ROUTE_CP_EVENTS, "/capacity-providers/{id}/events", FAM_MGMT,
		    M(METHOD_GET) },
		{ ROUTE_CO_EVENTS, "/capacity-optimizers/{id}/events", FAM_MGMT,
		    M(METHOD_GET) },
		{ ROUTE_OSCP_REGISTER, "register", FAM_OSCP, M(METHOD_POST) },
		{ ROUTE_OSCP_HANDSHAKE, "handshake", FAM_OSCP, M(METHOD_POST) },
		{ ROUTE_OSCP_HANDSHAKE_ACK, "handshake_acknowledge", FAM_OSCP,
		    M(METHOD_POST) },
		{ ROUTE_OSCP_HANDSHAKE_ACK2, "handshake_acknowledge", FAM_OSCP,
		    M(METHOD_POST) },
		{ ROUTE_OSCP_HANDSHAKE_ACK3, "handshake_acknowledge", FAM_OSCP,
		    M(METHOD_POST) },
		{ ROUTE_OSCP_HEARTBEAT, "heartbeat", FAM_OSCP, M(METHOD_POST) },
		{ ROUTE_OSCP_UPDATE_FORECAST, "update_group_capacity_forecast",
		    FAM_OSCP, M(METHOD_POST) },
		{ ROUTE_OSCP_ADJUST_FORECAST, "adjust_group_capacity_forecast",
		    FAM_OSCP, M(METHOD_POST) },
	};
	size_t	 i;
	unsigned mask;
	int	 m;

	CU_ASSERT_EQUAL_FATAL(N(t), ROUTE__MAX);
	for (i = 0; i < N(t); i++) {
		const struct route_def	*d = &routes[t[i].r];

		CHECK(d->name != NULL && strcmp(d->name, t[i].name) == 0,
		    "route %d name %s", t[i].r, d->name);
		CHECK(d->fam == t[i].fam, "route %s family", t[i].name);
		/* A route's path lies in its family (family_of() decides
		 * before the route is known). */
		CHECK(family_of(d->prefix) == d->fam, "route %s: path %s is "
		    "not in its family's prefix", t[i].name, d->prefix);
		mask = 0;
		for (m = 0; m < METHOD__MAX; m++)
			if (d->fn[m] != NULL)
				mask |= M(m);
		CHECK(mask == t[i].methods, "route %s methods %#x, want %#x",
		    t[i].name, mask, t[i].methods);
	}
	/* Forecasts: CP only; adjust: CO only; the rest: either. */
	CU_ASSERT_EQUAL(routes[ROUTE_OSCP_UPDATE_FORECAST].roles, ROLES_CP);
	CU_ASSERT_EQUAL(routes[ROUTE_OSCP_ADJUST_FORECAST].roles, ROLES_CO);
	CU_ASSERT_EQUAL(routes[ROUTE_OSCP_REGISTER].roles, ROLES_ANY);
	CU_ASSERT_EQUAL(family_of("/oscp/fp/2.0/nope"), FAM_OSCP);
	CU_ASSERT_EQUAL(family_of("/solaruser/api/v1/sec/x"), FAM_MGMT);
	CU_ASSERT_EQUAL(family_of("/ping"), FAM_PUBLIC);
	CU_ASSERT_EQUAL(family_of("/oscpx"), FAM_PUBLIC);
	/* DELETE on the group's asset listing is answered like GET. */
	CU_ASSERT_PTR_EQUAL(routes[ROUTE_CG_ASSETS].fn[METHOD_DELETE],
	    routes[ROUTE_CG_ASSETS].fn[METHOD_GET]);
	CU_ASSERT_PTR_EQUAL(routes[ROUTE_CG_ASSETS].fn[METHOD_GET],
	    api_group_assets);
	CU_ASSERT_PTR_EQUAL(routes[ROUTE_PING].fn[METHOD_GET], api_ping);
	CU_ASSERT_PTR_EQUAL(routes[ROUTE_CP_LIST].fn[METHOD_POST],
	    api_cp_create);
	CU_ASSERT_PTR_EQUAL(routes[ROUTE_CO_ITEM].fn[METHOD_PUT],
	    api_co_update);
	CU_ASSERT_PTR_EQUAL(routes[ROUTE_ASSET_ITEM].fn[METHOD_DELETE],
	    api_asset_delete);
}

#define ITEM	(M(METHOD_GET) | M(METHOD_PUT) | M(METHOD_DELETE))
#define LIST	(M(METHOD_GET) | M(METHOD_POST))

static void
t_match(void)
{
	static const struct {
		enum method	 m;
		const char	*path;
		enum fp_err	 rc;
		enum route	 route;	/* OK, EMETHOD, EILLEGAL */
		int64_t		 id;	/* OK on an {id} route */
		unsigned	 allow;		/* FP_EMETHOD */
	} t[] = {
		{ METHOD_GET, "/ping", FP_OK, ROUTE_PING, 0, 0 },
		{ METHOD_POST, "/ping", FP_EMETHOD, ROUTE_PING, 0,
		    M(METHOD_GET) },
		{ METHOD_GET, "/ping/", FP_EROUTE, 0, 0, 0 },
		{ METHOD_GET, B "/ping", FP_EROUTE, 0, 0, 0 },

		{ METHOD_GET, B "/capacity-providers", FP_OK, ROUTE_CP_LIST,
		    0, 0 },
		{ METHOD_POST, B "/capacity-providers", FP_OK, ROUTE_CP_LIST,
		    0, 0 },
		{ METHOD_PUT, B "/capacity-providers", FP_EMETHOD,
		    ROUTE_CP_LIST, 0, LIST },
		{ METHOD_DELETE, B "/capacity-providers", FP_EMETHOD,
		    ROUTE_CP_LIST, 0, LIST },
		{ METHOD_PATCH, B "/capacity-providers", FP_EMETHOD,
		    ROUTE_CP_LIST, 0, LIST },
		{ METHOD_OTHER, B "/capacity-providers", FP_EMETHOD,
		    ROUTE_CP_LIST, 0, LIST },
		{ METHOD_GET, B "/capacity-providers/7", FP_OK,
		    ROUTE_CP_ITEM, 7, 0 },
		{ METHOD_PUT, B "/capacity-providers/7", FP_OK,
		    ROUTE_CP_ITEM, 7, 0 },
		{ METHOD_DELETE, B "/capacity-providers/9223372036854775807",
		    FP_OK, ROUTE_CP_ITEM, INT64_MAX, 0 },
		{ METHOD_POST, B "/capacity-providers/7", FP_EMETHOD,
		    ROUTE_CP_ITEM, 0, ITEM },
		{ METHOD_GET, B "/capacity-providers/abc", FP_EILLEGAL,
		    ROUTE_CP_ITEM, 0, 0 },
		{ METHOD_GET, B "/capacity-providers/0", FP_EILLEGAL,
		    ROUTE_CP_ITEM, 0, 0 },
		{ METHOD_GET, B "/capacity-providers/-3", FP_EILLEGAL,
		    ROUTE_CP_ITEM, 0, 0 },
		{ METHOD_DELETE, B "/capacity-providers/9223372036854775808",
		    FP_EILLEGAL, ROUTE_CP_ITEM, 0, 0 },
		{ METHOD_GET, B "/capacity-providers/1.5", FP_EILLEGAL,
		    ROUTE_CP_ITEM, 0, 0 },
		{ METHOD_GET, B "/capacity-providers/", FP_EROUTE, 0, 0, 0 },
		{ METHOD_GET, B "/capacity-providers/7/", FP_EROUTE, 0, 0, 0 },
		{ METHOD_GET, B "/capacity-providers/7/x", FP_EROUTE, 0, 0, 0 },
		{ METHOD_GET, B "/capacity-providers/7/assets", FP_EROUTE, 0, 0,
		    0 },
		{ METHOD_GET, B "/capacity-providersX", FP_EROUTE, 0, 0, 0 },
		{ METHOD_GET, B "/capacity-provider", FP_EROUTE, 0, 0, 0 },
		{ METHOD_GET, B "/Capacity-Providers", FP_EROUTE, 0, 0, 0 },
		{ METHOD_GET, B "//capacity-providers", FP_EROUTE, 0, 0, 0 },
		{ METHOD_GET, "/solaruser/u/sec/oscp/capacity-providers",
		    FP_EROUTE, 0, 0, 0 },

		{ METHOD_GET, B "/capacity-optimizers", FP_OK, ROUTE_CO_LIST,
		    0, 0 },
		{ METHOD_POST, B "/capacity-optimizers", FP_OK, ROUTE_CO_LIST,
		    0, 0 },
		{ METHOD_DELETE, B "/capacity-optimizers", FP_EMETHOD,
		    ROUTE_CO_LIST, 0, LIST },
		{ METHOD_GET, B "/capacity-optimizers/12", FP_OK,
		    ROUTE_CO_ITEM, 12, 0 },
		{ METHOD_PATCH, B "/capacity-optimizers/12", FP_EMETHOD,
		    ROUTE_CO_ITEM, 0, ITEM },
		{ METHOD_GET, B "/capacity-optimizers/x1", FP_EILLEGAL,
		    ROUTE_CO_ITEM, 0, 0 },

		{ METHOD_GET, B "/capacity-groups", FP_OK, ROUTE_CG_LIST, 0, 0 },
		{ METHOD_POST, B "/capacity-groups", FP_OK, ROUTE_CG_LIST, 0, 0 },
		{ METHOD_PUT, B "/capacity-groups", FP_EMETHOD, ROUTE_CG_LIST,
		    0, LIST },
		{ METHOD_GET, B "/capacity-groups/3", FP_OK, ROUTE_CG_ITEM, 3,
		    0 },
		{ METHOD_DELETE, B "/capacity-groups/3", FP_OK, ROUTE_CG_ITEM,
		    3, 0 },
		{ METHOD_POST, B "/capacity-groups/3", FP_EMETHOD,
		    ROUTE_CG_ITEM, 0, ITEM },
		{ METHOD_GET, B "/capacity-groups/3/assets", FP_OK,
		    ROUTE_CG_ASSETS, 3, 0 },
		{ METHOD_DELETE, B "/capacity-groups/3/assets", FP_OK,
		    ROUTE_CG_ASSETS, 3, 0 },
		{ METHOD_POST, B "/capacity-groups/3/assets", FP_EMETHOD,
		    ROUTE_CG_ASSETS, 0, M(METHOD_GET) | M(METHOD_DELETE) },
		{ METHOD_PUT, B "/capacity-groups/3/assets", FP_EMETHOD,
		    ROUTE_CG_ASSETS, 0, M(METHOD_GET) | M(METHOD_DELETE) },
		{ METHOD_GET, B "/capacity-groups/abc/assets", FP_EILLEGAL,
		    ROUTE_CG_ASSETS, 0, 0 },
		{ METHOD_GET, B "/capacity-groups/0/assets", FP_EILLEGAL,
		    ROUTE_CG_ASSETS, 0, 0 },
		{ METHOD_GET, B "/capacity-groups//assets", FP_EROUTE, 0, 0, 0 },
		{ METHOD_GET, B "/capacity-groups/3/assets/", FP_EROUTE, 0, 0,
		    0 },
		{ METHOD_GET, B "/capacity-groups/3/assets/4", FP_EROUTE, 0, 0,
		    0 },
		{ METHOD_GET, B "/capacity-groups/3/assetsx", FP_EROUTE, 0, 0,
		    0 },
		{ METHOD_GET, B "/capacity-groups/3/asset", FP_EROUTE, 0, 0, 0 },

		{ METHOD_POST, B "/assets", FP_OK, ROUTE_ASSET_LIST, 0, 0 },
		{ METHOD_GET, B "/assets", FP_EMETHOD, ROUTE_ASSET_LIST, 0,
		    M(METHOD_POST) },	/* no GET /assets (reference §6.1) */
		{ METHOD_GET, B "/assets/21", FP_OK, ROUTE_ASSET_ITEM, 21, 0 },
		{ METHOD_PUT, B "/assets/21", FP_OK, ROUTE_ASSET_ITEM, 21, 0 },
		{ METHOD_POST, B "/assets/21", FP_EMETHOD, ROUTE_ASSET_ITEM, 0,
		    ITEM },
		{ METHOD_DELETE, B "/assets/nope", FP_EILLEGAL,
		    ROUTE_ASSET_ITEM, 0, 0 },

		{ METHOD_GET, B, FP_EROUTE, 0, 0, 0 },
		{ METHOD_GET, B "/", FP_EROUTE, 0, 0, 0 },
		{ METHOD_GET, "/", FP_EROUTE, 0, 0, 0 },
		{ METHOD_GET, "", FP_EROUTE, 0, 0, 0 },
		{ METHOD_GET, B "/settings", FP_EROUTE, 0, 0, 0 },
		{ METHOD_GET, "/oscp/fp/2.0/register", FP_EMETHOD,
		    ROUTE_OSCP_REGISTER, 0, M(METHOD_POST) },
		{ METHOD_POST, "/oscp/fp/2.0/register", FP_OK,
		    ROUTE_OSCP_REGISTER, 0, 0 },
		{ METHOD_POST, "/oscp/fp/2.0/handshake_acknowledgment", FP_OK,
		    ROUTE_OSCP_HANDSHAKE_ACK3, 0, 0 },
		{ METHOD_POST, "/oscp/fp/2.0/nope", FP_EROUTE, 0, 0, 0 },
		{ METHOD_GET, B "/capacity-providers/7/events", FP_OK,
		    ROUTE_CP_EVENTS, 7, 0 },

		/*
		 * Order of checks (api-decisions.md): a known path with a
		 * wrong method is 405 before the id is looked at (as in
		 * Spring, where method matching precedes argument
		 * conversion); the id check is step (3).
		 */
		{ METHOD_PATCH, B "/capacity-providers/abc", FP_EMETHOD,
		    ROUTE_CP_ITEM, 0, ITEM },
		{ METHOD_POST, B "/assets/nope", FP_EMETHOD, ROUTE_ASSET_ITEM,
		    0, ITEM },
		{ METHOD_PUT, B "/capacity-groups/x/assets", FP_EMETHOD,
		    ROUTE_CG_ASSETS, 0, M(METHOD_GET) | M(METHOD_DELETE) },
	};
	struct arena	*a;
	struct req	 r;
	enum fp_err	 rc;
	size_t		 i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(1024 * 1024));
	for (i = 0; i < N(t); i++) {
		memset(&r, 0, sizeof(r));
		r.a = a;
		r.method = t[i].m;
		r.path = t[i].path;
		r.id = -1;
		rc = route_match(&r);
		CHECK(rc == t[i].rc, "%s %s: rc %d, want %d",
		    method_name(t[i].m), t[i].path, rc, t[i].rc);
		if (rc != t[i].rc)
			continue;
		CHECK(r.route_name != NULL, "%s: route_name set", t[i].path);
		switch (rc) {
		case FP_OK:
			CHECK(r.route == t[i].route, "%s: route %d",
			    t[i].path, r.route);
			CHECK(strcmp(r.route_name, routes[t[i].route].name) == 0,
			    "%s: route_name %s", t[i].path, r.route_name);
			if (routes[t[i].route].suffix != NULL)
				CHECK(r.id == t[i].id, "%s: id %lld",
				    t[i].path, (long long)r.id);
			break;
		case FP_EMETHOD:
			CHECK(r.route == t[i].route, "%s: route %d",
			    t[i].path, r.route);
			CHECK(r.allow == t[i].allow, "%s %s: allow %#x, want "
			    "%#x", method_name(t[i].m), t[i].path, r.allow,
			    t[i].allow);
			break;
		case FP_EILLEGAL:
			CHECK(r.route == t[i].route, "%s: route %d",
			    t[i].path, r.route);
			CHECK(r.detail != NULL && strncmp(r.detail,
			    "Illegal argument: ", 18) == 0,
			    "%s: detail \"%s\"", t[i].path,
			    r.detail ? r.detail : "(null)");
			break;
		default:
			break;
		}
		arena_reset(a);
	}
	arena_free(a);
}

/* A bad id's message quotes the segment, bounded in length. */
static void
t_bad_id_detail(void)
{
	struct arena	*a;
	struct req	 r;
	char		 path[4096];
	char		 seg[1001];

	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(1024 * 1024));
	memset(&r, 0, sizeof(r));
	r.a = a;
	r.method = METHOD_GET;
	r.path = B "/capacity-providers/abc";
	CU_ASSERT_EQUAL(route_match(&r), FP_EILLEGAL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.detail);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.detail, "abc"));

	memset(seg, 'z', sizeof(seg) - 1);
	seg[sizeof(seg) - 1] = '\0';
	snprintf(path, sizeof(path), "%s/assets/%s", B, seg);
	memset(&r, 0, sizeof(r));
	r.a = a;
	r.method = METHOD_GET;
	r.path = path;
	CU_ASSERT_EQUAL(route_match(&r), FP_EILLEGAL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.detail);
	CU_ASSERT(strlen(r.detail) < 200);
	arena_free(a);
}

void
test_route_register(void)
{
	CU_pSuite	 s;

	s = CU_add_suite("route", NULL, NULL);
	CU_add_test(s, "parse_id", t_parse_id);
	CU_add_test(s, "method names", t_methods);
	CU_add_test(s, "Allow header text", t_allow);
	CU_add_test(s, "route table", t_table);
	CU_add_test(s, "route_match", t_match);
	CU_add_test(s, "bad id message", t_bad_id_detail);
}
