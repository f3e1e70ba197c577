/*
 * master.c -- the supervising process of oscp-fpd: forks the children,
 * reaps them, respawns the ones that die and stops them all.
 *
 * The master does no request work.  It sleeps in sigsuspend() with
 * SIGCHLD, SIGTERM, SIGINT, SIGQUIT, SIGHUP and SIGALRM blocked the rest
 * of the time; their handlers only set flags, and the loop acts on them:
 *
 *	SIGCHLD		reap, log how the child ended, respawn it.  A
 *			slot that dies more than DEATHS_MAX times in
 *			DEATHS_WINDOW seconds is respawned after 1, 2, 4 ...
 *			BACKOFF_MAX s; a child that then lives STABLE_SECS
 *			clears the back-off.
 *	SIGTERM/INT/QUIT  drain: the stop hook (main.c: remove the socket
 *			file, so new connections are refused), then SIGQUIT
 *			to every child (each finishes the request it is
 *			serving and the connections already queued on the
 *			listener, then exits), wait for them,
 *			SIGKILL what is left after DRAIN_TIMEOUT seconds or on
 *			a second stop signal, then return.
 *	SIGHUP		reopen the master's log and reload the settings
 *			(main.c's reload function).  If they load, a new
 *			set of workers starts with them and the old set gets
 *			SIGTERM: each old worker finishes what it is serving
 *			and exits, and is not respawned ("retired").  If
 *			they do not, nothing changes and the children get
 *			SIGHUP to reopen their logs.
 *	SIGALRM		a timer for the two deadlines above.
 *
 * Opening the socket and removing it (and the pid file) afterwards is
 * main.c's job.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sys/eventfd.h>
#include <sys/prctl.h>

#include "dispatch.h"
#include "fp.h"
#include "oscp.h"
#include "proc.h"

#define DEATHS_MAX	5	/* more deaths than this ... */
#define DEATHS_WINDOW	10	/* ... in this many seconds: back off */
#define BACKOFF_MAX	30	/* longest wait before a respawn, s */
#define STABLE_SECS	10	/* a child that lived this long is fine */
#define DRAIN_TIMEOUT	30	/* then SIGKILL what is still running */

/*
 * The kinds of child, one row each: how many a set of settings asks for
 * and the body of one (it never returns).  Every kind shares the slot
 * table, respawning, back-off, SIGHUP (a new set starts, the old one
 * finishes and exits) and SIGTERM (drain).
 */
static int
n_workers(const struct settings *s)
{
	return s->workers;
}

static int
n_one(const struct settings *s)
{
	(void)s;
	return 1;
}

static void
run_worker(int id, const struct settings *s, int fd, pid_t master)
{
	worker_main(id, s, fd, master);
}

static void
run_dispatcher(int id, const struct settings *s, int fd, pid_t master)
{
	(void)id;
	close(fd);		/* it serves no FastCGI */
	dispatcher_main(s, master);
}

static const struct kind {
	const char	*name;
	const char	*comm;		/* process name (ps, top), 15 max */
	int		(*count)(const struct settings *);
	void		(*run)(int, const struct settings *, int, pid_t);
} kinds[CHILD__MAX] = {
	{ "worker", NULL, n_workers, run_worker },	/* CHILD_WORKER */
	{ "dispatcher", "oscp-dispatcher", n_one,	/* CHILD_DISPATCHER */
	  run_dispatcher },
};

/*
 * What every child does first, whatever its kind: die with the master
 * (and not start if it is already gone), take its kind's process name.
 */
static void
child_setup(const struct kind *k, int id, pid_t master)
{
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1)
		log_warn("%s %d: prctl: %s", k->name, id, strerror(errno));
	if (getppid() != master)
		_exit(0);
	if (k->comm != NULL)
		prctl(PR_SET_NAME, k->comm);
}

struct slot {
	enum child_kind	 kind;
	int		 id;		/* index among its kind */
	pid_t		 pid;		/* 0: not running */
	time_t		 started;	/* monotonic seconds */
	time_t		 restart_at;	/* when pid == 0 */
	int		 backoff;	/* seconds; 0 = respawn at once */
	time_t		 deaths[DEATHS_MAX + 1];	/* ring */
	unsigned	 ndeaths;
};

/* Workers of an earlier set of settings, still finishing after SIGHUP. */
struct retired {
	pid_t		*pid;
	int		 n, cap;
};

static volatile sig_atomic_t	got_chld, got_stop, got_hup;

static void
on_signal(int sig)
{
	switch (sig) {
	case SIGCHLD:
		got_chld = 1;
		break;
	case SIGHUP:
		got_hup = 1;
		break;
	case SIGALRM:
		break;		/* only ends sigsuspend */
	default:
		got_stop = sig;
		break;
	}
}

static time_t
now_mono(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static void
spawn(struct slot *sl, const struct settings *s, int fd)
{
	pid_t	pid, master = getpid();

	fflush(NULL);		/* or children repeat buffered stdio */
	if ((pid = fork()) == -1) {
		log_err("fork %s %d: %s", kinds[sl->kind].name, sl->id,
		    strerror(errno));
		sl->restart_at = now_mono() + 1;
		return;
	}
	if (pid == 0) {
		child_setup(&kinds[sl->kind], sl->id, master);
		kinds[sl->kind].run(sl->id, s, fd, master);
		_exit(1);
	}
	sl->pid = pid;
	sl->started = now_mono();
	log_info("%s %d started, pid %ld", kinds[sl->kind].name, sl->id,
	    (long)pid);
}

/* A slot's child died while running normally: when to respawn it. */
static void
schedule(struct slot *sl, time_t now)
{
	time_t	oldest;

	if (sl->backoff > 0) {
		if (now - sl->started >= STABLE_SECS) {
			sl->backoff = 0;
			sl->ndeaths = 0;
		} else if ((sl->backoff *= 2) > BACKOFF_MAX)
			sl->backoff = BACKOFF_MAX;
	} else {
		sl->deaths[sl->ndeaths++ % (DEATHS_MAX + 1)] = now;
		oldest = sl->deaths[sl->ndeaths % (DEATHS_MAX + 1)];
		if (sl->ndeaths > DEATHS_MAX && now - oldest < DEATHS_WINDOW)
			sl->backoff = 1;
	}
	sl->restart_at = now + sl->backoff;
	if (sl->backoff > 0)
		log_warn("%s %d keeps dying: respawning in %d s",
		    kinds[sl->kind].name, sl->id, sl->backoff);
}

static void
describe(int st, char *buf, size_t len)
{
	if (WIFEXITED(st))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, len, "killed by signal %d (%s)%s", WTERMSIG(st),
		    strsignal(WTERMSIG(st)),
		    WCOREDUMP(st) ? ", core dumped" : "");
	else
		snprintf(buf, len, "ended, wait status %#x", st);
}

/* Room for n more retired pids: 0, or -1 with errno set. */
static int
retired_reserve(struct retired *r, int n)
{
	pid_t	*p;

	if (r->n + n <= r->cap)
		return 0;
	if ((p = reallocarray(r->pid, r->n + n, sizeof(*p))) == NULL)
		return -1;
	r->pid = p;
	r->cap = r->n + n;
	return 0;
}

/* A retired worker ended: 1 if pid was one. */
static int
retired_reap(struct retired *r, pid_t pid, int st)
{
	char	how[96];
	int	i;

	for (i = 0; i < r->n && r->pid[i] != pid; i++)
		continue;
	if (i == r->n)
		return 0;
	r->pid[i] = r->pid[--r->n];
	describe(st, how, sizeof(how));
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		log_info("old worker (pid %ld) %s", (long)pid, how);
	else
		log_warn("old worker (pid %ld) %s", (long)pid, how);
	return 1;
}

static void
reap(struct slot *slots, int n, struct retired *r, bool stopping)
{
	char		 how[96];
	const char	*name;
	pid_t		 pid;
	int		 st, i;
	time_t		 now = now_mono();

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (retired_reap(r, pid, st))
			continue;
		for (i = 0; i < n && slots[i].pid != pid; i++)
			continue;
		if (i == n)
			continue;	/* not ours (cannot happen) */
		describe(st, how, sizeof(how));
		slots[i].pid = 0;
		name = kinds[slots[i].kind].name;
		if (!stopping)
			log_err("%s %d (pid %ld) %s", name, slots[i].id,
			    (long)pid, how);
		else if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			log_info("%s %d (pid %ld) %s", name, slots[i].id,
			    (long)pid, how);
		else
			log_warn("%s %d (pid %ld) %s", name, slots[i].id,
			    (long)pid, how);
		if (!stopping)
			schedule(&slots[i], now);
	}
}

static void
signal_one(pid_t pid, int sig)
{
	if (kill(pid, sig) == -1 && errno != ESRCH)
		log_warn("kill %ld: %s", (long)pid, strerror(errno));
}

/* Send sig to every child, current and retired. */
static void
signal_all(struct slot *slots, int n, const struct retired *r, int sig)
{
	int	i;

	for (i = 0; i < n; i++)
		if (slots[i].pid > 0)
			signal_one(slots[i].pid, sig);
	for (i = 0; i < r->n; i++)
		signal_one(r->pid[i], sig);
}

/* The slot table for a set of settings: every kind's children; *np is
 * set to their number. */
static struct slot *
slots_new(const struct settings *s, int *np)
{
	struct slot	*slots;
	int		 k, i, n = 0, j = 0;

	for (k = 0; k < CHILD__MAX; k++)
		n += kinds[k].count(s);
	if ((slots = calloc(n, sizeof(*slots))) == NULL)
		return NULL;
	for (k = 0; k < CHILD__MAX; k++)
		for (i = 0; i < kinds[k].count(s); i++, j++) {
			slots[j].kind = (enum child_kind)k;
			slots[j].id = i;
		}
	*np = n;
	return slots;
}

/*
 * SIGHUP: reload the settings.  On success the running children are
 * retired (SIGTERM: they finish, then exit) and *slotsp is a new table for
 * the new settings, all to be spawned by the loop at once.  0 if the
 * settings changed.
 */
static int
reload(struct settings *s, struct slot **slotsp, int *np, struct retired *r,
    master_reload_fn *fn)
{
	struct settings	 ns;
	struct slot	*ns_slots, *old = *slotsp;
	char		 err[512];
	int		 i, nn;

	if (fn(s, &ns, err, sizeof(err)) == -1) {
		log_err("SIGHUP: settings not reloaded, keeping the running "
		    "ones: %s", err);
		return -1;
	}
	if ((ns_slots = slots_new(&ns, &nn)) == NULL ||
	    retired_reserve(r, *np) == -1) {
		log_err("SIGHUP: %s: keeping the running settings",
		    strerror(errno));
		free(ns_slots);
		settings_free(&ns);
		return -1;
	}
	for (i = 0; i < *np; i++)
		if (old[i].pid > 0) {
			r->pid[r->n++] = old[i].pid;
			signal_one(old[i].pid, SIGTERM);
		}
	free(old);
	settings_free(s);
	*s = ns;
	*slotsp = ns_slots;
	*np = nn;
	log_info("SIGHUP: settings reloaded: starting %d workers and a "
	    "dispatcher, %d old children finish and exit", ns.workers, r->n);
	return 0;
}

static void
master_signals(sigset_t *waitmask)
{
	struct sigaction	sa;
	sigset_t		block;

	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGQUIT);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGALRM);
	sigprocmask(SIG_BLOCK, &block, waitmask);
	sigdelset(waitmask, SIGCHLD);
	sigdelset(waitmask, SIGTERM);
	sigdelset(waitmask, SIGINT);
	sigdelset(waitmask, SIGQUIT);
	sigdelset(waitmask, SIGHUP);
	sigdelset(waitmask, SIGALRM);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_mask = block;
	sa.sa_flags = SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	sigaction(SIGPIPE, &sa, NULL);
}

/*
 * Run the pool until a stop signal and every child has gone.  Returns 0
 * (1 only if the slot table cannot be allocated).
 */
int
master_run(struct settings *s, int fd, master_reload_fn *reload_fn,
    master_stop_fn *stop_fn, void *stop_arg)
{
	struct slot	*slots;
	struct retired	 r = { NULL, 0, 0 };
	sigset_t	 waitmask;
	int		 i, n, alive, wake;
	bool		 stopping = false, killed = false;
	time_t		 now, deadline = 0, next;

	/* Workers tell the dispatcher of a new task through this. */
	if ((wake = eventfd(0, EFD_NONBLOCK)) == -1 ||
	    (slots = slots_new(s, &n)) == NULL) {
		log_err("master: %s", strerror(errno));
		return 1;
	}
	oscp_wake_init(wake);
	master_signals(&waitmask);

	for (i = 0; i < n; i++)
		spawn(&slots[i], s, fd);
	notify_ready("serving");

	for (;;) {
		if (got_chld) {
			got_chld = 0;
			reap(slots, n, &r, stopping);
		}
		if (got_hup) {
			got_hup = 0;
			if (!stopping)
				notify_reloading();
			log_reopen();
			if (stopping || reload(s, &slots, &n, &r, reload_fn) != 0) {
				signal_all(slots, n, &r, SIGHUP);
				log_info("logs reopened");
			}
			if (!stopping)
				notify_ready("serving");
		}
		now = now_mono();
		if (got_stop) {
			if (!stopping) {
				log_info("SIG%s: stopping, draining children",
				    sigabbrev_np(got_stop));
				stopping = true;
				notify_stopping();
				deadline = now + DRAIN_TIMEOUT;
				/* Refuse new connections, then SIGQUIT: the
				 * workers serve what is queued and exit. */
				if (stop_fn != NULL)
					stop_fn(stop_arg);
				signal_all(slots, n, &r, SIGQUIT);
			} else if (!killed) {
				log_warn("SIG%s again: killing children",
				    sigabbrev_np(got_stop));
				killed = true;
				signal_all(slots, n, &r, SIGKILL);
			}
			got_stop = 0;
		}
		if (stopping && !killed && now >= deadline) {
			log_warn("children still running after %d s: killing",
			    DRAIN_TIMEOUT);
			killed = true;
			signal_all(slots, n, &r, SIGKILL);
		}

		next = 0;
		alive = r.n;
		for (i = 0; i < n; i++) {
			if (slots[i].pid > 0) {
				alive++;
				continue;
			}
			if (stopping)
				continue;
			if (slots[i].restart_at <= now) {
				spawn(&slots[i], s, fd);
				if (slots[i].pid > 0)
					alive++;
			}
			if (slots[i].pid == 0 && (next == 0 ||
			    slots[i].restart_at < next))
				next = slots[i].restart_at;
		}
		if (stopping && alive == 0)
			break;
		if (stopping && !killed)
			next = deadline;
		alarm(next == 0 ? 0 : next > now ? (unsigned)(next - now) : 1);
		/* Handlers only run in here, so no flag can be missed. */
		sigsuspend(&waitmask);
	}
	alarm(0);
	free(slots);
	free(r.pid);
	close(wake);
	log_info("all children stopped");
	return 0;
}
