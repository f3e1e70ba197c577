/*
 * ceiling_db.c -- the benchmark's database ceiling (ceiling C): the same
 * statements the API runs, sent straight to MariaDB with Connector/C, no
 * HTTP in between.  N threads, one connection each, in a closed loop for
 * a fixed time:
 *
 *	select	STMT_CG_GET (the capacity-group GET), every column fetched
 *		with the types db.c binds
 *	auth	STMT_AUTH_TOKEN (the SNWS2 token lookup every authenticated
 *		request makes) followed by STMT_CG_GET: the database work of
 *		one authenticated GET
 *	insert	START TRANSACTION + STMT_CG_INSERT + STMT_CG_CP_MEAS_INSERT
 *		+ STMT_CG_CO_MEAS_INSERT + COMMIT (a group create), with a
 *		unique identifier per transaction
 *
 * The SQL text is not copied: this program links src/db_stmts.c, so it
 * runs exactly what the daemon runs, and it connects with the options
 * db.c uses.  Prints one JSON line: requests, errors, req/s, latency
 * percentiles (10 us histogram).  The password comes from the
 * environment (CEILING_DB_PASSWORD), never from the command line.
 *
 * usage: ceiling_db -m select|auth|insert -c CONNS -d SECONDS -S SOCKET
 *	      -u USER -D DATABASE -U USER_ID [-g GROUP_ID] [-t TOKEN_ID]
 *	      [-p CP_ID] [-o CO_ID] [-x IDENT_PREFIX]
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mysql.h>

#include "db.h"

extern const char db_sql_begin[];	/* db_stmts.c */

#define HIST_US		10		/* bucket width */
#define HIST_N		100000		/* 10 us .. 1 s, last = overflow */
#define COLS_MAX	24

enum mode {
	MODE_SELECT,
	MODE_AUTH,
	MODE_INSERT
};

struct opts {
	enum mode	 mode;
	int		 conns;
	double		 secs;
	const char	*sock;
	const char	*user;
	const char	*pass;
	const char	*dbname;
	int64_t		 user_id;
	int64_t		 group_id;
	int64_t		 cp_id;
	int64_t		 co_id;
	const char	*prefix;
	const char	*token;
};

struct worker {
	pthread_t	 tid;
	int		 n;
	const struct opts *o;
	uint64_t	 ops;
	uint64_t	 errors;
	uint32_t	*hist;
	char		 err[256];
	bool		 failed;
};

static atomic_int	 go;		/* 0 wait, 1 run, 2 stop */
static atomic_int	 ready;

static double
now_s(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t
now_us_utc(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
us2time(int64_t us, MYSQL_TIME *t)
{
	time_t		 sec = (time_t)(us / 1000000);
	struct tm	 tm;

	gmtime_r(&sec, &tm);
	memset(t, 0, sizeof(*t));
	t->year = tm.tm_year + 1900;
	t->month = tm.tm_mon + 1;
	t->day = tm.tm_mday;
	t->hour = tm.tm_hour;
	t->minute = tm.tm_min;
	t->second = tm.tm_sec;
	t->second_part = (unsigned long)(us % 1000000);
	t->time_type = MYSQL_TIMESTAMP_DATETIME;
}

/* Connect with the options db.c uses (charset, time zone, sql_mode). */
static MYSQL *
connect_db(const struct opts *o, char *err, size_t errlen)
{
	MYSQL		*my;
	unsigned	 timeout = 5;
	my_bool		 off = 0;

	if ((my = mysql_init(NULL)) == NULL) {
		snprintf(err, errlen, "mysql_init: out of memory");
		return NULL;
	}
	mysql_options(my, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(my, MYSQL_OPT_RECONNECT, &off);
	mysql_options(my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(my, MYSQL_INIT_COMMAND,
	    "SET time_zone = '+00:00', sql_mode = 'STRICT_ALL_TABLES,"
	    "NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,"
	    "NO_ENGINE_SUBSTITUTION'");
	if (mysql_real_connect(my, NULL, o->user, o->pass, o->dbname, 0,
	    o->sock, CLIENT_FOUND_ROWS | CLIENT_MULTI_STATEMENTS) == NULL) {
		snprintf(err, errlen, "connect: %s", mysql_error(my));
		mysql_close(my);
		return NULL;
	}
	return my;
}

static MYSQL_STMT *
prepare(MYSQL *my, enum stmt i, char *err, size_t errlen)
{
	MYSQL_STMT	*st;

	if ((st = mysql_stmt_init(my)) == NULL) {
		snprintf(err, errlen, "stmt_init: %s", mysql_error(my));
		return NULL;
	}
	if (mysql_stmt_prepare(st, stmts[i], strlen(stmts[i])) != 0) {
		snprintf(err, errlen, "prepare %d: %s", (int)i,
		    mysql_stmt_error(st));
		mysql_stmt_close(st);
		return NULL;
	}
	return st;
}

/* Result buffers for the group columns, typed as db.c binds them. */
struct rowbuf {
	MYSQL_BIND	 b[COLS_MAX];
	union {
		long long	 ll;
		int		 i;
		signed char	 c;
		MYSQL_TIME	 t;
	}		 v[COLS_MAX];
	char		 s[COLS_MAX][1024];
	unsigned long	 len[COLS_MAX];
	my_bool		 isnull[COLS_MAX];
	my_bool		 error[COLS_MAX];
};

static int
bind_result(MYSQL_STMT *st, struct rowbuf *r, const char *sig)
{
	size_t		 n;

	memset(r->b, 0, sizeof(r->b));
	for (n = 0; sig[n] != '\0' && n < COLS_MAX; n++) {
		MYSQL_BIND	*b = &r->b[n];

		b->is_null = &r->isnull[n];
		b->error = &r->error[n];
		b->length = &r->len[n];
		switch (sig[n]) {
		case 'l':
			b->buffer_type = MYSQL_TYPE_LONGLONG;
			b->buffer = &r->v[n].ll;
			break;
		case 'i':
			b->buffer_type = MYSQL_TYPE_LONG;
			b->buffer = &r->v[n].i;
			break;
		case 'b':
			b->buffer_type = MYSQL_TYPE_TINY;
			b->buffer = &r->v[n].c;
			break;
		case 't':
			b->buffer_type = MYSQL_TYPE_DATETIME;
			b->buffer = &r->v[n].t;
			break;
		default:
			b->buffer_type = MYSQL_TYPE_STRING;
			b->buffer = r->s[n];
			b->buffer_length = sizeof(r->s[n]);
			break;
		}
	}
	return mysql_stmt_bind_result(st, r->b) == 0 ? 0 : -1;
}

static void
record(struct worker *w, double t0)
{
	double		 us = (now_s() - t0) * 1e6;
	size_t		 k = (size_t)(us / HIST_US);

	if (k >= HIST_N)
		k = HIST_N - 1;
	w->hist[k]++;
	w->ops++;
}

/* The token lookup of every authenticated request (one row expected). */
static int
do_auth(struct worker *w, MYSQL_STMT *st, struct rowbuf *r)
{
	MYSQL_BIND	 p[1];
	unsigned long	 len = strlen(w->o->token);
	int		 rc, rows = 0;

	memset(p, 0, sizeof(p));
	p[0].buffer_type = MYSQL_TYPE_STRING;
	p[0].buffer = (void *)w->o->token;
	p[0].buffer_length = len;
	p[0].length = &len;
	if (mysql_stmt_bind_param(st, p) != 0 || mysql_stmt_execute(st) != 0)
		goto fail;
	if (bind_result(st, r, "lssxtsbi") != 0)
		goto fail;
	while ((rc = mysql_stmt_fetch(st)) == 0 || rc == MYSQL_DATA_TRUNCATED)
		rows++;
	if (rc != MYSQL_NO_DATA)
		goto fail;
	mysql_stmt_free_result(st);
	if (rows != 1) {
		snprintf(w->err, sizeof(w->err), "token lookup returned %d rows",
		    rows);
		return -1;
	}
	return 0;
fail:
	snprintf(w->err, sizeof(w->err), "auth: %s", mysql_stmt_error(st));
	mysql_stmt_free_result(st);
	return -1;
}

static int
do_select(struct worker *w, MYSQL_STMT *st, struct rowbuf *r)
{
	MYSQL_BIND	 p[2];
	long long	 uid = w->o->user_id, gid = w->o->group_id;
	int		 rc, rows = 0;

	memset(p, 0, sizeof(p));
	p[0].buffer_type = MYSQL_TYPE_LONGLONG;
	p[0].buffer = &uid;
	p[1].buffer_type = MYSQL_TYPE_LONGLONG;
	p[1].buffer = &gid;
	if (mysql_stmt_bind_param(st, p) != 0 || mysql_stmt_execute(st) != 0)
		goto fail;
	if (bind_result(st, r, "llttbsslliitts") != 0)
		goto fail;
	while ((rc = mysql_stmt_fetch(st)) == 0 || rc == MYSQL_DATA_TRUNCATED)
		rows++;
	if (rc != MYSQL_NO_DATA)
		goto fail;
	mysql_stmt_free_result(st);
	if (rows != 1) {
		snprintf(w->err, sizeof(w->err), "select returned %d rows",
		    rows);
		return -1;
	}
	return 0;
fail:
	snprintf(w->err, sizeof(w->err), "select: %s", mysql_stmt_error(st));
	mysql_stmt_free_result(st);
	return -1;
}

static int
exec_ll(MYSQL_STMT *st, long long a, long long b)
{
	MYSQL_BIND	 p[2];

	memset(p, 0, sizeof(p));
	p[0].buffer_type = MYSQL_TYPE_LONGLONG;
	p[0].buffer = &a;
	p[1].buffer_type = MYSQL_TYPE_LONGLONG;
	p[1].buffer = &b;
	if (mysql_stmt_bind_param(st, p) != 0 || mysql_stmt_execute(st) != 0)
		return -1;
	return 0;
}

/* BEGIN + the three inserts of a group create + COMMIT. */
static int
do_insert(struct worker *w, MYSQL *my, MYSQL_STMT *const sts[3],
    uint64_t seq)
{
	MYSQL_BIND	 p[11];
	MYSQL_TIME	 created;
	long long	 uid = w->o->user_id, cp = w->o->cp_id, co = w->o->co_id;
	long long	 gid;
	int		 meas = 900;
	signed char	 enabled = 1;
	char		 ident[128];
	const char	*name = "bench group";
	unsigned long	 namelen, identlen;

	snprintf(ident, sizeof(ident), "%s-%d-%" PRIu64, w->o->prefix, w->n,
	    seq);
	namelen = strlen(name);
	identlen = strlen(ident);
	us2time(now_us_utc(), &created);
	memset(p, 0, sizeof(p));
	p[0].buffer_type = MYSQL_TYPE_LONGLONG;
	p[0].buffer = &uid;
	p[1].buffer_type = MYSQL_TYPE_DATETIME;
	p[1].buffer = &created;
	p[2].buffer_type = MYSQL_TYPE_DATETIME;
	p[2].buffer = &created;
	p[3].buffer_type = MYSQL_TYPE_TINY;
	p[3].buffer = &enabled;
	p[4].buffer_type = MYSQL_TYPE_STRING;
	p[4].buffer = (void *)name;
	p[4].buffer_length = namelen;
	p[4].length = &namelen;
	p[5].buffer_type = MYSQL_TYPE_STRING;
	p[5].buffer = ident;
	p[5].buffer_length = identlen;
	p[5].length = &identlen;
	p[6].buffer_type = MYSQL_TYPE_LONGLONG;
	p[6].buffer = &cp;
	p[7].buffer_type = MYSQL_TYPE_LONGLONG;
	p[7].buffer = &co;
	p[8].buffer_type = MYSQL_TYPE_LONG;
	p[8].buffer = &meas;
	p[9].buffer_type = MYSQL_TYPE_LONG;
	p[9].buffer = &meas;
	p[10].buffer_type = MYSQL_TYPE_NULL;

	if (mysql_real_query(my, db_sql_begin, strlen(db_sql_begin)) != 0) {
		snprintf(w->err, sizeof(w->err), "begin: %s",
		    mysql_error(my));
		return -1;
	}
	if (mysql_stmt_bind_param(sts[0], p) != 0 ||
	    mysql_stmt_execute(sts[0]) != 0) {
		snprintf(w->err, sizeof(w->err), "insert group: %s",
		    mysql_stmt_error(sts[0]));
		goto rollback;
	}
	gid = (long long)mysql_stmt_insert_id(sts[0]);
	if (exec_ll(sts[1], uid, gid) != 0 || exec_ll(sts[2], uid, gid) != 0) {
		snprintf(w->err, sizeof(w->err), "insert meas: %s",
		    mysql_error(my));
		goto rollback;
	}
	if (mysql_commit(my) != 0) {
		snprintf(w->err, sizeof(w->err), "commit: %s",
		    mysql_error(my));
		goto rollback;
	}
	return 0;
rollback:
	mysql_rollback(my);
	return -1;
}

static void *
run(void *arg)
{
	struct worker	*w = arg;
	MYSQL		*my;
	MYSQL_STMT	*sts[3] = { NULL, NULL, NULL };
	struct rowbuf	*r = NULL;
	uint64_t	 seq = 0;
	double		 t0;
	int		 i, n = 0, rc;

	if ((my = connect_db(w->o, w->err, sizeof(w->err))) == NULL)
		goto out;
	if (w->o->mode == MODE_SELECT) {
		n = 1;
		sts[0] = prepare(my, STMT_CG_GET, w->err, sizeof(w->err));
		r = calloc(1, sizeof(*r));
	} else if (w->o->mode == MODE_AUTH) {
		n = 2;
		sts[0] = prepare(my, STMT_CG_GET, w->err, sizeof(w->err));
		sts[1] = prepare(my, STMT_AUTH_TOKEN, w->err, sizeof(w->err));
		r = calloc(1, sizeof(*r));
	} else {
		n = 3;
		sts[0] = prepare(my, STMT_CG_INSERT, w->err, sizeof(w->err));
		sts[1] = prepare(my, STMT_CG_CP_MEAS_INSERT, w->err,
		    sizeof(w->err));
		sts[2] = prepare(my, STMT_CG_CO_MEAS_INSERT, w->err,
		    sizeof(w->err));
	}
	for (i = 0; i < n; i++)
		if (sts[i] == NULL)
			goto out;
	if (w->o->mode != MODE_INSERT && r == NULL) {
		snprintf(w->err, sizeof(w->err), "out of memory");
		goto out;
	}
	atomic_fetch_add(&ready, 1);
	while (atomic_load(&go) == 0)
		usleep(1000);
	while (atomic_load(&go) == 1) {
		t0 = now_s();
		switch (w->o->mode) {
		case MODE_SELECT:
			rc = do_select(w, sts[0], r);
			break;
		case MODE_AUTH:
			if ((rc = do_auth(w, sts[1], r)) == 0)
				rc = do_select(w, sts[0], r);
			break;
		default:
			rc = do_insert(w, my, sts, seq++);
			break;
		}
		if (rc != 0) {
			w->errors++;
			if (w->errors > 100)
				break;
			continue;
		}
		if (atomic_load(&go) == 1)
			record(w, t0);
	}
	for (i = 0; i < n; i++)
		mysql_stmt_close(sts[i]);
	free(r);
	mysql_close(my);
	mysql_thread_end();
	return NULL;
out:
	w->failed = true;
	for (i = 0; i < 3; i++)
		if (sts[i] != NULL)
			mysql_stmt_close(sts[i]);
	free(r);
	if (my != NULL)
		mysql_close(my);
	mysql_thread_end();
	atomic_fetch_add(&ready, 1);
	return NULL;
}

static double
percentile(const uint32_t *h, uint64_t total, double q)
{
	uint64_t	 want = (uint64_t)(q * (double)total + 0.5), acc = 0;
	size_t		 k;

	if (total == 0)
		return 0;
	if (want == 0)
		want = 1;
	for (k = 0; k < HIST_N; k++) {
		acc += h[k];
		if (acc >= want)
			return ((double)k + 0.5) * HIST_US / 1000.0;
	}
	return (double)HIST_N * HIST_US / 1000.0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: ceiling_db -m select|auth|insert -c CONNS "
	    "-d SECONDS -S SOCKET -u USER -D DATABASE -U USER_ID\n"
	    "\t[-g GROUP_ID] [-t TOKEN_ID] [-p CP_ID] [-o CO_ID] "
	    "[-x IDENT_PREFIX]\n"
	    "password in CEILING_DB_PASSWORD\n");
	exit(2);
}

static int64_t
num(const char *s)
{
	char		*end;
	long long	 v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s)
		usage();
	return v;
}

int
main(int argc, char *argv[])
{
	struct opts	 o;
	struct worker	*w;
	uint32_t	*hist;
	uint64_t	 ops = 0, errors = 0;
	double		 t0, t1;
	int		 ch, i, failed = 0;
	size_t		 k;

	memset(&o, 0, sizeof(o));
	o.mode = MODE_SELECT;
	o.conns = 16;
	o.secs = 10;
	o.dbname = "oscp";
	o.prefix = "ceil";
	while ((ch = getopt(argc, argv, "m:c:d:S:u:D:U:g:p:o:x:t:")) != -1) {
		switch (ch) {
		case 'm':
			if (strcmp(optarg, "select") == 0)
				o.mode = MODE_SELECT;
			else if (strcmp(optarg, "auth") == 0)
				o.mode = MODE_AUTH;
			else if (strcmp(optarg, "insert") == 0)
				o.mode = MODE_INSERT;
			else
				usage();
			break;
		case 'c':
			o.conns = (int)num(optarg);
			break;
		case 'd':
			o.secs = strtod(optarg, NULL);
			break;
		case 'S':
			o.sock = optarg;
			break;
		case 'u':
			o.user = optarg;
			break;
		case 'D':
			o.dbname = optarg;
			break;
		case 'U':
			o.user_id = num(optarg);
			break;
		case 'g':
			o.group_id = num(optarg);
			break;
		case 'p':
			o.cp_id = num(optarg);
			break;
		case 'o':
			o.co_id = num(optarg);
			break;
		case 'x':
			o.prefix = optarg;
			break;
		case 't':
			o.token = optarg;
			break;
		default:
			usage();
		}
	}
	o.pass = getenv("CEILING_DB_PASSWORD");
	if (o.sock == NULL || o.user == NULL || o.user_id <= 0 ||
	    o.conns < 1 || o.conns > 1000 || o.secs <= 0)
		usage();
	if (o.mode != MODE_INSERT && o.group_id <= 0)
		usage();
	if (o.mode == MODE_AUTH && o.token == NULL)
		usage();
	if (o.mode == MODE_INSERT && (o.cp_id <= 0 || o.co_id <= 0))
		usage();

	if (mysql_library_init(0, NULL, NULL) != 0) {
		fprintf(stderr, "ceiling_db: mysql_library_init failed\n");
		return 1;
	}
	if ((w = calloc((size_t)o.conns, sizeof(*w))) == NULL ||
	    (hist = calloc(HIST_N, sizeof(*hist))) == NULL) {
		fprintf(stderr, "ceiling_db: out of memory\n");
		return 1;
	}
	for (i = 0; i < o.conns; i++) {
		w[i].n = i;
		w[i].o = &o;
		if ((w[i].hist = calloc(HIST_N, sizeof(uint32_t))) == NULL) {
			fprintf(stderr, "ceiling_db: out of memory\n");
			return 1;
		}
		if (pthread_create(&w[i].tid, NULL, run, &w[i]) != 0) {
			fprintf(stderr, "ceiling_db: pthread_create failed\n");
			return 1;
		}
	}
	while (atomic_load(&ready) < o.conns)
		usleep(1000);
	t0 = now_s();
	atomic_store(&go, 1);
	usleep((useconds_t)(o.secs * 1e6));
	atomic_store(&go, 2);
	t1 = now_s();
	for (i = 0; i < o.conns; i++) {
		pthread_join(w[i].tid, NULL);
		if (w[i].failed || w[i].errors > 0) {
			fprintf(stderr, "ceiling_db: thread %d: %s\n", i,
			    w[i].err);
			failed += w[i].failed;
		}
		ops += w[i].ops;
		errors += w[i].errors;
		for (k = 0; k < HIST_N; k++)
			hist[k] += w[i].hist[k];
		free(w[i].hist);
	}
	printf("{\"mode\":\"%s\",\"conns\":%d,\"duration_s\":%.3f,"
	    "\"requests\":%" PRIu64 ",\"errors\":%" PRIu64 ","
	    "\"failed_threads\":%d,\"rps\":%.1f,\"p50_ms\":%.3f,"
	    "\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"max_bucket_ms\":%.3f}\n",
	    o.mode == MODE_SELECT ? "select" : o.mode == MODE_AUTH ? "auth" :
	    "insert", o.conns, t1 - t0,
	    ops, errors, failed, (double)ops / (t1 - t0),
	    percentile(hist, ops, 0.50), percentile(hist, ops, 0.90),
	    percentile(hist, ops, 0.99), percentile(hist, ops, 1.0));
	free(hist);
	free(w);
	mysql_library_end();
	return failed > 0 || errors > 0 ? 1 : 0;
}
