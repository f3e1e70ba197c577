/*
 * json_emit.c -- output with yajl_gen.  Key order is the order of the
 * calls below, which follows reference §4; every *_kv helper leaves the
 * member out when the value is null (reference §2.2).  Stored JSON
 * (serviceProps, property names) is copied through yajl's parser so the
 * output stays one well-formed document.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>

#include "db.h"
#include "json.h"
#include "model.h"
#include "timefmt.h"

void
json_key(yajl_gen g, const char *k)
{
	yajl_gen_string(g, (const unsigned char *)k, strlen(k));
}

void
json_str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

void
json_int(yajl_gen g, int64_t v)
{
	char	 buf[24];
	int	 n;

	n = snprintf(buf, sizeof(buf), "%" PRId64, v);
	yajl_gen_number(g, buf, (size_t)n);
}

void
json_kv_str(yajl_gen g, const char *k, const char *v)
{
	if (v == NULL)
		return;
	json_key(g, k);
	json_str(g, v);
}

void
json_kv_int(yajl_gen g, const char *k, int64_t v)
{
	if (v == DB_NULL)
		return;
	json_key(g, k);
	json_int(g, v);
}

void
json_kv_bool(yajl_gen g, const char *k, bool v)
{
	json_key(g, k);
	yajl_gen_bool(g, v);
}

void
json_kv_time(yajl_gen g, const char *k, int64_t us)
{
	char	 buf[TIME_BUFSZ];
	size_t	 n;

	if (us == DB_NULL)
		return;
	n = time_fmt_sn(us, buf);
	json_key(g, k);
	yajl_gen_string(g, (const unsigned char *)buf, n);
}

void
json_kv_enum(yajl_gen g, const char *k, enum enumkind e, int v)
{
	const char	*name;

	if (v == DB_NULL_INT || (name = enum_name(e, v)) == NULL)
		return;
	json_kv_str(g, k, name);
}

void
json_kv_number(yajl_gen g, const char *k, const char *num)
{
	if (num == NULL)
		return;
	json_key(g, k);
	yajl_gen_number(g, num, strlen(num));
}

/* Copying stored JSON text into the generator. */
struct copy {
	yajl_gen	 g;
	const char	*skip;
	int		 depth;
	int		 skipping;	/* depth of a skipped value, 0 = none */
	bool		 skipnext;
};

static bool
skipval(struct copy *c)
{
	if (c->skipnext) {
		c->skipnext = false;
		return true;
	}
	return c->skipping > 0;
}

static int
c_null(void *ctx)
{
	struct copy	*c = ctx;

	if (!skipval(c))
		yajl_gen_null(c->g);
	return 1;
}

static int
c_bool(void *ctx, int v)
{
	struct copy	*c = ctx;

	if (!skipval(c))
		yajl_gen_bool(c->g, v);
	return 1;
}

static int
c_number(void *ctx, const char *s, size_t len)
{
	struct copy	*c = ctx;

	if (!skipval(c))
		yajl_gen_number(c->g, s, len);
	return 1;
}

static int
c_string(void *ctx, const unsigned char *s, size_t len)
{
	struct copy	*c = ctx;

	if (!skipval(c))
		yajl_gen_string(c->g, s, len);
	return 1;
}

static int
c_open(struct copy *c, bool arr)
{
	c->depth++;
	if (c->skipping > 0) {
		c->skipping++;
		return 1;
	}
	if (c->skipnext) {
		c->skipnext = false;
		c->skipping = 1;
		return 1;
	}
	if (arr)
		yajl_gen_array_open(c->g);
	else
		yajl_gen_map_open(c->g);
	return 1;
}

static int
c_close(struct copy *c, bool arr)
{
	c->depth--;
	if (c->skipping > 0) {
		c->skipping--;
		return 1;
	}
	if (arr)
		yajl_gen_array_close(c->g);
	else
		yajl_gen_map_close(c->g);
	return 1;
}

static int
c_start_map(void *ctx)
{
	return c_open(ctx, false);
}

static int
c_end_map(void *ctx)
{
	return c_close(ctx, false);
}

static int
c_start_array(void *ctx)
{
	return c_open(ctx, true);
}

static int
c_end_array(void *ctx)
{
	return c_close(ctx, true);
}

static int
c_key(void *ctx, const unsigned char *k, size_t len)
{
	struct copy	*c = ctx;

	if (c->skipping > 0)
		return 1;
	if (c->depth == 1 && c->skip != NULL && strlen(c->skip) == len &&
	    memcmp(c->skip, k, len) == 0) {
		c->skipnext = true;
		return 1;
	}
	yajl_gen_string(c->g, k, len);
	return 1;
}

static const yajl_callbacks copycb = {
	c_null, c_bool, NULL, NULL, c_number, c_string,
	c_start_map, c_key, c_end_map, c_start_array, c_end_array
};

/*
 * Copy a stored JSON value into g, leaving out the top-level member named
 * skip (if any).  Returns 0, or -1 when the text is not valid JSON.
 */
int
json_raw(yajl_gen g, const char *json, const char *skip)
{
	struct copy	 c;
	yajl_handle	 h;
	yajl_status	 st;

	memset(&c, 0, sizeof(c));
	c.g = g;
	c.skip = skip;
	if ((h = yajl_alloc(&copycb, NULL, &c)) == NULL)
		return -1;
	st = yajl_parse(h, (const unsigned char *)json, strlen(json));
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	yajl_free(h);
	return st == yajl_status_ok ? 0 : -1;
}

int
json_kv_raw(yajl_gen g, const char *k, const char *json, const char *skip)
{
	if (json == NULL)
		return 0;
	json_key(g, k);
	return json_raw(g, json, skip);
}

/* ------------------------------------------------------------------ */
/* Entities, keys in the reference's order (§4.2, §4.3, §4.4). */

static void
common(yajl_gen g, int64_t user_id, int64_t id, int64_t created,
    int64_t modified, bool enabled, const char *name)
{
	json_kv_int(g, "userId", user_id);
	json_kv_int(g, "configId", id);
	json_kv_time(g, "created", created);
	json_kv_time(g, "modified", modified);
	json_kv_bool(g, "enabled", enabled);
	json_kv_str(g, "name", name);
}

/* meas_styles is stored as a JSON array of codes, e.g. [99,105]. */
static void
styles(yajl_gen g, const char *json)
{
	const char	*p;
	const char	*name;
	long		 v;
	char		*end;

	json_key(g, "measurementStyles");
	yajl_gen_array_open(g);
	for (p = json; *p != '\0'; ) {
		if (*p < '0' || *p > '9') {
			p++;
			continue;
		}
		v = strtol(p, &end, 10);
		p = end;
		if ((name = enum_name(ENUM_MEAS_STYLE, (int)v)) != NULL)
			json_str(g, name);
	}
	yajl_gen_array_close(g);
}

void
json_peer(yajl_gen g, const struct peer *p)
{
	yajl_gen_map_open(g);
	common(g, p->user_id, p->id, p->created, p->modified, p->enabled,
	    p->name);
	json_kv_str(g, "token", p->token);
	json_kv_str(g, "baseUrl", p->base_url);
	json_kv_str(g, "oscpVersion", p->oscp_ver);
	json_kv_int(g, "flexibilityProviderId", p->fp_id);
	json_kv_enum(g, "registrationStatus", ENUM_REG_STATUS, p->reg_status);
	json_key(g, "settings");
	yajl_gen_map_open(g);
	if (p->heartbeat_secs != DB_NULL_INT)
		json_kv_int(g, "heartbeatSeconds", p->heartbeat_secs);
	if (p->meas_styles != NULL)
		styles(g, p->meas_styles);
	yajl_gen_map_close(g);
	json_kv_time(g, "heartbeatDate", p->heartbeat_at);
	json_kv_time(g, "offlineDate", p->offline_at);
	json_kv_raw(g, "serviceProps", p->sprops, "oauth-client-secret");
	yajl_gen_map_close(g);
}

void
json_group(yajl_gen g, const struct group *c)
{
	yajl_gen_map_open(g);
	common(g, c->user_id, c->id, c->created, c->modified, c->enabled,
	    c->name);
	json_kv_str(g, "identifier", c->ident);
	json_kv_int(g, "capacityProviderId", c->cp_id);
	json_kv_int(g, "capacityOptimizerId", c->co_id);
	json_kv_enum(g, "capacityProviderMeasurementPeriod", ENUM_MEAS_PERIOD,
	    c->cp_meas_secs);
	json_kv_enum(g, "capacityOptimizerMeasurementPeriod",
	    ENUM_MEAS_PERIOD, c->co_meas_secs);
	json_kv_time(g, "capacityProviderMeasurementDate", c->cp_meas_at);
	json_kv_time(g, "capacityOptimizerMeasurementDate", c->co_meas_at);
	json_kv_raw(g, "serviceProps", c->sprops, NULL);
	yajl_gen_map_close(g);
}

static void
meas(yajl_gen g, const char *k, const struct meas *m, bool energy)
{
	if (!m->present || m->props == NULL)
		return;
	json_key(g, k);
	yajl_gen_map_open(g);
	json_kv_raw(g, "propertyNames", m->props, NULL);
	json_kv_enum(g, "unit", ENUM_UNIT, m->unit);
	json_kv_number(g, "multiplier", m->mult);
	json_kv_enum(g, "statisticType", ENUM_STAT, m->stat);
	if (energy) {
		json_kv_enum(g, "type", ENUM_ENERGY_TYPE, m->type);
		json_kv_enum(g, "direction", ENUM_ENERGY_DIR, m->dir);
	}
	yajl_gen_map_close(g);
}

void
json_asset(yajl_gen g, const struct asset *s)
{
	yajl_gen_map_open(g);
	common(g, s->user_id, s->id, s->created, s->modified, s->enabled,
	    s->name);
	json_kv_int(g, "capacityGroupId", s->cg_id);
	json_kv_str(g, "identifier", s->ident);
	json_kv_enum(g, "audience", ENUM_AUDIENCE, s->audience);
	json_kv_int(g, "nodeId", s->node_id);
	json_kv_str(g, "sourceId", s->source_id);
	json_kv_enum(g, "category", ENUM_CATEGORY, s->category);
	json_kv_enum(g, "phase", ENUM_PHASE, s->phase);
	meas(g, "instantaneous", &s->inst, false);
	meas(g, "energy", &s->energy, true);
	json_kv_raw(g, "serviceProps", s->sprops, NULL);
	yajl_gen_map_close(g);
}
