/*
 * route.c -- THE route table (SPEC §2, §3): path pattern, API family (and
 * for OSCP the caller roles allowed), and one handler per method; and the
 * table of families.  A path in the table with another
 * method is 405 with Allow; anything else is 404.  The only path parameter
 * is a numeric {id}.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "db.h"
#include "http.h"
#include "oscp.h"

#define B	FP_API_BASE
#define O	FP_OSCP_BASE

const struct family_def families[FAM__MAX] = {
	{ "public", NULL, NULL },				/* FAM_PUBLIC */
	{ "management", "/solaruser/api/v1/sec/", auth_request },	/* FAM_MGMT */
	{ "oscp", "/oscp/", oscp_auth },			/* FAM_OSCP */
};

/* The family a path belongs to: the first whose prefix it starts with. */
enum api_family
family_of(const char *path)
{
	int	 f;

	for (f = 0; f < FAM__MAX; f++)
		if (families[f].prefix != NULL && strncmp(path,
		    families[f].prefix, strlen(families[f].prefix)) == 0)
			return (enum api_family)f;
	return FAM_PUBLIC;
}

const struct route_def routes[ROUTE__MAX] = {
	{ "/ping", "/ping", NULL, FAM_PUBLIC, 0,		/* ROUTE_PING */
	  { [METHOD_GET] = api_ping } },
	{ "/capacity-providers", B "/capacity-providers", NULL, FAM_MGMT, 0, /* ROUTE_CP_LIST */
	  { [METHOD_GET] = api_cp_list, [METHOD_POST] = api_cp_create } },
	{ "/capacity-providers/{id}", B "/capacity-providers/", "", FAM_MGMT, 0, /* ROUTE_CP_ITEM */
	  { [METHOD_GET] = api_cp_get, [METHOD_PUT] = api_cp_update,
	    [METHOD_DELETE] = api_cp_delete } },
	{ "/capacity-optimizers", B "/capacity-optimizers", NULL, FAM_MGMT, 0, /* ROUTE_CO_LIST */
	  { [METHOD_GET] = api_co_list, [METHOD_POST] = api_co_create } },
	{ "/capacity-optimizers/{id}", B "/capacity-optimizers/", "", FAM_MGMT, 0, /* ROUTE_CO_ITEM */
	  { [METHOD_GET] = api_co_get, [METHOD_PUT] = api_co_update,
	    [METHOD_DELETE] = api_co_delete } },
	{ "/capacity-groups", B "/capacity-groups", NULL, FAM_MGMT, 0,	/* ROUTE_CG_LIST */
	  { [METHOD_GET] = api_group_list,
	    [METHOD_POST] = api_group_create } },
	{ "/capacity-groups/{id}", B "/capacity-groups/", "", FAM_MGMT, 0,	/* ROUTE_CG_ITEM */
	  { [METHOD_GET] = api_group_get, [METHOD_PUT] = api_group_update,
	    [METHOD_DELETE] = api_group_delete } },
	/* SPEC §2: the published page lists DELETE for this listing;
	 * answer it exactly like GET (it deletes nothing). */
	{ "/capacity-groups/{id}/assets", B "/capacity-groups/", "/assets", FAM_MGMT, 0, /* ROUTE_CG_ASSETS */
	  { [METHOD_GET] = api_group_assets,
	    [METHOD_DELETE] = api_group_assets } },
	{ "/assets", B "/assets", NULL, FAM_MGMT, 0,	/* ROUTE_ASSET_LIST */
	  { [METHOD_POST] = api_asset_create } },
	{ "/assets/{id}", B "/assets/", "", FAM_MGMT, 0,		/* ROUTE_ASSET_ITEM */
	  { [METHOD_GET] = api_asset_get, [METHOD_PUT] = api_asset_update,
	    [METHOD_DELETE] = api_asset_delete } },
	{ "/capacity-providers/{id}/events", B "/capacity-providers/",	/* ROUTE_CP_EVENTS */
	  "/events", FAM_MGMT, 0, { [METHOD_GET] = api_cp_events } },
	{ "/capacity-optimizers/{id}/events", B "/capacity-optimizers/",	/* ROUTE_CO_EVENTS */
	  "/events", FAM_MGMT, 0, { [METHOD_GET] = api_co_events } },
	/* OSCP 2.0 (SPEC §3): the handshake acknowledgement under the three
	 * spellings peers use (reference oscp-2.0 §3a). */
	{ "register", O "/register", NULL, FAM_OSCP, ROLES_ANY,	/* ROUTE_OSCP_REGISTER */
	  { [METHOD_POST] = oscp_register } },
	{ "handshake", O "/handshake", NULL, FAM_OSCP, ROLES_ANY,	/* ROUTE_OSCP_HANDSHAKE */
	  { [METHOD_POST] = oscp_handshake } },
	{ "handshake_acknowledge", O "/handshake_acknowledge", NULL,	/* ROUTE_OSCP_HANDSHAKE_ACK */
	  FAM_OSCP, ROLES_ANY, { [METHOD_POST] = oscp_handshake_ack } },
	{ "handshake_acknowledge", O "/handshake_acknowledgement", NULL, /* ROUTE_OSCP_HANDSHAKE_ACK2 */
	  FAM_OSCP, ROLES_ANY, { [METHOD_POST] = oscp_handshake_ack } },
	{ "handshake_acknowledge", O "/handshake_acknowledgment", NULL, /* ROUTE_OSCP_HANDSHAKE_ACK3 */
	  FAM_OSCP, ROLES_ANY, { [METHOD_POST] = oscp_handshake_ack } },
	{ "heartbeat", O "/heartbeat", NULL, FAM_OSCP, ROLES_ANY,	/* ROUTE_OSCP_HEARTBEAT */
	  { [METHOD_POST] = oscp_heartbeat } },
	{ "update_group_capacity_forecast",				/* ROUTE_OSCP_UPDATE_FORECAST */
	  O "/update_group_capacity_forecast", NULL, FAM_OSCP, ROLES_CP,
	  { [METHOD_POST] = oscp_update_forecast } },
	{ "adjust_group_capacity_forecast",				/* ROUTE_OSCP_ADJUST_FORECAST */
	  O "/adjust_group_capacity_forecast", NULL, FAM_OSCP, ROLES_CO,
	  { [METHOD_POST] = oscp_adjust_forecast } },
};

static const char *const methods[METHOD__MAX] = {
	"GET",		/* METHOD_GET */
	"POST",		/* METHOD_POST */
	"PUT",		/* METHOD_PUT */
	"DELETE",	/* METHOD_DELETE */
	"PATCH",	/* METHOD_PATCH */
	"HEAD",		/* METHOD_HEAD */
	"OPTIONS",	/* METHOD_OPTIONS */
	"OTHER",	/* METHOD_OTHER */
};

enum method
method_parse(const char *s)
{
	int	 i;

	if (s == NULL)
		return METHOD_OTHER;
	for (i = 0; i < METHOD_OTHER; i++)
		if (strcmp(s, methods[i]) == 0)
			return (enum method)i;
	return METHOD_OTHER;
}

const char *
method_name(enum method m)
{
	return methods[m];
}

/* Strict path id: 1-19 digits, a positive int64; ids are generated from 1,
 * so anything else can only be a client error. */
int
parse_id(const char *s, size_t len, int64_t *out)
{
	char		 buf[24];
	char		*end;
	long long	 v;
	size_t		 i = 0;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	for (; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno == ERANGE || *end != '\0' || v <= 0)
		return -1;
	*out = v;
	return 0;
}

void
route_allow(unsigned mask, char *buf, size_t len)
{
	size_t	 n = 0;
	int	 i;

	buf[0] = '\0';
	for (i = 0; i < METHOD_OTHER; i++)
		if (mask & (1u << i))
			n += (size_t)snprintf(buf + n, n < len ? len - n : 0,
			    "%s%s", n > 0 ? ", " : "", methods[i]);
}

static bool
has_method(const struct route_def *d, enum method m)
{
	return m != METHOD_OTHER && d->fn[m] != NULL;
}

/* 405: the route exists; r->allow lists the methods it has. */
static enum fp_err
wrong_method(struct req *r, const struct route_def *d)
{
	int	 m;

	r->allow = 0;
	for (m = 0; m < METHOD__MAX; m++)
		if (d->fn[m] != NULL)
			r->allow |= 1u << m;
	return FP_EMETHOD;
}

/*
 * Find the route for r->path.  The method is checked before the {id}, so
 * a wrong method on a malformed id is still 405.  FP_EROUTE (404), FP_EMETHOD (405, r->allow
 * set), FP_EILLEGAL for an {id} that is not a long, or FP_OK with
 * r->route and r->id set.
 */
enum fp_err
route_match(struct req *r)
{
	const struct route_def	*d;
	const char		*p = r->path;
	const char		*seg;
	const char		*slash;
	size_t			 plen, seglen;
	int			 i;

	for (i = 0; i < ROUTE__MAX; i++) {
		d = &routes[i];
		plen = strlen(d->prefix);
		if (d->suffix == NULL) {
			if (strcmp(p, d->prefix) != 0)
				continue;
		} else {
			if (strncmp(p, d->prefix, plen) != 0)
				continue;
			seg = p + plen;
			slash = strchr(seg, '/');
			seglen = slash ? (size_t)(slash - seg) : strlen(seg);
			if (seglen == 0 || strcmp(seg + seglen, d->suffix) != 0)
				continue;
			if (parse_id(seg, seglen, &r->id) != 0) {
				r->route = (enum route)i;
				r->route_name = d->name;
				if (!has_method(d, r->method))
					return wrong_method(r, d);
				r->detail = arena_printf(r->a,
				    "Illegal argument: Invalid id value '%.*s'",
				    (int)(seglen > 64 ? 64 : seglen), seg);
				return FP_EILLEGAL;
			}
		}
		r->route = (enum route)i;
		r->route_name = d->name;
		if (!has_method(d, r->method))
			return wrong_method(r, d);
		return FP_OK;
	}
	r->route_name = "none";
	return FP_EROUTE;
}
