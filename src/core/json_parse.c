/*
 * json_parse.c -- request bodies through yajl's event parser, straight
 * into entity structs (no DOM).  A field table per entity names each
 * property, its type and where it goes; unknown properties are ignored
 * (reference §2.2).  Everything is checked as it streams past: nesting
 * depth, string length and array length for the whole document (ignored
 * parts included), duplicate known keys, JSON types (strict: no coercion)
 * and integer range.  "serviceProps" is re-generated as JSON text with
 * "oauth-client-secret" taken out.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>

#include "db.h"
#include "json.h"
#include "model.h"

#define SECRET_KEY	"oauth-client-secret"
#define MAXDEPTH	64

/* Keys seen in one open object, for duplicate detection (open addressing
 * on FNV-1a; grows at half full so a huge object stays linear). */
struct keyset {
	const unsigned char	**k;
	size_t			 *len;
	size_t			  cap;
	size_t			  n;
};

struct frame {
	const struct field	*fields;	/* NULL: not an entity object */
	char			*base;
	uint32_t		 seen;
};

struct pctx {
	struct arena		*a;
	const struct jlimits	*lim;
	const char		*detail;
	enum fp_err		 rc;
	int			 depth;
	size_t			 count[MAXDEPTH + 1];	/* elements per level */
	bool			 isarr[MAXDEPTH + 1];
	struct keyset		 keys[MAXDEPTH + 1];
	struct frame		 fr[MAXDEPTH + 1];	/* entity objects */
	int			 nfr;
	bool			 gotroot;
	const struct field	*cur;		/* field awaiting its value */
	int			 skip;		/* depth of an ignored value */
	/* capture of serviceProps or a string array */
	yajl_gen		 cap;
	const struct field	*capf;
	char			*capbase;
	int			 capdepth;	/* depth where capture started */
	bool			 capsecret;	/* next value is the secret */
	size_t			 nitems;
	const char		**secret;
	const struct field	*root;
	char			*rootbase;
};

static int
fail(struct pctx *c, enum fp_err rc, const char *fmt, const char *a1)
{
	const char	*pfx = rc == FP_EILLEGAL ? "Malformed request: " :
			    "Malformed JSON: ";

	c->rc = rc;
	c->detail = arena_printf(c->a, "%s%s", pfx,
	    a1 == NULL ? fmt : arena_printf(c->a, fmt, a1));
	return 0;
}


/*
 * Strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF.
 * (yajl's own check lets overlong sequences through.)
 */
static bool
utf8_ok(const unsigned char *s, size_t n)
{
	size_t		 i = 0, k, len;
	unsigned	 c, cp, min;

	while (i < n) {
		c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xE0) == 0xC0) {
			len = 2;
			cp = c & 0x1F;
			min = 0x80;
		} else if ((c & 0xF0) == 0xE0) {
			len = 3;
			cp = c & 0x0F;
			min = 0x800;
		} else if ((c & 0xF8) == 0xF0) {
			len = 4;
			cp = c & 0x07;
			min = 0x10000;
		} else
			return false;
		if (len > n - i)
			return false;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += len;
	}
	return true;
}

static size_t
keyhash(const unsigned char *k, size_t len)
{
	size_t	 h = 2166136261u;

	while (len-- > 0)
		h = (h ^ *k++) * 16777619u;
	return h;
}

/* 1 if new, 0 if a duplicate, -1 out of memory. */
static int
key_add(struct arena *a, struct keyset *ks, const unsigned char *k,
    size_t len)
{
	size_t	 i, j, cap;
	const unsigned char **nk;
	size_t	*nl;

	if (2 * (ks->n + 1) > ks->cap) {
		cap = ks->cap ? 2 * ks->cap : 16;
		if ((nk = arena_calloc(a, cap * sizeof(*nk))) == NULL ||
		    (nl = arena_calloc(a, cap * sizeof(*nl))) == NULL)
			return -1;
		for (i = 0; i < ks->cap; i++) {
			if (ks->k[i] == NULL)
				continue;
			j = keyhash(ks->k[i], ks->len[i]) & (cap - 1);
			while (nk[j] != NULL)
				j = (j + 1) & (cap - 1);
			nk[j] = ks->k[i];
			nl[j] = ks->len[i];
		}
		ks->k = nk;
		ks->len = nl;
		ks->cap = cap;
	}
	j = keyhash(k, len) & (ks->cap - 1);
	for (; ks->k[j] != NULL; j = (j + 1) & (ks->cap - 1))
		if (ks->len[j] == len && memcmp(ks->k[j], k, len) == 0)
			return 0;
	if ((ks->k[j] = (const unsigned char *)arena_strndup(a,
	    (const char *)k, len)) == NULL)
		return -1;
	ks->len[j] = len;
	ks->n++;
	return 1;
}

static const char *
tname(enum ftype t)
{
	switch (t) {
	case F_STR:
	case F_ENUM:
	case F_AUDIENCE:
		return "a string";
	case F_BOOL:
		return "a boolean";
	case F_INT64:
		return "an integer";
	case F_DECIMAL:
		return "a number";
	case F_STRARR:
		return "an array of strings";
	default:
		return "an object";
	}
}

/* Bookkeeping shared by every value: array length, element counts. */
static int
value_start(struct pctx *c)
{
	if (c->isarr[c->depth] &&
	    ++c->count[c->depth] > c->lim->array)
		return fail(c, FP_EMALFORMED,
		    "array longer than %s elements",
		    arena_printf(c->a, "%zu", c->lim->array));
	return 1;
}

static int
push(struct pctx *c, bool arr)
{
	if (c->depth + 1 > c->lim->depth || c->depth + 1 > MAXDEPTH)
		return fail(c, FP_EMALFORMED, "nesting deeper than %s levels",
		    arena_printf(c->a, "%d", c->lim->depth));
	c->depth++;
	c->isarr[c->depth] = arr;
	c->count[c->depth] = 0;
	memset(&c->keys[c->depth], 0, sizeof(c->keys[c->depth]));
	return 1;
}

static int
wrongtype(struct pctx *c, const struct field *f)
{
	return fail(c, FP_EMALFORMED,
	    arena_printf(c->a, "expected %s for '%%s'", tname(f->type)),
	    f->name);
}

/* Called with the field's value as a scalar; cur is set. */
static int
store_scalar(struct pctx *c, int jt, const char *s, size_t len)
{
	const struct field	*f = c->cur;
	char			*p;
	char			*end;
	long long		 ll;
	int			 idx;

	c->cur = NULL;
	p = c->fr[c->nfr].base + f->off;
	if (jt == 'n') {			/* null: leave absent */
		if (f->type == F_AUDIENCE)
			return fail(c, FP_EILLEGAL,
			    "Audience [null] not supported.", NULL);
		return 1;
	}
	switch (f->type) {
	case F_STR:
		if (jt != 's')
			return wrongtype(c, f);
		*(const char **)p = arena_strndup(c->a, s, len);
		break;
	case F_BOOL:
		if (jt != 'b')
			return wrongtype(c, f);
		*(bool *)p = len != 0;
		break;
	case F_INT64:
		if (jt != 'd')
			return wrongtype(c, f);
		if (memchr(s, '.', len) != NULL || memchr(s, 'e', len) ||
		    memchr(s, 'E', len))
			return wrongtype(c, f);
		errno = 0;
		ll = strtoll(arena_strndup(c->a, s, len), &end, 10);
		if (errno == ERANGE || ll == DB_NULL)
			return fail(c, FP_EMALFORMED,
			    "numeric value out of range for '%s'", f->name);
		*(int64_t *)p = ll;
		break;
	case F_DECIMAL:
		if (jt != 'd')
			return wrongtype(c, f);
		*(const char **)p = arena_strndup(c->a, s, len);
		break;
	case F_ENUM:
	case F_AUDIENCE:
		if (jt != 's')
			return wrongtype(c, f);
		if (f->type == F_AUDIENCE && len == 19 &&
		    strncmp(s, "FlexibilityProvider", len) == 0)
			return fail(c, FP_EILLEGAL,
			    "Audience [FlexibilityProvider] not supported.",
			    NULL);
		if ((idx = enum_read(f->kind, s, len)) < 0)
			return fail(c, FP_EMALFORMED,
			    arena_printf(c->a, "Cannot deserialize value of "
			    "type `%s` from String \"%%s\"",
			    enums[f->kind].what),
			    arena_strndup(c->a, s, len));
		*(int *)p = enum_value(f->kind, idx);
		break;
	default:
		return wrongtype(c, f);
	}
	return 1;
}

/* Scalar entry point for every callback. */
static int
scalar(struct pctx *c, int jt, const char *s, size_t len)
{
	if (!value_start(c))
		return 0;
	if (c->skip)
		return 1;
	if (c->cap != NULL) {
		if (c->capsecret) {
			c->capsecret = false;
			if (jt == 's' && c->secret != NULL)
				*c->secret = arena_strndup(c->a, s, len);
			return 1;
		}
		if (c->capf->type == F_STRARR) {
			if (jt != 's')
				return fail(c, FP_EMALFORMED,
				    "expected an array of strings for '%s'",
				    c->capf->name);
			c->nitems++;
		}
		switch (jt) {
		case 'n':
			yajl_gen_null(c->cap);
			break;
		case 'b':
			yajl_gen_bool(c->cap, len != 0);
			break;
		case 'd':
			yajl_gen_number(c->cap, s, len);
			break;
		default:
			yajl_gen_string(c->cap, (const unsigned char *)s, len);
			break;
		}
		return 1;
	}
	if (c->cur == NULL) {
		if (!c->gotroot)
			return fail(c, FP_EMALFORMED,
			    "expected a JSON object", NULL);
		return 1;	/* value of an ignored key */
	}
	return store_scalar(c, jt, s, len);
}

static int
cb_null(void *ctx)
{
	return scalar(ctx, 'n', NULL, 0);
}

static int
cb_bool(void *ctx, int v)
{
	return scalar(ctx, 'b', NULL, v ? 1 : 0);
}

static int
cb_number(void *ctx, const char *s, size_t len)
{
	return scalar(ctx, 'd', s, len);
}

static int
cb_string(void *ctx, const unsigned char *s, size_t len)
{
	struct pctx	*c = ctx;

	if (len > c->lim->string)
		return fail(c, FP_EMALFORMED, "string longer than %s bytes",
		    arena_printf(c->a, "%zu", c->lim->string));
	if (!utf8_ok(s, len))
		return fail(c, FP_EMALFORMED, "invalid UTF-8 in a string",
		    NULL);
	if (memchr(s, '\0', len) != NULL)
		return fail(c, FP_EMALFORMED, "NUL character in a string",
		    NULL);
	return scalar(c, 's', (const char *)s, len);
}

static void
capture_begin(struct pctx *c, const struct field *f, char *base)
{
	c->cap = yajl_gen_alloc(NULL);
	c->capf = f;
	c->capbase = base;
	c->capdepth = c->depth - 1;	/* depth outside the captured value */
	c->nitems = 0;
}

static void
capture_end(struct pctx *c)
{
	const unsigned char	*buf;
	size_t			 len;
	char			*p = c->capbase + c->capf->off;

	yajl_gen_get_buf(c->cap, &buf, &len);
	if (c->capf->type == F_STRARR) {
		struct meas	*m = (struct meas *)p;

		m->props = arena_strndup(c->a, (const char *)buf, len);
		m->nprops = c->nitems;
	} else
		*(const char **)p = arena_strndup(c->a, (const char *)buf,
		    len);
	yajl_gen_free(c->cap);
	c->cap = NULL;
}

static int
open_container(struct pctx *c, bool arr)
{
	const struct field	*f = c->cur;

	if (!value_start(c) || !push(c, arr))
		return 0;
	if (c->skip) {
		c->skip++;
		return 1;
	}
	if (c->cap != NULL) {
		if (c->capsecret) {	/* non-string secret: drop it */
			c->capsecret = false;
			c->skip = 1;
			return 1;
		}
		if (c->capf->type == F_STRARR)
			return fail(c, FP_EMALFORMED,
			    "expected an array of strings for '%s'",
			    c->capf->name);
		if (arr)
			yajl_gen_array_open(c->cap);
		else
			yajl_gen_map_open(c->cap);
		return 1;
	}
	if (c->nfr < 0 && !c->gotroot) {	/* the document itself */
		if (arr)
			return fail(c, FP_EMALFORMED,
			    "expected a JSON object", NULL);
		c->nfr = 0;
		c->gotroot = true;
		c->fr[0].fields = c->root;
		c->fr[0].base = c->rootbase;
		c->fr[0].seen = 0;
		return 1;
	}
	if (f == NULL) {		/* ignored property */
		c->skip = 1;
		return 1;
	}
	c->cur = NULL;
	if (!arr && f->type == F_MEAS) {
		char	*base = c->fr[c->nfr].base + f->off;

		((struct meas *)base)->present = true;
		c->nfr++;
		c->fr[c->nfr].fields = f->sub;
		c->fr[c->nfr].base = base;
		c->fr[c->nfr].seen = 0;
		return 1;
	}
	if ((!arr && f->type == F_PROPS) || (arr && f->type == F_STRARR)) {
		capture_begin(c, f, c->fr[c->nfr].base);
		if (arr)
			yajl_gen_array_open(c->cap);
		else
			yajl_gen_map_open(c->cap);
		return 1;
	}
	return wrongtype(c, f);
}

static int
close_container(struct pctx *c, bool arr)
{
	c->depth--;
	if (c->skip) {
		c->skip--;
		return 1;
	}
	if (c->cap != NULL) {
		if (arr)
			yajl_gen_array_close(c->cap);
		else
			yajl_gen_map_close(c->cap);
		if (c->depth == c->capdepth)
			capture_end(c);
		return 1;
	}
	if (!arr)
		c->nfr--;
	return 1;
}

static int
cb_start_map(void *ctx)
{
	return open_container(ctx, false);
}

static int
cb_end_map(void *ctx)
{
	return close_container(ctx, false);
}

static int
cb_start_array(void *ctx)
{
	return open_container(ctx, true);
}

static int
cb_end_array(void *ctx)
{
	return close_container(ctx, true);
}

static int
cb_map_key(void *ctx, const unsigned char *k, size_t len)
{
	struct pctx		*c = ctx;
	struct frame		*fr;
	const struct field	*f;
	size_t			 i;

	if (len > c->lim->string)
		return fail(c, FP_EMALFORMED, "string longer than %s bytes",
		    arena_printf(c->a, "%zu", c->lim->string));
	if (!utf8_ok(k, len))
		return fail(c, FP_EMALFORMED, "invalid UTF-8 in a key", NULL);
	if (memchr(k, '\0', len) != NULL)
		return fail(c, FP_EMALFORMED, "NUL character in a key", NULL);
	switch (key_add(c->a, &c->keys[c->depth], k, len)) {
	case 0:
		return fail(c, FP_EMALFORMED, "Duplicate field '%s'",
		    arena_strndup(c->a, (const char *)k, len));
	case -1:
		c->rc = FP_ENOMEM;
		return 0;
	}
	if (c->skip)
		return 1;
	if (c->cap != NULL) {
		if (c->depth == c->capdepth + 1 && c->capf->type == F_PROPS &&
		    len == sizeof(SECRET_KEY) - 1 &&
		    memcmp(k, SECRET_KEY, len) == 0) {
			c->capsecret = true;
			return 1;
		}
		yajl_gen_string(c->cap, k, len);
		return 1;
	}
	fr = &c->fr[c->nfr];
	c->cur = NULL;
	for (i = 0, f = fr->fields; f->name != NULL; f++, i++) {
		if (strlen(f->name) != len || memcmp(f->name, k, len) != 0)
			continue;
		if (fr->seen & (1u << i))
			return fail(c, FP_EMALFORMED, "Duplicate field '%s'",
			    f->name);
		fr->seen |= 1u << i;
		c->cur = f;
		break;
	}
	return 1;
}

static const yajl_callbacks callbacks = {
	cb_null, cb_bool, NULL, NULL, cb_number, cb_string,
	cb_start_map, cb_map_key, cb_end_map, cb_start_array, cb_end_array
};

static void
free_parser(void *p)
{
	yajl_free(p);
}

/*
 * Parse a request body into base.  Returns FP_OK, FP_EMALFORMED
 * ("Malformed JSON: ...") or FP_EILLEGAL ("Malformed request: ..."), with
 * the full message in *detail.
 */
enum fp_err
json_parse(struct arena *a, const struct jlimits *lim,
    const unsigned char *buf, size_t len, const struct field *fields,
    void *base, const char **secret, const char **detail)
{
	struct pctx	 c;
	yajl_handle	 h;
	yajl_status	 st;
	unsigned char	*msg;

	memset(&c, 0, sizeof(c));
	c.a = a;
	c.lim = lim;
	c.nfr = -1;
	c.root = fields;
	c.rootbase = base;
	c.secret = secret;
	c.rc = FP_OK;
	if ((h = yajl_alloc(&callbacks, NULL, &c)) == NULL)
		return FP_ENOMEM;
	arena_cleanup_add(a, free_parser, h);
	st = yajl_parse(h, buf, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	if (c.cap != NULL) {
		yajl_gen_free(c.cap);
		c.cap = NULL;
	}
	if (c.rc != FP_OK) {
		*detail = c.detail;
		return c.rc;
	}
	if (st != yajl_status_ok) {
		msg = yajl_get_error(h, 0, buf, len);
		*detail = arena_printf(a, "Malformed JSON: %s",
		    (const char *)msg);
		/* yajl's message ends with a newline: trim it. */
		{
			char	*d = (char *)*detail;
			size_t	 n = strlen(d);

			while (n > 0 && (d[n - 1] == '\n' || d[n - 1] == ' '))
				d[--n] = '\0';
		}
		yajl_free_error(h, msg);
		return FP_EMALFORMED;
	}
	if (!c.gotroot) {
		*detail = "Malformed JSON: expected a JSON object";
		return FP_EMALFORMED;
	}
	return FP_OK;
}

/* ------------------------------------------------------------------ */
/* Field tables.  Bit i of a frame's "seen" mask is field i: at most 32
 * fields per table. */

#define F(n, t, s, m)		{ n, t, offsetof(struct s, m), 0, NULL, NULL }
#define FE(n, s, m, k)		{ n, F_ENUM, offsetof(struct s, m), k, NULL, NULL }
#define FEND			{ NULL, 0, 0, 0, NULL, NULL }

const struct field json_peer_fields[] = {
	F("name", F_STR, peer, name),
	F("enabled", F_BOOL, peer, enabled),
	F("baseUrl", F_STR, peer, base_url),
	F("oscpVersion", F_STR, peer, oscp_ver),
	FE("registrationStatus", peer, reg_status, ENUM_REG_STATUS),
	F("serviceProps", F_PROPS, peer, sprops),
	FEND
};

const struct field json_group_fields[] = {
	F("name", F_STR, group, name),
	F("enabled", F_BOOL, group, enabled),
	F("identifier", F_STR, group, ident),
	F("capacityProviderId", F_INT64, group, cp_id),
	F("capacityOptimizerId", F_INT64, group, co_id),
	FE("capacityProviderMeasurementPeriod", group, cp_meas_secs,
	    ENUM_MEAS_PERIOD),
	FE("capacityOptimizerMeasurementPeriod", group, co_meas_secs,
	    ENUM_MEAS_PERIOD),
	F("serviceProps", F_PROPS, group, sprops),
	FEND
};

static const struct field inst_fields[] = {
	{ "propertyNames", F_STRARR, 0, 0, NULL, NULL },
	FE("unit", meas, unit, ENUM_UNIT),
	F("multiplier", F_DECIMAL, meas, mult),
	FE("statisticType", meas, stat, ENUM_STAT),
	FEND
};

static const struct field energy_fields[] = {
	{ "propertyNames", F_STRARR, 0, 0, NULL, NULL },
	FE("unit", meas, unit, ENUM_UNIT),
	F("multiplier", F_DECIMAL, meas, mult),
	FE("statisticType", meas, stat, ENUM_STAT),
	FE("type", meas, type, ENUM_ENERGY_TYPE),
	FE("direction", meas, dir, ENUM_ENERGY_DIR),
	FEND
};

const struct field json_asset_fields[] = {
	F("name", F_STR, asset, name),
	F("enabled", F_BOOL, asset, enabled),
	F("capacityGroupId", F_INT64, asset, cg_id),
	F("identifier", F_STR, asset, ident),
	{ "audience", F_AUDIENCE, offsetof(struct asset, audience),
	    ENUM_AUDIENCE, NULL, NULL },
	F("nodeId", F_INT64, asset, node_id),
	F("sourceId", F_STR, asset, source_id),
	FE("category", asset, category, ENUM_CATEGORY),
	FE("phase", asset, phase, ENUM_PHASE),
	{ "instantaneous", F_MEAS, offsetof(struct asset, inst), 0,
	    inst_fields, NULL },
	{ "energy", F_MEAS, offsetof(struct asset, energy), 0,
	    energy_fields, NULL },
	F("serviceProps", F_PROPS, asset, sprops),
	FEND
};
