/*
 * dispatch.c -- the dispatcher: one child of the master that sends every
 * outbound OSCP message (SPEC §3) and runs the jobs.  Never a FastCGI
 * worker: a handler only commits a task row and wakes us.
 *
 * Loop: wait in curl_multi_poll() on the transfers, the wake eventfd
 * (a worker of this host committed a task) and a signalfd, at most until
 * the next poll of the queue (dispatch_poll_ms: tasks other hosts queued,
 * retries that fell due) or the next job.  Then claim as many due tasks as
 * there is room for (dispatch_concurrency) with one UPDATE that stamps
 * them with a value unique to this claim and a lease, read them with their
 * targets in one SELECT, start them (send.c), and record what finished,
 * one transaction per batch: an event row per attempt, and the task
 * deleted (done or given up) or put back with a later due time (retry),
 * the events and the deletions one statement each for the whole batch.
 * A dispatcher that dies leaves its claims to run out; any dispatcher
 * then claims them again.  On Galera the claim
 * UPDATE is certified like any write, so two nodes never both win a row.
 *
 * Jobs: heartbeats (heartbeat_job_seconds): stamp every due system's
 * heartbeat_at and queue one Heartbeat task each, in one transaction;
 * event pruning (hourly, event_days).
 */
#include <sys/signalfd.h>

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <mysql.h>

#include "db.h"
#include "dispatch.h"
#include "keyring.h"
#include "model.h"
#include "oscp.h"
#include "timefmt.h"

#define PRUNE_EVERY_MS	(3600 * 1000)
#define DB_RETRY_MS	1000

static int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
signals(void)
{
	sigset_t	 set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

/* 1 when a stop signal arrived; SIGHUP reopens the log. */
static int
read_signals(int sfd)
{
	struct signalfd_siginfo	 si;
	int			 stop = 0;

	while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			log_reopen();
		else
			stop = 1;
	}
	return stop;
}

/*
 * Claim due tasks and start them; the number claimed.  Two statements
 * whatever the number: the claim UPDATE, then one SELECT that reads each
 * claimed task with its target (starting a task reads nothing more, so
 * it starts while the rows stream).
 */
static int
claim(struct dispatcher *d, int room)
{
	char		 by[96];
	int64_t		 id, user, conf;
	int		 role, act, attempts, n = 0, got;
	char		*reqid, *corr, *body;
	struct target	 t;
	struct xfer	*x;
	enum fp_err	 rc;

	if (room <= 0)
		return 0;
	/* Unique to this claim; fits oscp_task.claimed_by (64 bytes). */
	snprintf(by, sizeof(by), "%.32s:%ld:%" PRIu64, d->host,
	    (long)getpid(), ++d->claims);
	if ((rc = db_exec(d->db, STMT_DSP_CLAIM, "sii", by,
	    d->s->dispatch_lease_seconds, room)) != FP_OK) {
		log_err("dispatcher: claim: %s", db_errmsg(d->db));
		return 0;
	}
	if (db_affected(d->db) == 0)
		return 0;
	if (db_query(d->db, STMT_DSP_CLAIMED, "s", by) != FP_OK) {
		log_err("dispatcher: claimed: %s", db_errmsg(d->db));
		return 0;
	}
	memset(&t, 0, sizeof(t));
	while ((got = db_fetch(d->db, d->a, "lliliissslbbissislxxxx", &id,
	    &user, &role, &conf, &act, &attempts, &reqid, &corr, &body,
	    &t.conf_id, &t.enabled, &t.user_enabled, &t.status, &t.url,
	    &t.ver, &t.hb, &t.sprops, &t.fp_id, &t.tok_enc, &t.tok_len,
	    &t.sec_enc, &t.sec_len, &t.next_enc, &t.next_len, &t.next_sha,
	    &t.sha_len)) == 1) {
		n++;
		if ((x = xfer_new(id, user, role, conf, act, attempts, by,
		    reqid, corr, body)) == NULL) {
			/* The lease runs out; sent later. */
			log_err("dispatcher: out of memory");
		} else
			send_start(d, x, &t);
		arena_reset(d->a);
	}
	if (got < 0)
		log_err("dispatcher: claimed: %s", db_errmsg(d->db));
	db_done(d->db);
	arena_reset(d->a);
	return n;
}

/*
 * Record a batch of finished transfers in one transaction (send_record:
 * a few statements for the whole batch).
 */
static void
record(struct dispatcher *d)
{
	struct xfer	*x, *next;
	enum fp_err	 rc = FP_OK;

	if (d->finished == NULL)
		return;
	if ((rc = db_begin(d->db)) == FP_OK)
		rc = send_record(d, d->finished);
	if (rc == FP_OK)
		rc = db_commit(d->db);
	if (rc != FP_OK) {
		/* Nothing recorded: the leases run out and the tasks are
		 * sent again (at least once, never lost). */
		log_err("dispatcher: recording results: %s",
		    db_errmsg(d->db));
		db_rollback(d->db);
	}
	for (x = d->finished; x != NULL; x = next) {
		next = x->next;
		xfer_free(x);
	}
	d->finished = NULL;
	arena_reset(d->a);
}

/* Stamp every due system of one role and queue a Heartbeat task each. */
static enum fp_err
heartbeats(struct dispatcher *d, enum stmt claim, enum stmt tasks,
    int64_t now)
{
	enum fp_err	 rc;

	if ((rc = db_exec(d->db, claim, "tt", now, now)) != FP_OK ||
	    db_affected(d->db) == 0)
		return rc;
	return db_exec(d->db, tasks, "t", now);
}

static void
job_heartbeats(struct dispatcher *d)
{
	int64_t		 now = time_now_us();
	enum fp_err	 rc;

	if ((rc = db_begin(d->db)) != FP_OK ||
	    (rc = heartbeats(d, STMT_DSP_CP_HB_CLAIM, STMT_DSP_CP_HB_TASKS,
	    now)) != FP_OK ||
	    (rc = heartbeats(d, STMT_DSP_CO_HB_CLAIM, STMT_DSP_CO_HB_TASKS,
	    now)) != FP_OK ||
	    (rc = db_commit(d->db)) != FP_OK) {
		log_err("dispatcher: heartbeat job: %s", db_errmsg(d->db));
		db_rollback(d->db);
		return;
	}
	d->poll_now = true;
}

static void
job_prune(struct dispatcher *d)
{
	int64_t	 before = time_now_us() -
		    (int64_t)d->s->event_days * 86400 * 1000000;

	if (db_exec(d->db, STMT_DSP_EVENT_PRUNE, "t", before) != FP_OK)
		log_err("dispatcher: pruning events: %s", db_errmsg(d->db));
	else if (db_affected(d->db) > 0)
		log_info("dispatcher: %" PRIu64 " old events pruned",
		    db_affected(d->db));
}

static int
ms_until(int64_t when, int64_t now)
{
	return when <= now ? 0 : when - now > 1000 ? 1000 : (int)(when - now);
}

void
dispatcher_main(const struct settings *s, pid_t master)
{
	struct dispatcher	 d;
	struct curl_waitfd	 wfd[2];
	char			 err[256];
	int64_t			 now, next_poll = 0, next_hb = 0;
	int64_t			 next_prune = 0;
	int			 sfd, numfds, stop = 0, timeout, room;
	bool			 full;
	uint64_t		 cnt;

	(void)master;		/* child_setup() (master.c) checked it */
	memset(&d, 0, sizeof(d));
	d.s = s;
	if ((sfd = signals()) == -1)
		fatal("dispatcher: signalfd");
	if (gethostname(d.host, sizeof(d.host) - 1) == -1)
		strcpy(d.host, "localhost");
	if (keyring_load(&d.keys, s->master_key_file, err, sizeof(err)) != 0)
		fatalx("dispatcher: %s", err);
	if ((d.a = arena_new(FP_ARENA_CAP)) == NULL ||
	    curl_global_init(CURL_GLOBAL_DEFAULT) != 0 ||
	    (d.multi = curl_multi_init()) == NULL)
		fatalx("dispatcher: out of memory");
	curl_multi_setopt(d.multi, CURLMOPT_MAX_HOST_CONNECTIONS,
	    (long)s->dispatch_concurrency);
	log_info("dispatcher started (concurrency %d)",
	    s->dispatch_concurrency);

	while (!stop || d.inflight > 0) {
		now = now_ms();
		if (d.db == NULL && (d.db = db_open(s, DB_DISPATCHER, err,
		    sizeof(err))) == NULL) {
			if (!d.db_warned)
				log_err("dispatcher: %s", err);
			d.db_warned = true;
			next_poll = now + DB_RETRY_MS;
		} else if (db_ensure(d.db) != FP_OK) {
			if (!d.db_warned)
				log_err("dispatcher: database: %s",
				    db_errmsg(d.db));
			d.db_warned = true;
			next_poll = now + DB_RETRY_MS;
		} else {
			d.db_warned = false;
			if (!stop && now >= next_hb) {
				job_heartbeats(&d);
				next_hb = now +
				    (int64_t)s->heartbeat_job_seconds * 1000;
			}
			if (!stop && now >= next_prune) {
				job_prune(&d);
				next_prune = now + PRUNE_EVERY_MS;
			}
			/* A claim that is due waits while every slot is
			 * busy, and runs as soon as a transfer ends. */
			room = s->dispatch_concurrency - d.inflight;
			if (!stop && room > 0 &&
			    (d.poll_now || now >= next_poll)) {
				d.poll_now = false;
				next_poll = now + s->dispatch_poll_ms;
				/* A full claim: more may be due. */
				if (claim(&d, room) >= room)
					d.poll_now = true;
			}
		}
		send_progress(&d);
		record(&d);
		full = d.inflight >= s->dispatch_concurrency;
		if (d.poll_now && !full)
			timeout = 0;
		else {
			now = now_ms();
			/* Full: a transfer's socket wakes us. */
			timeout = full ? 1000 : ms_until(next_poll, now);
			if (!stop && ms_until(next_hb, now) < timeout)
				timeout = ms_until(next_hb, now);
		}
		memset(wfd, 0, sizeof(wfd));
		wfd[0].fd = oscp_wake_fd();
		wfd[0].events = CURL_WAIT_POLLIN;
		wfd[1].fd = sfd;
		wfd[1].events = CURL_WAIT_POLLIN;
		curl_multi_poll(d.multi, wfd, 2, timeout, &numfds);
		if (wfd[0].revents & CURL_WAIT_POLLIN) {
			if (read(wfd[0].fd, &cnt, sizeof(cnt)) > 0)
				d.poll_now = true;
		}
		if ((wfd[1].revents & CURL_WAIT_POLLIN) && read_signals(sfd)) {
			if (!stop)
				log_info("dispatcher: stopping after %d "
				    "transfers in flight", d.inflight);
			stop = 1;
		}
	}
	send_cleanup(&d);
	curl_multi_cleanup(d.multi);
	curl_global_cleanup();
	db_close(d.db);
	keyring_wipe(&d.keys);
	arena_free(d.a);
	log_info("dispatcher stopped");
	log_close();
	_exit(0);
}
