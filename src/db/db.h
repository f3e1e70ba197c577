/*
 * db.h -- MariaDB access.  SQL text lives only in src/db_stmts.c, indexed
 * by enum stmt; callers bind and fetch by a short type signature so no
 * MYSQL_* type escapes src/db*.c.
 *
 * Signature letters (parameters in, columns out):
 *
 *	l  int64_t		out int64_t *;	DB_NULL <-> SQL NULL
 *	i  int			out int *;	DB_NULL_INT <-> NULL
 *	b  int (0/1)		out bool *;	NULL reads as false
 *	s  const char *		out char ** (arena copy); NULL <-> NULL
 *	x  const void *, size_t	out unsigned char **, size_t *
 *	t  int64_t usec UTC	out int64_t *;	DB_NULL <-> NULL (DATETIME(6))
 *
 * Transactions: db_begin/db_commit/db_rollback.  The worker rolls back
 * after every request whatever happened, so an open transaction never
 * leaks into the next one.  Errors are mapped to enum fp_err in db.c only
 * (duplicate -> FP_EDUP, foreign key -> FP_EREF, too long -> FP_ETOOLONG,
 * lost connection -> FP_EDBDOWN, deadlock/lock wait -> FP_EBUSY).
 */
#ifndef DB_H
#define DB_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fp.h"

#define DB_NULL		INT64_MIN
#define DB_NULL_INT	INT_MIN

enum stmt {
	/* authentication */
	STMT_AUTH_TOKEN,
	STMT_NODE_GET,
	/* FP tokens */
	STMT_FP_TOKEN_INSERT,
	STMT_FP_TOKEN_DELETE,
	/* capacity providers */
	STMT_CP_LIST,
	STMT_CP_GET,
	STMT_CP_INSERT,
	STMT_CP_HB_INSERT,
	STMT_CP_UPDATE,
	STMT_CP_FP_ID,
	STMT_CP_SECRET_UPSERT,
	/* capacity optimizers */
	STMT_CO_LIST,
	STMT_CO_GET,
	STMT_CO_INSERT,
	STMT_CO_HB_INSERT,
	STMT_CO_UPDATE,
	STMT_CO_FP_ID,
	STMT_CO_SECRET_UPSERT,
	/* capacity groups */
	STMT_CG_LIST,
	STMT_CG_GET,
	STMT_CG_INSERT,
	STMT_CG_CP_MEAS_INSERT,
	STMT_CG_CO_MEAS_INSERT,
	STMT_CG_UPDATE,
	STMT_CG_DELETE,
	/* assets */
	STMT_ASSET_LIST,
	STMT_ASSET_GET,
	STMT_ASSET_INSERT,
	STMT_ASSET_UPDATE,
	STMT_ASSET_DELETE,
	/* OSCP inbound (src/oscp) and the event log of the management API */
	STMT_OSCP_CP_REGISTER,
	STMT_OSCP_CO_REGISTER,
	STMT_OSCP_CP_TOKEN_UPSERT,
	STMT_OSCP_CO_TOKEN_UPSERT,
	STMT_OSCP_FP_REPLY_REQID,
	STMT_OSCP_FP_NEXT_SET,
	STMT_OSCP_TASK_CANCEL,
	STMT_OSCP_CP_BEHAVIOUR,
	STMT_OSCP_CO_BEHAVIOUR,
	STMT_OSCP_CP_HEARTBEAT,
	STMT_OSCP_CO_HEARTBEAT,
	STMT_OSCP_CG_BY_CP,
	STMT_OSCP_CG_BY_CO,
	STMT_EVENT_LIST,
	/* workers, any tenant: an FP token names its tenant */
	STMT_OSCP_AUTH,
	/* workers and the dispatcher */
	STMT_TASK_INSERT,
	STMT_EVENT_INSERT,
	/* the dispatcher */
	STMT_DSP_CP_REG_STATUS,
	STMT_DSP_CO_REG_STATUS,
	STMT_DSP_FP_PROMOTE,
	/* the dispatcher, any tenant: claims and the event pruning */
	STMT_DSP_CLAIM,
	STMT_DSP_CLAIMED,
	STMT_DSP_TASK_DONE,
	STMT_DSP_EVENTS_INSERT,
	STMT_DSP_TASK_RETRY,
	STMT_DSP_CP_HB_CLAIM,
	STMT_DSP_CO_HB_CLAIM,
	STMT_DSP_CP_HB_TASKS,
	STMT_DSP_CO_HB_TASKS,
	STMT_DSP_EVENT_PRUNE,
	/* oscp-admin */
	STMT_ADM_VERSION_TABLE,
	STMT_ADM_VERSION_LIST,
	STMT_ADM_VERSION_INSERT,
	STMT_ADM_USER_INSERT,
	STMT_ADM_USER_ID,
	STMT_ADM_USER_LIST,
	STMT_ADM_USER_DISABLE,
	STMT_ADM_ROLE_INSERT,
	STMT_ADM_TOKEN_INSERT,
	STMT_ADM_TOKEN_LIST,
	STMT_ADM_TOKEN_DISABLE,
	STMT_ADM_NODE_INSERT,
	/* oscp-admin, any tenant: key rotation */
	STMT_ADM_SEAL_AUTH_LIST,
	STMT_ADM_SEAL_AUTH_SET,
	STMT_ADM_SEAL_CP_TOKEN_LIST,
	STMT_ADM_SEAL_CP_TOKEN_SET,
	STMT_ADM_SEAL_CO_TOKEN_LIST,
	STMT_ADM_SEAL_CO_TOKEN_SET,
	STMT_ADM_SEAL_CP_SECRET_LIST,
	STMT_ADM_SEAL_CP_SECRET_SET,
	STMT_ADM_SEAL_CO_SECRET_LIST,
	STMT_ADM_SEAL_CO_SECRET_SET,
	STMT_ADM_SEAL_FP_NEXT_LIST,
	STMT_ADM_SEAL_FP_NEXT_SET,
	STMT__MAX
};

/*
 * Which processes run a statement.  Each process prepares its own when it
 * connects (oscp-admin on first use: migrate runs before the tables
 * exist) and may run no other.  DB_ANY_TENANT marks the few statements
 * that are not scoped by "user_id = ?": an FP token lookup, the
 * dispatcher's claims, event pruning, key rotation (the tenancy lint in
 * tests/unit/db/test_db_stmts.c checks every other one).
 */
enum db_role {
	DB_WORKER	= 1 << 0,
	DB_DISPATCHER	= 1 << 1,
	DB_ADMIN	= 1 << 2,
	DB_ANY_TENANT	= 1 << 3
};

struct arena;
struct db;

extern const char *const stmts[STMT__MAX];	/* db_stmts.c */
unsigned	 stmt_roles(enum stmt);		/* enum db_role bits */

struct db	*db_open(const struct settings *, unsigned roles, char *err,
		    size_t errlen);		/* NULL on failure, err set */
void		 db_close(struct db *);
enum fp_err	 db_ensure(struct db *);	/* reconnect + re-prepare if lost */
enum fp_err	 db_begin(struct db *);
enum fp_err	 db_commit(struct db *);
void		 db_rollback(struct db *);	/* no-op outside a transaction */
bool		 db_in_tx(const struct db *);

/* Run a statement that returns no rows. */
enum fp_err	 db_exec(struct db *, enum stmt, const char *sig, ...);
uint64_t	 db_affected(const struct db *);
int64_t		 db_insert_id(const struct db *);

/* Run a statement and stream its rows (unbuffered): db_fetch returns 1
 * for a row, 0 at the end, -1 on error (see db_error).  db_done must be
 * called before the next statement; it is safe to call twice. */
enum fp_err	 db_query(struct db *, enum stmt, const char *sig, ...);
int		 db_fetch(struct db *, struct arena *, const char *sig, ...);
void		 db_done(struct db *);

/* Multi-statement SQL from a schema file (oscp-admin migrate only). */
enum fp_err	 db_script(struct db *, const char *sql, size_t len);

enum fp_err	 db_error(const struct db *);	/* last mapped error */
const char	*db_errmsg(const struct db *);	/* library text, for logs */
unsigned	 db_errno(const struct db *);

#endif /* DB_H */
