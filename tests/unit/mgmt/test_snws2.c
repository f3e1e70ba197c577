/*
 * test_snws2.c -- src/snws2.c against the 14 known-answer vectors in
 * tests/fixtures/snws2-vectors.json (produced by SolarNetwork's own JS
 * client): canonical request, string to sign, signing key and signature
 * for each, then the request as a FastCGI environment through
 * snws2_parse() + snws2_verify().  The same for 60 random requests the JS
 * client signed (snws2-jsclient-random.json).  The negative cases tamper
 * with those requests one thing at a time and assert SolarNetwork's exact
 * message.
 * Also: canonical query rules, header lookup, Ant-style apiPaths.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include <CUnit/CUnit.h>
#include <yajl/yajl_tree.h>

#include "fp.h"
#include "crypto.h"
#include "snws2.h"
#include "timefmt.h"
#include "unit.h"

#define SKEW		900
#define NENV		32

#define M_BAD		"Bad credentials"
#define M_SKEW		"Date skew too large"
#define M_ANON		"Full authentication is required to access this " \
			"resource"

static yajl_val	 tree;		/* the parsed fixture */
static yajl_val	 vectors;	/* its "vectors" array */
static yajl_val	 rtree;		/* snws2-jsclient-random.json */
static yajl_val	 rcases;	/* its "cases" array */

/* One request as the FastCGI layer hands it over. */
struct req {
	struct arena	*a;
	char		*env[NENV + 1];
	size_t		 n;
	const unsigned char *body;
	size_t		 body_len;
	const char	*secret;
	time_t		 date;		/* the vector's date */
};

/* Parse fixture `name` and return its array member `member`. */
static yajl_val
load(const char *name, const char *member, yajl_val *root)
{
	char		 path[1024], err[256], *buf;
	const char	*vp[] = { member, NULL };
	FILE		*f;
	long		 len;

	*root = NULL;
	snprintf(path, sizeof(path), "%s/%s", unit_fixtures, name);
	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "test_snws2: cannot open %s\n", path);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)len + 1)) ==
	    NULL) {
		fclose(f);
		return NULL;
	}
	if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		fclose(f);
		return NULL;
	}
	buf[len] = '\0';
	fclose(f);
	*root = yajl_tree_parse(buf, err, sizeof(err));
	free(buf);
	if (*root == NULL) {
		fprintf(stderr, "test_snws2: %s: %s\n", path, err);
		return NULL;
	}
	return yajl_tree_get(*root, vp, yajl_t_array);
}

/*
 * A missing fixture fails the tests that need it (CU_ASSERT_FATAL) rather
 * than the suite's initialisation, so it is counted as a failure.
 */
static int
suite_init(void)
{
	vectors = load("snws2-vectors.json", "vectors", &tree);
	rcases = load("snws2-jsclient-random.json", "cases", &rtree);
	return 0;
}

static int
suite_clean(void)
{
	yajl_tree_free(tree);
	yajl_tree_free(rtree);
	tree = rtree = NULL;
	return 0;
}

/* A string member at path "a/b" below v; NULL for null or missing. */
static const char *
jstr(yajl_val v, const char *p1, const char *p2)
{
	const char	*path[3] = { p1, p2, NULL };

	return YAJL_GET_STRING(yajl_tree_get(v, path, yajl_t_string));
}

static yajl_val
vector(const char *name)
{
	size_t	 i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(vectors);
	for (i = 0; i < vectors->u.array.len; i++)
		if (strcmp(jstr(vectors->u.array.values[i], "name", NULL),
		    name) == 0)
			return vectors->u.array.values[i];
	CU_FAIL_FATAL("no such vector");
	return NULL;
}

static time_t
rfc3339(const char *s)
{
	int64_t	 us;

	CU_ASSERT_FATAL(time_parse_rfc3339(s, strlen(s), &us) == 0);
	return (time_t)(us / 1000000);
}

/* "Content-Type" -> CONTENT_TYPE, "X-SN-Date" -> HTTP_X_SN_DATE */
static char *
env_name(struct arena *a, const char *hdr)
{
	char	*k;
	size_t	 i;

	if (strcasecmp(hdr, "Content-Type") == 0)
		return arena_strdup(a, "CONTENT_TYPE");
	k = arena_printf(a, "HTTP_%s", hdr);
	for (i = 5; k[i] != '\0'; i++)
		k[i] = k[i] == '-' ? '_' : (char)toupper((unsigned char)k[i]);
	return k;
}

static void
env_set(struct req *r, const char *key, const char *val)
{
	size_t	 i, kl = strlen(key);

	for (i = 0; i < r->n; i++)
		if (strncmp(r->env[i], key, kl) == 0 && r->env[i][kl] == '=') {
			if (val == NULL) {
				memmove(&r->env[i], &r->env[i + 1],
				    (r->n - i) * sizeof(r->env[0]));
				r->n--;
			} else
				r->env[i] = arena_printf(r->a, "%s=%s", key,
				    val);
			return;
		}
	if (val == NULL)
		return;
	CU_ASSERT_FATAL(r->n < NENV);
	r->env[r->n++] = arena_printf(r->a, "%s=%s", key, val);
	r->env[r->n] = NULL;
}

static const char *
env_value(struct req *r, const char *key)
{
	size_t	 i, kl = strlen(key);

	for (i = 0; i < r->n; i++)
		if (strncmp(r->env[i], key, kl) == 0 && r->env[i][kl] == '=')
			return r->env[i] + kl + 1;
	return NULL;
}

/* The FastCGI request a vector describes, as received. */
static void
req_from_vector(struct req *r, struct arena *a, yajl_val v)
{
	const char	*hp[] = { "expected", "headers", NULL };
	yajl_val	 h;
	const char	*body;
	size_t		 i;

	memset(r, 0, sizeof(*r));
	r->a = a;
	h = yajl_tree_get(v, hp, yajl_t_object);
	CU_ASSERT_FATAL(h != NULL);
	for (i = 0; i < h->u.object.len; i++)
		env_set(r, env_name(a, h->u.object.keys[i]),
		    YAJL_GET_STRING(h->u.object.values[i]));
	env_set(r, "REQUEST_METHOD", jstr(v, "input", "method"));
	env_set(r, "REQUEST_URI", jstr(v, "input", "request_target"));
	env_set(r, "SCRIPT_NAME", "/solaruser");	/* noise */
	env_set(r, "CONTENT_LENGTH", "");		/* as nginx sends it */
	if ((body = jstr(v, "input", "body")) != NULL) {
		r->body = (const unsigned char *)body;
		r->body_len = strlen(body);
		env_set(r, "CONTENT_LENGTH", arena_printf(a, "%zu",
		    r->body_len));
	}
	r->secret = jstr(v, "input", "token_secret");
	r->date = rfc3339(jstr(v, "input", "date"));
}

static void
snws2_init(struct snws2 *s, struct req *r)
{
	memset(s, 0, sizeof(*s));
	s->envp = r->env;
	s->body = r->body;
	s->body_len = r->body_len;
}

/* parse + verify with the given secret and clock; msg gets s.msg */
static enum snws2_rc
run(struct req *r, const char *secret, time_t now, const char **msg)
{
	struct snws2	 s;
	enum snws2_rc	 rc;

	snws2_init(&s, r);
	*msg = NULL;
	if ((rc = snws2_parse(r->a, &s)) == SNWS2_OK)
		rc = snws2_verify(r->a, &s, secret, strlen(secret), now, SKEW);
	*msg = s.msg;
	return rc;
}

/* Assert that the request fails with exactly this message. */
#define FAILS(r, secret, now, text) do {				\
	const char	*m_;						\
	CU_ASSERT_EQUAL(run((r), (secret), (now), &m_), SNWS2_FAIL);	\
	CU_ASSERT_PTR_NOT_NULL(m_);					\
	if (m_ != NULL)							\
		CU_ASSERT_STRING_EQUAL(m_, (text));			\
} while (0)

#define PASSES(r, secret, now) do {					\
	const char	*m_;						\
	CU_ASSERT_EQUAL(run((r), (secret), (now), &m_), SNWS2_OK);	\
} while (0)

/*
 * Sign the request ourselves with this key (signed header names as given)
 * and set Authorization.  Only used for cases the vectors do not cover;
 * the vectors pin the algorithm.
 */
static void
sign_key(struct req *r, const char *token, const char *hdrs,
    const unsigned char key[32])
{
	struct snws2	 s;
	char		*names[16], *p, *cr, *sts, sig[65];
	size_t		 n = 0;

	snws2_init(&s, r);
	p = arena_strdup(r->a, hdrs);
	for (names[n] = strtok(p, ";"); names[n] != NULL;
	    names[++n] = strtok(NULL, ";"))
		;
	s.signed_hdrs = names;
	s.nsigned = n;
	s.date = r->date;
	CU_ASSERT_FATAL((cr = snws2_canonical_request(r->a, &s)) != NULL);
	CU_ASSERT_FATAL((sts = snws2_string_to_sign(r->a, r->date, cr)) !=
	    NULL);
	snws2_signature(key, sts, sig);
	env_set(r, "HTTP_AUTHORIZATION", arena_printf(r->a,
	    "SNWS2 Credential=%s,SignedHeaders=%s,Signature=%s", token, hdrs,
	    sig));
}

/* The same with the key for the day `keyday` days before the date. */
static void
sign(struct req *r, const char *token, const char *hdrs, int keyday)
{
	unsigned char	 key[32];

	CU_ASSERT_EQUAL(snws2_signing_key(r->secret, strlen(r->secret),
	    r->date - (time_t)keyday * 86400, key), 0);
	sign_key(r, token, hdrs, key);
}

/* Every vector: each intermediate value, then the server accepts it. */
static void
test_vectors(void)
{
	struct arena	*a;
	struct req	 r;
	struct snws2	 s;
	unsigned char	 key[32];
	char		 keyhex[65], sig[65], *cr, *sts;
	const char	*auth, *want_sig, *kd;
	size_t		 i, nv;
	yajl_val	 v;
	time_t		 keyday;

	CU_ASSERT_PTR_NOT_NULL_FATAL(vectors);
	nv = vectors->u.array.len;
	CU_ASSERT_EQUAL_FATAL(nv, 14);
	for (i = 0; i < nv; i++) {
		v = vectors->u.array.values[i];
		CU_ASSERT_FATAL((a = arena_new(FP_ARENA_CAP)) != NULL);
		req_from_vector(&r, a, v);

		/* the Authorization header sent is the expected one */
		auth = jstr(v, "expected", "authorization");
		CU_ASSERT_STRING_EQUAL(env_value(&r, "HTTP_AUTHORIZATION"),
		    auth);
		want_sig = strstr(auth, "Signature=");
		CU_ASSERT_FATAL(want_sig != NULL);
		want_sig += 10;

		/* parse: token, signature, names */
		snws2_init(&s, &r);
		CU_ASSERT_EQUAL_FATAL(snws2_parse(a, &s), SNWS2_OK);
		CU_ASSERT_STRING_EQUAL(s.token_id, jstr(v, "input",
		    "token_id"));
		CU_ASSERT_STRING_EQUAL(s.signature, want_sig);
		CU_ASSERT_EQUAL(s.date, r.date);

		/* canonical request and string to sign */
		cr = snws2_canonical_request(a, &s);
		CU_ASSERT_PTR_NOT_NULL_FATAL(cr);
		CU_ASSERT_STRING_EQUAL(cr, jstr(v, "expected",
		    "canonical_request"));
		sts = snws2_string_to_sign(a, s.date, cr);
		CU_ASSERT_PTR_NOT_NULL_FATAL(sts);
		CU_ASSERT_STRING_EQUAL(sts, jstr(v, "expected",
		    "string_to_sign"));

		/* signing key (for the client's key day) and signature */
		kd = jstr(v, "input", "signing_key_date");
		keyday = kd != NULL ? rfc3339(kd) : r.date;
		CU_ASSERT_EQUAL(snws2_signing_key(r.secret, strlen(r.secret),
		    keyday, key), 0);
		hex_encode(key, 32, keyhex);
		CU_ASSERT_STRING_EQUAL(keyhex, jstr(v, "expected",
		    "signing_key_hex"));
		snws2_signature(key, sts, sig);
		CU_ASSERT_STRING_EQUAL(sig, want_sig);

		/* the server accepts the request at its date */
		CU_ASSERT_EQUAL(snws2_verify(a, &s, r.secret, strlen(r.secret),
		    r.date, SKEW), SNWS2_OK);
		CU_ASSERT_PTR_NULL(s.msg);
		/* and through the one-call path, also 14 min either side */
		PASSES(&r, r.secret, r.date);
		PASSES(&r, r.secret, r.date + 14 * 60);
		PASSES(&r, r.secret, r.date - 14 * 60);
		/* method and target given directly instead of from envp */
		snws2_init(&s, &r);
		s.method = jstr(v, "input", "method");
		s.target = jstr(v, "input", "request_target");
		env_set(&r, "REQUEST_METHOD", "BOGUS");
		env_set(&r, "REQUEST_URI", "/bogus");
		CU_ASSERT_EQUAL(snws2_parse(a, &s), SNWS2_OK);
		CU_ASSERT_EQUAL(snws2_verify(a, &s, r.secret, strlen(r.secret),
		    r.date, SKEW), SNWS2_OK);
		/* ... and the bogus env values really are wrong */
		FAILS(&r, r.secret, r.date, M_BAD);
		arena_free(a);
	}
}

/*
 * Random requests signed by the JS client (fixture
 * snws2-jsclient-random.json): the canonical request matches the
 * client's and the server accepts each; a wrong secret does not.
 */
static void
test_jsclient_random(void)
{
	struct arena	*a;
	struct req	 r;
	struct snws2	 s;
	const char	*hp[] = { "headers", NULL }, *dp[] = { "date", NULL };
	const char	*body, *m;
	char		*cr;
	yajl_val	 c, h;
	size_t		 i, j;

	CU_ASSERT_PTR_NOT_NULL_FATAL(rcases);
	CU_ASSERT_FATAL(rcases->u.array.len >= 50);
	for (i = 0; i < rcases->u.array.len; i++) {
		c = rcases->u.array.values[i];
		CU_ASSERT_FATAL((a = arena_new(FP_ARENA_CAP)) != NULL);
		memset(&r, 0, sizeof(r));
		r.a = a;
		h = yajl_tree_get(c, hp, yajl_t_object);
		CU_ASSERT_FATAL(h != NULL);
		for (j = 0; j < h->u.object.len; j++)
			env_set(&r, env_name(a, h->u.object.keys[j]),
			    YAJL_GET_STRING(h->u.object.values[j]));
		env_set(&r, "REQUEST_METHOD", jstr(c, "method", NULL));
		env_set(&r, "REQUEST_URI", jstr(c, "target", NULL));
		if ((body = jstr(c, "body", NULL)) != NULL) {
			r.body = (const unsigned char *)body;
			r.body_len = strlen(body);
		}
		r.secret = jstr(c, "secret", NULL);
		r.date = (time_t)YAJL_GET_INTEGER(yajl_tree_get(c, dp,
		    yajl_t_number));

		snws2_init(&s, &r);
		CU_ASSERT_EQUAL(snws2_parse(a, &s), SNWS2_OK);
		cr = snws2_canonical_request(a, &s);
		CU_ASSERT_PTR_NOT_NULL_FATAL(cr);
		CU_ASSERT_STRING_EQUAL(cr, jstr(c, "cr", NULL));
		CU_ASSERT_EQUAL(snws2_verify(a, &s, r.secret, strlen(r.secret),
		    r.date + 60, SKEW), SNWS2_OK);
		CU_ASSERT_EQUAL(run(&r, "not the secret", r.date, &m),
		    SNWS2_FAIL);
		arena_free(a);
	}
}

static void
test_tamper(void)
{
	struct arena	*a = arena_new(FP_ARENA_CAP);
	struct req	 r;
	yajl_val	 v;

	/* method */
	v = vector("get-no-query");
	req_from_vector(&r, a, v);
	env_set(&r, "REQUEST_METHOD", "DELETE");
	FAILS(&r, r.secret, r.date, M_BAD);

	/* path: changed, case changed, encoded differently, query added */
	req_from_vector(&r, a, v);
	env_set(&r, "REQUEST_URI",
	    "/solaruser/api/v1/sec/user/oscp/capacity-optimizers");
	FAILS(&r, r.secret, r.date, M_BAD);
	env_set(&r, "REQUEST_URI",
	    "/solaruser/api/v1/sec/user/oscp/Capacity-providers");
	FAILS(&r, r.secret, r.date, M_BAD);
	env_set(&r, "REQUEST_URI",
	    "/solaruser/api/v1/sec/user/oscp/capacity%2Dproviders");
	FAILS(&r, r.secret, r.date, M_BAD);
	env_set(&r, "REQUEST_URI",
	    "/solaruser/api/v1/sec/user/oscp/capacity-providers?x=1");
	FAILS(&r, r.secret, r.date, M_BAD);
	/* an empty query string signs like no query */
	env_set(&r, "REQUEST_URI",
	    "/solaruser/api/v1/sec/user/oscp/capacity-providers?");
	PASSES(&r, r.secret, r.date);

	/* host */
	req_from_vector(&r, a, v);
	env_set(&r, "HTTP_HOST", "data.solarnetwork.net:443");
	FAILS(&r, r.secret, r.date, M_BAD);
	env_set(&r, "HTTP_HOST", NULL);
	FAILS(&r, r.secret, r.date, M_BAD);

	/* wrong secret, secret with a trailing byte */
	req_from_vector(&r, a, v);
	FAILS(&r, "Sx9fG2hJ7kL0pQ4wE8rT1yU5iO3aD6sG", r.date, M_BAD);
	FAILS(&r, "Sx9fG2hJ7kL0pQ4wE8rT1yU5iO3aD6sF ", r.date, M_BAD);
	FAILS(&r, "", r.date, M_BAD);

	/* query: changed value, dropped parameter; reordering is fine */
	v = vector("get-query-encoding-sorting");
	req_from_vector(&r, a, v);
	env_set(&r, "REQUEST_URI", "/solaruser/api/v1/sec/user/oscp/"
	    "capacity-optimizers?sort=name&max=11&filter=a%20b%2Cc%26d&ids=30"
	    "&ids=4&tag=x*y(1)!~.-_&%C3%A9t%C3%A9=%E2%82%AC5&empty=&offset=0");
	FAILS(&r, r.secret, r.date, M_BAD);
	env_set(&r, "REQUEST_URI", "/solaruser/api/v1/sec/user/oscp/"
	    "capacity-optimizers?sort=name&max=10&filter=a%20b%2Cc%26d&ids=30"
	    "&ids=4&tag=x*y(1)!~.-_&%C3%A9t%C3%A9=%E2%82%AC5&offset=0");
	FAILS(&r, r.secret, r.date, M_BAD);
	/* repeated values swapped: their order is signed */
	env_set(&r, "REQUEST_URI", "/solaruser/api/v1/sec/user/oscp/"
	    "capacity-optimizers?sort=name&max=10&filter=a%20b%2Cc%26d&ids=4"
	    "&ids=30&tag=x*y(1)!~.-_&%C3%A9t%C3%A9=%E2%82%AC5&empty=&offset=0");
	FAILS(&r, r.secret, r.date, M_BAD);
	env_set(&r, "REQUEST_URI", "/solaruser/api/v1/sec/user/oscp/"
	    "capacity-optimizers?offset=0&empty&%C3%A9t%C3%A9=%E2%82%AC5"
	    "&ids=30&tag=x%2Ay%281%29%21~.-_&filter=a+b%2cc%26d&ids=4"
	    "&max=10&sort=name");
	PASSES(&r, r.secret, r.date);

	/* body without Digest: the body hash is signed */
	v = vector("put-json-no-digest-date-header");
	req_from_vector(&r, a, v);
	r.body = (const unsigned char *)"{\"name\":\"CP 2\",\"enabled\":false}";
	FAILS(&r, r.secret, r.date, M_BAD);
	r.body_len = 0;
	FAILS(&r, r.secret, r.date, M_BAD);

	/* body with Digest: the Digest check reports it first */
	v = vector("post-json-with-digest");
	req_from_vector(&r, a, v);
	r.body_len--;
	FAILS(&r, r.secret, r.date, "Content SHA-256 digest value mismatch");

	/* form post: the body parameters are signed in the query */
	v = vector("form-urlencoded-post");
	req_from_vector(&r, a, v);
	r.body = (const unsigned char *)"b=2&a=x%20z";
	r.body_len = strlen((const char *)r.body);
	FAILS(&r, r.secret, r.date, M_BAD);
	r.body = (const unsigned char *)"a=x+y&b=2";	/* same parameters */
	r.body_len = strlen((const char *)r.body);
	PASSES(&r, r.secret, r.date);

	arena_free(a);
}

static void
test_required_headers(void)
{
	struct arena	*a = arena_new(FP_ARENA_CAP);
	struct req	 r;
	yajl_val	 v = vector("get-no-query");
	const char	*tok = "Zp8Tq3LmX2vN7wKc4RbY";

	/* an unsigned X-SN-* header, content-type, digest, content-md5 */
	req_from_vector(&r, a, v);
	env_set(&r, "HTTP_X_SN_FOO", "1");
	FAILS(&r, r.secret, r.date,
	    "The 'x-sn-foo' HTTP header must be included in SignedHeaders");
	req_from_vector(&r, a, v);
	env_set(&r, "CONTENT_TYPE", "application/json");
	FAILS(&r, r.secret, r.date,
	    "The 'content-type' HTTP header must be included in SignedHeaders");
	req_from_vector(&r, a, v);
	env_set(&r, "CONTENT_TYPE", "");	/* nginx: no Content-Type */
	PASSES(&r, r.secret, r.date);
	req_from_vector(&r, a, v);
	env_set(&r, "HTTP_DIGEST", "sha-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMp"
	    "JWZG3hSuFU=");
	FAILS(&r, r.secret, r.date,
	    "The 'digest' HTTP header must be included in SignedHeaders");
	req_from_vector(&r, a, v);
	env_set(&r, "HTTP_CONTENT_MD5", "1B2M2Y8AsgTpgAmY7PhCfg==");
	FAILS(&r, r.secret, r.date,
	    "The 'content-md5' HTTP header must be included in SignedHeaders");
	/* other unsigned headers are fine */
	req_from_vector(&r, a, v);
	env_set(&r, "HTTP_ACCEPT", "application/json");
	env_set(&r, "HTTP_X_FORWARDED_FOR", "10.0.0.1");
	env_set(&r, "HTTP_DATE", "Fri, 07 Mar 2025 09:05:03 GMT");
	PASSES(&r, r.secret, r.date);

	/* signed, with the extra header's value collapsed and trimmed */
	req_from_vector(&r, a, v);
	env_set(&r, "HTTP_X_SN_FOO", "  a   b  c ");
	sign(&r, tok, "host;x-sn-date;x-sn-foo", 0);
	PASSES(&r, r.secret, r.date);
	env_set(&r, "HTTP_X_SN_FOO", "a b c");		/* same canonical */
	PASSES(&r, r.secret, r.date);
	env_set(&r, "HTTP_X_SN_FOO", "a bc");
	FAILS(&r, r.secret, r.date, M_BAD);

	/* host not signed */
	req_from_vector(&r, a, v);
	env_set(&r, "HTTP_ACCEPT", "*/*");
	sign(&r, tok, "accept;x-sn-date", 0);
	FAILS(&r, r.secret, r.date,
	    "The 'Host' HTTP header must be included in SignedHeaders");

	/* no date header signed */
	req_from_vector(&r, a, v);
	env_set(&r, "HTTP_ACCEPT", "*/*");
	sign(&r, tok, "accept;host", 0);
	FAILS(&r, r.secret, r.date, "One of the 'Date' or 'X-SN-Date' HTTP "
	    "headers must be included in SignedHeaders");

	/* no date header at all; unparseable X-SN-Date and Date */
	req_from_vector(&r, a, v);
	env_set(&r, "HTTP_X_SN_DATE", NULL);
	FAILS(&r, r.secret, r.date,
	    "Missing or invalid HTTP Date header value");
	req_from_vector(&r, a, v);
	env_set(&r, "HTTP_X_SN_DATE", "2025-03-07T09:05:03Z");
	FAILS(&r, r.secret, r.date, "Invalid HTTP X-SN-Date header value");
	req_from_vector(&r, a, v);
	env_set(&r, "HTTP_X_SN_DATE", "");
	FAILS(&r, r.secret, r.date, "Invalid HTTP X-SN-Date header value");
	req_from_vector(&r, a, vector("upstream-java-simpleGet"));
	env_set(&r, "HTTP_DATE", "Tue, 25 Apr 2017 14:30:00");
	FAILS(&r, r.secret, r.date, "Invalid HTTP Date header value");
	/* X-SN-Date wins over Date even when Date is fine */
	req_from_vector(&r, a, vector("upstream-java-simpleGet"));
	env_set(&r, "HTTP_X_SN_DATE", "yesterday");
	FAILS(&r, r.secret, r.date, "Invalid HTTP X-SN-Date header value");

	/* both date and x-sn-date signed: date is left out of the CR */
	req_from_vector(&r, a, v);
	env_set(&r, "HTTP_DATE", "Fri, 07 Mar 2025 09:05:04 GMT");
	sign(&r, tok, "date;host;x-sn-date", 0);
	PASSES(&r, r.secret, r.date);
	env_set(&r, "HTTP_DATE", "Sat, 08 Mar 2025 09:05:04 GMT");
	PASSES(&r, r.secret, r.date);	/* date is not part of the CR */
	{
		struct snws2	 s;
		char		*cr;

		snws2_init(&s, &r);
		CU_ASSERT_EQUAL(snws2_parse(a, &s), SNWS2_OK);
		CU_ASSERT_EQUAL(s.nsigned, 3);
		cr = snws2_canonical_request(a, &s);
		CU_ASSERT_PTR_NOT_NULL_FATAL(cr);
		CU_ASSERT(strstr(cr, "\ndate:") == NULL);
		CU_ASSERT(strstr(cr, "\nhost;x-sn-date\n") != NULL);
	}

	arena_free(a);
}

static void
test_skew_and_key_age(void)
{
	struct arena	*a = arena_new(FP_ARENA_CAP);
	struct req	 r;
	yajl_val	 v = vector("get-no-query");
	const char	*tok = "Zp8Tq3LmX2vN7wKc4RbY";
	int		 d;

	/* skew: strictly less than 15 minutes either way */
	req_from_vector(&r, a, v);
	FAILS(&r, r.secret, r.date + 16 * 60, M_SKEW);
	FAILS(&r, r.secret, r.date - 16 * 60, M_SKEW);
	FAILS(&r, r.secret, r.date + 15 * 60, M_SKEW);
	FAILS(&r, r.secret, r.date - 15 * 60, M_SKEW);
	PASSES(&r, r.secret, r.date + 15 * 60 - 1);
	PASSES(&r, r.secret, r.date - 15 * 60 + 1);
	/* the signature is checked before the skew */
	FAILS(&r, "wrong", r.date + 3600, M_BAD);

	/* the vector whose key is from 3 days before */
	req_from_vector(&r, a, vector("signing-key-from-3-days-earlier"));
	PASSES(&r, r.secret, r.date);
	FAILS(&r, r.secret, r.date + 16 * 60, M_SKEW);

	/* keys 0-6 days old are accepted, 7 and 8 are not */
	for (d = 0; d <= 8; d++) {
		req_from_vector(&r, a, v);
		sign(&r, tok, "host;x-sn-date", d);
		if (d <= 6)
			PASSES(&r, r.secret, r.date);
		else
			FAILS(&r, r.secret, r.date, M_BAD);
	}
	/* around midnight: the leap-day vector at 23:59:59 */
	req_from_vector(&r, a, vector("leap-day-last-second"));
	sign(&r, tok, "host;x-sn-date", 6);
	PASSES(&r, r.secret, r.date);
	sign(&r, tok, "host;x-sn-date", 7);
	FAILS(&r, r.secret, r.date, M_BAD);
	/* a key for a day after the request is never tried */
	sign(&r, tok, "host;x-sn-date", -1);
	FAILS(&r, r.secret, r.date, M_BAD);

	arena_free(a);
}

static void
test_authorization_header(void)
{
	struct arena	*a = arena_new(FP_ARENA_CAP);
	struct req	 r;
	yajl_val	 v = vector("get-no-query");
	const char	*sig = "1f4edcf3b581364fb5789e9dbc31b4ffd8bcdd0e8f8dfb52"
	    "66707a9e2399ced9", *m;
	char		*up, *auth;
	size_t		 i;

	/* the signature compares exactly: upper-case hex is refused */
	req_from_vector(&r, a, v);
	up = arena_strdup(a, env_value(&r, "HTTP_AUTHORIZATION"));
	for (i = strlen(up) - 64; up[i] != '\0'; i++)
		up[i] = (char)toupper((unsigned char)up[i]);
	env_set(&r, "HTTP_AUTHORIZATION", up);
	FAILS(&r, r.secret, r.date, M_BAD);

	/* components in another order are fine */
	auth = arena_printf(a, "SNWS2 Signature=%s,SignedHeaders=host;"
	    "x-sn-date,Credential=Zp8Tq3LmX2vN7wKc4RbY", sig);
	env_set(&r, "HTTP_AUTHORIZATION", auth);
	PASSES(&r, r.secret, r.date);
	/* SignedHeaders with blanks and upper case, order, duplicates */
	auth = arena_printf(a, "SNWS2 Credential=Zp8Tq3LmX2vN7wKc4RbY,"
	    "SignedHeaders= X-SN-Date ; Host;host ,Signature=%s", sig);
	env_set(&r, "HTTP_AUTHORIZATION", auth);
	PASSES(&r, r.secret, r.date);

	/* Credential missing */
	auth = arena_printf(a, "SNWS2 SignedHeaders=host;x-sn-date,"
	    "Signature=%s", sig);
	env_set(&r, "HTTP_AUTHORIZATION", auth);
	FAILS(&r, r.secret, r.date, "Invalid Credential value");
	auth = arena_printf(a, "SNWS2 credential=Zp8Tq3LmX2vN7wKc4RbY,"
	    "SignedHeaders=host;x-sn-date,Signature=%s", sig);
	env_set(&r, "HTTP_AUTHORIZATION", auth);
	FAILS(&r, r.secret, r.date, "Invalid Credential value");
	env_set(&r, "HTTP_AUTHORIZATION", "SNWS2");
	FAILS(&r, r.secret, r.date, "Invalid Credential value");

	/* Signature missing or not 64 characters */
	env_set(&r, "HTTP_AUTHORIZATION", "SNWS2 Credential=Zp8Tq3LmX2vN7wKc4"
	    "RbY,SignedHeaders=host;x-sn-date");
	FAILS(&r, r.secret, r.date, "Invalid Signature value");
	auth = arena_printf(a, "SNWS2 Credential=Zp8Tq3LmX2vN7wKc4RbY,"
	    "SignedHeaders=host;x-sn-date,Signature=%.63s", sig);
	env_set(&r, "HTTP_AUTHORIZATION", auth);
	FAILS(&r, r.secret, r.date, "Invalid Signature value");
	auth = arena_printf(a, "SNWS2 Credential=Zp8Tq3LmX2vN7wKc4RbY,"
	    "SignedHeaders=host;x-sn-date,Signature=%s0", sig);
	env_set(&r, "HTTP_AUTHORIZATION", auth);
	FAILS(&r, r.secret, r.date, "Invalid Signature value");

	/* SignedHeaders with one name, missing, empty, empty name */
	auth = arena_printf(a, "SNWS2 Credential=Zp8Tq3LmX2vN7wKc4RbY,"
	    "SignedHeaders=host,Signature=%s", sig);
	env_set(&r, "HTTP_AUTHORIZATION", auth);
	FAILS(&r, r.secret, r.date, "Invalid SignedHeaders value");
	auth = arena_printf(a, "SNWS2 Credential=Zp8Tq3LmX2vN7wKc4RbY,"
	    "SignedHeaders=host;HOST,Signature=%s", sig);
	env_set(&r, "HTTP_AUTHORIZATION", auth);
	FAILS(&r, r.secret, r.date, "Invalid SignedHeaders value");
	auth = arena_printf(a, "SNWS2 Credential=Zp8Tq3LmX2vN7wKc4RbY,"
	    "Signature=%s", sig);
	env_set(&r, "HTTP_AUTHORIZATION", auth);
	FAILS(&r, r.secret, r.date, "Invalid SignedHeaders value");
	auth = arena_printf(a, "SNWS2 Credential=Zp8Tq3LmX2vN7wKc4RbY,"
	    "SignedHeaders=,Signature=%s", sig);
	env_set(&r, "HTTP_AUTHORIZATION", auth);
	FAILS(&r, r.secret, r.date, "Invalid SignedHeaders value");
	auth = arena_printf(a, "SNWS2 Credential=Zp8Tq3LmX2vN7wKc4RbY,"
	    "SignedHeaders=host;;x-sn-date,Signature=%s", sig);
	env_set(&r, "HTTP_AUTHORIZATION", auth);
	FAILS(&r, r.secret, r.date, "Invalid SignedHeaders value");
	/* a space after a comma hides the key (no trimming) */
	auth = arena_printf(a, "SNWS2 Credential=Zp8Tq3LmX2vN7wKc4RbY, "
	    "SignedHeaders=host;x-sn-date,Signature=%s", sig);
	env_set(&r, "HTTP_AUTHORIZATION", auth);
	FAILS(&r, r.secret, r.date, "Invalid SignedHeaders value");

	/* the date is checked before the header components */
	env_set(&r, "HTTP_AUTHORIZATION", "SNWS2 nothing");
	env_set(&r, "HTTP_X_SN_DATE", NULL);
	FAILS(&r, r.secret, r.date,
	    "Missing or invalid HTTP Date header value");

	/* unknown token id is the caller's business: parse succeeds */
	req_from_vector(&r, a, v);
	auth = arena_printf(a, "SNWS2 Credential=a=b{^,SignedHeaders=host;"
	    "x-sn-date,Signature=%s", sig);
	env_set(&r, "HTTP_AUTHORIZATION", auth);
	{
		struct snws2	 s;

		snws2_init(&s, &r);
		CU_ASSERT_EQUAL(snws2_parse(a, &s), SNWS2_OK);
		CU_ASSERT_STRING_EQUAL(s.token_id, "a=b{^");
		CU_ASSERT_EQUAL(s.nsigned, 2);
		CU_ASSERT_STRING_EQUAL(s.signed_hdrs[0], "host");
		CU_ASSERT_STRING_EQUAL(s.signed_hdrs[1], "x-sn-date");
	}

	/* anonymous: no header, other schemes, the legacy V1 scheme */
	env_set(&r, "HTTP_AUTHORIZATION", NULL);
	CU_ASSERT_EQUAL(run(&r, r.secret, r.date, &m), SNWS2_ANON);
	CU_ASSERT_STRING_EQUAL(m, M_ANON);
	env_set(&r, "HTTP_AUTHORIZATION", "Bearer abc");
	CU_ASSERT_EQUAL(run(&r, r.secret, r.date, &m), SNWS2_ANON);
	CU_ASSERT_STRING_EQUAL(m, M_ANON);
	env_set(&r, "HTTP_AUTHORIZATION", "snws2 Credential=x");
	CU_ASSERT_EQUAL(run(&r, r.secret, r.date, &m), SNWS2_ANON);
	env_set(&r, "HTTP_AUTHORIZATION", "SolarNetworkWS abc:def");
	CU_ASSERT_EQUAL(run(&r, r.secret, r.date, &m), SNWS2_ANON);
	CU_ASSERT_STRING_EQUAL(m, M_ANON);

	arena_free(a);
}

/*
 * Beyond the reference: each component once, no other components, one
 * space after the scheme.  nginx keys its rate limits with the same
 * grammar, so a client cannot be limited under one token id and
 * authenticated under another (issue 10, defect 3).
 */
static void
test_authorization_grammar(void)
{
	struct arena	*a = arena_new(FP_ARENA_CAP);
	struct req	 r;
	const char	*sig = "1f4edcf3b581364fb5789e9dbc31b4ffd8bcdd0e8f8dfb52"
	    "66707a9e2399ced9";
	const char	*tok = "Zp8Tq3LmX2vN7wKc4RbY";
	const char	*unknown = "Unknown Authorization component (only "
	    "Credential, SignedHeaders and Signature are allowed)";
	const char	*malformed = "Malformed Authorization header (expected "
	    "'SNWS2 Credential=...,SignedHeaders=...,Signature=...')";
	const char	*hdrs = "SignedHeaders=host;x-sn-date";

	req_from_vector(&r, a, vector("get-no-query"));
	PASSES(&r, r.secret, r.date);

	/* a second Credential, before or after the real one */
	env_set(&r, "HTTP_AUTHORIZATION", arena_printf(a, "SNWS2 Credential="
	    "Fake1,Credential=%s,%s,Signature=%s", tok, hdrs, sig));
	FAILS(&r, r.secret, r.date,
	    "Duplicate Credential in the Authorization header");
	env_set(&r, "HTTP_AUTHORIZATION", arena_printf(a, "SNWS2 Credential="
	    "%s,%s,Signature=%s,Credential=Fake1", tok, hdrs, sig));
	FAILS(&r, r.secret, r.date,
	    "Duplicate Credential in the Authorization header");
	env_set(&r, "HTTP_AUTHORIZATION", arena_printf(a, "SNWS2 Credential="
	    "%s,%s,Signature=%s,Signature=%s", tok, hdrs, sig, sig));
	FAILS(&r, r.secret, r.date,
	    "Duplicate Signature in the Authorization header");
	env_set(&r, "HTTP_AUTHORIZATION", arena_printf(a, "SNWS2 Credential="
	    "%s,%s,%s,Signature=%s", tok, hdrs, hdrs, sig));
	FAILS(&r, r.secret, r.date,
	    "Duplicate SignedHeaders in the Authorization header");

	/* unknown components, empty pieces, pieces without a key */
	env_set(&r, "HTTP_AUTHORIZATION", arena_printf(a, "SNWS2 Credential="
	    "%s,%s,Signature=%s,Foo=bar", tok, hdrs, sig));
	FAILS(&r, r.secret, r.date, unknown);
	env_set(&r, "HTTP_AUTHORIZATION", arena_printf(a, "SNWS2 Algorithm="
	    "x,Credential=%s,%s,Signature=%s", tok, hdrs, sig));
	FAILS(&r, r.secret, r.date, unknown);
	env_set(&r, "HTTP_AUTHORIZATION", arena_printf(a, "SNWS2 Credential="
	    "%s,%s,Signature=%s,", tok, hdrs, sig));
	FAILS(&r, r.secret, r.date, unknown);
	env_set(&r, "HTTP_AUTHORIZATION", arena_printf(a, "SNWS2 Credential="
	    "%s,,%s,Signature=%s", tok, hdrs, sig));
	FAILS(&r, r.secret, r.date, unknown);
	env_set(&r, "HTTP_AUTHORIZATION", arena_printf(a, "SNWS2 Credential="
	    "%s,%s,junk,Signature=%s", tok, hdrs, sig));
	FAILS(&r, r.secret, r.date, unknown);
	env_set(&r, "HTTP_AUTHORIZATION", arena_printf(a, "SNWS2 Credential="
	    "%s,%s,=x,Signature=%s", tok, hdrs, sig));
	FAILS(&r, r.secret, r.date, unknown);

	/* the reference's own messages come first */
	env_set(&r, "HTTP_AUTHORIZATION", arena_printf(a, "SNWS2 Foo=bar,"
	    "%s,Signature=%s", hdrs, sig));
	FAILS(&r, r.secret, r.date, "Invalid Credential value");

	/* an empty Credential is no token id */
	env_set(&r, "HTTP_AUTHORIZATION", arena_printf(a, "SNWS2 Credential=,"
	    "%s,Signature=%s", hdrs, sig));
	FAILS(&r, r.secret, r.date, "Invalid Credential value");

	/* exactly one space after the scheme */
	env_set(&r, "HTTP_AUTHORIZATION", arena_printf(a, "SNWS2_Credential="
	    "%s,%s,Signature=%s", tok, hdrs, sig));
	FAILS(&r, r.secret, r.date, malformed);
	env_set(&r, "HTTP_AUTHORIZATION", arena_printf(a, "SNWS2,Credential="
	    "%s,%s,Signature=%s", tok, hdrs, sig));
	FAILS(&r, r.secret, r.date, malformed);

	/* any order of the three is still fine */
	env_set(&r, "HTTP_AUTHORIZATION", arena_printf(a, "SNWS2 %s,"
	    "Signature=%s,Credential=%s", hdrs, sig, tok));
	PASSES(&r, r.secret, r.date);

	arena_free(a);
}

/*
 * Dates before 1970 are refused (issue 10, defect 6): in year 0000 the
 * key of a day before 0000-01-01 could not be formatted and was all
 * zeros, so a request signed with a zero key passed the signature check.
 */
static void
test_dates_before_1970(void)
{
	struct arena	*a = arena_new(FP_ARENA_CAP);
	struct req	 r;
	struct snws2	 s;
	yajl_val	 v = vector("get-no-query");
	const char	*tok = "Zp8Tq3LmX2vN7wKc4RbY";
	unsigned char	 zero[32], key[32];
	time_t		 y0 = -62167219200;	/* 0000-01-01T00:00:00Z */
	int		 d;

	memset(zero, 0, sizeof(zero));

	/* 0000-01-03, signed with the zero key, checked at its own time */
	req_from_vector(&r, a, v);
	env_set(&r, "HTTP_X_SN_DATE", "Mon, 03 Jan 0000 00:00:00 GMT");
	CU_ASSERT_EQUAL_FATAL(time_parse_http("Mon, 03 Jan 0000 00:00:00 GMT",
	    &r.date), 0);
	CU_ASSERT_EQUAL(r.date, y0 + 2 * 86400);
	sign_key(&r, tok, "host;x-sn-date", zero);
	FAILS(&r, r.secret, r.date, "Invalid HTTP X-SN-Date header value");
	/* the same with a real key of its own day */
	sign(&r, tok, "host;x-sn-date", 0);
	FAILS(&r, r.secret, r.date, "Invalid HTTP X-SN-Date header value");

	/* the last second of 1969, from X-SN-Date or from Date */
	req_from_vector(&r, a, v);
	env_set(&r, "HTTP_X_SN_DATE", "Wed, 31 Dec 1969 23:59:59 GMT");
	r.date = -1;
	sign(&r, tok, "host;x-sn-date", 0);
	FAILS(&r, r.secret, r.date, "Invalid HTTP X-SN-Date header value");
	env_set(&r, "HTTP_X_SN_DATE", NULL);
	env_set(&r, "HTTP_DATE", "Wed, 31 Dec 1969 23:59:59 GMT");
	sign(&r, tok, "date;host", 0);
	FAILS(&r, r.secret, r.date, "Invalid HTTP Date header value");

	/* the epoch itself is fine (its older keys are 1969 days) */
	req_from_vector(&r, a, v);
	env_set(&r, "HTTP_X_SN_DATE", "Thu, 01 Jan 1970 00:00:00 GMT");
	r.date = 0;
	for (d = 0; d <= 6; d++) {
		sign(&r, tok, "host;x-sn-date", d);
		PASSES(&r, r.secret, r.date);
	}

	/* a day that cannot be formatted gives no key, never a zero key */
	memset(key, 0xaa, sizeof(key));
	CU_ASSERT_EQUAL(snws2_signing_key("secret", 6, y0 - 1, key), -1);
	CU_ASSERT(memcmp(key, zero, sizeof(key)) == 0);
	CU_ASSERT_EQUAL(snws2_signing_key("secret", 6, (time_t)253402300800,
	    key), -1);				/* 10000-01-01 */
	CU_ASSERT_EQUAL(snws2_signing_key("secret", 6, y0, key), 0);

	/* verify fails closed even when handed such a date directly */
	req_from_vector(&r, a, v);
	env_set(&r, "HTTP_X_SN_DATE", "Mon, 03 Jan 0000 00:00:00 GMT");
	r.date = y0 + 2 * 86400;
	sign_key(&r, tok, "host;x-sn-date", zero);
	snws2_init(&s, &r);
	env_set(&r, "HTTP_X_SN_DATE", "Fri, 07 Mar 2025 09:05:03 GMT");
	CU_ASSERT_EQUAL_FATAL(snws2_parse(a, &s), SNWS2_OK);
	env_set(&r, "HTTP_X_SN_DATE", "Mon, 03 Jan 0000 00:00:00 GMT");
	s.envp = r.env;
	s.date = r.date;
	CU_ASSERT_EQUAL(snws2_verify(a, &s, r.secret, strlen(r.secret), r.date,
	    SKEW), SNWS2_FAIL);
	CU_ASSERT_PTR_NOT_NULL(s.msg);
	if (s.msg != NULL)
		CU_ASSERT_STRING_EQUAL(s.msg, M_BAD);

	arena_free(a);
}

static void
test_digest(void)
{
	struct arena	*a = arena_new(FP_ARENA_CAP);
	struct req	 r;
	yajl_val	 v = vector("post-json-with-digest");
	const char	*tok = "Zp8Tq3LmX2vN7wKc4RbY";
	const char	*hdrs = "content-type;digest;host;x-sn-date";
	unsigned char	 md[32];
	char		 hex[65], *d;

	/* Digest mismatch, with the exact message */
	req_from_vector(&r, a, v);
	env_set(&r, "HTTP_DIGEST",
	    "sha-256=THrWsr/y3tV83jbIuO8VEcucTMksiQ80j1BCpV8+wCo=");
	FAILS(&r, r.secret, r.date, "Content SHA-256 digest value mismatch");
	env_set(&r, "HTTP_DIGEST", "sha-256=");
	FAILS(&r, r.secret, r.date, "Content SHA-256 digest value mismatch");
	env_set(&r, "HTTP_DIGEST", "SHA-256=!!!!");
	FAILS(&r, r.secret, r.date, "Content SHA-256 digest value mismatch");
	/* 64 characters: read as hex, so bad hex is an encoding error */
	env_set(&r, "HTTP_DIGEST", "sha-256=zz7ad6b2bff2ded57cde36c8b8ef1511"
	    "cb9c4cc92c890f348f5042a55f3ec029");
	FAILS(&r, r.secret, r.date, "Invalid Digest SHA-256 encoding");
	/* other algorithms are checked too */
	env_set(&r, "HTTP_DIGEST", "sha-512=AAAA");
	FAILS(&r, r.secret, r.date, "Content SHA-512 digest value mismatch");
	env_set(&r, "HTTP_DIGEST", "md5=AAAA");
	FAILS(&r, r.secret, r.date, "Content MD5 digest value mismatch");
	env_set(&r, "HTTP_DIGEST", "sha=AAAA");
	FAILS(&r, r.secret, r.date, "Content SHA digest value mismatch");
	/* unknown algorithms are skipped, the first known one decides */
	env_set(&r, "HTTP_DIGEST", "crc32=abc,sha-256=THrWsr/y3tV83jbIuO8VEcu"
	    "cTMksiQ80j1BCpV8+wCo=");
	FAILS(&r, r.secret, r.date, "Content SHA-256 digest value mismatch");

	/* correct digests in other forms, signed */
	sha256(r.body, r.body_len, md);
	hex_encode(md, 32, hex);
	d = arena_printf(a, "sha-256=%s", hex);
	req_from_vector(&r, a, v);
	env_set(&r, "HTTP_DIGEST", d);
	sign(&r, tok, hdrs, 0);
	PASSES(&r, r.secret, r.date);
	req_from_vector(&r, a, v);
	env_set(&r, "HTTP_DIGEST", "crc32=x,Sha-256=THrWsr/y3tV83jbIuO8VEcucT"
	    "MksiQ80j1BCpV8+wCk=,sha-512=AAAA");
	sign(&r, tok, hdrs, 0);
	PASSES(&r, r.secret, r.date);
	req_from_vector(&r, a, v);		/* unpadded base64 */
	env_set(&r, "HTTP_DIGEST", "sha-256=THrWsr/y3tV83jbIuO8VEcucTMksiQ80j"
	    "1BCpV8+wCk");
	sign(&r, tok, hdrs, 0);
	PASSES(&r, r.secret, r.date);
	req_from_vector(&r, a, v);		/* only unknown: not checked */
	env_set(&r, "HTTP_DIGEST", "crc32=whatever");
	sign(&r, tok, hdrs, 0);
	PASSES(&r, r.secret, r.date);

	/* Content-MD5 when there is no Digest (MD5 of the body) */
	req_from_vector(&r, a, v);
	env_set(&r, "HTTP_DIGEST", NULL);
	env_set(&r, "HTTP_CONTENT_MD5", "AAAAAAAAAAAAAAAAAAAAAA==");
	sign(&r, tok, "content-md5;content-type;host;x-sn-date", 0);
	FAILS(&r, r.secret, r.date, "Content MD5 digest value mismatch");
	req_from_vector(&r, a, vector("post-empty-body-with-content-type"));
	env_set(&r, "HTTP_DIGEST", NULL);
	env_set(&r, "HTTP_CONTENT_MD5", "d41d8cd98f00b204e9800998ecf8427e");
	sign(&r, tok, "content-md5;content-type;host;x-sn-date", 0);
	PASSES(&r, r.secret, r.date);
	env_set(&r, "HTTP_CONTENT_MD5", "1B2M2Y8AsgTpgAmY7PhCfg==");
	sign(&r, tok, "content-md5;content-type;host;x-sn-date", 0);
	PASSES(&r, r.secret, r.date);

	arena_free(a);
}

static void
test_canonical_query(void)
{
	static const struct {
		const char	*in, *out;
	} t[] = {
		{ "", "" },
		{ "a=1", "a=1" },
		{ "b=2&a=1", "a=1&b=2" },
		{ "aZ=1&a%5B1%5D=2&a=3", "a=3&aZ=1&a%5B1%5D=2" },
		{ "sort=name&max=10&filter=a%20b%2Cc%26d&ids=30&ids=4&"
		    "tag=x*y(1)!~.-_&%C3%A9t%C3%A9=%E2%82%AC5&empty=&offset=0",
		    "empty=&filter=a%20b%2Cc%26d&ids=30&ids=4&max=10&offset=0&"
		    "sort=name&tag=x%2Ay%281%29%21~.-_&%C3%A9t%C3%A9="
		    "%E2%82%AC5" },
		{ "q=a+b", "q=a%20b" },			/* servlet: '+' */
		{ "q=a%2Bb", "q=a%2Bb" },
		{ "flag", "flag=" },			/* no '=' */
		{ "x=1=2", "x=1%3D2" },			/* first '=' splits */
		{ "&&a=1&&", "a=1" },			/* empty pieces */
		{ "=1&a=2", "a=2" },			/* no name */
		{ "a=%zz&b=1&c=%4", "b=1" },		/* bad escapes */
		{ "x=%2f%2F/:", "x=%2F%2F%2F%3A" },
		{ "B=1&a=2&A=3", "A=3&B=1&a=2" },	/* case-sensitive */
		{ "k=2&k=1&j=0&k=3", "j=0&k=2&k=1&k=3" },	/* stable */
		{ "%7e=%7E", "~=~" },
		{ "n=%00", "n=%00" },
		{ "a%00b=1&a=2", "a=2&a%00b=1" },
	};
	struct arena	*a = arena_new(FP_ARENA_CAP);
	char		*q;
	size_t		 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		q = snws2_canonical_query(a, t[i].in);
		CU_ASSERT_PTR_NOT_NULL_FATAL(q);
		CU_ASSERT_STRING_EQUAL(q, t[i].out);
	}
	q = snws2_canonical_query(a, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_STRING_EQUAL(q, "");
	arena_free(a);
}

static void
test_header_lookup(void)
{
	char	*env[] = {
		"REQUEST_METHOD=GET",
		"CONTENT_TYPE=application/json",
		"CONTENT_LENGTH=12",
		"HTTP_HOST=localhost:8080",
		"HTTP_X_SN_DATE=Fri, 07 Mar 2025 09:05:03 GMT",
		"HTTP_X_SN_DATEX=no",
		"HTTP_ACCEPT=",
		"HTTP_ACCEPT=second",
		NULL
	};
	char	*env2[] = { "CONTENT_TYPE=", "CONTENT_LENGTH=", NULL };

	CU_ASSERT_STRING_EQUAL(snws2_header(env, "content-type"),
	    "application/json");
	CU_ASSERT_STRING_EQUAL(snws2_header(env, "content-length"), "12");
	CU_ASSERT_STRING_EQUAL(snws2_header(env, "host"), "localhost:8080");
	CU_ASSERT_STRING_EQUAL(snws2_header(env, "x-sn-date"),
	    "Fri, 07 Mar 2025 09:05:03 GMT");
	CU_ASSERT_STRING_EQUAL(snws2_header(env, "accept"), "");
	CU_ASSERT_PTR_NULL(snws2_header(env, "authorization"));
	CU_ASSERT_PTR_NULL(snws2_header(env, "request-method"));
	CU_ASSERT_PTR_NULL(snws2_header(env, "x_sn_date"));
	CU_ASSERT_PTR_NULL(snws2_header(env, ""));
	CU_ASSERT_PTR_NULL(snws2_header(env2, "content-type"));
	CU_ASSERT_PTR_NULL(snws2_header(env2, "content-length"));
	CU_ASSERT_PTR_NULL(snws2_header(NULL, "host"));
}

static void
test_path_match(void)
{
	static const struct {
		const char	*pat, *path;
		bool		 match;
	} t[] = {
		{ "/user/oscp/**", "/user/oscp/capacity-providers/1", true },
		{ "/user/oscp/**", "/user/oscp", true },
		{ "/user/oscp/**", "/user/oscp/", true },
		{ "/user/oscp/**", "/user/oscpx", false },
		{ "/user/oscp/**", "/user/other/oscp", false },
		{ "/user/oscp/*", "/user/oscp/capacity-groups", true },
		{ "/user/oscp/*", "/user/oscp/capacity-groups/1", false },
		{ "/user/oscp/capacity-*", "/user/oscp/capacity-groups", true },
		{ "/user/oscp/capacity-*s", "/user/oscp/capacity-groups", true },
		{ "/user/oscp/capacity-*s", "/user/oscp/capacity-group", false },
		{ "/user/oscp/capacity-groups/?", "/user/oscp/capacity-groups/"
		    "1", true },
		{ "/user/oscp/capacity-groups/?", "/user/oscp/capacity-groups/"
		    "12", false },
		{ "/user/oscp/capacity-groups/??", "/user/oscp/capacity-groups/"
		    "12", true },
		{ "/**/assets", "/user/oscp/capacity-groups/1/assets", true },
		{ "/**/assets", "/assets", true },
		{ "/**/assets", "/user/oscp/assets/1", false },
		{ "/user/**/1", "/user/oscp/capacity-groups/1", true },
		{ "/user/**/groups/**", "/user/a/b/groups/c/d", true },
		{ "/**", "/anything/at/all", true },
		{ "/**", "/", true },
		{ "/user/oscp/Assets", "/user/oscp/assets", false },
		{ "/user/oscp/assets", "/user/oscp/assets", true },
		{ "/user/oscp/assets", "/user/oscp/assets/", false },
		{ "/user/oscp/assets/", "/user/oscp/assets", false },
		{ "user/oscp/assets", "/user/oscp/assets", false },
		{ "/user//oscp/assets", "/user/oscp/assets", true },
		{ "/user/oscp/*/1", "/user/oscp//1", false },
		{ "/a*b*c", "/abxbc", true },
		{ "/a*b*c", "/abxbd", false },
		{ "/*", "/", false },
		{ "", "", true },
	};
	size_t	 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (snws2_path_match(t[i].pat, t[i].path) != t[i].match)
			fprintf(stderr, "path_match(%s, %s) != %d\n",
			    t[i].pat, t[i].path, t[i].match);
		CU_ASSERT_EQUAL(snws2_path_match(t[i].pat, t[i].path),
		    t[i].match);
	}
	/* '!' is not special inside path_match */
	CU_ASSERT_FALSE(snws2_path_match("!/user/**", "/user/x"));
}

/* Many "**" against a long path that does not match: the recursive
 * matcher took exponential time (found by fuzz/fuzz_api_paths); run in a
 * child under a 10 s alarm so the old code fails instead of hanging. */
static void
test_path_match_time(void)
{
	char	 pat[256], path[512];
	size_t	 i, n = 0;
	pid_t	 pid;
	int	 st;

	for (i = 0; i < 12; i++)
		n += (size_t)snprintf(pat + n, sizeof(pat) - n, "/**/a");
	snprintf(pat + n, sizeof(pat) - n, "/b");
	for (i = 0, n = 0; i < 80; i++)
		n += (size_t)snprintf(path + n, sizeof(path) - n, "/a");
	fflush(NULL);
	if ((pid = fork()) == 0) {
		alarm(10);
		_exit(snws2_path_match(pat, path) ? 1 : 0);
	}
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL(waitpid(pid, &st, 0), pid);
	CU_ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* and the same shapes still match when they should */
	path[n - 1] = 'b';
	CU_ASSERT_TRUE(snws2_path_match(pat, path));
	CU_ASSERT_TRUE(snws2_path_match("/**/**/**/a/**", "/x/y/a"));
	CU_ASSERT_FALSE(snws2_path_match("/**/a/**/a", "/a"));
	CU_ASSERT_TRUE(snws2_path_match("/**/a/**/a", "/a/a"));
	CU_ASSERT_TRUE(snws2_path_match("/**/a*/b", "/x/ab/ac/b"));
}

static void
test_api_paths(void)
{
	const char *const only[] = { "/user/oscp/capacity-groups/**" };
	const char *const two[] = { "/user/oscp/assets", "/user/oscp/assets/*" };
	const char *const not[] = { "!/user/oscp/capacity-providers/**" };
	const char *const mixed[] = { "/user/oscp/assets/**",
	    "!/user/oscp/**" };

	CU_ASSERT_TRUE(snws2_api_paths_allow(NULL, 0, "/anything"));
	CU_ASSERT_TRUE(snws2_api_paths_allow(only, 1,
	    "/user/oscp/capacity-groups/1"));
	CU_ASSERT_FALSE(snws2_api_paths_allow(only, 1,
	    "/user/oscp/capacity-providers"));
	CU_ASSERT_TRUE(snws2_api_paths_allow(two, 2, "/user/oscp/assets/7"));
	CU_ASSERT_TRUE(snws2_api_paths_allow(two, 2, "/user/oscp/assets"));
	CU_ASSERT_FALSE(snws2_api_paths_allow(two, 2,
	    "/user/oscp/assets/7/x"));
	CU_ASSERT_FALSE(snws2_api_paths_allow(not, 1,
	    "/user/oscp/capacity-providers/3"));
	CU_ASSERT_TRUE(snws2_api_paths_allow(not, 1,
	    "/user/oscp/capacity-optimizers/3"));
	CU_ASSERT_TRUE(snws2_api_paths_allow(mixed, 2, "/user/oscp/assets/1"));
	CU_ASSERT_TRUE(snws2_api_paths_allow(mixed, 2, "/user/other"));
	CU_ASSERT_FALSE(snws2_api_paths_allow(mixed, 2,
	    "/user/oscp/capacity-groups"));
}

/* Building blocks with the upstream simpleGet values (reference §7). */
static void
test_blocks(void)
{
	struct arena	*a = arena_new(FP_ARENA_CAP);
	unsigned char	 key[32];
	char		 hex[65], *sts;
	time_t		 t = 1493130600;	/* 2017-04-25T14:30:00Z */
	const char	*cr = "GET\n/api/test\n\ndate:Tue, 25 Apr 2017 14:30:00 "
	    "GMT\nhost:localhost\ndate;host\ne3b0c44298fc1c149afbf4c8996fb9"
	    "2427ae41e4649b934ca495991b7852b855";
	char		 longsecret[200];

	CU_ASSERT_EQUAL(snws2_signing_key("test-token-secret", 17, t, key), 0);
	hex_encode(key, 32, hex);
	CU_ASSERT_STRING_EQUAL(hex, "bf7885e8bd107a79f5c6e13001a4fa15fbd43221"
	    "ad39ca47fde96191d302dbf4");
	/* any time of the same UTC day gives the same key */
	CU_ASSERT_EQUAL(snws2_signing_key("test-token-secret", 17,
	    t - 14 * 3600 - 30 * 60, key), 0);
	hex_encode(key, 32, hex);
	CU_ASSERT_STRING_EQUAL(hex, "bf7885e8bd107a79f5c6e13001a4fa15fbd43221"
	    "ad39ca47fde96191d302dbf4");
	CU_ASSERT_EQUAL(snws2_signing_key("test-token-secret", 17,
	    t - 14 * 3600 - 30 * 60 - 1, key), 0);
	hex_encode(key, 32, hex);
	CU_ASSERT_STRING_NOT_EQUAL(hex, "bf7885e8bd107a79f5c6e13001a4fa15fbd4"
	    "3221ad39ca47fde96191d302dbf4");
	sts = snws2_string_to_sign(a, t, cr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sts);
	CU_ASSERT(strncmp(sts, "SNWS2-HMAC-SHA256\n20170425T143000Z\n", 35) ==
	    0);
	CU_ASSERT_EQUAL(snws2_signing_key("test-token-secret", 17, t, key), 0);
	snws2_signature(key, sts, hex);
	CU_ASSERT_STRING_EQUAL(hex, "4739139d3d370f147b6585795c309b1c6d7d7f59"
	    "943081f7dd943f689cfa59a3");

	/* secrets longer than the HMAC block (hashed key) match OpenSSL */
	memset(longsecret, 'k', sizeof(longsecret));
	{
		unsigned char	 k0[205], kd[32], ks[32], viaopenssl[32];

		memcpy(k0, "SNWS2", 5);
		memcpy(k0 + 5, longsecret, sizeof(longsecret));
		hmac_sha256(k0, sizeof(k0), "20170425", 8, kd);
		hmac_sha256(kd, 32, "snws2_request", 13, viaopenssl);
		CU_ASSERT_EQUAL(snws2_signing_key(longsecret,
		    sizeof(longsecret), t, ks), 0);
		CU_ASSERT(memcmp(ks, viaopenssl, 32) == 0);
		/* and at the boundary: 59 and 60 byte secrets */
		hmac_sha256(k0, 5 + 59, "20170425", 8, kd);
		hmac_sha256(kd, 32, "snws2_request", 13, viaopenssl);
		CU_ASSERT_EQUAL(snws2_signing_key(longsecret, 59, t, ks), 0);
		CU_ASSERT(memcmp(ks, viaopenssl, 32) == 0);
		hmac_sha256(k0, 5 + 60, "20170425", 8, kd);
		hmac_sha256(kd, 32, "snws2_request", 13, viaopenssl);
		CU_ASSERT_EQUAL(snws2_signing_key(longsecret, 60, t, ks), 0);
		CU_ASSERT(memcmp(ks, viaopenssl, 32) == 0);
	}
	arena_free(a);
}

void
test_snws2_register(void)
{
	CU_pSuite	 s;

	s = CU_add_suite("snws2", suite_init, suite_clean);
	CU_add_test(s, "14 known-answer vectors", test_vectors);
	CU_add_test(s, "JS client, random requests", test_jsclient_random);
	CU_add_test(s, "tampered requests", test_tamper);
	CU_add_test(s, "required signed headers and dates",
	    test_required_headers);
	CU_add_test(s, "skew and key age", test_skew_and_key_age);
	CU_add_test(s, "Authorization header parsing",
	    test_authorization_header);
	CU_add_test(s, "Authorization grammar (duplicates, unknown)",
	    test_authorization_grammar);
	CU_add_test(s, "dates before 1970", test_dates_before_1970);
	CU_add_test(s, "Digest and Content-MD5", test_digest);
	CU_add_test(s, "canonical query", test_canonical_query);
	CU_add_test(s, "header lookup", test_header_lookup);
	CU_add_test(s, "Ant path match", test_path_match);
	CU_add_test(s, "Ant path match time", test_path_match_time);
	CU_add_test(s, "apiPaths policy", test_api_paths);
	CU_add_test(s, "building blocks", test_blocks);
}
