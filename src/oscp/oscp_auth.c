/*
 * oscp_auth.c -- who is calling an OSCP endpoint: `Authorization: Token
 * <FP token>`, looked up by the token's SHA-256 (only digests are
 * stored), gives the tenant, the system (CP or CO) and its FP token row.
 * The current token and, during a registration, the next one both
 * authenticate (oscp_api.c: the token swap).  Every failure is 403 with
 * the same body, so a caller learns nothing about why; the log says.
 * SPEC §2 difference 5: a disabled system (or tenant) is refused.
 */
#include <string.h>

#include "crypto.h"
#include "db.h"
#include "http.h"
#include "model.h"
#include "oscp.h"

#define SCHEME		"Token "
#define TOKEN_MAX	1024

static enum fp_err
deny(struct req *r)
{
	r->detail = "Forbidden";
	return FP_EDENIED;
}

enum fp_err
oscp_auth(struct req *r)
{
	const char	*h = req_param(r, "HTTP_AUTHORIZATION"), *tok;
	unsigned char	 sha[32];
	int64_t		 user = DB_NULL, fp = DB_NULL;
	int64_t		 cp = DB_NULL, co = DB_NULL;
	bool		 tok_on = false, user_on = false, cp_on = false;
	bool		 co_on = false;
	size_t		 len;
	int		 n;

	if (h == NULL || strncmp(h, SCHEME, sizeof(SCHEME) - 1) != 0) {
		log_info("oscp: no Token authorization");
		return deny(r);
	}
	tok = h + sizeof(SCHEME) - 1;
	if ((len = strlen(tok)) == 0 || len > TOKEN_MAX) {
		log_info("oscp: token empty or too long");
		return deny(r);
	}
	token_digest(tok, len, sha);
	if (db_query(r->db, STMT_OSCP_AUTH, "xx", sha, sizeof(sha), sha,
	    sizeof(sha)) != FP_OK)
		return db_error(r->db);
	n = db_fetch(r->db, r->a, "llbblblb", &user, &fp, &tok_on, &user_on,
	    &cp, &cp_on, &co, &co_on);
	db_done(r->db);
	crypto_wipe(sha, sizeof(sha));
	if (n < 0)
		return db_error(r->db);
	if (n == 0 || (cp == DB_NULL && co == DB_NULL)) {
		log_info("oscp: unknown token");
		return deny(r);
	}
	r->user_id = user;
	r->fp_id = fp;
	r->oscp_role = cp != DB_NULL ? ROLE_CP : ROLE_CO;
	r->conf_id = cp != DB_NULL ? cp : co;
	if (!tok_on || !user_on || !(cp != DB_NULL ? cp_on : co_on)) {
		log_info("oscp: %s %lld or its tenant is disabled",
		    r->oscp_role == ROLE_CP ? "CP" : "CO",
		    (long long)r->conf_id);
		return deny(r);
	}
	return FP_OK;
}
