/*
 * api_peer.c -- /capacity-providers and /capacity-optimizers (SPEC §2,
 * reference §6.2).  The two collections behave identically, so each
 * exported handler is a one-line call with the role.
 *
 * Deliberate differences (SPEC §2): oscpVersion is stored on POST; a
 * missing registrationStatus means Pending; oauth-client-secret is taken
 * out of serviceProps, sealed into its own table and never returned; the
 * FP token is shown once and only its SHA-256 is stored.
 */
#include <string.h>

#include <curl/curl.h>

#include "api.h"
#include "crypto.h"
#include "db.h"
#include "json.h"
#include "keyring.h"
#include "timefmt.h"

static const char *const collection[ROLE__MAX] = {
	"capacity-providers",	/* ROLE_CP */
	"capacity-optimizers",	/* ROLE_CO */
};

static const enum aad_kind secret_aad[ROLE__MAX] = {
	AAD_CP_SECRET,		/* ROLE_CP */
	AAD_CO_SECRET,		/* ROLE_CO */
};

/* baseUrl is read as a URI (reference §4.2): malformed → 422. */
static bool
uri_ok(const char *s)
{
	CURLU	*u;
	bool	 ok;

	if ((u = curl_url()) == NULL)
		return false;
	ok = curl_url_set(u, CURLUPART_URL, s, 0) == CURLUE_OK;
	curl_url_cleanup(u);
	return ok;
}

/* Parse and check a CP/CO body: everything before the database. */
static enum fp_err
input(struct req *r, enum peer_role role, struct peer *p,
    const char **secret)
{
	enum fp_err	 rc;

	peer_init(p);
	if ((rc = api_body(r, json_peer_fields, p, secret)) != FP_OK)
		return rc;
	if (p->base_url != NULL && !uri_ok(p->base_url)) {
		r->detail = "Malformed JSON: Cannot deserialize value of type "
		    "`java.net.URI` from String: invalid URI for 'baseUrl'";
		return FP_EMALFORMED;
	}
	if ((rc = valid_peer(r, role, p)) != FP_OK)
		return rc;
	if (p->reg_status == DB_NULL_INT)
		p->reg_status = REG_PENDING_VALUE;
	p->user_id = r->user_id;
	return FP_OK;
}

static enum fp_err
store_secret(struct req *r, enum peer_role role, const struct peer *p,
    const char *secret)
{
	unsigned char	*blob;
	const char	*aad;
	size_t		 len;
	enum fp_err	 rc;

	if (secret == NULL)
		return FP_OK;	/* PUT without a secret keeps the old one */
	if ((aad = aad_build(r->a, secret_aad[role], NULL, p->user_id,
	    p->id)) == NULL)
		return FP_ENOMEM;
	if ((rc = api_seal(r, aad, secret, &blob, &len)) != FP_OK)
		return rc;
	return db_peer_secret(r->db, role, p->user_id, p->id, blob, len);
}

static enum fp_err
emit_row(void *arg, const struct peer *p)
{
	struct req	*r = arg;

	json_peer(r->g, p);
	arena_reset(r->rowa);
	return resp_flush(r);
}

static enum fp_err
list(struct req *r, enum peer_role role)
{
	enum fp_err	 rc;

	if (resp_begin(r, 200) == NULL)
		return FP_ENOMEM;
	yajl_gen_array_open(r->g);
	if ((rc = db_peer_list(r->db, r->rowa, role, r->user_id, emit_row,
	    r)) != FP_OK)
		return rc;
	yajl_gen_array_close(r->g);
	return resp_end(r);
}

static enum fp_err
create(struct req *r, enum peer_role role)
{
	struct peer	 p;
	const char	*secret = NULL;
	char		 token[FP_TOKEN_LEN + 1];
	unsigned char	 digest[32];
	enum fp_err	 rc;

	if ((rc = input(r, role, &p, &secret)) != FP_OK)
		return rc;
	p.created = p.modified = time_now_us();
	if (token_generate(token) != 0)
		return FP_ESYS;
	token_digest(token, FP_TOKEN_LEN, digest);

	if ((rc = db_begin(r->db)) != FP_OK ||
	    (rc = db_peer_insert(r->db, role, &p, digest)) != FP_OK ||
	    (rc = store_secret(r, role, &p, secret)) != FP_OK ||
	    (rc = api_location(r, collection[role], p.id)) != FP_OK ||
	    (rc = db_commit(r->db)) != FP_OK)
		return rc;

	p.token = token;	/* shown this once (reference §7.1) */
	if (resp_begin(r, 201) == NULL)
		return FP_ENOMEM;
	json_peer(r->g, &p);
	rc = resp_end(r);
	crypto_wipe(token, sizeof(token));
	return rc;
}

static enum fp_err
get(struct req *r, enum peer_role role)
{
	struct peer	 p;
	enum fp_err	 rc;

	if ((rc = db_peer_get(r->db, r->a, role, r->user_id, r->id, &p)) !=
	    FP_OK)
		return rc;
	if (resp_begin(r, 200) == NULL)
		return FP_ENOMEM;
	json_peer(r->g, &p);
	return resp_end(r);
}

/* PUT is a full replacement of the editable fields (reference §6.2). */
static enum fp_err
update(struct req *r, enum peer_role role)
{
	struct peer	 p, out;
	const char	*secret = NULL;
	enum fp_err	 rc;

	if ((rc = input(r, role, &p, &secret)) != FP_OK)
		return rc;
	p.id = r->id;
	p.modified = time_now_us();

	if ((rc = db_begin(r->db)) != FP_OK ||
	    (rc = db_peer_update(r->db, role, &p)) != FP_OK ||
	    (rc = store_secret(r, role, &p, secret)) != FP_OK ||
	    (rc = db_peer_get(r->db, r->a, role, r->user_id, r->id,
	    &out)) != FP_OK ||
	    (rc = db_commit(r->db)) != FP_OK)
		return rc;

	if (resp_begin(r, 200) == NULL)
		return FP_ENOMEM;
	json_peer(r->g, &out);
	return resp_end(r);
}

/* Deleting a missing or foreign id succeeds and changes nothing. */
static enum fp_err
delete(struct req *r, enum peer_role role)
{
	enum fp_err	 rc;

	if ((rc = db_begin(r->db)) != FP_OK ||
	    (rc = db_peer_delete(r->db, role, r->user_id, r->id)) != FP_OK ||
	    (rc = db_commit(r->db)) != FP_OK)
		return rc;
	return resp_ok_nodata(r);
}

enum fp_err api_cp_list(struct req *r) { return list(r, ROLE_CP); }
enum fp_err api_cp_create(struct req *r) { return create(r, ROLE_CP); }
enum fp_err api_cp_get(struct req *r) { return get(r, ROLE_CP); }
enum fp_err api_cp_update(struct req *r) { return update(r, ROLE_CP); }
enum fp_err api_cp_delete(struct req *r) { return delete(r, ROLE_CP); }
enum fp_err api_co_list(struct req *r) { return list(r, ROLE_CO); }
enum fp_err api_co_create(struct req *r) { return create(r, ROLE_CO); }
enum fp_err api_co_get(struct req *r) { return get(r, ROLE_CO); }
enum fp_err api_co_update(struct req *r) { return update(r, ROLE_CO); }
enum fp_err api_co_delete(struct req *r) { return delete(r, ROLE_CO); }
