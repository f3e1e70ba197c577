/*
 * app.c -- one request from accept to access line.  The order of work is
 * the order a client observes (reference §6.3): body size, SNWS2 and the
 * token's rights, the route (404/405), then the handler.  Whatever
 * happens, the transaction is rolled back if the handler left one open,
 * one access line is written and the arena is reset.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "api.h"
#include "crypto.h"
#include "db.h"
#include "http.h"
#include "timefmt.h"
#include "worker.h"

#define SEC_PREFIX	"/solaruser/api/v1/sec/"

/*
 * Load the master key, and the previous one if `oscp-admin key rotate`
 * left it beside (values sealed by a worker that had not yet noticed the
 * rotation still open).
 */
static int
load_keys(struct worker *w)
{
	struct stat	 st;
	char		 err[256];
	char		*old;

	if (stat(w->s->master_key_file, &st) != 0 ||
	    key_load(&w->key, w->s->master_key_file, err, sizeof(err)) != 0) {
		log_err("master key %s: cannot load", w->s->master_key_file);
		return -1;
	}
	w->key_mtime = st.st_mtim;
	w->key_ino = st.st_ino;
	w->have_oldkey = false;
	if (asprintf(&old, "%s.old", w->s->master_key_file) == -1)
		return 0;
	if (access(old, F_OK) == 0 &&
	    key_load(&w->oldkey, old, err, sizeof(err)) == 0)
		w->have_oldkey = true;
	free(old);
	return 0;
}

/*
 * Reload the keys if the key file changed (`oscp-admin key rotate`).
 * Not per request: before every seal, so nothing new is sealed under a
 * retired key, and when a value does not open, so a value another process
 * sealed under the new key opens here too.  1 if the keys changed.
 */
int
app_key_refresh(struct worker *w)
{
	struct stat	 st;

	if (stat(w->s->master_key_file, &st) != 0)
		return 0;
	if (st.st_ino == w->key_ino &&
	    st.st_mtim.tv_sec == w->key_mtime.tv_sec &&
	    st.st_mtim.tv_nsec == w->key_mtime.tv_nsec)
		return 0;
	if (load_keys(w) != 0)
		return 0;
	log_info("master key reloaded");
	return 1;
}

static int
open_with_keys(struct worker *w, const char *aad, const unsigned char *blob,
    size_t len, unsigned char *out, size_t *outlen)
{
	if (crypto_open(&w->key, aad, blob, len, out, outlen) == 0)
		return 0;
	if (w->have_oldkey &&
	    crypto_open(&w->oldkey, aad, blob, len, out, outlen) == 0)
		return 0;
	return -1;
}

int
app_open(struct worker *w, const char *aad, const unsigned char *blob,
    size_t len, unsigned char *out, size_t *outlen)
{
	if (open_with_keys(w, aad, blob, len, out, outlen) == 0)
		return 0;
	if (app_key_refresh(w))
		return open_with_keys(w, aad, blob, len, out, outlen);
	return -1;
}

int
app_seal(struct worker *w, const char *aad, const void *pt, size_t len,
    unsigned char *out, size_t *outlen)
{
	app_key_refresh(w);
	return crypto_seal(&w->key, aad, pt, len, out, outlen);
}

int
app_init(struct worker *w)
{
	char	 err[256];

	if (load_keys(w) != 0)
		return -1;
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
	crypto_wipe(&w->key, sizeof(w->key));
	crypto_wipe(&w->oldkey, sizeof(w->oldkey));
}

static enum fp_err
dispatch(struct req *r)
{
	struct worker	*w = r->w;
	char		 err[256];
	enum fp_err	 rc;

	if (strncmp(r->path, SEC_PREFIX, sizeof(SEC_PREFIX) - 1) == 0) {
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
		if ((rc = auth_request(r)) != FP_OK)
			return rc;
	}
	r->db = w->db;
	if ((rc = route_match(r)) != FP_OK)
		return rc;
	return routes[r->route].fn[r->method](r);
}

static bool
id_ok(const char *id)
{
	return id != NULL && *id != '\0' && strlen(id) <= 128 &&
	    strpbrk(id, " \t\r\n") == NULL;
}

/*
 * The id on log lines: nginx's REQUEST_ID (the caller's X-Request-ID or
 * nginx's $request_id, so both access logs share it), else the caller's
 * header, else a random one.
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
	const char	*q;
	enum fp_err	 rc;

	if ((r = arena_calloc(w->a, sizeof(*r))) == NULL) {
		FCGX_PutS("Status: 500 Internal Server Error\r\n\r\n",
		    fcgx->out);
		arena_reset(w->a);
		return;
	}
	r->w = w;
	r->a = w->a;
	r->s = w->s;
	r->fcgx = fcgx;
	r->envp = fcgx->envp;
	r->start_us = time_now_us();
	r->method_name = req_param(r, "REQUEST_METHOD");
	if (r->method_name == NULL)
		r->method_name = "GET";
	r->method = method_parse(r->method_name);
	if ((r->target = req_param(r, "REQUEST_URI")) == NULL)
		r->target = "/";
	q = strchr(r->target, '?');
	r->path = q ? arena_strndup(r->a, r->target,
	    (size_t)(q - r->target)) : r->target;
	r->content_type = req_param(r, "CONTENT_TYPE");
	r->route_name = "none";
	r->reqid = request_id(r);
	log_set_reqid(r->reqid);

	if (r->path == NULL)
		rc = FP_ENOMEM;
	else
		rc = dispatch(r);
	if (rc != FP_OK) {
		if (r->db != NULL)
			db_rollback(r->db);
		if (rc == FP_ESYS || rc == FP_EDBDOWN || rc == FP_EBUSY)
			log_err("%s %s: %s", r->method_name, r->route_name,
			    r->db ? db_errmsg(r->db) : "no database");
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
