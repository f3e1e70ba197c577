/*
 * api_event.c -- GET /capacity-providers/{id}/events and
 * /capacity-optimizers/{id}/events (SPEC §2, §3): the system's OSCP event
 * log, newest first, ?max= (default 50, 1..500).  A missing or foreign
 * system is 403 UNKNOWN_OBJECT, as for GET {id}.
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "db.h"
#include "json.h"
#include "model.h"
#include "oscp.h"

#define EVENTS_DEFAULT	50
#define EVENTS_MAX	500

static const char *const dirs[] = { "in", "out" };	/* enum oscp_dir */

/* ?max=N: the only parameter; anything else in the query is ignored. */
static enum fp_err
max_param(struct req *r, int *max)
{
	const char	*q = strchr(r->target, '?'), *v, *end;
	long		 n = 0;

	*max = EVENTS_DEFAULT;
	for (v = q; v != NULL; v = strchr(v + 1, '&'))
		if (strncmp(v + 1, "max=", 4) == 0)
			break;
	if (v == NULL)
		return FP_OK;
	v += 5;
	end = v + strcspn(v, "&");
	if (end == v || end - v > 3 || strspn(v, "0123456789") <
	    (size_t)(end - v) || (n = strtol(v, NULL, 10)) < 1 ||
	    n > EVENTS_MAX) {
		r->detail = "Illegal argument: max must be a number from 1 to "
		    "500";
		return FP_EILLEGAL;
	}
	*max = (int)n;
	return FP_OK;
}

static enum fp_err
events(struct req *r, enum peer_role role)
{
	struct peer	 p;
	int64_t		 id, created;
	int		 dir, act, status, ms, attempt, max, n;
	char		*reqid, *corr, *error;
	enum fp_err	 rc;

	if ((rc = max_param(r, &max)) != FP_OK ||
	    (rc = db_peer_get(r->db, r->a, role, r->user_id, r->id, &p)) !=
	    FP_OK)
		return rc;
	if ((rc = db_query(r->db, STMT_EVENT_LIST, "lili", r->user_id,
	    (int)role, r->id, max)) != FP_OK)
		return rc;
	if (resp_begin(r, 200) == NULL)
		return FP_ENOMEM;
	yajl_gen_array_open(r->g);
	while ((n = db_fetch(r->db, r->rowa, "ltiissisii", &id, &created,
	    &dir, &act, &reqid, &corr, &status, &error, &ms, &attempt)) ==
	    1) {
		yajl_gen_map_open(r->g);
		json_kv_int(r->g, "id", id);
		json_kv_time(r->g, "created", created);
		json_kv_str(r->g, "direction", dirs[dir == OSCP_OUT]);
		if (act >= 0 && act < OSCP__MAX)
			json_kv_str(r->g, "message", oscp_actions[act].name);
		json_kv_str(r->g, "requestId", reqid);
		json_kv_str(r->g, "correlationId", corr);
		if (status != DB_NULL_INT)
			json_kv_int(r->g, "httpStatus", status);
		json_kv_str(r->g, "error", error);
		if (ms != DB_NULL_INT)
			json_kv_int(r->g, "durationMs", ms);
		if (attempt != DB_NULL_INT)
			json_kv_int(r->g, "attempt", attempt);
		yajl_gen_map_close(r->g);
		arena_reset(r->rowa);
	}
	db_done(r->db);
	if (n < 0)
		return db_error(r->db);
	yajl_gen_array_close(r->g);
	return resp_end(r);
}

enum fp_err api_cp_events(struct req *r) { return events(r, ROLE_CP); }
enum fp_err api_co_events(struct req *r) { return events(r, ROLE_CO); }
