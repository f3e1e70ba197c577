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
#include <string.h>

#include <yajl/yajl_tree.h>

#include "crypto.h"
#include "db.h"
#include "http.h"
#include "snws2.h"
#include "timefmt.h"
#include "worker.h"

#define BAD_CREDENTIALS	"Bad credentials"

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

static void
wipe(void *p)
{
	crypto_wipe(p, strlen(p));
}

enum fp_err
auth_request(struct req *r)
{
	struct snws2	 s;
	int64_t		 user_id, not_after;
	char		*status, *type, *api_paths;
	unsigned char	*blob, *secret;
	size_t		 bloblen, secretlen;
	bool		 user_enabled;
	int		 roles, got;
	const char	*aad;
	enum fp_err	 rc;
	time_t		 now = time(NULL);

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

	if ((rc = db_query(r->db, STMT_AUTH_TOKEN, "s", s.token_id)) != FP_OK)
		return rc;
	got = db_fetch(r->db, r->a, "lssxtsbi", &user_id, &status, &type,
	    &blob, &bloblen, &not_after, &api_paths, &user_enabled, &roles);
	db_done(r->db);
	if (got < 0)
		return db_error(r->db);
	if (got == 0 || strcmp(status, "Active") != 0 || !user_enabled)
		return unauthorized(r, BAD_CREDENTIALS);
	if (not_after != DB_NULL && not_after < time_now_us())
		return unauthorized(r, "Expired token");

	aad = arena_printf(r->a, "user_auth_token:%s", s.token_id);
	if ((secret = arena_alloc(r->a, bloblen + 1)) == NULL)
		return FP_ENOMEM;
	if (app_open(r->w, aad, blob, bloblen, secret, &secretlen) != 0) {
		log_err("token %s: secret does not open under the master key",
		    s.token_id);
		return FP_ESYS;
	}
	secret[secretlen] = '\0';
	arena_cleanup_add(r->a, wipe, secret);
	switch (snws2_verify(r->a, &s, (const char *)secret, secretlen, now,
	    r->s->date_skew)) {
	case SNWS2_OK:
		break;
	case SNWS2_FAIL:
		return unauthorized(r, s.msg);
	default:
		return FP_ENOMEM;
	}
	r->user_id = user_id;

	/* Authenticated; now is this token allowed here? */
	if (strcmp(type, "User") != 0 || roles == 0)
		return FP_EDENIED;
	if (!paths_allow(r, api_paths))
		return FP_EDENIED;
	return FP_OK;
}
