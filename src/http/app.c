/*
 * app.c -- one request from accept to access line.  The order of work is
 * the order a client observes (reference §6.3): body size, SNWS2 and the
 * token's rights, the route (404/405), then the handler.  Whatever
 * happens, the transaction is rolled back if the handler left one open,
 * one access line is written and the arena is reset.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>

#include "api.h"
#include "crypto.h"
#include "db.h"
#include "http.h"
#include "keyring.h"
#include "timefmt.h"
#include "worker.h"

int
app_init(struct worker *w)
{
	char	 err[512];

	if (keyring_load(&w->keys, w->s->master_key_file, err,
	    sizeof(err)) != 0) {
		log_err("%s", err);
		return -1;
	}
	if ((w->a = arena_new(FP_ARENA_CAP)) == NULL ||
	    (w->rowa = arena_new(FP_ARENA_CAP)) == NULL) {
		log_err("out of memory");
		return -1;
	}
	/* Not fatal: requests answer 503 until the database is back. */
	if ((w->db = db_open(w->s, DB_WORKER, err, sizeof(err))) == NULL)
		log_err("%s", err);
	return 0;
}

void
app_exit(struct worker *w)
{
	auth_cache_clear();
	db_close(w->db);
	w->db = NULL;
	arena_free(w->rowa);
	arena_free(w->a);
	keyring_wipe(&w->keys);
}

static enum fp_err
dispatch(struct worker *w, struct req *r)
{
	const struct route_def	*d;
	char		 err[256];
	enum fp_err	 rc;

	r->fam = family_of(r->path);
	if (families[r->fam].auth != NULL) {
		if ((rc = req_read_body(r)) != FP_OK)
			return rc;
		if (w->db == NULL &&
		    (w->db = db_open(w->s, DB_WORKER, err, sizeof(err))) == NULL) {
			log_err("%s", err);
			return FP_EDBDOWN;
		}
		r->db = w->db;
		if ((rc = db_ensure(r->db)) != FP_OK) {
			log_err("database: %s", db_errmsg(r->db));
			return rc;
		}
		if ((rc = families[r->fam].auth(r)) != FP_OK)
			return rc;
	}
	r->db = w->db;
	if ((rc = route_match(r)) != FP_OK)
		return rc;
	d = &routes[r->route];
	if (d->fam == FAM_OSCP && (d->roles & (1u << r->oscp_role)) == 0) {
		r->detail = "Forbidden";
		return FP_EDENIED;
	}
	return d->fn[r->method](r);
}

/*
 * A request id we log: 1 to 128 visible ASCII characters (0x21-0x7e).
 * nginx's map in the shipped configs (fastcgi_oscp_params) applies the
 * same rule, "~^[!-~]{1,128}$", so a caller's id that fails it is
 * replaced by nginx's own $request_id in both logs alike.
 */
static bool
id_ok(const char *id)
{
	size_t	n;

	if (id == NULL)
		return false;
	for (n = 0; id[n] != '\0'; n++)
		if (n >= 128 || (unsigned char)id[n] < 0x21 ||
		    (unsigned char)id[n] > 0x7e)
			return false;
	return n > 0;
}

/*
 * The id on log lines: nginx's REQUEST_ID (the caller's X-Request-ID when
 * it passes id_ok(), else nginx's $request_id, so both access logs share
 * it), else the caller's header, else a random one.
 */
static const char *
request_id(struct req *r)
{
	const char	*id;
	unsigned char	 raw[8];
	char		*hex;

	if (id_ok(id = req_param(r, "REQUEST_ID")) ||
	    id_ok(id = req_param(r, "HTTP_X_REQUEST_ID")))
		return id;
	if ((hex = arena_alloc(r->a, 17)) == NULL)
		return "-";
	crypto_random(raw, sizeof(raw));
	hex_encode(raw, sizeof(raw), hex);
	return hex;
}

void
app_handle(struct worker *w, struct FCGX_Request *fcgx)
{
	struct req	*r;
	enum fp_err	 rc;

	if ((r = arena_calloc(w->a, sizeof(*r))) == NULL) {
		FCGX_PutS("Status: 500 Internal Server Error\r\n\r\n",
		    fcgx->out);
		arena_reset(w->a);
		return;
	}
	r->a = w->a;
	r->rowa = w->rowa;
	r->keys = &w->keys;
	r->s = w->s;
	r->fcgx = fcgx;
	r->envp = fcgx->envp;
	r->start_us = time_now_us();
	rc = req_from_params(r);
	r->reqid = request_id(r);
	log_set_reqid(r->reqid);

	if (rc == FP_OK)
		rc = dispatch(w, r);
	if (rc != FP_OK) {
		if (r->db != NULL)
			db_rollback(r->db);
		if (rc == FP_ESYS || rc == FP_EDBDOWN || rc == FP_EBUSY)
			log_err("%s %s: %s", r->method_name, r->route_name,
			    r->detail != NULL ? r->detail :
			    r->db != NULL ? db_errmsg(r->db) : "no database");
		resp_error(r, rc);
	}
	if (w->db != NULL)
		db_rollback(w->db);
	log_access(r->reqid, r->user_id, r->method_name, r->route_name,
	    r->status, (long)(time_now_us() - r->start_us));
	log_set_reqid(NULL);
	arena_reset(w->a);
	arena_reset(w->rowa);
}
