/*
 * auth.c -- who is calling the management API.  SNWS2 (snws2.c) checks
 * the signature; this file adds what needs the database and the token's
 * record: lookup, status, the owning user, notAfter, the secret (sealed
 * under the master key), then the role and apiPaths policy (SPEC §4).
 *
 * 401 (FP_EAUTH, message in r->detail) for anything wrong with the
 * credentials; 403 Access Denied (FP_EDENIED) for a valid token that may
 * not use this API or this path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <yajl/yajl_tree.h>

#include "crypto.h"
#include "db.h"
#include "http.h"
#include "keyring.h"
#include "snws2.h"
#include "timefmt.h"

#define BAD_CREDENTIALS	"Bad credentials"

static void
wipe_secret(void *p)
{
	crypto_wipe(p, strlen(p));
}

static enum fp_err
unauthorized(struct req *r, const char *msg)
{
	r->detail = msg;
	return FP_EAUTH;
}

/* apiPaths patterns match the path without "/solaruser" and "/api/v1/sec"
 * (snws2-auth.md §11). */
static bool
paths_allow(struct req *r, const char *json)
{
	const char	*path = r->path;
	yajl_val	 v;
	const char	*pats[64];
	size_t		 i, n = 0;
	bool		 ok;

	if (json == NULL)
		return true;
	if ((v = yajl_tree_parse(json, NULL, 0)) == NULL)
		return false;
	if (!YAJL_IS_ARRAY(v)) {
		yajl_tree_free(v);
		return false;
	}
	for (i = 0; i < v->u.array.len && n < 64; i++)
		if (YAJL_IS_STRING(v->u.array.values[i]))
			pats[n++] = YAJL_GET_STRING(v->u.array.values[i]);
	if (strncmp(path, "/solaruser", 10) == 0)
		path += 10;
	if (strncmp(path, "/api/v1/sec", 11) == 0)
		path += 11;
	ok = snws2_api_paths_allow(pats, n, path);
	yajl_tree_free(v);
	return ok;
}

/*
 * The token cache.  Each worker keeps the records of the tokens it has
 * found Active (of an enabled user) for auth_cache_seconds, secret
 * opened, so that a request whose token is cached costs no database
 * round trip before its handler's own.  A disabled token or user is
 * therefore refused within that time (README, "Deliberate differences").
 * Unknown and refused tokens are never cached.  Direct-mapped: a token
 * whose slot is taken replaces the occupant.
 */
#define CACHE_SLOTS	64
#define CACHE_ID_MAX	64

struct cached_token {
	char		 id[CACHE_ID_MAX + 1];	/* "" = empty slot */
	int64_t		 user_id;
	int64_t		 not_after;	/* DB_NULL: none */
	bool		 user_token;	/* type User */
	bool		 has_role;	/* ROLE_OSCP */
	char		*api_paths;	/* JSON array, NULL: no policy */
	char		*secret;	/* opened, NUL-terminated */
	size_t		 secretlen;
	struct timespec	 loaded;	/* CLOCK_MONOTONIC */
};

static struct cached_token	cache[CACHE_SLOTS];

static struct cached_token *
cache_slot(const char *id)
{
	size_t	 h = 2166136261u;

	for (; *id != '\0'; id++)
		h = (h ^ (unsigned char)*id) * 16777619u;
	return &cache[h % CACHE_SLOTS];
}

static void
cache_drop(struct cached_token *c)
{
	if (c->secret != NULL) {
		crypto_wipe(c->secret, c->secretlen);
		free(c->secret);
	}
	free(c->api_paths);
	memset(c, 0, sizeof(*c));
}

void
auth_cache_clear(void)
{
	size_t	 i;

	for (i = 0; i < CACHE_SLOTS; i++)
		cache_drop(&cache[i]);
}

/* The cached record of token id, if it is young enough. */
static struct cached_token *
cache_get(const struct settings *s, const char *id)
{
	struct cached_token	*c = cache_slot(id);
	struct timespec		 now;

	if (s->auth_cache_seconds <= 0 || strcmp(c->id, id) != 0)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec - c->loaded.tv_sec < s->auth_cache_seconds)
		return c;
	cache_drop(c);
	return NULL;
}

/*
 * Look token id up in the database and open its secret into t (memory
 * from the arena, or the cache slot when caching is on).  FP_OK with
 * t->id set, FP_OK with t->id empty for a token that is unknown, not
 * Active or of a disabled user, or an error.  The lookup is byte for byte
 * (schema 0002) and the AAD names the id as stored, so a secret that
 * does not open means a wrong key or a damaged row, never odd input.
 */
static enum fp_err
token_load(struct req *r, const char *id, struct cached_token *t)
{
	int64_t		 user_id, not_after;
	char		*stored, *status, *type, *api_paths;
	unsigned char	*blob, *secret;
	size_t		 bloblen, secretlen;
	bool		 user_enabled;
	int		 roles, got;
	const char	*aad;
	enum fp_err	 rc;

	memset(t, 0, sizeof(*t));
	if ((rc = db_query(r->db, STMT_AUTH_TOKEN, "s", id)) != FP_OK)
		return rc;
	got = db_fetch(r->db, r->a, "slssxtsbi", &stored, &user_id, &status,
	    &type, &blob, &bloblen, &not_after, &api_paths, &user_enabled,
	    &roles);
	db_done(r->db);
	if (got < 0)
		return db_error(r->db);
	if (got == 0 || strcmp(stored, id) != 0 ||
	    strcmp(status, "Active") != 0 || !user_enabled)
		return FP_OK;

	if ((aad = aad_build(r->a, AAD_AUTH_TOKEN, stored, 0, 0)) == NULL ||
	    (secret = arena_calloc(r->a, bloblen + 1)) == NULL)
		return FP_ENOMEM;
	arena_cleanup_add(r->a, wipe_secret, secret);
	if (keyring_open(r->keys, aad, blob, bloblen, secret,
	    &secretlen) != 0) {
		log_err("token %s: secret does not open under the master key",
		    stored);
		return FP_ESYS;
	}
	secret[secretlen] = '\0';
	t->user_id = user_id;
	t->not_after = not_after;
	t->user_token = strcmp(type, "User") == 0;
	t->has_role = roles > 0;
	t->api_paths = api_paths;
	t->secret = (char *)secret;
	t->secretlen = secretlen;
	snprintf(t->id, sizeof(t->id), "%s", stored);
	return FP_OK;
}

/* Keep a copy of t in the cache (best effort: no memory, no caching). */
static void
cache_put(const struct settings *s, const struct cached_token *t)
{
	struct cached_token	*c;

	if (s->auth_cache_seconds <= 0 || strlen(t->id) > CACHE_ID_MAX)
		return;
	c = cache_slot(t->id);
	cache_drop(c);
	if ((c->secret = malloc(t->secretlen + 1)) == NULL ||
	    (t->api_paths != NULL &&
	    (c->api_paths = strdup(t->api_paths)) == NULL)) {
		free(c->secret);
		c->secret = NULL;
		return;
	}
	memcpy(c->secret, t->secret, t->secretlen + 1);
	c->secretlen = t->secretlen;
	c->user_id = t->user_id;
	c->not_after = t->not_after;
	c->user_token = t->user_token;
	c->has_role = t->has_role;
	clock_gettime(CLOCK_MONOTONIC, &c->loaded);
	memcpy(c->id, t->id, sizeof(c->id));
}

enum fp_err
auth_request(struct req *r)
{
	struct snws2		 s;
	struct cached_token	 loaded, *t;
	enum fp_err		 rc;

	memset(&s, 0, sizeof(s));
	s.method = r->method_name;
	s.target = r->target;
	s.envp = r->envp;
	s.body = r->body;
	s.body_len = r->body_len;
	switch (snws2_parse(r->a, &s)) {
	case SNWS2_OK:
		break;
	case SNWS2_ANON:
		return unauthorized(r, "Full authentication is required to "
		    "access this resource");
	case SNWS2_FAIL:
		return unauthorized(r, s.msg);
	default:
		return FP_ENOMEM;
	}

	if ((t = cache_get(r->s, s.token_id)) == NULL) {
		if ((rc = token_load(r, s.token_id, &loaded)) != FP_OK)
			return rc;
		if (loaded.id[0] == '\0')
			return unauthorized(r, BAD_CREDENTIALS);
		cache_put(r->s, &loaded);
		t = &loaded;
	}
	switch (snws2_verify(r->a, &s, t->secret, t->secretlen, time(NULL),
	    r->s->date_skew)) {
	case SNWS2_OK:
		break;
	case SNWS2_FAIL:
		return unauthorized(r, s.msg);
	default:
		return FP_ENOMEM;
	}
	/* After the signature (SolarUser checks it before): without the
	 * secret, an expired token is as unknown as any other. */
	if (t->not_after != DB_NULL && t->not_after < time_now_us())
		return unauthorized(r, "Expired token");
	r->user_id = t->user_id;

	/* Authenticated; now is this token allowed here? */
	if (!t->user_token || !t->has_role)
		return FP_EDENIED;
	if (!paths_allow(r, t->api_paths))
		return FP_EDENIED;
	return FP_OK;
}
