/*
 * snws2.c -- the server side of SolarNetwork's SNWS2 request signing, as
 * described in shared/reference/snws2-auth.md §3-§10 and checked against
 * tests/fixtures/snws2-vectors.json.
 *
 * snws2_parse() reads the Authorization header, the request date, the
 * SignedHeaders rules and the optional Digest/Content-MD5 header, in the
 * order SolarNetwork's AuthenticationDataV2 does (the date first).
 * snws2_verify() rebuilds the canonical request from the request exactly
 * as received, tries the signing keys of the request's UTC day and the 6
 * days before, compares in constant time and then checks the clock skew.
 * Token lookup, status, expiry and apiPaths belong to the caller, which
 * runs between the two calls; snws2_api_paths_allow() and
 * snws2_path_match() implement the apiPaths patterns for it.
 *
 * Headers come from the FastCGI parameters (HTTP_X_SN_DATE, CONTENT_TYPE,
 * ...).  Everything allocated lives in the request arena; signing keys
 * and computed signatures are wiped from the stack after use.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "fp.h"
#include "crypto.h"
#include "snws2.h"
#include "timefmt.h"

#define SCHEME		"SNWS2"
#define SCHEME_V1	"SolarNetworkWS"
#define SIG_HEX		64
#define KEY_DAYS	7	/* the request day and the 6 before it */
#define DAY_SECS	86400
#define EMPTY_SHA256	\
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

#define MSG_ANON	"Full authentication is required to access this resource"
#define MSG_BADCRED	"Bad credentials"
#define MSG_SKEW	"Date skew too large"
#define MSG_CRED	"Invalid Credential value"
#define MSG_SIG		"Invalid Signature value"
#define MSG_SIGNED	"Invalid SignedHeaders value"
#define MSG_HOST	"The 'Host' HTTP header must be included in SignedHeaders"
#define MSG_DATES	"One of the 'Date' or 'X-SN-Date' HTTP headers must " \
			"be included in SignedHeaders"
#define MSG_NODATE	"Missing or invalid HTTP Date header value"
#define MSG_UNKNOWN	"Unknown Authorization component (only Credential, " \
			"SignedHeaders and Signature are allowed)"
#define MSG_MALFORMED	"Malformed Authorization header (expected 'SNWS2 " \
			"Credential=...,SignedHeaders=...,Signature=...')"

/*
 * The Authorization components (§3.3), each allowed exactly once.  The
 * nginx configs key their rate limits with the same grammar
 * (nginx/snws2_limit_keys): keep the two in step.
 */
enum auth_part {
	PART_CRED,
	PART_HDRS,
	PART_SIG,
	PART__MAX
};

static const char *const auth_parts[PART__MAX] = {
	"Credential",		/* PART_CRED */
	"SignedHeaders",	/* PART_HDRS */
	"Signature",		/* PART_SIG */
};

/* A growable string in the arena; an allocation failure sticks. */
struct sbuf {
	struct arena	*a;
	char		*p;
	size_t		 len, cap;
	bool		 oom;
};

/* One query or form parameter, decoded. */
struct param {
	char		*name, *val;
	size_t		 nlen, vlen;
	size_t		 idx;		/* arrival order, for a stable sort */
};

/* Digest algorithms of the Digest header (AuthenticationData). */
struct digest_alg {
	const char	*name;		/* as in the header, any case */
	const char	*label;		/* in messages (reference §10) */
	size_t		 hexlen;
	const EVP_MD	*(*md)(void);
};

static const struct digest_alg digest_algs[] = {
	{ "md5",	"MD5",		32,	EVP_md5 },
	{ "sha",	"SHA",		40,	EVP_sha1 },
	{ "sha-256",	"SHA-256",	64,	EVP_sha256 },
	{ "sha-512",	"SHA-512",	128,	EVP_sha512 },
};

static void
sb_add(struct sbuf *b, const char *s, size_t n)
{
	char	*np;
	size_t	 ncap;

	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		ncap = b->cap == 0 ? 256 : b->cap;
		while (ncap < b->len + n + 1)
			ncap *= 2;
		if ((np = arena_alloc(b->a, ncap)) == NULL) {
			b->oom = true;
			return;
		}
		if (b->len > 0)
			memcpy(np, b->p, b->len);
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
sb_adds(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static void
sb_addc(struct sbuf *b, char c)
{
	sb_add(b, &c, 1);
}

static char *
sb_done(struct sbuf *b)
{
	if (b->oom)
		return NULL;
	if (b->p == NULL)
		sb_add(b, "", 0);
	return b->oom ? NULL : b->p;
}

static const char *
env_get(char **envp, const char *key)
{
	size_t	 n = strlen(key);

	if (envp == NULL)
		return NULL;
	for (; *envp != NULL; envp++)
		if (strncmp(*envp, key, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

/*
 * A request header by lower-case name: content-type and content-length
 * are CONTENT_TYPE and CONTENT_LENGTH (nginx passes them empty when the
 * request has none, so empty counts as absent), any other x-y is
 * HTTP_X_Y.
 */
const char *
snws2_header(char **envp, const char *lcname)
{
	char		 key[128];
	const char	*v;
	size_t		 i, n = strlen(lcname);

	if (strcmp(lcname, "content-type") == 0) {
		v = env_get(envp, "CONTENT_TYPE");
		return v != NULL && *v != '\0' ? v : NULL;
	}
	if (strcmp(lcname, "content-length") == 0) {
		v = env_get(envp, "CONTENT_LENGTH");
		return v != NULL && *v != '\0' ? v : NULL;
	}
	if (n == 0 || n + 6 > sizeof(key))
		return NULL;
	memcpy(key, "HTTP_", 5);
	for (i = 0; i < n; i++) {
		char	 c = lcname[i];

		if (c == '-')
			c = '_';
		else if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		else if (c == '=' || c == '_')
			return NULL;	/* cannot be a header name */
		key[5 + i] = c;
	}
	key[5 + n] = '\0';
	return env_get(envp, key);
}

static const char *
req_method(const struct snws2 *s)
{
	const char	*m = s->method;

	if (m == NULL)
		m = env_get(s->envp, "REQUEST_METHOD");
	return m == NULL ? "" : m;
}

static const char *
req_target(const struct snws2 *s)
{
	const char	*t = s->target;

	if (t == NULL)
		t = env_get(s->envp, "REQUEST_URI");
	return t == NULL ? "" : t;
}

/* Java's String.trim(): everything <= 0x20 at either end. */
static void
trim(const char **p, size_t *n)
{
	while (*n > 0 && (unsigned char)**p <= 0x20) {
		(*p)++;
		(*n)--;
	}
	while (*n > 0 && (unsigned char)(*p)[*n - 1] <= 0x20)
		(*n)--;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' ||
	    c == '\f' || c == '\r';
}

/*
 * Servlet-style form decoding: '+' is a space, %XY a byte.  A malformed
 * escape makes the caller drop the parameter, as Tomcat does.
 */
static char *
pct_decode(struct arena *a, const char *s, size_t n, size_t *outlen,
    bool *bad)
{
	char	*out;
	size_t	 i, o = 0;
	int	 hi, lo;

	*bad = false;
	if ((out = arena_alloc(a, n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (s[i] == '+')
			out[o++] = ' ';
		else if (s[i] == '%') {
			if (i + 2 >= n || (hi = hex_value(s[i + 1])) < 0 ||
			    (lo = hex_value(s[i + 2])) < 0) {
				*bad = true;
				return out;
			}
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else
			out[o++] = s[i];
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}

/* Strict RFC 3986 unreserved set, upper-case hex for the rest. */
static void
pct_encode(struct sbuf *b, const char *s, size_t n)
{
	static const char	 hex[] = "0123456789ABCDEF";
	char			 e[3];
	size_t			 i, run;

	for (i = 0; i < n; ) {
		for (run = 0; i + run < n; run++) {
			unsigned char	 c = (unsigned char)s[i + run];

			if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
			    c == '.' || c == '~'))
				break;
		}
		sb_add(b, s + i, run);
		i += run;
		if (i < n) {
			e[0] = '%';
			e[1] = hex[(unsigned char)s[i] >> 4];
			e[2] = hex[(unsigned char)s[i] & 0x0f];
			sb_add(b, e, 3);
			i++;
		}
	}
}

static int
param_cmp(const void *va, const void *vb)
{
	const struct param	*a = va, *b = vb;
	size_t			 n = a->nlen < b->nlen ? a->nlen : b->nlen;
	int			 c;

	if ((c = memcmp(a->name, b->name, n)) != 0)
		return c;
	if (a->nlen != b->nlen)
		return a->nlen < b->nlen ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/*
 * §5.3: split on '&', each piece at its first '=', skip empty pieces and
 * pieces without a name, decode, sort by decoded name (byte order, ties
 * in arrival order), re-encode strictly, join "name=value" with '&'.
 */
static char *
canon_query(struct arena *a, const char *q, size_t len)
{
	struct param	*ps;
	struct sbuf	 b = { .a = a };
	const char	*p, *end = q + len, *amp, *eq, *piece;
	size_t		 n = 1, np = 0, i;
	bool		 bad1, bad2;

	for (p = q; p < end; p++)
		if (*p == '&')
			n++;
	if ((ps = arena_alloc(a, n * sizeof(*ps))) == NULL)
		return NULL;
	for (p = q; p < end; ) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		piece = p;
		p = amp < end ? amp + 1 : end;
		if (amp == piece)
			continue;
		if ((eq = memchr(piece, '=', (size_t)(amp - piece))) == NULL)
			eq = amp;
		if (eq == piece)
			continue;	/* no name: the servlet skips it */
		ps[np].name = pct_decode(a, piece, (size_t)(eq - piece),
		    &ps[np].nlen, &bad1);
		ps[np].val = eq < amp ? pct_decode(a, eq + 1,
		    (size_t)(amp - eq - 1), &ps[np].vlen, &bad2) :
		    pct_decode(a, "", 0, &ps[np].vlen, &bad2);
		if (ps[np].name == NULL || ps[np].val == NULL)
			return NULL;
		if (bad1 || bad2)
			continue;
		ps[np].idx = np;
		np++;
	}
	qsort(ps, np, sizeof(*ps), param_cmp);
	for (i = 0; i < np; i++) {
		if (i > 0)
			sb_addc(&b, '&');
		pct_encode(&b, ps[i].name, ps[i].nlen);
		sb_addc(&b, '=');
		pct_encode(&b, ps[i].val, ps[i].vlen);
	}
	return sb_done(&b);
}

char *
snws2_canonical_query(struct arena *a, const char *query)
{
	return canon_query(a, query == NULL ? "" : query,
	    query == NULL ? 0 : strlen(query));
}

/* POST with media type application/x-www-form-urlencoded (§5.6). */
static bool
form_post(const struct snws2 *s)
{
	static const char	 form[] = "application/x-www-form-urlencoded";
	const char		*ct, *semi;
	size_t			 n;

	if (strcmp(req_method(s), "POST") != 0 ||
	    (ct = snws2_header(s->envp, "content-type")) == NULL)
		return false;
	if ((semi = strchr(ct, ';')) == NULL)
		semi = ct + strlen(ct);
	n = (size_t)(semi - ct);
	trim(&ct, &n);
	return n == sizeof(form) - 1 && strncasecmp(ct, form, n) == 0;
}

static bool
signed_has(const struct snws2 *s, const char *name)
{
	size_t	 i;

	for (i = 0; i < s->nsigned; i++)
		if (strcmp(s->signed_hdrs[i], name) == 0)
			return true;
	return false;
}

/* §5.4: first value, trimmed, runs of spaces collapsed to one. */
static void
canon_value(struct sbuf *b, const char *v)
{
	size_t	 n, i, start;

	if (v == NULL)
		return;
	n = strlen(v);
	trim(&v, &n);
	for (i = 0; i < n; ) {
		start = i;
		while (i < n && v[i] != ' ')
			i++;
		sb_add(b, v + start, i - start);
		if (i < n) {
			sb_addc(b, ' ');
			while (i < n && v[i] == ' ')
				i++;
		}
	}
}

char *
snws2_canonical_request(struct arena *a, const struct snws2 *s)
{
	struct sbuf	 b = { .a = a };
	const char	*target = req_target(s), *qm, *query;
	char		*cq, bodyhex[65];
	bool		 form, drop_date, first = true;
	size_t		 i;

	form = form_post(s);
	drop_date = signed_has(s, "date") && signed_has(s, "x-sn-date");

	/* 1, 2: method, raw path */
	sb_adds(&b, req_method(s));
	sb_addc(&b, '\n');
	qm = strchr(target, '?');
	sb_add(&b, target, qm == NULL ? strlen(target) : (size_t)(qm - target));
	sb_addc(&b, '\n');

	/* 3: query, plus the body parameters of a form post */
	query = qm == NULL ? "" : qm + 1;
	if (form && s->body_len > 0) {
		struct sbuf	 q = { .a = a };

		sb_adds(&q, query);
		sb_addc(&q, '&');
		sb_add(&q, (const char *)s->body, s->body_len);
		if (sb_done(&q) == NULL)
			return NULL;
		cq = canon_query(a, q.p, q.len);
	} else
		cq = canon_query(a, query, strlen(query));
	if (cq == NULL)
		return NULL;
	sb_adds(&b, cq);
	sb_addc(&b, '\n');

	/* 4, 5: signed headers and their names */
	for (i = 0; i < s->nsigned; i++) {
		if (drop_date && strcmp(s->signed_hdrs[i], "date") == 0)
			continue;
		sb_adds(&b, s->signed_hdrs[i]);
		sb_addc(&b, ':');
		canon_value(&b, snws2_header(s->envp, s->signed_hdrs[i]));
		sb_addc(&b, '\n');
	}
	for (i = 0; i < s->nsigned; i++) {
		if (drop_date && strcmp(s->signed_hdrs[i], "date") == 0)
			continue;
		if (!first)
			sb_addc(&b, ';');
		sb_adds(&b, s->signed_hdrs[i]);
		first = false;
	}
	sb_addc(&b, '\n');

	/* 6: body hash (the empty hash for a form post) */
	if (form || s->body_len == 0)
		sb_adds(&b, EMPTY_SHA256);
	else {
		sha256_hex(s->body, s->body_len, bodyhex);
		sb_adds(&b, bodyhex);
	}
	return sb_done(&b);
}

char *
snws2_string_to_sign(struct arena *a, time_t date, const char *cr)
{
	char	 ts[TIME_BUFSZ], hex[65];

	if (time_fmt_compact(date, ts) == 0)
		return NULL;
	sha256_hex(cr, strlen(cr), hex);
	return arena_printf(a, "SNWS2-HMAC-SHA256\n%s\n%s", ts, hex);
}

/*
 * kDate = HMAC(UTF8("SNWS2" + secret), YYYYMMDD(day)),
 * kSign = HMAC(kDate, "snws2_request").  An HMAC key longer than the
 * SHA-256 block is replaced by its hash (RFC 2104), so long secrets are
 * hashed here incrementally instead of being copied to the heap.
 * Returns 0, or -1 when the day cannot be formatted or hashing fails;
 * the key is then all zeros and must not be used.
 */
int
snws2_signing_key(const char *secret, size_t secretlen, time_t day,
    unsigned char key[32])
{
	unsigned char	 k0[64], kdate[32];
	char		 ymd[TIME_BUFSZ];
	size_t		 k0len;
	unsigned int	 mdlen = 32;
	EVP_MD_CTX	*ctx;

	memset(key, 0, 32);
	if (time_fmt_day(day, ymd) == 0)
		return -1;
	if (5 + secretlen <= sizeof(k0)) {
		memcpy(k0, SCHEME, 5);
		memcpy(k0 + 5, secret, secretlen);
		k0len = 5 + secretlen;
	} else {
		if ((ctx = EVP_MD_CTX_new()) == NULL)
			return -1;
		if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
		    EVP_DigestUpdate(ctx, SCHEME, 5) != 1 ||
		    EVP_DigestUpdate(ctx, secret, secretlen) != 1 ||
		    EVP_DigestFinal_ex(ctx, k0, &mdlen) != 1) {
			EVP_MD_CTX_free(ctx);
			OPENSSL_cleanse(k0, sizeof(k0));
			return -1;
		}
		EVP_MD_CTX_free(ctx);
		k0len = 32;
	}
	hmac_sha256(k0, k0len, ymd, strlen(ymd), kdate);
	hmac_sha256(kdate, sizeof(kdate), "snws2_request", 13, key);
	OPENSSL_cleanse(k0, sizeof(k0));
	OPENSSL_cleanse(kdate, sizeof(kdate));
	return 0;
}

void
snws2_signature(const unsigned char key[32], const char *sts, char hex[65])
{
	unsigned char	 mac[32];

	hmac_sha256(key, 32, sts, strlen(sts), mac);
	hex_encode(mac, sizeof(mac), hex);
	OPENSSL_cleanse(mac, sizeof(mac));
}

static enum snws2_rc
fail(struct snws2 *s, const char *msg)
{
	s->msg = msg;
	return SNWS2_FAIL;
}

/*
 * §4: X-SN-Date, else Date; the parsed instant goes into s->date.  Dates
 * before 1970 are refused: the signing keys of their day and the 6 before
 * it are not all defined (year 0000 has no day before it).
 */
static enum snws2_rc
parse_date(struct arena *a, struct snws2 *s)
{
	const char	*v;
	char		*c;
	size_t		 n;
	bool		 sn = true;

	if ((v = snws2_header(s->envp, "x-sn-date")) == NULL) {
		sn = false;
		if ((v = snws2_header(s->envp, "date")) == NULL)
			return fail(s, MSG_NODATE);
	}
	n = strlen(v);
	trim(&v, &n);
	if ((c = arena_strndup(a, v, n)) == NULL)
		return SNWS2_NOMEM;
	if (time_parse_http(c, &s->date) != 0 || s->date < 0)
		return fail(s, sn ? "Invalid HTTP X-SN-Date header value" :
		    "Invalid HTTP Date header value");
	return SNWS2_OK;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * §3.6: trim, split on ';' with blanks around it dropped (Java drops
 * trailing empty pieces), lower-case, sort, de-duplicate.  An empty name
 * in the middle is refused rather than signed as ":".
 */
static enum snws2_rc
parse_signed(struct arena *a, struct snws2 *s, const char *v)
{
	const char	*p, *end, *semi, *ns, *ne;
	char		**names, *nm;
	size_t		 n = 1, k = 0, i, j;

	if (v == NULL)
		return fail(s, MSG_SIGNED);
	n = strlen(v);
	trim(&v, &n);
	end = v + n;
	while (end > v && end[-1] == ';')	/* trailing empty pieces */
		end--;
	if (end == v)
		return fail(s, MSG_SIGNED);
	n = 1;
	for (p = v; p < end; p++)
		if (*p == ';')
			n++;
	if ((names = arena_alloc(a, n * sizeof(*names))) == NULL)
		return SNWS2_NOMEM;
	for (p = v; p <= end; p = semi + 1) {
		if ((semi = memchr(p, ';', (size_t)(end - p))) == NULL)
			semi = end;
		ns = p;
		ne = semi;
		while (ns < ne && is_space(*ns))
			ns++;
		while (ne > ns && is_space(ne[-1]))
			ne--;
		if (ne == ns)
			return fail(s, MSG_SIGNED);
		if ((nm = arena_strndup(a, ns, (size_t)(ne - ns))) == NULL)
			return SNWS2_NOMEM;
		for (i = 0; nm[i] != '\0'; i++)
			if (nm[i] >= 'A' && nm[i] <= 'Z')
				nm[i] = (char)(nm[i] - 'A' + 'a');
		names[k++] = nm;
		if (semi == end)
			break;
	}
	qsort(names, k, sizeof(*names), str_cmp);
	for (i = 0, j = 0; i < k; i++)
		if (j == 0 || strcmp(names[j - 1], names[i]) != 0)
			names[j++] = names[i];
	if (j < 2)
		return fail(s, MSG_SIGNED);
	s->signed_hdrs = names;
	s->nsigned = j;
	return SNWS2_OK;
}

/*
 * §5.4: host and a date header must be signed, and so must every header
 * present whose name starts with x-sn-, and content-type, content-md5,
 * digest when present.  The message names the header in lower case.
 */
static enum snws2_rc
check_signed(struct arena *a, struct snws2 *s)
{
	char		**e, *name;
	const char	*k, *eq;
	size_t		 i;

	if (!signed_has(s, "host"))
		return fail(s, MSG_HOST);
	if (!signed_has(s, "date") && !signed_has(s, "x-sn-date"))
		return fail(s, MSG_DATES);
	for (e = s->envp; e != NULL && *e != NULL; e++) {
		k = *e;
		if ((eq = strchr(k, '=')) == NULL)
			continue;
		if (strncmp(k, "HTTP_X_SN_", 10) == 0 ||
		    strncmp(k, "HTTP_CONTENT_MD5=", 17) == 0 ||
		    strncmp(k, "HTTP_DIGEST=", 12) == 0)
			k += 5;
		else if (strncmp(k, "CONTENT_TYPE=", 13) == 0 && eq[1] != '\0')
			;
		else
			continue;
		if ((name = arena_strndup(a, k, (size_t)(eq - k))) == NULL)
			return SNWS2_NOMEM;
		for (i = 0; name[i] != '\0'; i++)
			if (name[i] == '_')
				name[i] = '-';
			else if (name[i] >= 'A' && name[i] <= 'Z')
				name[i] = (char)(name[i] - 'A' + 'a');
		if (!signed_has(s, name)) {
			s->msg = arena_printf(a, "The '%s' HTTP header must be "
			    "included in SignedHeaders", name);
			return s->msg == NULL ? SNWS2_NOMEM : SNWS2_FAIL;
		}
	}
	return SNWS2_OK;
}

/*
 * Decode a presented digest: hex when it has the digest's hex length
 * (bad hex is an encoding error), else base64.  Java reads the base64
 * leniently, so undecodable base64 is simply a mismatch here; unpadded
 * base64 is accepted.  Returns the length, -1 mismatch, -2 bad encoding.
 */
static int
digest_decode(struct arena *a, const struct digest_alg *alg, const char *v,
    unsigned char *out, size_t outsz)
{
	size_t	 n = strlen(v);
	char	*padded;

	if (n == alg->hexlen)
		return hex_decode(v, n, out, outsz) < 0 ? -2 :
		    (int)(n / 2);
	if (n % 4 == 0)
		return b64_decode(v, n, out, outsz);
	if (n % 4 == 1 || (padded = arena_alloc(a, n + 3)) == NULL)
		return -1;
	memcpy(padded, v, n);
	while (n % 4 != 0)
		padded[n++] = '=';
	return b64_decode(padded, n, out, outsz);
}

static enum snws2_rc
check_digest1(struct arena *a, struct snws2 *s, const struct digest_alg *alg,
    const char *v)
{
	unsigned char	 want[EVP_MAX_MD_SIZE], got[EVP_MAX_MD_SIZE];
	unsigned int	 wantlen;
	int		 gotlen = -1;

	if (EVP_Digest(s->body == NULL ? (const unsigned char *)"" : s->body,
	    s->body_len, want, &wantlen, alg->md(), NULL) != 1)
		return SNWS2_NOMEM;
	if (v != NULL && *v != '\0' &&
	    (gotlen = digest_decode(a, alg, v, got, sizeof(got))) == -2) {
		s->msg = arena_printf(a, "Invalid Digest %s encoding",
		    alg->label);
		return s->msg == NULL ? SNWS2_NOMEM : SNWS2_FAIL;
	}
	if (gotlen != (int)wantlen || CRYPTO_memcmp(want, got, wantlen) != 0) {
		s->msg = arena_printf(a, "Content %s digest value mismatch",
		    alg->label);
		return s->msg == NULL ? SNWS2_NOMEM : SNWS2_FAIL;
	}
	return SNWS2_OK;
}

/*
 * §5.7: the first Digest piece with a known algorithm is checked and the
 * rest ignored (pieces are not trimmed, as in Java); with no Digest
 * header a Content-MD5 header is checked instead.
 */
static enum snws2_rc
check_digest(struct arena *a, struct snws2 *s)
{
	const char	*v, *p, *end, *comma, *eq;
	char		*val;
	size_t		 i, n;

	if ((v = snws2_header(s->envp, "digest")) == NULL) {
		if ((v = snws2_header(s->envp, "content-md5")) == NULL)
			return SNWS2_OK;
		return check_digest1(a, s, &digest_algs[0], v);
	}
	end = v + strlen(v);
	for (p = v; p <= end; p = comma + 1) {
		if ((comma = memchr(p, ',', (size_t)(end - p))) == NULL)
			comma = end;
		eq = memchr(p, '=', (size_t)(comma - p));
		if (eq != NULL && eq > p) {
			n = (size_t)(eq - p);
			for (i = 0; i < sizeof(digest_algs) /
			    sizeof(digest_algs[0]); i++) {
				if (strlen(digest_algs[i].name) != n ||
				    strncasecmp(digest_algs[i].name, p, n) != 0)
					continue;
				if ((val = arena_strndup(a, eq + 1,
				    (size_t)(comma - eq - 1))) == NULL)
					return SNWS2_NOMEM;
				return check_digest1(a, s, &digest_algs[i],
				    val);
			}
		}
		if (comma == end)
			break;
	}
	return SNWS2_OK;
}

/*
 * §3.2, §3.3: the components after "SNWS2 ", split on ',' and each at its
 * first '='.  Beyond the reference, every piece must be one of the three
 * components and none may repeat; the caller reports that only after the
 * reference's own checks, so its messages stay as they are.
 */
static enum snws2_rc
split_auth(struct arena *a, const char *p, const char *val[PART__MAX],
    const char **bad)
{
	const char	*end, *comma, *eq;
	size_t		 klen;
	int		 i;

	end = p + strlen(p);
	for (; p <= end; p = comma + 1) {
		if ((comma = memchr(p, ',', (size_t)(end - p))) == NULL)
			comma = end;
		eq = memchr(p, '=', (size_t)(comma - p));
		klen = eq == NULL ? 0 : (size_t)(eq - p);
		for (i = 0; i < PART__MAX; i++)
			if (klen == strlen(auth_parts[i]) &&
			    strncmp(p, auth_parts[i], klen) == 0)
				break;
		if (i == PART__MAX) {
			if (*bad == NULL)
				*bad = MSG_UNKNOWN;
		} else if (val[i] != NULL) {
			if (*bad == NULL && (*bad = arena_printf(a,
			    "Duplicate %s in the Authorization header",
			    auth_parts[i])) == NULL)
				return SNWS2_NOMEM;
		} else if ((val[i] = arena_strndup(a, eq + 1,
		    (size_t)(comma - eq - 1))) == NULL)
			return SNWS2_NOMEM;
		if (comma == end)
			break;
	}
	return SNWS2_OK;
}

enum snws2_rc
snws2_parse(struct arena *a, struct snws2 *s)
{
	const char	*auth, *val[PART__MAX] = { NULL }, *bad = NULL;
	enum snws2_rc	 rc;

	s->token_id = NULL;
	s->signature = NULL;
	s->signed_hdrs = NULL;
	s->nsigned = 0;
	s->date = 0;
	s->msg = NULL;

	/* §3.1: no header, V1 (not supported) or another scheme */
	auth = snws2_header(s->envp, "authorization");
	if (auth == NULL || strncmp(auth, SCHEME_V1, strlen(SCHEME_V1)) == 0 ||
	    strncmp(auth, SCHEME, strlen(SCHEME)) != 0) {
		s->msg = MSG_ANON;
		return SNWS2_ANON;
	}

	/* §4: the date is read first, as AuthenticationData does */
	if ((rc = parse_date(a, s)) != SNWS2_OK)
		return rc;

	/* §3.2: the scheme, exactly one space (the reference skips any one
	 * character), then the components */
	auth += strlen(SCHEME);
	if (*auth != '\0' && *auth != ' ')
		bad = MSG_MALFORMED;
	if (*auth != '\0')
		auth++;
	if ((rc = split_auth(a, auth, val, &bad)) != SNWS2_OK)
		return rc;

	/* §3.4-§3.6, then this server's grammar */
	if (val[PART_CRED] == NULL || *val[PART_CRED] == '\0')
		return fail(s, MSG_CRED);
	if (val[PART_SIG] == NULL || strlen(val[PART_SIG]) != SIG_HEX)
		return fail(s, MSG_SIG);
	if ((rc = parse_signed(a, s, val[PART_HDRS])) != SNWS2_OK)
		return rc;
	if (bad != NULL)
		return fail(s, bad);
	s->token_id = val[PART_CRED];
	s->signature = val[PART_SIG];

	/* §5.4, §5.7 */
	if ((rc = check_signed(a, s)) != SNWS2_OK)
		return rc;
	return check_digest(a, s);
}

enum snws2_rc
snws2_verify(struct arena *a, struct snws2 *s, const char *secret,
    size_t secretlen, time_t now, int skew)
{
	unsigned char	 key[32];
	char		*cr, *sts, sig[65];
	bool		 ok = false;
	int		 i;
	time_t		 d;

	if (s->signature == NULL || strlen(s->signature) != SIG_HEX)
		return fail(s, MSG_BADCRED);
	if (secret == NULL) {
		secret = "";
		secretlen = 0;
	}
	if ((cr = snws2_canonical_request(a, s)) == NULL ||
	    (sts = snws2_string_to_sign(a, s->date, cr)) == NULL)
		return SNWS2_NOMEM;
	/* A key that cannot be derived fails the request (never a zero key). */
	for (i = 0; i < KEY_DAYS && !ok; i++) {
		if (snws2_signing_key(secret, secretlen,
		    s->date - (time_t)i * DAY_SECS, key) != 0)
			break;
		snws2_signature(key, sts, sig);
		ok = CRYPTO_memcmp(sig, s->signature, SIG_HEX) == 0;
	}
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(sig, sizeof(sig));
	if (!ok)
		return fail(s, MSG_BADCRED);
	d = now > s->date ? now - s->date : s->date - now;
	if (d >= (time_t)skew)
		return fail(s, MSG_SKEW);
	return SNWS2_OK;
}

/* The next non-empty '/'-separated segment at *s; advances *s past it. */
static bool
next_seg(const char **s, const char **seg, size_t *len)
{
	while (**s == '/')
		(*s)++;
	if (**s == '\0')
		return false;
	*seg = *s;
	while (**s != '\0' && **s != '/')
		(*s)++;
	*len = (size_t)(*s - *seg);
	return true;
}

/* '?' is one character, '*' any run of characters, within one segment. */
static bool
glob_seg(const char *p, size_t pn, const char *s, size_t sn)
{
	size_t	 pi = 0, si = 0, star = SIZE_MAX, mark = 0;

	while (si < sn) {
		if (pi < pn && (p[pi] == '?' || p[pi] == s[si])) {
			pi++;
			si++;
		} else if (pi < pn && p[pi] == '*') {
			star = pi++;
			mark = si;
		} else if (star != SIZE_MAX) {
			pi = star + 1;
			si = ++mark;
		} else
			return false;
	}
	while (pi < pn && p[pi] == '*')
		pi++;
	return pi == pn;
}

/*
 * Pattern segments against path segments, "**" standing for any number
 * of whole segments.  Iterative, backtracking only to the latest "**"
 * (as a '*' in glob_seg): O(pattern x path) segment compares.  The
 * recursive form took exponential time on patterns with many "**"
 * against long paths (found by fuzz/fuzz_api_paths), pinning a worker.
 */
static bool
match_segs(const char *pat, const char *path)
{
	const char	*p = pat, *s = path, *pn, *sn;
	const char	*star_p = NULL, *star_s = NULL;
	const char	*ps = NULL, *ss = NULL;
	size_t		 pl = 0, sl = 0;
	bool		 have_p, have_s;

	for (;;) {
		pn = p;
		have_p = next_seg(&pn, &ps, &pl);
		if (have_p && pl == 2 && ps[0] == '*' && ps[1] == '*') {
			/* try zero segments first; remember where to resume */
			p = star_p = pn;
			star_s = s;
			continue;
		}
		sn = s;
		have_s = next_seg(&sn, &ss, &sl);
		if (!have_s)
			return !have_p;	/* a "**" left would have been skipped */
		if (have_p && glob_seg(ps, pl, ss, sl)) {
			p = pn;
			s = sn;
			continue;
		}
		if (star_p == NULL)
			return false;
		/* the latest "**" takes one more path segment */
		(void)next_seg(&star_s, &ss, &sl);
		p = star_p;
		s = star_s;
	}
}

/*
 * Ant-style match as Spring's AntPathMatcher does it for plain patterns:
 * both or neither start with '/', segments compare one by one ('?', '*'
 * inside a segment, "**" for zero or more whole segments), empty
 * segments are ignored, and a trailing '/' must agree unless the pattern
 * ends in "**".  A leading '!' is not special here; see
 * snws2_api_paths_allow().
 */
bool
snws2_path_match(const char *pattern, const char *path)
{
	size_t	 pl = strlen(pattern), sl = strlen(path);
	bool	 pstar;

	if ((pattern[0] == '/') != (path[0] == '/'))
		return false;
	if (!match_segs(pattern, path))
		return false;
	pstar = pl >= 2 && pattern[pl - 1] == '*' && pattern[pl - 2] == '*' &&
	    (pl == 2 || pattern[pl - 3] == '/');
	if (pstar)
		return true;
	return (pl > 0 && pattern[pl - 1] == '/') ==
	    (sl > 0 && path[sl - 1] == '/');
}

/*
 * Token policy apiPaths (reference §11): an empty list allows every
 * path; otherwise the path is allowed when a plain pattern matches it or
 * a '!' pattern does not.
 */
bool
snws2_api_paths_allow(const char *const *pats, size_t n, const char *path)
{
	size_t	 i;

	if (n == 0)
		return true;
	for (i = 0; i < n; i++) {
		if (pats[i][0] == '!') {
			if (!snws2_path_match(pats[i] + 1, path))
				return true;
		} else if (snws2_path_match(pats[i], path))
			return true;
	}
	return false;
}
