/*
 * db.c -- one MariaDB connection per process: connect, prepare, bind and
 * fetch by type signature, transactions, and the one mapping from MariaDB
 * error numbers to enum fp_err.  It knows nothing about entities (see
 * db_<entity>.c) and contains no SQL of its own (see db_stmts.c).
 *
 * Statements are prepared once per connection, only those of the
 * connection's roles (stmt_roles(), db_stmts.c): at connect time for the
 * daemon's workers and dispatcher (so a schema mismatch shows at start-up
 * and in -t), or on first use for oscp-admin (migrate runs before the
 * tables exist).  Running a statement of another role is a programming
 * error (FP_ESYS).  A lost
 * connection is noticed by the error number; the next db_ensure()
 * reconnects and prepares again.  A statement that fails because the
 * connection was lost outside a transaction is retried once on a fresh
 * connection.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mysql.h>
#include <mysqld_error.h>
#include <errmsg.h>

#include "db.h"

#define DB_MAXCOLS	32
#define DB_INLINE	256	/* fetch buffer per text column */

extern const char db_sql_begin[];

struct col {
	union {
		long long	 ll;
		int		 i;
		signed char	 b;
		MYSQL_TIME	 t;
	}		 v;
	char		 buf[DB_INLINE];
	unsigned long	 len;
	my_bool		 isnull;
	my_bool		 err;
};

struct db {
	const struct settings	*s;
	MYSQL			*my;
	MYSQL_STMT		*st[STMT__MAX];
	unsigned		 roles;		/* enum db_role */
	bool			 broken;
	bool			 in_tx;
	MYSQL_STMT		*cur;		/* statement with pending rows */
	enum fp_err		 err;
	unsigned		 errnum;
	char			 errmsg[256];
	uint64_t		 affected;
	int64_t			 insert_id;
	struct col		 cols[DB_MAXCOLS];
	MYSQL_BIND		 rbind[DB_MAXCOLS];
};

static bool
lost(unsigned e)
{
	return e == CR_SERVER_GONE_ERROR || e == CR_SERVER_LOST ||
	    e == CR_CONNECTION_ERROR || e == CR_CONN_HOST_ERROR ||
	    e == ER_CONNECTION_KILLED || e == ER_SERVER_SHUTDOWN ||
	    e == CR_SERVER_LOST_EXTENDED || e == 4031;
}

/*
 * The one place MariaDB errors become client-visible outcomes
 * (reference §6.4).
 */
static enum fp_err
maperr(unsigned e)
{
	switch (e) {
	case ER_DUP_ENTRY:
	case ER_DUP_KEY:
	case ER_DUP_ENTRY_WITH_KEY_NAME:
		return FP_EDUP;
	case ER_NO_REFERENCED_ROW:
	case ER_NO_REFERENCED_ROW_2:
	case ER_ROW_IS_REFERENCED:
	case ER_ROW_IS_REFERENCED_2:
		return FP_EREF;
	case ER_DATA_TOO_LONG:
	case ER_WARN_DATA_OUT_OF_RANGE:
	case ER_TRUNCATED_WRONG_VALUE:
	case ER_TRUNCATED_WRONG_VALUE_FOR_FIELD:
	case WARN_DATA_TRUNCATED:
		return FP_ETOOLONG;
	case ER_BAD_NULL_ERROR:
	case ER_CONSTRAINT_FAILED:
		return FP_EINTEGRITY;
	case ER_LOCK_DEADLOCK:
	case ER_LOCK_WAIT_TIMEOUT:
		return FP_EBUSY;
	/*
	 * The server cannot take writes for now: read-only (read_only=1,
	 * a replica), or out of disk space.  Not the client's fault, not a
	 * bug: 503 like a server that is down, and the connection is kept.
	 */
	case ER_OPTION_PREVENTS_STATEMENT:	/* --read-only */
	case ER_READ_ONLY_MODE:
	case ER_RECORD_FILE_FULL:		/* "The table is full" */
	case ER_DISK_FULL:
	case ER_ERROR_ON_WRITE:
	case ER_OUT_OF_RESOURCES:
		return FP_EDBDOWN;
	default:
		return lost(e) ? FP_EDBDOWN : FP_ESYS;
	}
}

static enum fp_err
seterr(struct db *db, unsigned e, const char *msg)
{
	db->errnum = e;
	snprintf(db->errmsg, sizeof(db->errmsg), "%s", msg ? msg : "");
	db->err = maperr(e);
	if (lost(e))
		db->broken = true;
	return db->err;
}

static void
disconnect(struct db *db)
{
	size_t	 i;

	db->cur = NULL;
	for (i = 0; i < STMT__MAX; i++) {
		if (db->st[i] != NULL)
			mysql_stmt_close(db->st[i]);
		db->st[i] = NULL;
	}
	if (db->my != NULL)
		mysql_close(db->my);
	db->my = NULL;
	db->in_tx = false;
}

static enum fp_err
prepare(struct db *db, enum stmt i)
{
	MYSQL_STMT	*st;

	if (db->st[i] != NULL)
		return FP_OK;
	if ((st = mysql_stmt_init(db->my)) == NULL)
		return seterr(db, mysql_errno(db->my), mysql_error(db->my));
	if (mysql_stmt_prepare(st, stmts[i], strlen(stmts[i])) != 0) {
		seterr(db, mysql_stmt_errno(st), mysql_stmt_error(st));
		mysql_stmt_close(st);
		return db->err;
	}
	db->st[i] = st;
	return FP_OK;
}

static enum fp_err
connect_db(struct db *db)
{
	const struct settings	*s = db->s;
	const char		*host = s->db_host;
	unsigned		 timeout = 5;
	my_bool			 off = 0;
	size_t			 i;
	enum fp_err		 rc;

	if ((db->my = mysql_init(NULL)) == NULL)
		return seterr(db, CR_OUT_OF_MEMORY, "out of memory");
	mysql_options(db->my, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(db->my, MYSQL_OPT_RECONNECT, &off);
	mysql_options(db->my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(db->my, MYSQL_INIT_COMMAND,
	    "SET time_zone = '+00:00', sql_mode = 'STRICT_ALL_TABLES,"
	    "NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,"
	    "NO_ENGINE_SUBSTITUTION'");
	if (host != NULL && *host == '\0')
		host = NULL;
	if (mysql_real_connect(db->my, host, s->db_user, s->db_password,
	    s->db_name, s->db_port, s->db_socket,
	    CLIENT_FOUND_ROWS | CLIENT_MULTI_STATEMENTS) == NULL) {
		seterr(db, mysql_errno(db->my), mysql_error(db->my));
		db->err = FP_EDBDOWN;
		disconnect(db);
		return FP_EDBDOWN;
	}
	db->broken = false;
	if ((db->roles & DB_ADMIN) == 0)
		for (i = 0; i < STMT__MAX; i++)
			if ((stmt_roles(i) & db->roles) != 0 &&
			    (rc = prepare(db, i)) != FP_OK) {
				disconnect(db);
				return rc;
			}
	return FP_OK;
}

/*
 * Open a connection for this process.  Returns NULL with err filled on
 * failure (the settings are borrowed and must outlive the handle).
 */
struct db *
db_open(const struct settings *s, unsigned roles, char *err, size_t errlen)
{
	struct db	*db;

	if ((db = calloc(1, sizeof(*db))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	db->s = s;
	db->roles = roles & (DB_WORKER | DB_DISPATCHER | DB_ADMIN);
	if (connect_db(db) != FP_OK) {
		snprintf(err, errlen, "database: %s", db->errmsg);
		free(db);
		return NULL;
	}
	return db;
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	db_done(db);
	disconnect(db);
	free(db);
}

/*
 * Make sure the connection is usable: reconnect and re-prepare after a
 * loss.  FP_EDBDOWN while the server is unreachable.
 */
enum fp_err
db_ensure(struct db *db)
{
	if (db->my != NULL && !db->broken)
		return FP_OK;
	disconnect(db);
	return connect_db(db);
}

enum fp_err
db_begin(struct db *db)
{
	enum fp_err	 rc;

	if ((rc = db_ensure(db)) != FP_OK)
		return rc;
	if (mysql_real_query(db->my, db_sql_begin, strlen(db_sql_begin)) != 0)
		return seterr(db, mysql_errno(db->my), mysql_error(db->my));
	db->in_tx = true;
	return FP_OK;
}

enum fp_err
db_commit(struct db *db)
{
	db_done(db);
	db->in_tx = false;
	if (mysql_commit(db->my) != 0)
		return seterr(db, mysql_errno(db->my), mysql_error(db->my));
	return FP_OK;
}

void
db_rollback(struct db *db)
{
	if (db == NULL || !db->in_tx)
		return;
	db_done(db);
	db->in_tx = false;
	if (db->my != NULL && !db->broken && mysql_rollback(db->my) != 0)
		seterr(db, mysql_errno(db->my), mysql_error(db->my));
}

bool
db_in_tx(const struct db *db)
{
	return db->in_tx;
}

static void
us2time(int64_t us, MYSQL_TIME *t)
{
	time_t		 sec = (time_t)(us / 1000000);
	long		 frac = (long)(us % 1000000);
	struct tm	 tm;

	if (frac < 0) {
		frac += 1000000;
		sec--;
	}
	gmtime_r(&sec, &tm);
	memset(t, 0, sizeof(*t));
	t->year = tm.tm_year + 1900;
	t->month = tm.tm_mon + 1;
	t->day = tm.tm_mday;
	t->hour = tm.tm_hour;
	t->minute = tm.tm_min;
	t->second = tm.tm_sec;
	t->second_part = frac;
	t->time_type = MYSQL_TIMESTAMP_DATETIME;
}

static int64_t
time2us(const MYSQL_TIME *t)
{
	struct tm	 tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int)t->year - 1900;
	tm.tm_mon = (int)t->month - 1;
	tm.tm_mday = (int)t->day;
	tm.tm_hour = (int)t->hour;
	tm.tm_min = (int)t->minute;
	tm.tm_sec = (int)t->second;
	return (int64_t)timegm(&tm) * 1000000 + (int64_t)t->second_part;
}

/*
 * Bind the parameters described by sig and execute statement i.
 * Storage for converted values lives in the caller's frame (p).
 */
struct params {
	MYSQL_BIND	 b[DB_MAXCOLS];
	union {
		long long	 ll;
		int		 i;
		signed char	 c;
		MYSQL_TIME	 t;
	}		 v[DB_MAXCOLS];
	unsigned long	 len[DB_MAXCOLS];
};

static int
bind_params(struct params *p, const char *sig, va_list ap)
{
	size_t		 n;
	const char	*str;
	const void	*ptr;
	int64_t		 l;
	int		 i;

	memset(p->b, 0, sizeof(p->b));
	for (n = 0; sig[n] != '\0'; n++) {
		MYSQL_BIND	*b = &p->b[n];

		if (n >= DB_MAXCOLS)
			return -1;
		switch (sig[n]) {
		case 'l':
		case 't':
			l = va_arg(ap, int64_t);
			if (l == DB_NULL) {
				b->buffer_type = MYSQL_TYPE_NULL;
				break;
			}
			if (sig[n] == 't') {
				us2time(l, &p->v[n].t);
				b->buffer_type = MYSQL_TYPE_DATETIME;
				b->buffer = &p->v[n].t;
			} else {
				p->v[n].ll = l;
				b->buffer_type = MYSQL_TYPE_LONGLONG;
				b->buffer = &p->v[n].ll;
			}
			break;
		case 'i':
			i = va_arg(ap, int);
			if (i == DB_NULL_INT) {
				b->buffer_type = MYSQL_TYPE_NULL;
				break;
			}
			p->v[n].i = i;
			b->buffer_type = MYSQL_TYPE_LONG;
			b->buffer = &p->v[n].i;
			break;
		case 'b':
			p->v[n].c = va_arg(ap, int) ? 1 : 0;
			b->buffer_type = MYSQL_TYPE_TINY;
			b->buffer = &p->v[n].c;
			break;
		case 's':
			if ((str = va_arg(ap, const char *)) == NULL) {
				b->buffer_type = MYSQL_TYPE_NULL;
				break;
			}
			p->len[n] = strlen(str);
			b->buffer_type = MYSQL_TYPE_STRING;
			b->buffer = (void *)str;
			b->buffer_length = p->len[n];
			b->length = &p->len[n];
			break;
		case 'x':
			ptr = va_arg(ap, const void *);
			p->len[n] = va_arg(ap, size_t);
			if (ptr == NULL) {
				b->buffer_type = MYSQL_TYPE_NULL;
				break;
			}
			b->buffer_type = MYSQL_TYPE_BLOB;
			b->buffer = (void *)ptr;
			b->buffer_length = p->len[n];
			b->length = &p->len[n];
			break;
		default:
			return -1;
		}
	}
	return 0;
}

static enum fp_err
run(struct db *db, enum stmt i, const char *sig, va_list ap)
{
	struct params	 p;
	MYSQL_STMT	*st;
	int		 attempt;
	va_list		 aq;
	enum fp_err	 rc;

	db_done(db);
	if ((stmt_roles(i) & db->roles) == 0) {
		snprintf(db->errmsg, sizeof(db->errmsg),
		    "statement %d is not one of this process's", (int)i);
		return db->err = FP_ESYS;
	}
	for (attempt = 0; attempt < 2; attempt++) {
		if ((rc = db_ensure(db)) != FP_OK)
			return rc;
		if ((rc = prepare(db, i)) != FP_OK)
			goto retry;
		st = db->st[i];
		va_copy(aq, ap);
		if (bind_params(&p, sig, aq) != 0) {
			va_end(aq);
			snprintf(db->errmsg, sizeof(db->errmsg),
			    "bad signature for statement %d", (int)i);
			return db->err = FP_ESYS;
		}
		va_end(aq);
		if (mysql_stmt_param_count(st) != strlen(sig)) {
			snprintf(db->errmsg, sizeof(db->errmsg),
			    "statement %d takes %lu parameters", (int)i,
			    mysql_stmt_param_count(st));
			return db->err = FP_ESYS;
		}
		if (mysql_stmt_bind_param(st, p.b) != 0 ||
		    mysql_stmt_execute(st) != 0) {
			rc = seterr(db, mysql_stmt_errno(st),
			    mysql_stmt_error(st));
			goto retry;
		}
		db->affected = mysql_stmt_affected_rows(st);
		db->insert_id = (int64_t)mysql_stmt_insert_id(st);
		db->err = FP_OK;
		return FP_OK;
retry:
		/* Only a lost connection outside a transaction is retried. */
		if (rc != FP_EDBDOWN || db->in_tx)
			return rc;
	}
	return rc;
}

/*
 * Execute a statement that returns no rows.  db_affected() counts matched
 * rows (CLIENT_FOUND_ROWS), db_insert_id() gives the AUTO_INCREMENT value.
 */
enum fp_err
db_exec(struct db *db, enum stmt i, const char *sig, ...)
{
	va_list		 ap;
	enum fp_err	 rc;

	va_start(ap, sig);
	rc = run(db, i, sig, ap);
	va_end(ap);
	return rc;
}

uint64_t
db_affected(const struct db *db)
{
	return db->affected;
}

int64_t
db_insert_id(const struct db *db)
{
	return db->insert_id;
}

/*
 * Execute a statement whose rows are then read one at a time with
 * db_fetch (unbuffered: a 10 000-row list is never held in memory).
 */
enum fp_err
db_query(struct db *db, enum stmt i, const char *sig, ...)
{
	va_list		 ap;
	enum fp_err	 rc;

	va_start(ap, sig);
	rc = run(db, i, sig, ap);
	va_end(ap);
	if (rc == FP_OK)
		db->cur = db->st[i];
	return rc;
}

static void
bind_cols(struct db *db, const char *sig)
{
	size_t		 n;

	memset(db->rbind, 0, sizeof(db->rbind));
	for (n = 0; sig[n] != '\0' && n < DB_MAXCOLS; n++) {
		MYSQL_BIND	*b = &db->rbind[n];
		struct col	*c = &db->cols[n];

		b->is_null = &c->isnull;
		b->error = &c->err;
		b->length = &c->len;
		switch (sig[n]) {
		case 'l':
			b->buffer_type = MYSQL_TYPE_LONGLONG;
			b->buffer = &c->v.ll;
			break;
		case 'i':
			b->buffer_type = MYSQL_TYPE_LONG;
			b->buffer = &c->v.i;
			break;
		case 'b':
			b->buffer_type = MYSQL_TYPE_TINY;
			b->buffer = &c->v.b;
			break;
		case 't':
			b->buffer_type = MYSQL_TYPE_DATETIME;
			b->buffer = &c->v.t;
			break;
		default:	/* 's', 'x' */
			b->buffer_type = sig[n] == 'x' ?
			    MYSQL_TYPE_BLOB : MYSQL_TYPE_STRING;
			b->buffer = c->buf;
			b->buffer_length = sizeof(c->buf);
			break;
		}
	}
}

/*
 * Fetch the next row into the pointers given after sig.  Text and binary
 * columns are copied into the arena (NUL-terminated).  Returns 1 for a
 * row, 0 at the end (the result is released), -1 on error.
 */
int
db_fetch(struct db *db, struct arena *a, const char *sig, ...)
{
	MYSQL_STMT	*st = db->cur;
	va_list		 ap;
	size_t		 n;
	int		 r;

	if (st == NULL)
		return 0;
	if (mysql_stmt_field_count(st) != strlen(sig)) {
		snprintf(db->errmsg, sizeof(db->errmsg),
		    "fetch signature has %zu columns, result has %u",
		    strlen(sig), mysql_stmt_field_count(st));
		db->err = FP_ESYS;
		db_done(db);
		return -1;
	}
	bind_cols(db, sig);
	if (mysql_stmt_bind_result(st, db->rbind) != 0) {
		seterr(db, mysql_stmt_errno(st), mysql_stmt_error(st));
		db_done(db);
		return -1;
	}
	r = mysql_stmt_fetch(st);
	if (r == MYSQL_NO_DATA) {
		db_done(db);
		return 0;
	}
	if (r == 1) {
		seterr(db, mysql_stmt_errno(st), mysql_stmt_error(st));
		db_done(db);
		return -1;
	}
	va_start(ap, sig);
	for (n = 0; sig[n] != '\0'; n++) {
		struct col	*c = &db->cols[n];

		switch (sig[n]) {
		case 'l': {
			int64_t	*o = va_arg(ap, int64_t *);
			*o = c->isnull ? DB_NULL : (int64_t)c->v.ll;
			break;
		}
		case 'i': {
			int	*o = va_arg(ap, int *);
			*o = c->isnull ? DB_NULL_INT : c->v.i;
			break;
		}
		case 'b': {
			bool	*o = va_arg(ap, bool *);
			*o = !c->isnull && c->v.b != 0;
			break;
		}
		case 't': {
			int64_t	*o = va_arg(ap, int64_t *);
			*o = c->isnull ? DB_NULL : time2us(&c->v.t);
			break;
		}
		case 's':
		case 'x': {
			unsigned char	**o = va_arg(ap, unsigned char **);
			size_t		 *ol = sig[n] == 'x' ?
			    va_arg(ap, size_t *) : NULL;
			unsigned char	 *p;

			if (c->isnull) {
				*o = NULL;
				if (ol != NULL)
					*ol = 0;
				break;
			}
			if ((p = arena_alloc(a, c->len + 1)) == NULL) {
				va_end(ap);
				db->err = FP_ENOMEM;
				db_done(db);
				return -1;
			}
			if (c->len <= sizeof(c->buf))
				memcpy(p, c->buf, c->len);
			else {
				/* Longer than the inline buffer: fetch it. */
				MYSQL_BIND	 b;
				unsigned long	 len = c->len;

				memset(&b, 0, sizeof(b));
				b.buffer_type = db->rbind[n].buffer_type;
				b.buffer = p;
				b.buffer_length = len;
				b.length = &len;
				if (mysql_stmt_fetch_column(st, &b,
				    (unsigned)n, 0) != 0) {
					va_end(ap);
					seterr(db, mysql_stmt_errno(st),
					    mysql_stmt_error(st));
					db_done(db);
					return -1;
				}
			}
			p[c->len] = '\0';
			*o = p;
			if (ol != NULL)
				*ol = c->len;
			break;
		}
		default:
			va_end(ap);
			db->err = FP_ESYS;
			db_done(db);
			return -1;
		}
	}
	va_end(ap);
	return 1;
}

void
db_done(struct db *db)
{
	if (db->cur != NULL) {
		mysql_stmt_free_result(db->cur);
		db->cur = NULL;
	}
}

/*
 * Run a multi-statement script (schema migrations).  Stops at the first
 * failing statement.
 */
enum fp_err
db_script(struct db *db, const char *sql, size_t len)
{
	MYSQL_RES	*res;
	int		 r;
	enum fp_err	 rc;

	if ((rc = db_ensure(db)) != FP_OK)
		return rc;
	db_done(db);
	if (mysql_real_query(db->my, sql, len) != 0)
		return seterr(db, mysql_errno(db->my), mysql_error(db->my));
	do {
		if ((res = mysql_store_result(db->my)) != NULL)
			mysql_free_result(res);
		else if (mysql_errno(db->my) != 0)
			return seterr(db, mysql_errno(db->my),
			    mysql_error(db->my));
		if ((r = mysql_next_result(db->my)) > 0)
			return seterr(db, mysql_errno(db->my),
			    mysql_error(db->my));
	} while (r == 0);
	return FP_OK;
}

enum fp_err
db_error(const struct db *db)
{
	return db->err;
}

const char *
db_errmsg(const struct db *db)
{
	return db->errmsg;
}

unsigned
db_errno(const struct db *db)
{
	return db->errnum;
}
