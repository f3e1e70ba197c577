/*
 * oscp_msg.c -- OSCP 2.0 messages in and out.
 *
 * In: yajl's event parser builds a small tree in the request arena (every
 * node counted against a budget, depth, string and array limits as for
 * the management API), then one reader per message checks the schema's
 * rules in the schema's words: required members, JSON types (a number is
 * an int or a float), enums in exact case, minItems, capacity >= 0,
 * RFC 3339 date-times with any offset.  Unknown members are ignored.
 * Errors name the member: "forecasted_blocks[2].capacity: must be >= 0".
 *
 * Out: yajl_gen, dates in UTC with milliseconds (time_fmt_oscp).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>

#include "crypto.h"
#include "json.h"
#include "oscp.h"
#include "timefmt.h"

const struct oscp_action_def oscp_actions[OSCP__MAX] = {
	{ "Register", "/register" },				/* OSCP_REGISTER */
	{ "Handshake", "/handshake" },				/* OSCP_HANDSHAKE */
	{ "HandshakeAcknowledge", "/handshake_acknowledge" },	/* OSCP_HANDSHAKE_ACK */
	{ "Heartbeat", "/heartbeat" },				/* OSCP_HEARTBEAT */
	{ "UpdateGroupCapacityForecast",
	  "/update_group_capacity_forecast" },			/* OSCP_UPDATE_FORECAST */
	{ "AdjustGroupCapacityForecast",
	  "/adjust_group_capacity_forecast" },			/* OSCP_ADJUST_FORECAST */
};

/* Enumerations of the schemas, exact case. */
static const char *const forecast_types[] = { "CONSUMPTION", "GENERATION",
    "FALLBACK_CONSUMPTION", "FALLBACK_GENERATION", "OPTIMUM", NULL };
static const char *const phases[] = { "UNKNOWN", "ONE", "TWO", "THREE",
    "ALL", NULL };
static const char *const block_units[] = { "A", "W", "KW", "WH", "KWH",
    NULL };
static const char *const meas_configs[] = { "CONTINUOUS", "INTERMITTENT",
    NULL };
/* Stored codes of the measurement styles, same order (model.c). */
static const int meas_codes[] = { 99, 105 };

#define NODE_BUDGET	16384	/* values in one document */
#define OSCP_TOKEN_MAX	512	/* a peer's token (sealed: VARBINARY(1024)) */
#define OSCP_URL_MAX	256	/* a base URL (oscp_cp_conf.url) */
#define OSCP_STR_(x)	#x
#define OSCP_STR(x)	OSCP_STR_(x)

/* ------------------------------------------------------------------ */
/* The tree */

enum jt { JT_NULL, JT_BOOL, JT_NUM, JT_STR, JT_ARR, JT_OBJ };

struct jnode {
	enum jt		 type;
	const char	*key;		/* member name inside an object */
	const char	*s;		/* string or number text */
	size_t		 len;
	size_t		 n;		/* children */
	struct jnode	*first, *last, *next, *parent;
};

struct tctx {
	struct arena		*a;
	const struct jlimits	*lim;
	struct jnode		*root, *cur;	/* cur: open container */
	const char		*key;		/* pending member name */
	int			 depth;
	size_t			 nodes;
	enum fp_err		 rc;
	const char		*detail;
};

static int
tfail(struct tctx *c, enum fp_err rc, const char *detail)
{
	c->rc = rc;
	c->detail = detail;
	return 0;
}

static struct jnode *
add(struct tctx *c, enum jt type, const unsigned char *s, size_t len)
{
	struct jnode	*n;

	if (++c->nodes > NODE_BUDGET) {
		tfail(c, FP_EMALFORMED, "Malformed JSON: too many values");
		return NULL;
	}
	if (s != NULL && len > c->lim->string) {
		tfail(c, FP_EMALFORMED, "Malformed JSON: string too long");
		return NULL;
	}
	if (s != NULL && !json_utf8_ok(s, len)) {
		tfail(c, FP_EMALFORMED, "Malformed JSON: invalid UTF-8");
		return NULL;
	}
	/* As in json_parse.c: a NUL would cut the C string short. */
	if (s != NULL && memchr(s, '\0', len) != NULL) {
		tfail(c, FP_EMALFORMED, "Malformed JSON: NUL character in a "
		    "string");
		return NULL;
	}
	if ((n = arena_calloc(c->a, sizeof(*n))) == NULL ||
	    (s != NULL && (n->s = arena_strndup(c->a, (const char *)s,
	    len)) == NULL)) {
		tfail(c, FP_ENOMEM, "out of memory");
		return NULL;
	}
	n->type = type;
	n->len = len;
	n->key = c->key;
	c->key = NULL;
	if (c->cur == NULL) {
		c->root = n;
		return n;
	}
	/* Objects too: it bounds the duplicate-key check. */
	if (c->cur->n >= c->lim->array) {
		tfail(c, FP_EMALFORMED, c->cur->type == JT_ARR ?
		    "Malformed JSON: array too long" :
		    "Malformed JSON: too many members");
		return NULL;
	}
	n->parent = c->cur;
	if (c->cur->last == NULL)
		c->cur->first = n;
	else
		c->cur->last->next = n;
	c->cur->last = n;
	c->cur->n++;
	return n;
}

static int
t_null(void *ctx)
{
	return add(ctx, JT_NULL, NULL, 0) != NULL;
}

static int
t_bool(void *ctx, int b)
{
	return add(ctx, JT_BOOL, (const unsigned char *)(b ? "true" : "false"),
	    b ? 4 : 5) != NULL;
}

static int
t_number(void *ctx, const char *s, size_t len)
{
	return add(ctx, JT_NUM, (const unsigned char *)s, len) != NULL;
}

static int
t_string(void *ctx, const unsigned char *s, size_t len)
{
	return add(ctx, JT_STR, s, len) != NULL;
}

static int
t_open(struct tctx *c, enum jt type)
{
	struct jnode	*n;

	if (c->depth >= c->lim->depth)
		return tfail(c, FP_EMALFORMED, "Malformed JSON: nested too "
		    "deeply");
	if ((n = add(c, type, NULL, 0)) == NULL)
		return 0;
	c->depth++;
	c->cur = n;
	return 1;
}

static int
t_start_map(void *ctx)
{
	return t_open(ctx, JT_OBJ);
}

static int
t_start_array(void *ctx)
{
	return t_open(ctx, JT_ARR);
}

static int
t_close(void *ctx)
{
	struct tctx	*c = ctx;

	c->depth--;
	c->cur = c->cur->parent;
	return 1;
}

static int
t_key(void *ctx, const unsigned char *k, size_t len)
{
	struct tctx	*c = ctx;
	struct jnode	*m;
	size_t		 cut;

	if (len > c->lim->string)
		return tfail(c, FP_EMALFORMED, "Malformed JSON: key too long");
	if (!json_utf8_ok(k, len))
		return tfail(c, FP_EMALFORMED, "Malformed JSON: invalid UTF-8");
	if (memchr(k, '\0', len) != NULL)
		return tfail(c, FP_EMALFORMED, "Malformed JSON: NUL character "
		    "in a key");
	for (m = c->cur->first; m != NULL; m = m->next) {
		if (strlen(m->key) != len || memcmp(m->key, k, len) != 0)
			continue;
		/* at most 64 bytes of it, cut where a character starts */
		for (cut = len > 64 ? 64 : len; cut > 0 && cut < len &&
		    (k[cut] & 0xc0) == 0x80; cut--)
			;
		return tfail(c, FP_EMALFORMED, arena_printf(c->a,
		    "Malformed JSON: duplicate key \"%.*s\"", (int)cut, k));
	}
	if ((c->key = arena_strndup(c->a, (const char *)k, len)) == NULL)
		return tfail(c, FP_ENOMEM, "out of memory");
	return 1;
}

static const yajl_callbacks tree_callbacks = {
	t_null, t_bool, NULL, NULL, t_number, t_string,
	t_start_map, t_key, t_close, t_start_array, t_close
};

static enum fp_err
tree_parse(struct arena *a, const struct jlimits *lim,
    const unsigned char *body, size_t len, struct jnode **root,
    const char **detail)
{
	struct tctx	 c;
	yajl_handle	 h;
	yajl_status	 st;
	unsigned char	*msg;
	char		*d;
	size_t		 n;

	memset(&c, 0, sizeof(c));
	c.a = a;
	c.lim = lim;
	c.rc = FP_OK;
	if (!json_escapes_ok(body, len)) {
		*root = NULL;
		*detail = JSON_ESCAPES_MSG;
		return FP_EMALFORMED;
	}
	if ((h = yajl_alloc(&tree_callbacks, NULL, &c)) == NULL) {
		*detail = "out of memory";
		return FP_ENOMEM;
	}
	st = yajl_parse(h, body, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	if (st != yajl_status_ok && c.rc == FP_OK) {
		msg = yajl_get_error(h, 0, body, len);
		c.rc = FP_EMALFORMED;
		d = msg == NULL ? NULL : arena_printf(a, "Malformed JSON: %s",
		    (char *)msg);
		if (msg != NULL)
			yajl_free_error(h, msg);
		/* yajl ends its message with a newline */
		n = d != NULL ? strlen(d) : 0;
		while (n > 0 && (d[n - 1] == '\n' || d[n - 1] == ' '))
			d[--n] = '\0';
		c.detail = d;
	}
	yajl_free(h);
	if (c.rc == FP_OK && c.root == NULL) {
		c.rc = FP_EMALFORMED;
		c.detail = "Malformed JSON: no content";
	}
	if (c.rc == FP_OK && c.root->type != JT_OBJ) {
		c.rc = FP_EINVAL;
		c.detail = "the message must be a JSON object";
	}
	/* A message that did not fit: the error stays what it was. */
	if (c.rc != FP_OK && c.detail == NULL)
		c.detail = c.rc == FP_ENOMEM ? "out of memory" :
		    "Malformed JSON";
	*root = c.root;
	*detail = c.detail;
	return c.rc;
}

/* ------------------------------------------------------------------ */
/* Schema rules */

/*
 * What a reader needs to report a rule: the arena, the first error, and
 * whether the arena ran out (then the outcome is FP_ENOMEM: a message
 * built of what did fit would name the wrong member).  Paths and
 * messages that could not be made are NULL, which bad() turns into that.
 */
struct rd {
	struct arena	*a;
	const char	*err;
	bool		 nomem;
};

static const char *
mem(struct rd *r, const char *s)
{
	if (s == NULL)
		r->nomem = true;
	return s;
}

static bool
bad(struct rd *r, const char *path, const char *what)
{
	if (r->err != NULL || r->nomem)
		return false;
	if (path == NULL || what == NULL)
		r->nomem = true;
	else
		r->err = mem(r, arena_printf(r->a, "%s: %s", path, what));
	return false;
}

static const struct jnode *
member(const struct jnode *obj, const char *key)
{
	const struct jnode	*m;

	for (m = obj->first; m != NULL; m = m->next)
		if (strcmp(m->key, key) == 0)
			return m;
	return NULL;
}

static const char *
sub(struct rd *r, const char *path, const char *key)
{
	if (path == NULL)
		return NULL;
	return *path == '\0' ? key : mem(r, arena_printf(r->a, "%s.%s",
	    path, key));
}

static const char *
idx(struct rd *r, const char *path, size_t i)
{
	return mem(r, arena_printf(r->a, "%s[%zu]", path, i));
}

/* A member of type t; required or not.  *out NULL when absent/null
 * (a null member counts as absent, as Jackson reads it). */
static bool
get(struct rd *r, const struct jnode *obj, const char *path, const char *key,
    enum jt t, bool required, const struct jnode **out)
{
	static const char *const want[] = { "must be null",
	    "must be a boolean", "must be a number", "must be a string",
	    "must be an array", "must be an object" };
	const struct jnode	*m = member(obj, key);

	*out = NULL;
	if (m == NULL || m->type == JT_NULL)
		return required ? bad(r, sub(r, path, key), "is required") :
		    true;
	if (m->type != t)
		return bad(r, sub(r, path, key), want[t]);
	*out = m;
	return true;
}

static bool
one_of(struct rd *r, const char *path, const struct jnode *n,
    const char *const *set, int *which)
{
	char		*list;
	int		 i;

	for (i = 0; set[i] != NULL; i++)
		if (strcmp(n->s, set[i]) == 0) {
			if (which != NULL)
				*which = i;
			return true;
		}
	list = arena_strdup(r->a, "must be one of");
	for (i = 0; set[i] != NULL && list != NULL; i++)
		list = arena_printf(r->a, "%s%s %s", list, i ? "," : "",
		    set[i]);
	return bad(r, path, list);
}

/* RFC 3339, and an instant we can write back (time_fmt_oscp) and store. */
static bool
date(struct rd *r, const char *path, const struct jnode *n, int64_t *us)
{
	char	 buf[TIME_BUFSZ];
	int	 rc;

	if ((rc = time_parse_rfc3339(n->s, n->len, us)) == -2 ||
	    (rc == 0 && time_fmt_oscp(*us, buf) == 0))
		return bad(r, path, "must be in the years 0000 to 9999 (UTC)");
	if (rc != 0)
		return bad(r, path, "must be an RFC 3339 date-time");
	return true;
}

static enum fp_err
result(struct rd *r, const char **detail)
{
	if (r->nomem) {
		*detail = "out of memory";
		return FP_ENOMEM;
	}
	*detail = r->err;
	return r->err == NULL ? FP_OK : FP_EINVAL;
}

enum fp_err
oscp_parse_register(struct arena *a, const struct jlimits *lim,
    const unsigned char *body, size_t len, struct oscp_register *m,
    const char **detail)
{
	struct rd		 r = { a, NULL, false };
	struct jnode		*root;
	const struct jnode	*tok, *vu, *e, *v, *u;
	const char		*p;
	enum fp_err		 rc;
	size_t			 i = 0;

	memset(m, 0, sizeof(*m));
	if ((rc = tree_parse(a, lim, body, len, &root, detail)) != FP_OK)
		return rc;
	if (!get(&r, root, "", "token", JT_STR, true, &tok) ||
	    !get(&r, root, "", "version_url", JT_ARR, true, &vu))
		return result(&r, detail);
	if (tok->len == 0)
		bad(&r, "token", "must not be empty");
	else if (tok->len > OSCP_TOKEN_MAX)
		bad(&r, "token", "must be at most " OSCP_STR(OSCP_TOKEN_MAX)
		    " characters");
	if (vu->n == 0)
		bad(&r, "version_url", "must have at least 1 item");
	for (e = vu->first; e != NULL && r.err == NULL && !r.nomem;
	    e = e->next, i++) {
		p = idx(&r, "version_url", i);
		if (e->type != JT_OBJ) {
			bad(&r, p, "must be an object");
			break;
		}
		if (!get(&r, e, p, "version", JT_STR, true, &v) ||
		    !get(&r, e, p, "base_url", JT_STR, true, &u))
			break;
		if (strcmp(v->s, "2.0") != 0)
			continue;
		if (u->len == 0 || u->len > OSCP_URL_MAX) {
			bad(&r, sub(&r, p, "base_url"), u->len == 0 ?
			    "must not be empty" : "must be at most "
			    OSCP_STR(OSCP_URL_MAX) " characters");
			break;
		}
		if (m->base_url == NULL)
			m->base_url = u->s;
	}
	m->token = tok->s;
	return result(&r, detail);
}

enum fp_err
oscp_parse_behaviour(struct arena *a, const struct jlimits *lim,
    const unsigned char *body, size_t len, bool ack,
    struct oscp_behaviour *m, const char **detail)
{
	struct rd		 r = { a, NULL, false };
	struct jnode		*root;
	const struct jnode	*rb, *hb, *mc, *e;
	const char		*p, *styles;
	enum fp_err		 rc;
	double			 secs;
	bool			 seen[2] = { false, false };
	int			 which;
	size_t			 i = 0;

	memset(m, 0, sizeof(*m));
	m->heartbeat_secs = -1;
	if ((rc = tree_parse(a, lim, body, len, &root, detail)) != FP_OK)
		return rc;
	if (!get(&r, root, "", "required_behaviour", JT_OBJ, false, &rb) ||
	    rb == NULL)
		return result(&r, detail);
	/* An empty behaviour on an acknowledgement is taken as none (what
	 * SolarNetwork sends; reference oscp-2.0 §11.4). */
	if (ack && rb->n == 0)
		return result(&r, detail);
	if (!get(&r, rb, "required_behaviour", "heartbeat_interval", JT_NUM,
	    false, &hb) ||
	    !get(&r, rb, "required_behaviour", "measurement_configuration",
	    JT_ARR, true, &mc))
		return result(&r, detail);
	if (hb != NULL) {
		secs = strtod(hb->s, NULL);
		if (secs < 0) {
			bad(&r, "required_behaviour.heartbeat_interval",
			    "must be >= 0");
			return result(&r, detail);
		}
		m->heartbeat_secs = secs > 32767 ? 32767 : (int)secs;
	}
	styles = "[";
	for (e = mc->first; e != NULL && r.err == NULL && !r.nomem;
	    e = e->next, i++) {
		p = idx(&r, "required_behaviour.measurement_configuration", i);
		if (e->type != JT_STR) {
			bad(&r, p, "must be a string");
			break;
		}
		if (!one_of(&r, p, e, meas_configs, &which))
			break;
		if (seen[which]) {
			bad(&r, p, "duplicate item");
			break;
		}
		seen[which] = true;
		styles = mem(&r, arena_printf(a, "%s%s%d", styles, i ? "," :
		    "", meas_codes[which]));
	}
	if (r.err == NULL && !r.nomem &&
	    (m->styles = mem(&r, arena_printf(a, "%s]", styles))) != NULL)
		m->present = true;
	return result(&r, detail);
}

enum fp_err
oscp_parse_heartbeat(struct arena *a, const struct jlimits *lim,
    const unsigned char *body, size_t len, int64_t *offline_us,
    const char **detail)
{
	struct rd		 r = { a, NULL, false };
	struct jnode		*root;
	const struct jnode	*t;
	enum fp_err		 rc;

	if ((rc = tree_parse(a, lim, body, len, &root, detail)) != FP_OK)
		return rc;
	if (get(&r, root, "", "offline_mode_at", JT_STR, true, &t))
		date(&r, "offline_mode_at", t, offline_us);
	return result(&r, detail);
}

static bool
block(struct rd *r, const struct jnode *e, const char *p,
    struct oscp_block *b)
{
	const struct jnode	*cap, *ph, *un, *st, *en;

	if (p == NULL)
		return bad(r, NULL, NULL);
	if (e->type != JT_OBJ)
		return bad(r, p, "must be an object");
	if (!get(r, e, p, "capacity", JT_NUM, true, &cap) ||
	    !get(r, e, p, "phase", JT_STR, true, &ph) ||
	    !get(r, e, p, "unit", JT_STR, true, &un) ||
	    !get(r, e, p, "start_time", JT_STR, true, &st) ||
	    !get(r, e, p, "end_time", JT_STR, true, &en))
		return false;
	if (cap->s[0] == '-' && strtod(cap->s, NULL) != 0)
		return bad(r, sub(r, p, "capacity"), "must be >= 0");
	if (!one_of(r, sub(r, p, "phase"), ph, phases, NULL) ||
	    !one_of(r, sub(r, p, "unit"), un, block_units, NULL) ||
	    !date(r, sub(r, p, "start_time"), st, &b->start_us) ||
	    !date(r, sub(r, p, "end_time"), en, &b->end_us))
		return false;
	b->capacity = cap->s[0] == '-' ? "0" : cap->s;
	b->phase = ph->s;
	b->unit = un->s;
	return true;
}

enum fp_err
oscp_parse_forecast(struct arena *a, const struct jlimits *lim,
    const unsigned char *body, size_t len, struct oscp_forecast *m,
    const char **detail)
{
	struct rd		 r = { a, NULL, false };
	struct jnode		*root;
	const struct jnode	*g, *t, *fb, *e;
	struct oscp_block	*blocks;
	enum fp_err		 rc;
	size_t			 i = 0;

	memset(m, 0, sizeof(*m));
	if ((rc = tree_parse(a, lim, body, len, &root, detail)) != FP_OK)
		return rc;
	if (!get(&r, root, "", "group_id", JT_STR, true, &g) ||
	    !get(&r, root, "", "type", JT_STR, true, &t) ||
	    !get(&r, root, "", "forecasted_blocks", JT_ARR, true, &fb) ||
	    !one_of(&r, "type", t, forecast_types, NULL))
		return result(&r, detail);
	if (fb->n == 0) {
		bad(&r, "forecasted_blocks", "must have at least 1 item");
		return result(&r, detail);
	}
	if ((blocks = arena_calloc(a, fb->n * sizeof(*blocks))) == NULL) {
		r.nomem = true;
		return result(&r, detail);
	}
	for (e = fb->first; e != NULL; e = e->next, i++)
		if (!block(&r, e, idx(&r, "forecasted_blocks", i), &blocks[i]))
			return result(&r, detail);
	m->group_id = g->s;
	m->type = t->s;
	m->blocks = blocks;
	m->nblocks = fb->n;
	return result(&r, detail);
}

/* ------------------------------------------------------------------ */
/* Out */

/* Copy what g generated into the arena and free g. */
static char *
finish(struct arena *a, yajl_gen g)
{
	const unsigned char	*buf;
	size_t			 len;
	char			*out = NULL;

	if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
		out = arena_strndup(a, (const char *)buf, len);
	yajl_gen_free(g);
	return out;
}

static void
kv_time(yajl_gen g, const char *k, int64_t us)
{
	char	 buf[TIME_BUFSZ];

	json_key(g, k);
	time_fmt_oscp(us, buf);
	json_str(g, buf);
}

char *
oscp_json_forecast(struct arena *a, const struct oscp_forecast *f)
{
	yajl_gen	 g;
	size_t		 i;

	if ((g = yajl_gen_alloc(NULL)) == NULL)
		return NULL;
	yajl_gen_map_open(g);
	json_kv_str(g, "group_id", f->group_id);
	json_kv_str(g, "type", f->type);
	json_key(g, "forecasted_blocks");
	yajl_gen_array_open(g);
	for (i = 0; i < f->nblocks; i++) {
		yajl_gen_map_open(g);
		json_key(g, "capacity");
		yajl_gen_number(g, f->blocks[i].capacity,
		    strlen(f->blocks[i].capacity));
		json_kv_str(g, "phase", f->blocks[i].phase);
		json_kv_str(g, "unit", f->blocks[i].unit);
		kv_time(g, "start_time", f->blocks[i].start_us);
		kv_time(g, "end_time", f->blocks[i].end_us);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	return finish(a, g);
}

char *
oscp_json_register(struct arena *a, const char *token, const char *base_url)
{
	yajl_gen	 g;

	if ((g = yajl_gen_alloc(NULL)) == NULL)
		return NULL;
	yajl_gen_map_open(g);
	json_kv_str(g, "token", token);
	json_key(g, "version_url");
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	json_kv_str(g, "version", "2.0");
	json_kv_str(g, "base_url", base_url);
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	return finish(a, g);
}

/* styles_csv: "CONTINUOUS", "CONTINUOUS,INTERMITTENT" (settings). */
char *
oscp_json_ack(struct arena *a, int heartbeat_secs, const char *styles_csv)
{
	yajl_gen	 g;
	const char	*p = styles_csv, *e;
	size_t		 n;

	if ((g = yajl_gen_alloc(NULL)) == NULL)
		return NULL;
	yajl_gen_map_open(g);
	json_key(g, "required_behaviour");
	yajl_gen_map_open(g);
	if (heartbeat_secs > 0) {
		json_key(g, "heartbeat_interval");
		yajl_gen_integer(g, heartbeat_secs);
	}
	json_key(g, "measurement_configuration");
	yajl_gen_array_open(g);
	while (*p != '\0') {
		e = p + strcspn(p, ",");
		n = (size_t)(e - p);
		while (n > 0 && p[0] == ' ')
			p++, n--;
		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (n > 0)
			yajl_gen_string(g, (const unsigned char *)p, n);
		p = *e == ',' ? e + 1 : e;
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	return finish(a, g);
}

char *
oscp_json_heartbeat(struct arena *a, int64_t offline_us)
{
	yajl_gen	 g;

	if ((g = yajl_gen_alloc(NULL)) == NULL)
		return NULL;
	yajl_gen_map_open(g);
	kv_time(g, "offline_mode_at", offline_us);
	yajl_gen_map_close(g);
	return finish(a, g);
}

/*
 * The OSCP settings a file can get wrong: the measurement styles of our
 * acknowledgement must make a schema-valid required_behaviour (known,
 * exact case, at least one, no repeats).  0, or -1 with err set.
 */
int
oscp_settings_ok(const struct settings *s, char *err, size_t errlen)
{
	const char	*p = s->ack_measurement_configuration, *e;
	bool		 seen[2] = { false, false };
	size_t		 n, k;
	int		 i;

	for (k = 0; *p != '\0'; p = *e == ',' ? e + 1 : e, k++) {
		e = p + strcspn(p, ",");
		n = (size_t)(e - p);
		while (n > 0 && *p == ' ')
			p++, n--;
		while (n > 0 && p[n - 1] == ' ')
			n--;
		for (i = 0; meas_configs[i] != NULL; i++)
			if (strlen(meas_configs[i]) == n &&
			    strncmp(p, meas_configs[i], n) == 0)
				break;
		if (meas_configs[i] == NULL || seen[i]) {
			snprintf(err, errlen, "ack_measurement_configuration: "
			    "%s '%.*s' (CONTINUOUS, INTERMITTENT, comma-"
			    "separated, each once)", meas_configs[i] == NULL ?
			    "unknown style" : "repeated style", (int)n, p);
			return -1;
		}
		seen[i] = true;
	}
	if (k == 0) {
		snprintf(err, errlen, "ack_measurement_configuration: at least "
		    "one of CONTINUOUS, INTERMITTENT");
		return -1;
	}
	if (s->dispatch_lease_seconds <= s->outbound_timeout * 2) {
		snprintf(err, errlen, "dispatch_lease_seconds (%d) must exceed "
		    "twice outbound_timeout (%d): a send (an OAuth token "
		    "request, then the message) must end before another "
		    "dispatcher may take the task over",
		    s->dispatch_lease_seconds, s->outbound_timeout);
		return -1;
	}
	return 0;
}

int
oscp_uuid(char out[OSCP_UUID_LEN + 1])
{
	unsigned char	 b[16];

	if (crypto_random(b, sizeof(b)) != 0)
		return -1;
	b[6] = (b[6] & 0x0f) | 0x40;	/* version 4 */
	b[8] = (b[8] & 0x3f) | 0x80;	/* RFC 4122 variant */
	snprintf(out, OSCP_UUID_LEN + 1, "%02x%02x%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4],
	    b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
	    b[15]);
	return 0;
}

bool
oscp_id_ok(const char *s)
{
	size_t	 n = 0;

	if (s == NULL)
		return false;
	for (; s[n] != '\0'; n++)
		if (s[n] < 0x21 || s[n] > 0x7e || n >= 128)
			return false;
	return n > 0;
}
