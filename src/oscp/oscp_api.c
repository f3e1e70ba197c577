/*
 * oscp_api.c -- the Flexibility Provider endpoints under /oscp/fp/2.0 (SPEC
 * §3) and the tenant's event log (GET .../{cp|co}/{id}/events).
 *
 * The caller was authenticated by oscp_auth() (r->user_id, r->oscp_role,
 * r->conf_id, r->fp_id).  Each handler reads top to bottom: headers,
 * body, one transaction (the state change, the outbound task it implies
 * and the inbound event), commit, wake the dispatcher, 204.  A message
 * refused after authentication is logged as an inbound event too, so the
 * tenant sees why a peer's call failed.
 */
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "crypto.h"
#include "db.h"
#include "json.h"
#include "keyring.h"
#include "model.h"
#include "oscp.h"
#include "timefmt.h"

/* The tables the two roles use (enum peer_role order). */
static const enum stmt st_register[ROLE__MAX] = {
	STMT_OSCP_CP_REGISTER, STMT_OSCP_CO_REGISTER };
static const enum stmt st_token[ROLE__MAX] = {
	STMT_OSCP_CP_TOKEN_UPSERT, STMT_OSCP_CO_TOKEN_UPSERT };
static const enum stmt st_behaviour[ROLE__MAX] = {
	STMT_OSCP_CP_BEHAVIOUR, STMT_OSCP_CO_BEHAVIOUR };
static const enum stmt st_heartbeat[ROLE__MAX] = {
	STMT_OSCP_CP_HEARTBEAT, STMT_OSCP_CO_HEARTBEAT };
static const enum stmt st_group[ROLE__MAX] = {
	STMT_OSCP_CG_BY_CP, STMT_OSCP_CG_BY_CO };
static const enum aad_kind aad_peer_token[ROLE__MAX] = {
	AAD_CP_TOKEN, AAD_CO_TOKEN };

static int	wake_fd = -1;

void
oscp_wake_init(int fd)
{
	wake_fd = fd;
}

int
oscp_wake_fd(void)
{
	return wake_fd;
}

/* Tell this host's dispatcher that a task was committed. */
void
oscp_wake(void)
{
	uint64_t	 one = 1;

	if (wake_fd != -1 && write(wake_fd, &one, sizeof(one)) == -1) {
		/* EAGAIN: the counter is full, the dispatcher is awake. */
	}
}

static const char *
header(struct req *r, const char *name)
{
	const char	*v = req_param(r, name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/*
 * X-Request-ID (required on some messages) and X-Correlation-ID: when
 * present, 1..128 printable ASCII characters.
 */
static enum fp_err
ids(struct req *r, bool need_reqid, const char **reqid, const char **corr)
{
	*reqid = header(r, "HTTP_X_REQUEST_ID");
	*corr = header(r, "HTTP_X_CORRELATION_ID");
	if (*reqid == NULL && need_reqid) {
		r->detail = "X-Request-ID header is required";
		return FP_EBADREQ;
	}
	if (*reqid != NULL && !oscp_id_ok(*reqid)) {
		r->detail = "X-Request-ID must be 1 to 128 printable ASCII "
		    "characters";
		return FP_EBADREQ;
	}
	if (*corr != NULL && !oscp_id_ok(*corr)) {
		r->detail = "X-Correlation-ID must be 1 to 128 printable "
		    "ASCII characters";
		return FP_EBADREQ;
	}
	return FP_OK;
}

/* What every message starts with: its ids, its JSON body, the limits. */
struct inbound {
	const char	*reqid;		/* X-Request-ID, NULL when absent */
	const char	*corr;		/* X-Correlation-ID */
	struct jlimits	 lim;
};

static enum fp_err	refused(struct req *, enum oscp_action, enum fp_err);

static enum fp_err
inbound(struct req *r, enum oscp_action act, bool need_reqid,
    struct inbound *in)
{
	enum fp_err	 rc;

	memset(in, 0, sizeof(*in));
	if ((rc = ids(r, need_reqid, &in->reqid, &in->corr)) != FP_OK ||
	    (rc = req_json_body(r)) != FP_OK)
		return refused(r, act, rc);
	in->lim.depth = r->s->json_max_depth;
	in->lim.string = r->s->json_max_string;
	in->lim.array = r->s->json_max_array;
	return FP_OK;
}

static enum fp_err
event_in(struct req *r, enum oscp_action act, const char *reqid,
    const char *corr, int status, const char *error)
{
	size_t	 n;

	/* oscp_event.error holds 512 characters: cut on a UTF-8 boundary. */
	if (error != NULL && (n = strlen(error)) > 500) {
		n = 500;
		while (n > 0 && ((unsigned char)error[n] & 0xc0) == 0x80)
			n--;
		if ((error = arena_strndup(r->a, error, n)) == NULL)
			return FP_ENOMEM;
	}
	return db_exec(r->db, STMT_EVENT_INSERT, "liliissisii", r->user_id,
	    (int)r->oscp_role, r->conf_id, (int)OSCP_IN, (int)act, reqid, corr,
	    status, error, DB_NULL_INT, DB_NULL_INT);
}

/*
 * A message refused after authentication: roll back what was done, log
 * the refusal in its own transaction, and return rc for the renderer.
 */
static enum fp_err
refused(struct req *r, enum oscp_action act, enum fp_err rc)
{
	const char	*reqid = header(r, "HTTP_X_REQUEST_ID");
	const char	*corr = header(r, "HTTP_X_CORRELATION_ID");

	db_rollback(r->db);
	if (!oscp_id_ok(reqid))
		reqid = NULL;
	if (!oscp_id_ok(corr))
		corr = NULL;
	if (db_begin(r->db) == FP_OK &&
	    event_in(r, act, reqid, corr, fp_err_status(rc),
	    r->detail) == FP_OK)
		db_commit(r->db);
	db_rollback(r->db);
	return rc;
}

static enum fp_err
task(struct req *r, enum peer_role role, int64_t conf_id,
    enum oscp_action act, const char *reqid, const char *corr,
    const char *body)
{
	return db_exec(r->db, STMT_TASK_INSERT, "lilisss", r->user_id,
	    (int)role, conf_id, (int)act, reqid, corr, body);
}

/* Commit, wake the dispatcher when a task was queued, answer 204. */
static enum fp_err
done(struct req *r, bool queued)
{
	enum fp_err	 rc;

	if ((rc = db_commit(r->db)) != FP_OK)
		return rc;
	if (queued)
		oscp_wake();
	return resp_no_content(r);
}

static enum fp_err
seal(struct req *r, enum aad_kind kind, int64_t a, int64_t b,
    const char *secret, unsigned char **blob, size_t *len)
{
	const char	*aad;

	if ((aad = aad_build(r->a, kind, NULL, a, b)) == NULL)
		return FP_ENOMEM;
	return api_seal(r, aad, secret, blob, len);
}

/*
 * POST /register (reference §8.3, done safely): store the peer's base
 * URL and token, make the next FP token and queue our Register reply
 * carrying it.  The token the peer used keeps working until the reply
 * succeeds (dispatch.c promotes the next one then).  A Register that
 * answers our own reply (X-Correlation-ID = its X-Request-ID) is stored
 * and not answered again.
 */
enum fp_err
oscp_register(struct req *r)
{
	struct oscp_register	 m;
	struct inbound		 in;
	const char		*ours = NULL;
	char			 next[FP_TOKEN_LEN + 1];
	char			 reply[OSCP_UUID_LEN + 1];
	unsigned char		 sha[32], *tok_enc, *next_enc;
	size_t			 tok_len, next_len;
	bool			 answer;
	enum fp_err		 rc;

	if ((rc = inbound(r, OSCP_REGISTER, false, &in)) != FP_OK)
		return rc;
	if ((rc = oscp_parse_register(r->a, &in.lim, r->body, r->body_len, &m,
	    &r->detail)) != FP_OK)
		return refused(r, OSCP_REGISTER, rc);
	if (m.base_url == NULL) {
		r->detail = "URL version '2.0' required but not provided.";
		return refused(r, OSCP_REGISTER, FP_EVERSION);
	}
	if ((rc = db_begin(r->db)) != FP_OK)
		return rc;
	if ((rc = db_query(r->db, STMT_OSCP_FP_REPLY_REQID, "ll", r->user_id,
	    r->fp_id)) != FP_OK)
		return rc;
	if (db_fetch(r->db, r->a, "s", &ours) < 0)
		return db_error(r->db);
	db_done(r->db);
	answer = in.corr == NULL || ours == NULL || strcmp(in.corr, ours) != 0;

	if ((rc = seal(r, aad_peer_token[r->oscp_role], r->user_id,
	    r->conf_id, m.token, &tok_enc, &tok_len)) != FP_OK ||
	    (rc = db_exec(r->db, st_register[r->oscp_role], "ssitll",
	    m.base_url, "2.0", answer ? REG_PENDING_VALUE : DB_NULL_INT,
	    time_now_us(), r->user_id, r->conf_id)) != FP_OK ||
	    (rc = db_exec(r->db, st_token[r->oscp_role], "llx", r->user_id,
	    r->conf_id, tok_enc, tok_len)) != FP_OK)
		return rc;
	if (answer) {
		if (token_generate(next) != 0 || oscp_uuid(reply) != 0)
			return FP_ESYS;
		token_digest(next, FP_TOKEN_LEN, sha);
		rc = seal(r, AAD_FP_NEXT, r->user_id, r->fp_id, next,
		    &next_enc, &next_len);
		crypto_wipe(next, sizeof(next));
		if (rc != FP_OK ||
		    (rc = db_exec(r->db, STMT_OSCP_FP_NEXT_SET, "xxsll", sha,
		    sizeof(sha), next_enc, next_len, reply, r->user_id,
		    r->fp_id)) != FP_OK ||
		    (rc = db_exec(r->db, STMT_OSCP_TASK_CANCEL, "lili",
		    r->user_id, (int)r->oscp_role, r->conf_id,
		    (int)OSCP_REGISTER)) != FP_OK ||
		    (rc = task(r, r->oscp_role, r->conf_id, OSCP_REGISTER,
		    reply, in.reqid, NULL)) != FP_OK)
			return rc;
	}
	if ((rc = event_in(r, OSCP_REGISTER, in.reqid, in.corr, 204,
	    answer ? NULL : "answer to our Register: not answered again")) !=
	    FP_OK)
		return rc;
	return done(r, answer);
}

/* The peer's required_behaviour, when its message had one. */
static enum fp_err
behaviour_store(struct req *r, const struct oscp_behaviour *m)
{
	if (!m->present)
		return FP_OK;
	return db_exec(r->db, st_behaviour[r->oscp_role], "istll",
	    m->heartbeat_secs < 0 ? DB_NULL_INT : m->heartbeat_secs,
	    m->styles, time_now_us(), r->user_id, r->conf_id);
}

/* POST /handshake: store what the peer wants, queue our acknowledgement. */
enum fp_err
oscp_handshake(struct req *r)
{
	struct oscp_behaviour	 m;
	struct inbound		 in;
	const char		*ack, *rid;
	char			 uuid[OSCP_UUID_LEN + 1];
	enum fp_err		 rc;

	if ((rc = inbound(r, OSCP_HANDSHAKE, true, &in)) != FP_OK)
		return rc;
	if ((rc = oscp_parse_behaviour(r->a, &in.lim, r->body, r->body_len,
	    false, &m, &r->detail)) != FP_OK)
		return refused(r, OSCP_HANDSHAKE, rc);
	if (oscp_uuid(uuid) != 0)
		return FP_ESYS;
	if ((ack = oscp_json_ack(r->a, r->s->ack_heartbeat_interval,
	    r->s->ack_measurement_configuration)) == NULL ||
	    (rid = arena_strdup(r->a, uuid)) == NULL)
		return FP_ENOMEM;
	if ((rc = db_begin(r->db)) != FP_OK)
		return rc;
	if ((rc = behaviour_store(r, &m)) != FP_OK)
		return rc;
	if ((rc = task(r, r->oscp_role, r->conf_id, OSCP_HANDSHAKE_ACK, rid,
	    in.reqid, ack)) != FP_OK ||
	    (rc = event_in(r, OSCP_HANDSHAKE, in.reqid, in.corr, 204, NULL)) !=
	    FP_OK)
		return rc;
	return done(r, true);
}

/* POST /handshake_acknowledge (and its two other spellings). */
enum fp_err
oscp_handshake_ack(struct req *r)
{
	struct oscp_behaviour	 m;
	struct inbound		 in;
	enum fp_err		 rc;

	if ((rc = inbound(r, OSCP_HANDSHAKE_ACK, true, &in)) != FP_OK)
		return rc;
	if ((rc = oscp_parse_behaviour(r->a, &in.lim, r->body, r->body_len,
	    true, &m, &r->detail)) != FP_OK)
		return refused(r, OSCP_HANDSHAKE_ACK, rc);
	if ((rc = db_begin(r->db)) != FP_OK)
		return rc;
	if ((rc = behaviour_store(r, &m)) != FP_OK)
		return rc;
	if ((rc = event_in(r, OSCP_HANDSHAKE_ACK, in.reqid, in.corr, 204,
	    NULL)) != FP_OK)
		return rc;
	return done(r, false);
}

/* POST /heartbeat: when the peer will consider itself offline. */
enum fp_err
oscp_heartbeat(struct req *r)
{
	struct inbound		 in;
	int64_t			 offline;
	enum fp_err		 rc;

	if ((rc = inbound(r, OSCP_HEARTBEAT, false, &in)) != FP_OK)
		return rc;
	if ((rc = oscp_parse_heartbeat(r->a, &in.lim, r->body, r->body_len,
	    &offline, &r->detail)) != FP_OK)
		return refused(r, OSCP_HEARTBEAT, rc);
	/* The offline time and the event in one statement (db_stmts.c). */
	if ((rc = db_exec(r->db, st_heartbeat[r->oscp_role], "tllliliissisii",
	    offline, r->user_id, r->conf_id, r->user_id, (int)r->oscp_role,
	    r->conf_id, (int)OSCP_IN, (int)OSCP_HEARTBEAT, in.reqid, in.corr,
	    204, NULL, DB_NULL_INT, DB_NULL_INT)) != FP_OK)
		return rc;
	return resp_no_content(r);
}

/*
 * Both forecast messages: the caller's group by its identifier, then the
 * same forecast to the group's other system, with the caller's
 * X-Request-ID.  Update comes from a CP (to the CO), adjust from a CO (to
 * the CP); the route table lets only that role in (oscp_auth).
 */
static enum fp_err
forecast(struct req *r, enum oscp_action act)
{
	struct oscp_forecast	 m;
	struct inbound		 in;
	const char		*body;
	int64_t			 cg_id = DB_NULL, other = DB_NULL;
	enum peer_role		 to = r->oscp_role == ROLE_CP ? ROLE_CO :
				    ROLE_CP;
	int			 n;
	enum fp_err		 rc;

	if ((rc = inbound(r, act, true, &in)) != FP_OK)
		return rc;
	if ((rc = oscp_parse_forecast(r->a, &in.lim, r->body, r->body_len, &m,
	    &r->detail)) != FP_OK)
		return refused(r, act, rc);
	if ((body = oscp_json_forecast(r->a, &m)) == NULL)
		return FP_ENOMEM;
	if ((rc = db_begin(r->db)) != FP_OK ||
	    (rc = db_query(r->db, st_group[r->oscp_role], "lls", r->user_id,
	    r->conf_id, m.group_id)) != FP_OK)
		return rc;
	if ((n = db_fetch(r->db, r->a, "ll", &cg_id, &other)) < 0)
		return db_error(r->db);
	db_done(r->db);
	if (n == 0) {
		r->detail = "the group is not one of this system's";
		return refused(r, act, FP_EDENIED);
	}
	if ((rc = task(r, to, other, act, in.reqid, in.corr, body)) != FP_OK ||
	    (rc = event_in(r, act, in.reqid, in.corr, 204, NULL)) != FP_OK)
		return rc;
	return done(r, true);
}

enum fp_err
oscp_update_forecast(struct req *r)
{
	return forecast(r, OSCP_UPDATE_FORECAST);
}

enum fp_err
oscp_adjust_forecast(struct req *r)
{
	return forecast(r, OSCP_ADJUST_FORECAST);
}
