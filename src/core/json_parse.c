/*
 * json_parse.c -- request bodies through yajl's event parser, straight
 * into entity structs (no DOM).  A field table per entity names each
 * property, its type and where it goes; unknown properties are ignored
 * (reference §2.2).  Everything is checked as it streams past: nesting
 * depth, string length and array length for the whole document (ignored
 * parts included), duplicate keys, JSON types (strict: no coercion) and
 * integer range.  "serviceProps" is re-generated as JSON text with
 * "oauth-client-secret" taken out.
 *
 * Memory: one duplicate-key table per nesting level, reused by every
 * object opened at that level, so objects cost nothing by themselves
 * (ignored ones included); keys are copied only when yajl had to unescape
 * them.  Everything the parse takes from the arena counts against the
 * caller's budget (lim->mem); a document that needs more is 422
 * "Malformed JSON: ...", and the rest of the arena stays free for the
 * request.  An arena that runs dry below the budget is FP_ENOMEM.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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

/* One key of an open object; live while gen is its keyset's gen. */
struct kslot {
	const unsigned char	*k;
	uint32_t		 len;
	uint32_t		 gen;
};

/* Keys of the object open at one level, for duplicate detection (open
 * addressing on FNV-1a, grows at three quarters full so a huge object
 * stays linear).  Opening an object takes a new gen, which empties the table
 * without touching it. */
struct keyset {
	struct kslot	*slot;
	size_t		 cap;		/* 0 or a power of two */
	size_t		 n;
	uint32_t	 gen;
};

struct frame {
	const struct field	*fields;	/* NULL: not an entity object */
	char			*base;
	uint32_t		 seen;
};

struct pctx {
	struct arena		*a;
	const struct jlimits	*lim;
	const unsigned char	*buf;		/* the document */
	size_t			 len;
	size_t			 used0;		/* arena_used() at the start */
	size_t			 budget;
	const char		*detail;
	enum fp_err		 rc;
	int			 depth;
	size_t			 count[MAXDEPTH + 1];	/* elements per level */
	bool			 isarr[MAXDEPTH + 1];
	struct keyset		 keys[MAXDEPTH + 1];
	uint32_t		 gen;		/* last object's gen */
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

/*
 * Record the error and stop the parse (returns 0 for the callbacks).  If
 * even the message does not fit in the arena, the prefix alone is the
 * message: bad input stays a 4xx.
 */
static int __attribute__((format(printf, 3, 4)))
fail(struct pctx *c, enum fp_err rc, const char *fmt, ...)
{
	const char	*pfx = rc == FP_EILLEGAL ? "Malformed request" :
			    "Malformed JSON";
	size_t		 plen = strlen(pfx);
	va_list		 ap;
	char		*p;
	int		 n;

	c->rc = rc;
	c->detail = pfx;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (p = arena_alloc(c->a, plen + 2 + (size_t)n + 1)) ==
	    NULL)
		return 0;
	memcpy(p, pfx, plen);
	memcpy(p + plen, ": ", 2);
	va_start(ap, fmt);
	vsnprintf(p + plen + 2, (size_t)n + 1, fmt, ap);
	va_end(ap);
	c->detail = p;
	return 0;
}

/* Arena memory for the parse, within the document's budget. */
static void *
palloc(struct pctx *c, size_t n)
{
	size_t	 used = arena_used(c->a) - c->used0;
	void	*p;

	if (n > c->budget || used > c->budget - n) {
		fail(c, FP_EMALFORMED, "document needs more than %zu bytes "
		    "of memory to parse", c->budget);
		return NULL;
	}
	if ((p = arena_alloc(c->a, n)) == NULL) {
		c->rc = FP_ENOMEM;
		c->detail = NULL;
	}
	return p;
}

/* Copy of len bytes (the parser has refused NUL bytes already). */
static char *
pstrndup(struct pctx *c, const void *s, size_t len)
{
	char	*p;

	if ((p = palloc(c, len + 1)) == NULL)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/*
 * Strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF.
 * (yajl's own check lets overlong sequences through.)
 */
bool
json_utf8_ok(const unsigned char *s, size_t n)
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

/* Four hex digits at s (n bytes left) into *u. */
static bool
hex4(const unsigned char *s, size_t n, unsigned *u)
{
	size_t	 i;
	int	 d;

	if (n < 4)
		return false;
	for (*u = 0, i = 0; i < 4; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			d = s[i] - '0';
		else if ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'f')
			d = (s[i] | 0x20) - 'a' + 10;
		else
			return false;
		*u = *u << 4 | (unsigned)d;
	}
	return true;
}

/*
 * yajl decodes the \u escape of a lone high surrogate to '?', and pairs a
 * high surrogate with whatever \u escape follows it: the text stored would
 * not be the text sent.  A backslash is valid JSON only as the start of an
 * escape in a string, so a flat scan sees every escape of any document
 * yajl accepts (anything else yajl refuses by itself).
 */
bool
json_escapes_ok(const unsigned char *s, size_t n)
{
	size_t		 i;
	unsigned	 u, lo;

	for (i = 0; i < n; i++) {
		if (s[i] != '\\' || i + 1 >= n)
			continue;
		if (s[i + 1] != 'u' || !hex4(s + i + 2, n - i - 2, &u)) {
			i++;		/* \\, \" and the like */
			continue;
		}
		if (u >= 0xDC00 && u <= 0xDFFF)
			return false;
		if (u >= 0xD800 && u <= 0xDBFF) {
			if (n - i < 12 || s[i + 6] != '\\' || s[i + 7] != 'u' ||
			    !hex4(s + i + 8, 4, &lo) || lo < 0xDC00 ||
			    lo > 0xDFFF)
				return false;
			i += 6;
		}
		i += 5;
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

/*
 * 1 if new, 0 if a duplicate, -1 on failure (rc set).  A key still in the
 * document is kept by reference; one that yajl unescaped into its own
 * buffer is copied.
 */
static int
key_add(struct pctx *c, struct keyset *ks, const unsigned char *k,
    size_t len)
{
	struct kslot	*ns;
	size_t		 i, j, cap;
	uintptr_t	 b = (uintptr_t)c->buf, p = (uintptr_t)k;

	if (4 * (ks->n + 1) > 3 * ks->cap) {
		cap = ks->cap ? 2 * ks->cap : 16;
		if (cap > SIZE_MAX / sizeof(*ns) ||
		    (ns = palloc(c, cap * sizeof(*ns))) == NULL) {
			if (c->rc == FP_OK)
				c->rc = FP_ENOMEM;
			return -1;
		}
		memset(ns, 0, cap * sizeof(*ns));
		for (i = 0; i < ks->cap; i++) {
			if (ks->slot[i].gen != ks->gen)
				continue;
			j = keyhash(ks->slot[i].k, ks->slot[i].len) & (cap - 1);
			while (ns[j].gen == ks->gen)
				j = (j + 1) & (cap - 1);
			ns[j] = ks->slot[i];
		}
		ks->slot = ns;
		ks->cap = cap;
	}
	j = keyhash(k, len) & (ks->cap - 1);
	for (; ks->slot[j].gen == ks->gen; j = (j + 1) & (ks->cap - 1))
		if (ks->slot[j].len == len &&
		    memcmp(ks->slot[j].k, k, len) == 0)
			return 0;
	if ((p < b || p - b > c->len || len > c->len - (p - b)) &&
	    (k = (const unsigned char *)pstrndup(c, k, len)) == NULL)
		return -1;
	ks->slot[j].k = k;
	ks->slot[j].len = (uint32_t)len;
	ks->slot[j].gen = ks->gen;
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
		return fail(c, FP_EMALFORMED, "array longer than %zu elements",
		    c->lim->array);
	return 1;
}

static int
push(struct pctx *c, bool arr)
{
	if (c->depth + 1 > c->lim->depth || c->depth + 1 > MAXDEPTH)
		return fail(c, FP_EMALFORMED, "nesting deeper than %d levels",
		    c->lim->depth);
	c->depth++;
	c->isarr[c->depth] = arr;
	c->count[c->depth] = 0;
	if (!arr) {
		/* uint32 gens: a document would need 8 GiB to wrap. */
		c->keys[c->depth].gen = ++c->gen;
		c->keys[c->depth].n = 0;
	}
	return 1;
}

static int
wrongtype(struct pctx *c, const struct field *f)
{
	return fail(c, FP_EMALFORMED, "expected %s for '%s'", tname(f->type),
	    f->name);
}

/* Called with the field's value as a scalar; cur is set. */
static int
store_scalar(struct pctx *c, int jt, const char *s, size_t len)
{
	const struct field	*f = c->cur;
	char			*p;
	char			 num[32], *end;
	long long		 ll;
	int			 idx;

	c->cur = NULL;
	p = c->fr[c->nfr].base + f->off;
	if (jt == 'n') {			/* null: leave absent */
		if (f->type == F_AUDIENCE)
			return fail(c, FP_EILLEGAL,
			    "Audience [null] not supported.");
		return 1;
	}
	switch (f->type) {
	case F_STR:
	case F_DECIMAL:
		if (jt != (f->type == F_STR ? 's' : 'd'))
			return wrongtype(c, f);
		if ((*(const char **)p = pstrndup(c, s, len)) == NULL)
			return 0;
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
		/* JSON has no leading zeros: 20 characters hold any int64. */
		if (len >= sizeof(num))
			return fail(c, FP_EMALFORMED,
			    "numeric value out of range for '%s'", f->name);
		memcpy(num, s, len);
		num[len] = '\0';
		errno = 0;
		ll = strtoll(num, &end, 10);
		if (errno == ERANGE || ll == DB_NULL)
			return fail(c, FP_EMALFORMED,
			    "numeric value out of range for '%s'", f->name);
		*(int64_t *)p = ll;
		break;
	case F_ENUM:
	case F_AUDIENCE:
		if (jt != 's')
			return wrongtype(c, f);
		if (f->type == F_AUDIENCE && len == 19 &&
		    strncmp(s, "FlexibilityProvider", len) == 0)
			return fail(c, FP_EILLEGAL,
			    "Audience [FlexibilityProvider] not supported.");
		if ((idx = enum_read(f->kind, s, len)) < 0)
			return fail(c, FP_EMALFORMED, "Cannot deserialize "
			    "value of type `%s` from String \"%.*s\"",
			    enums[f->kind].what, (int)len, s);
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
			if (jt == 's' && c->secret != NULL &&
			    (*c->secret = pstrndup(c, s, len)) == NULL)
				return 0;
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
			    "expected a JSON object");
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

/* Length, UTF-8 and NUL checks of a string or a key. */
static int
string_ok(struct pctx *c, const unsigned char *s, size_t len,
    const char *what)
{
	if (len > c->lim->string || len > UINT32_MAX)
		return fail(c, FP_EMALFORMED, "string longer than %zu bytes",
		    c->lim->string);
	if (!json_utf8_ok(s, len))
		return fail(c, FP_EMALFORMED, "invalid UTF-8 in a %s", what);
	if (memchr(s, '\0', len) != NULL)
		return fail(c, FP_EMALFORMED, "NUL character in a %s", what);
	return 1;
}

static int
cb_string(void *ctx, const unsigned char *s, size_t len)
{
	struct pctx	*c = ctx;

	if (!string_ok(c, s, len, "string"))
		return 0;
	return scalar(c, 's', (const char *)s, len);
}

static int
capture_begin(struct pctx *c, const struct field *f, char *base)
{
	if ((c->cap = yajl_gen_alloc(NULL)) == NULL) {
		c->rc = FP_ENOMEM;
		return 0;
	}
	c->capf = f;
	c->capbase = base;
	c->capdepth = c->depth - 1;	/* depth outside the captured value */
	c->nitems = 0;
	return 1;
}

static int
capture_end(struct pctx *c)
{
	const unsigned char	*buf;
	size_t			 len;
	char			*p = c->capbase + c->capf->off;
	char			*text;

	yajl_gen_get_buf(c->cap, &buf, &len);
	text = pstrndup(c, buf, len);
	yajl_gen_free(c->cap);
	c->cap = NULL;
	if (text == NULL)
		return 0;
	if (c->capf->type == F_STRARR) {
		struct meas	*m = (struct meas *)p;

		m->props = text;
		m->nprops = c->nitems;
	} else
		*(const char **)p = text;
	return 1;
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
			    "expected a JSON object");
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
		if (!capture_begin(c, f, c->fr[c->nfr].base))
			return 0;
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
			return capture_end(c);
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

	if (!string_ok(c, k, len, "key"))
		return 0;
	switch (key_add(c, &c->keys[c->depth], k, len)) {
	case 0:
		return fail(c, FP_EMALFORMED, "Duplicate field '%.*s'",
		    (int)len, (const char *)k);
	case -1:
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

/* yajl's own message for a syntax error, without its trailing newline. */
static const char *
syntax_error(struct arena *a, yajl_handle h, const unsigned char *buf,
    size_t len)
{
	unsigned char	*msg;
	char		*d;
	size_t		 n;

	if ((msg = yajl_get_error(h, 0, buf, len)) == NULL)
		return "Malformed JSON";
	d = arena_printf(a, "Malformed JSON: %s", (const char *)msg);
	yajl_free_error(h, msg);
	if (d == NULL)
		return "Malformed JSON";
	n = strlen(d);
	while (n > 0 && (d[n - 1] == '\n' || d[n - 1] == ' '))
		d[--n] = '\0';
	return d;
}

/*
 * Parse a request body into base.  Returns FP_OK, FP_EMALFORMED
 * ("Malformed JSON: ..."), FP_EILLEGAL ("Malformed request: ...") with
 * the full message in *detail, or FP_ENOMEM when the arena ran out below
 * the parse's budget.
 */
enum fp_err
json_parse(struct arena *a, const struct jlimits *lim,
    const unsigned char *buf, size_t len, const struct field *fields,
    void *base, const char **secret, const char **detail)
{
	struct pctx	 c;
	yajl_handle	 h;
	yajl_status	 st;
	enum fp_err	 rc = FP_OK;

	memset(&c, 0, sizeof(c));
	c.a = a;
	c.lim = lim;
	c.buf = buf;
	c.len = len;
	c.used0 = arena_used(a);
	c.budget = lim->mem;
	c.nfr = -1;
	c.root = fields;
	c.rootbase = base;
	c.secret = secret;
	c.rc = FP_OK;
	if (!json_escapes_ok(buf, len)) {
		*detail = JSON_ESCAPES_MSG;
		return FP_EMALFORMED;
	}
	if ((h = yajl_alloc(&callbacks, NULL, &c)) == NULL)
		return FP_ENOMEM;
	st = yajl_parse(h, buf, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	if (c.cap != NULL) {
		yajl_gen_free(c.cap);
		c.cap = NULL;
	}
	if (c.rc != FP_OK) {
		*detail = c.detail;
		rc = c.rc;
	} else if (st != yajl_status_ok) {
		*detail = syntax_error(a, h, buf, len);
		rc = FP_EMALFORMED;
	} else if (!c.gotroot) {
		*detail = "Malformed JSON: expected a JSON object";
		rc = FP_EMALFORMED;
	}
	yajl_free(h);
	return rc;
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
