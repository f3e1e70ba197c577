/*
 * db_stmts.c -- every SQL statement oscp-fp runs, indexed by enum stmt
 * (include/db.h).  This is the only file that contains SQL.  Statements on
 * tenant data always carry "user_id = ?" (the unit test test_db_stmts.c
 * checks it), so tenancy is enforced by the SQL itself.
 *
 * The trailing comment of each row gives its parameter and column
 * signatures (letters as in db.h): "in -> out".
 */
#include "db.h"

#define EVENT_INSERT \
	"INSERT INTO oscp_event (user_id, role, conf_id, direction, action, " \
	"request_id, correlation_id, http_status, error, duration_ms, " \
	"attempt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

/* CP and CO tables have identical shapes (reference §4.2): one text each,
 * instantiated for both roles. */
#define PEER_COLS(p) \
	"SELECT c.user_id, c.id, c.created, c.modified, c.enabled, c.cname, " \
	"c.url, c.oscp_ver, c.fp_id, c.reg_status, c.heartbeat_secs, " \
	"c.meas_styles, h.heartbeat_at, c.offline_at, c.sprops " \
	"FROM oscp_" p "_conf c LEFT JOIN oscp_" p "_heartbeat h " \
	"ON h.user_id = c.user_id AND h.id = c.id WHERE c.user_id = ?"
#define PEER_LIST(p)	PEER_COLS(p) " ORDER BY c.user_id, c.id"
#define PEER_GET(p)	PEER_COLS(p) " AND c.id = ?"
#define PEER_INSERT(p) \
	"INSERT INTO oscp_" p "_conf (user_id, created, modified, enabled, " \
	"fp_id, reg_status, cname, url, oscp_ver, sprops) " \
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define PEER_HB_INSERT(p) \
	"INSERT INTO oscp_" p "_heartbeat (user_id, id) VALUES (?, ?)"
#define PEER_UPDATE(p) \
	"UPDATE oscp_" p "_conf SET modified = ?, enabled = ?, " \
	"reg_status = ?, cname = ?, url = ?, oscp_ver = ?, sprops = ? " \
	"WHERE user_id = ? AND id = ?"
#define PEER_FP_ID(p) \
	"SELECT fp_id FROM oscp_" p "_conf WHERE user_id = ? AND id = ? " \
	"FOR UPDATE"
#define PEER_SECRET_UPSERT(p) \
	"INSERT INTO oscp_" p "_secret (user_id, id, secret_enc) " \
	"VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE " \
	"secret_enc = VALUES(secret_enc), modified = UTC_TIMESTAMP(6)"

/* OSCP twins: p is the table infix, r the stored role (enum peer_role). */
#define OSCP_REGISTER(p) \
	"UPDATE oscp_" p "_conf SET url = ?, oscp_ver = ?, " \
	"reg_status = COALESCE(?, reg_status), modified = ? " \
	"WHERE user_id = ? AND id = ?"
#define OSCP_TOKEN_UPSERT(p) \
	"INSERT INTO oscp_" p "_token (user_id, id, token_enc) " \
	"VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE token_enc = VALUES(token_enc)"
#define OSCP_BEHAVIOUR(p) \
	"UPDATE oscp_" p "_conf SET heartbeat_secs = ?, meas_styles = ?, " \
	"modified = ? WHERE user_id = ? AND id = ?"
/* An inbound Heartbeat is a whole transaction in one round trip (an
 * anonymous compound statement): the offline time and its event row,
 * both or neither (the handler rolls back and re-raises the error, so a
 * read-only or full database still maps to 503).  It is the busiest
 * inbound message; a START TRANSACTION, UPDATE, INSERT, COMMIT sequence
 * made four round trips of it. */
#define OSCP_HEARTBEAT(p) \
	"BEGIN NOT ATOMIC " \
	"DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END; " \
	"START TRANSACTION; " \
	"UPDATE oscp_" p "_conf SET offline_at = ? WHERE user_id = ? " \
	"AND id = ?; " \
	EVENT_INSERT "; " \
	"COMMIT; END"
#define OSCP_CG_BY(p, other) \
	"SELECT id, " other "_id FROM oscp_cg_conf WHERE user_id = ? " \
	"AND " p "_id = ? AND ident = ?"
/* The claimed tasks, each with everything its send needs about its target
 * (by role: only one of cp and co matches; c.id NULL: the system is gone)
 * and the FP token row (the next token a Register reply carries).  One
 * SELECT in task order through the claimed_by index, no temporary table. */
#define DSP_EITHER(col)	"COALESCE(cp." col ", co." col ")"
#define DSP_BY_ROLE(t, a) \
	"LEFT JOIN oscp_cp_" t " " a "p ON " a "p.user_id = cp.user_id " \
	"AND " a "p.id = cp.id LEFT JOIN oscp_co_" t " " a "o " \
	"ON " a "o.user_id = co.user_id AND " a "o.id = co.id "
/* The rows of a JSON array of finished attempts (send.c makes it). */
#define DSP_EVENT_ROWS \
	"JSON_TABLE(?, '$[*]' COLUMNS (u BIGINT PATH '$.u', " \
	"r TINYINT PATH '$.r', c BIGINT PATH '$.c', a TINYINT PATH '$.a', " \
	"q VARCHAR(128) CHARACTER SET ascii PATH '$.q', " \
	"k VARCHAR(128) CHARACTER SET ascii PATH '$.k', " \
	"s SMALLINT PATH '$.s', e VARCHAR(512) CHARACTER SET utf8mb4 " \
	"PATH '$.e', d INT PATH '$.d', n SMALLINT PATH '$.n')) j"
#define DSP_REG_STATUS(p) \
	"UPDATE oscp_" p "_conf SET reg_status = ?, modified = ? " \
	"WHERE user_id = ? AND id = ? AND reg_status = ?"
/* Heartbeat job: claim every due system by stamping heartbeat_at with
 * this run's time, then queue one task per row stamped so. */
#define DSP_HB_CLAIM(p) \
	"UPDATE oscp_" p "_heartbeat h JOIN oscp_" p "_conf c " \
	"ON c.user_id = h.user_id AND c.id = h.id SET h.heartbeat_at = ? " \
	"WHERE c.enabled AND c.reg_status = 114 AND c.heartbeat_secs > 0 " \
	"AND c.url IS NOT NULL AND c.url <> '' AND (h.heartbeat_at IS NULL " \
	"OR h.heartbeat_at + INTERVAL c.heartbeat_secs SECOND <= ?)"
#define DSP_HB_TASKS(p, r) \
	"INSERT INTO oscp_task (user_id, role, conf_id, action, request_id) " \
	"SELECT h.user_id, " r ", h.id, 3, UUID() FROM oscp_" p "_heartbeat h " \
	"WHERE h.heartbeat_at = ?"

#define CG_COLS \
	"SELECT g.user_id, g.id, g.created, g.modified, g.enabled, g.cname, " \
	"g.ident, g.cp_id, g.co_id, g.cp_meas_secs, g.co_meas_secs, " \
	"pm.meas_at, om.meas_at, g.sprops FROM oscp_cg_conf g " \
	"LEFT JOIN oscp_cg_cp_meas pm ON pm.user_id = g.user_id " \
	"AND pm.cg_id = g.id " \
	"LEFT JOIN oscp_cg_co_meas om ON om.user_id = g.user_id " \
	"AND om.cg_id = g.id WHERE g.user_id = ?"

#define ASSET_COLS \
	"SELECT user_id, id, created, modified, enabled, cname, cg_id, " \
	"ident, audience, node_id, source_id, category, phase, iprops, " \
	"iprops_unit, iprops_mult, iprops_stat, eprops, eprops_unit, " \
	"eprops_mult, eprops_stat, etype, edir, sprops " \
	"FROM oscp_asset_conf WHERE user_id = ?"

#define SEAL_LIST(t, c) \
	"SELECT user_id, id, " c " FROM " t " ORDER BY user_id, id FOR UPDATE"
#define SEAL_SET(t, c) \
	"UPDATE " t " SET " c " = ? WHERE user_id = ? AND id = ?"

const char *const stmts[STMT__MAX] = {
	/* STMT_AUTH_TOKEN: s -> slssxtsbi (auth_token is VARBINARY: exact) */
	"SELECT t.auth_token, t.user_id, t.status, t.token_type, t.secret_enc, "
	"t.not_after, t.api_paths, u.enabled, "
	"(SELECT COUNT(*) FROM user_role r WHERE r.user_id = t.user_id "
	"AND r.role_name = 'ROLE_OSCP') "
	"FROM user_auth_token t JOIN user_user u ON u.id = t.user_id "
	"WHERE t.auth_token = ?",
	/* STMT_NODE_GET: l -> lb */
	"SELECT user_id, is_public FROM user_node WHERE node_id = ?",

	/* STMT_FP_TOKEN_INSERT: lx */
	"INSERT INTO oscp_fp_token (user_id, token_sha) VALUES (?, ?)",
	/* STMT_FP_TOKEN_DELETE: ll */
	"DELETE FROM oscp_fp_token WHERE user_id = ? AND id = ?",

	PEER_LIST("cp"),		/* STMT_CP_LIST: l -> llttbsssliistts */
	PEER_GET("cp"),			/* STMT_CP_GET: ll -> (as list) */
	PEER_INSERT("cp"),		/* STMT_CP_INSERT: lttblissss */
	PEER_HB_INSERT("cp"),		/* STMT_CP_HB_INSERT: ll */
	PEER_UPDATE("cp"),		/* STMT_CP_UPDATE: tbissssll */
	PEER_FP_ID("cp"),		/* STMT_CP_FP_ID: ll -> l */
	PEER_SECRET_UPSERT("cp"),	/* STMT_CP_SECRET_UPSERT: llx */

	PEER_LIST("co"),		/* STMT_CO_LIST */
	PEER_GET("co"),			/* STMT_CO_GET */
	PEER_INSERT("co"),		/* STMT_CO_INSERT */
	PEER_HB_INSERT("co"),		/* STMT_CO_HB_INSERT */
	PEER_UPDATE("co"),		/* STMT_CO_UPDATE */
	PEER_FP_ID("co"),		/* STMT_CO_FP_ID */
	PEER_SECRET_UPSERT("co"),	/* STMT_CO_SECRET_UPSERT */

	/* STMT_CG_LIST: l -> llttbsslliitts */
	CG_COLS " ORDER BY g.user_id, g.id",
	/* STMT_CG_GET: ll -> (as list) */
	CG_COLS " AND g.id = ?",
	/* STMT_CG_INSERT: lttbsslliis */
	"INSERT INTO oscp_cg_conf (user_id, created, modified, enabled, "
	"cname, ident, cp_id, co_id, cp_meas_secs, co_meas_secs, sprops) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	/* STMT_CG_CP_MEAS_INSERT: ll */
	"INSERT INTO oscp_cg_cp_meas (user_id, cg_id) VALUES (?, ?)",
	/* STMT_CG_CO_MEAS_INSERT: ll */
	"INSERT INTO oscp_cg_co_meas (user_id, cg_id) VALUES (?, ?)",
	/* STMT_CG_UPDATE: tbsslliisll */
	"UPDATE oscp_cg_conf SET modified = ?, enabled = ?, cname = ?, "
	"ident = ?, cp_id = ?, co_id = ?, cp_meas_secs = ?, "
	"co_meas_secs = ?, sprops = ? WHERE user_id = ? AND id = ?",
	/* STMT_CG_DELETE: ll */
	"DELETE FROM oscp_cg_conf WHERE user_id = ? AND id = ?",

	/* STMT_ASSET_LIST: ll -> llttbslsilsiisisisisiiis */
	ASSET_COLS " AND cg_id = ? ORDER BY user_id, id",
	/* STMT_ASSET_GET: ll -> (as list) */
	ASSET_COLS " AND id = ?",
	/* STMT_ASSET_INSERT: lttbslsilsiisisisisiiis */
	"INSERT INTO oscp_asset_conf (user_id, created, modified, enabled, "
	"cname, cg_id, ident, audience, node_id, source_id, category, phase, "
	"iprops, iprops_unit, iprops_mult, iprops_stat, eprops, eprops_unit, "
	"eprops_mult, eprops_stat, etype, edir, sprops) VALUES (?, ?, ?, ?, "
	"?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	/* STMT_ASSET_UPDATE: tbslsilsiisisisisiiisll */
	"UPDATE oscp_asset_conf SET modified = ?, enabled = ?, cname = ?, "
	"cg_id = ?, ident = ?, audience = ?, node_id = ?, source_id = ?, "
	"category = ?, phase = ?, iprops = ?, iprops_unit = ?, "
	"iprops_mult = ?, iprops_stat = ?, eprops = ?, eprops_unit = ?, "
	"eprops_mult = ?, eprops_stat = ?, etype = ?, edir = ?, sprops = ? "
	"WHERE user_id = ? AND id = ?",
	/* STMT_ASSET_DELETE: ll */
	"DELETE FROM oscp_asset_conf WHERE user_id = ? AND id = ?",

	OSCP_REGISTER("cp"),		/* STMT_OSCP_CP_REGISTER: ssitll */
	OSCP_REGISTER("co"),		/* STMT_OSCP_CO_REGISTER: ssitll */
	OSCP_TOKEN_UPSERT("cp"),	/* STMT_OSCP_CP_TOKEN_UPSERT: llx */
	OSCP_TOKEN_UPSERT("co"),	/* STMT_OSCP_CO_TOKEN_UPSERT: llx */
	/* STMT_OSCP_FP_REPLY_REQID: ll -> s */
	"SELECT reply_reqid FROM oscp_fp_token WHERE user_id = ? AND id = ? "
	"FOR UPDATE",
	/* STMT_OSCP_FP_NEXT_SET: xxsll */
	"UPDATE oscp_fp_token SET next_sha = ?, next_enc = ?, reply_reqid = ?, "
	"modified = UTC_TIMESTAMP(6) WHERE user_id = ? AND id = ?",
	/* STMT_OSCP_TASK_CANCEL: lili */
	"DELETE FROM oscp_task WHERE user_id = ? AND role = ? AND conf_id = ? "
	"AND action = ?",
	OSCP_BEHAVIOUR("cp"),		/* STMT_OSCP_CP_BEHAVIOUR: istll */
	OSCP_BEHAVIOUR("co"),		/* STMT_OSCP_CO_BEHAVIOUR: istll */
	OSCP_HEARTBEAT("cp"),	/* STMT_OSCP_CP_HEARTBEAT: tllliliissisii */
	OSCP_HEARTBEAT("co"),	/* STMT_OSCP_CO_HEARTBEAT: tllliliissisii */
	OSCP_CG_BY("cp", "co"),		/* STMT_OSCP_CG_BY_CP: lls -> ll */
	OSCP_CG_BY("co", "cp"),		/* STMT_OSCP_CG_BY_CO: lls -> ll */
	/* STMT_EVENT_LIST: lili -> ltiissisii */
	"SELECT id, created, direction, action, request_id, correlation_id, "
	"http_status, error, duration_ms, attempt FROM oscp_event "
	"WHERE user_id = ? AND role = ? AND conf_id = ? ORDER BY id DESC "
	"LIMIT ?",

	/* The token row first, by its two unique digests: left to itself the
	 * optimizer may start from user_user and read every token of the
	 * tenant (250 rows a request in the bench). */
	/* STMT_OSCP_AUTH: xx -> llbblblb */
	"SELECT STRAIGHT_JOIN t.user_id, t.id, t.enabled, u.enabled, cp.id, "
	"cp.enabled, "
	"co.id, co.enabled FROM oscp_fp_token t "
	"JOIN user_user u ON u.id = t.user_id "
	"LEFT JOIN oscp_cp_conf cp ON cp.user_id = t.user_id "
	"AND cp.fp_id = t.id "
	"LEFT JOIN oscp_co_conf co ON co.user_id = t.user_id "
	"AND co.fp_id = t.id "
	"WHERE t.token_sha = ? OR t.next_sha = ?",

	/* STMT_TASK_INSERT: lilisss */
	"INSERT INTO oscp_task (user_id, role, conf_id, action, request_id, "
	"correlation_id, body) VALUES (?, ?, ?, ?, ?, ?, ?)",
	EVENT_INSERT,			/* STMT_EVENT_INSERT: liliissisii */

	DSP_REG_STATUS("cp"),	/* STMT_DSP_CP_REG_STATUS: itlli */
	DSP_REG_STATUS("co"),	/* STMT_DSP_CO_REG_STATUS: itlli */
	/* STMT_DSP_FP_PROMOTE: llx */
	"UPDATE oscp_fp_token SET token_sha = next_sha, next_sha = NULL, "
	"next_enc = NULL, modified = UTC_TIMESTAMP(6) "
	"WHERE user_id = ? AND id = ? AND next_sha = ?",

	/* STMT_DSP_CLAIM: sii */
	"UPDATE oscp_task SET claimed_by = ?, "
	"lease_until = UTC_TIMESTAMP(6) + INTERVAL ? SECOND, "
	"attempts = attempts + 1 WHERE due_at <= UTC_TIMESTAMP(6) "
	"AND (lease_until IS NULL OR lease_until < UTC_TIMESTAMP(6)) "
	"ORDER BY due_at, id LIMIT ?",
	/* STMT_DSP_CLAIMED: s -> lliliissslbbissislxxxx */
	"SELECT t.id, t.user_id, t.role, t.conf_id, t.action, t.attempts, "
	"t.request_id, t.correlation_id, t.body, " DSP_EITHER("id") ", "
	DSP_EITHER("enabled") ", u.enabled, " DSP_EITHER("reg_status") ", "
	DSP_EITHER("url") ", " DSP_EITHER("oscp_ver") ", "
	DSP_EITHER("heartbeat_secs") ", " DSP_EITHER("sprops") ", "
	DSP_EITHER("fp_id") ", COALESCE(kp.token_enc, ko.token_enc), "
	"COALESCE(sp.secret_enc, so.secret_enc), f.next_enc, f.next_sha "
	"FROM oscp_task t LEFT JOIN oscp_cp_conf cp ON t.role = 0 "
	"AND cp.user_id = t.user_id AND cp.id = t.conf_id "
	"LEFT JOIN oscp_co_conf co ON t.role = 1 "
	"AND co.user_id = t.user_id AND co.id = t.conf_id "
	"LEFT JOIN user_user u ON u.id = t.user_id "
	DSP_BY_ROLE("token", "k") DSP_BY_ROLE("secret", "s")
	"LEFT JOIN oscp_fp_token f ON f.user_id = t.user_id "
	"AND f.id = " DSP_EITHER("fp_id") " "
	"WHERE t.claimed_by = ? ORDER BY t.id",
	/* STMT_DSP_TASK_DONE: s (JSON [[task id, claim], ...]) */
	"DELETE t FROM oscp_task t JOIN JSON_TABLE(?, '$[*]' COLUMNS "
	"(id BIGINT PATH '$[0]', claim VARBINARY(64) PATH '$[1]')) j "
	"ON t.id = j.id AND t.claimed_by = j.claim",
	/* STMT_DSP_EVENTS_INSERT: s (JSON [{u, r, c, a, q, k, s, e, d, n}]) */
	"INSERT INTO oscp_event (user_id, role, conf_id, direction, action, "
	"request_id, correlation_id, http_status, error, duration_ms, "
	"attempt) SELECT j.u, j.r, j.c, 1, j.a, j.q, j.k, j.s, j.e, j.d, j.n "
	"FROM " DSP_EVENT_ROWS,
	/* STMT_DSP_TASK_RETRY: ils */
	"UPDATE oscp_task SET claimed_by = NULL, lease_until = NULL, "
	"due_at = UTC_TIMESTAMP(6) + INTERVAL ? SECOND "
	"WHERE id = ? AND claimed_by = ?",
	DSP_HB_CLAIM("cp"),		/* STMT_DSP_CP_HB_CLAIM: tt */
	DSP_HB_CLAIM("co"),		/* STMT_DSP_CO_HB_CLAIM: tt */
	DSP_HB_TASKS("cp", "0"),	/* STMT_DSP_CP_HB_TASKS: t */
	DSP_HB_TASKS("co", "1"),	/* STMT_DSP_CO_HB_TASKS: t */
	/* STMT_DSP_EVENT_PRUNE: t */
	"DELETE FROM oscp_event WHERE created < ? LIMIT 10000",

	/* STMT_ADM_VERSION_TABLE */
	"CREATE TABLE IF NOT EXISTS schema_version (version INT NOT NULL "
	"PRIMARY KEY, name VARCHAR(255) NOT NULL, applied DATETIME(6) NOT "
	"NULL DEFAULT UTC_TIMESTAMP(6)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
	/* STMT_ADM_VERSION_LIST: -> i */
	"SELECT version FROM schema_version ORDER BY version",
	/* STMT_ADM_VERSION_INSERT: is */
	"INSERT INTO schema_version (version, name) VALUES (?, ?)",
	/* STMT_ADM_USER_INSERT: s */
	"INSERT INTO user_user (email) VALUES (?)",
	/* STMT_ADM_USER_ID: s -> lb */
	"SELECT id, enabled FROM user_user WHERE email = ?",
	/* STMT_ADM_USER_LIST: -> lstbs */
	"SELECT u.id, u.email, u.created, u.enabled, (SELECT "
	"GROUP_CONCAT(r.role_name ORDER BY r.role_name) FROM user_role r "
	"WHERE r.user_id = u.id) FROM user_user u ORDER BY u.id",
	/* STMT_ADM_USER_DISABLE: s */
	"UPDATE user_user SET enabled = FALSE WHERE email = ?",
	/* STMT_ADM_ROLE_INSERT: ls */
	"INSERT INTO user_role (user_id, role_name) VALUES (?, ?) "
	"ON DUPLICATE KEY UPDATE role_name = role_name",
	/* STMT_ADM_TOKEN_INSERT: slsxts */
	"INSERT INTO user_auth_token (auth_token, user_id, token_type, "
	"secret_enc, not_after, api_paths) VALUES (?, ?, ?, ?, ?, ?)",
	/* STMT_ADM_TOKEN_LIST: s -> stssts */
	"SELECT t.auth_token, t.created, t.status, t.token_type, t.not_after, "
	"t.api_paths FROM user_auth_token t JOIN user_user u "
	"ON u.id = t.user_id WHERE u.email = ? ORDER BY t.created, "
	"t.auth_token",
	/* STMT_ADM_TOKEN_DISABLE: s */
	"UPDATE user_auth_token SET status = 'Disabled' WHERE auth_token = ?",
	/* STMT_ADM_NODE_INSERT: llb */
	"INSERT INTO user_node (node_id, user_id, is_public) VALUES (?, ?, ?)",
	/* STMT_ADM_SEAL_AUTH_LIST: -> sx */
	"SELECT auth_token, secret_enc FROM user_auth_token "
	"ORDER BY auth_token FOR UPDATE",
	/* STMT_ADM_SEAL_AUTH_SET: xs */
	"UPDATE user_auth_token SET secret_enc = ? WHERE auth_token = ?",
	SEAL_LIST("oscp_cp_token", "token_enc"),	/* STMT_ADM_SEAL_CP_TOKEN_LIST: -> llx */
	SEAL_SET("oscp_cp_token", "token_enc"),		/* STMT_ADM_SEAL_CP_TOKEN_SET: xll */
	SEAL_LIST("oscp_co_token", "token_enc"),	/* STMT_ADM_SEAL_CO_TOKEN_LIST */
	SEAL_SET("oscp_co_token", "token_enc"),		/* STMT_ADM_SEAL_CO_TOKEN_SET */
	SEAL_LIST("oscp_cp_secret", "secret_enc"),	/* STMT_ADM_SEAL_CP_SECRET_LIST */
	SEAL_SET("oscp_cp_secret", "secret_enc"),	/* STMT_ADM_SEAL_CP_SECRET_SET */
	SEAL_LIST("oscp_co_secret", "secret_enc"),	/* STMT_ADM_SEAL_CO_SECRET_LIST */
	SEAL_SET("oscp_co_secret", "secret_enc"),	/* STMT_ADM_SEAL_CO_SECRET_SET */
	/* STMT_ADM_SEAL_FP_NEXT_LIST: -> llx */
	"SELECT user_id, id, next_enc FROM oscp_fp_token "
	"WHERE next_enc IS NOT NULL ORDER BY user_id, id FOR UPDATE",
	SEAL_SET("oscp_fp_token", "next_enc"),	/* STMT_ADM_SEAL_FP_NEXT_SET: xll */
};

/*
 * Who runs what: one row per run of enum stmt (db.h lists them in this
 * order), so a new statement lands in its process's section.
 */
static const struct {
	enum stmt	 first, last;
	unsigned	 roles;
} sections[] = {
	{ STMT_AUTH_TOKEN, STMT_EVENT_LIST, DB_WORKER },
	{ STMT_OSCP_AUTH, STMT_OSCP_AUTH, DB_WORKER | DB_ANY_TENANT },
	{ STMT_TASK_INSERT, STMT_EVENT_INSERT, DB_WORKER | DB_DISPATCHER },
	{ STMT_DSP_CP_REG_STATUS, STMT_DSP_FP_PROMOTE, DB_DISPATCHER },
	{ STMT_DSP_CLAIM, STMT_DSP_EVENT_PRUNE, DB_DISPATCHER | DB_ANY_TENANT },
	{ STMT_ADM_VERSION_TABLE, STMT_ADM_NODE_INSERT, DB_ADMIN },
	{ STMT_ADM_SEAL_AUTH_LIST, STMT_ADM_SEAL_FP_NEXT_SET,
	  DB_ADMIN | DB_ANY_TENANT },
};

unsigned
stmt_roles(enum stmt i)
{
	size_t	 k;

	for (k = 0; k < sizeof(sections) / sizeof(sections[0]); k++)
		if (i >= sections[k].first && i <= sections[k].last)
			return sections[k].roles;
	return 0;
}

/* Transaction control goes through the text protocol (db.c). */
const char db_sql_begin[] = "START TRANSACTION";
