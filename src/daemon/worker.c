/*
 * worker.c -- one pre-forked FastCGI worker: signals, the connection loop
 * and the calls into the application (app_init, app_handle, app_exit from
 * worker.h).
 *
 * A worker serves one request at a time but may hold many connections.
 * nginx with `fastcgi_keep_conn on` sends request after request on a
 * connection it keeps open; a worker that sat on such a connection (as
 * plain libfcgi does) would be pinned to it while new connections wait in
 * the listen backlog.  So every idle kept connection goes into the
 * worker's epoll set next to the shared listening socket, and the worker
 * takes whichever is ready: a request on one of its connections, or a new
 * connection from the listener (one per wake-up, so connections spread
 * over the workers).  Without keep_conn each connection closes after its
 * request and the loop is the classic accept-serve-close.
 *
 * Each connection is an FCGX_Request in a fixed table.  A slot accepts
 * through the listening socket once; after that its listen_sock is -1, so
 * when libfcgi finds the connection closed it cannot fall back to accept()
 * on that slot (accept(-1) fails at once) and the slot is freed.  Events
 * carry the slot and a generation number, so an event for a connection
 * that was closed earlier in the same batch is ignored.
 *
 * The stop and reopen signals stay blocked except inside epoll_pwait().  So
 * a SIGTERM that arrives while a worker is idle wakes it at once, and one
 * that arrives during a request takes effect once the requests of the
 * current batch (at most EV_BATCH) are answered; nothing inside a request
 * ever sees EINTR, and a request costs no signal syscall.  On stop the
 * worker serves any request already waiting on its kept connections, then
 * closes them and exits.
 * EPOLLEXCLUSIVE wakes one idle worker per new connection rather than all
 * of them; a worker that loses the race gets EAGAIN and goes back to wait.
 *
 * A worker leaves through exit(), never _exit(), so atexit handlers and
 * LeakSanitizer run in every worker of a sanitizer build.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "fp.h"
#include "proc.h"
#include "worker.h"

static volatile sig_atomic_t	stop, reopen;

static void
on_stop(int sig)
{
	(void)sig;
	stop = 1;
	FCGX_ShutdownPending();
}

static void
on_hup(int sig)
{
	(void)sig;
	reopen = 1;
}

/*
 * Replace the master's handlers with the worker's.  No SA_RESTART: the
 * wait must return EINTR when a stop signal comes in.
 */
static void
worker_signals(sigset_t *waitmask)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	sa.sa_handler = SIG_IGN;	/* nginx may close before we write */
	sigaction(SIGPIPE, &sa, NULL);

	/* Inherited from the master: the four are blocked.  Keep it so. */
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGQUIT);
	sigaddset(&sa.sa_mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &sa.sa_mask, waitmask);
	sigdelset(waitmask, SIGTERM);
	sigdelset(waitmask, SIGINT);
	sigdelset(waitmask, SIGQUIT);
	sigdelset(waitmask, SIGHUP);
}

/*
 * End the request.  libfcgi closes a connection gracefully: shutdown(),
 * then it waits (up to 2 s) for the web server to close its end, reading
 * whatever is left, so that unread request data cannot turn into a reset
 * that loses the response.  When the request's input has been read to its
 * end there is nothing left to lose, and a plain close() spares the worker
 * that wait and three system calls per request; FCGX_Detach() asks
 * libfcgi for exactly that.  Reading the end of the input costs nothing:
 * nginx sends it with the request (fastcgi_request_buffering).
 */
static void
finish(FCGX_Request *req)
{
	if (FCGX_GetChar(req->in) == EOF && FCGX_GetError(req->in) == 0)
		FCGX_Detach(req);
	FCGX_Finish_r(req);
}

/* Connections one worker holds at most (each costs one FCGX_Request). */
#define CONN_MAX	256
#define EV_LISTENER	UINT64_MAX
#define EV_BATCH	16		/* events handled between two waits */

struct conn {
	FCGX_Request	 req;
	uint32_t	 gen;		/* bumped when the slot is freed */
	int		 used;
	int		 watched;	/* in the epoll set */
};

struct pool {
	struct conn	 c[CONN_MAX];
	int		 free[CONN_MAX];	/* stack of unused slots */
	int		 nfree;
	int		 ep, lfd;
	int		 lwatched;		/* listener in the epoll set */
};

static uint64_t
ev_key(const struct pool *p, int i)
{
	return (uint64_t)p->c[i].gen << 32 | (uint32_t)i;
}

/* Add or remove the listener (removed while every slot is taken). */
static int
watch_listener(struct pool *p, int on)
{
	struct epoll_event	ev;

	if (on == p->lwatched)
		return 0;
	if (!on) {
		if (epoll_ctl(p->ep, EPOLL_CTL_DEL, p->lfd, NULL) == -1)
			return -1;
		p->lwatched = 0;
		return 0;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	ev.data.u64 = EV_LISTENER;
	if (epoll_ctl(p->ep, EPOLL_CTL_ADD, p->lfd, &ev) == -1) {
		/* Kernels before 4.5: every idle worker wakes up. */
		ev.events = EPOLLIN;
		if (epoll_ctl(p->ep, EPOLL_CTL_ADD, p->lfd, &ev) == -1)
			return -1;
	}
	p->lwatched = 1;
	return 0;
}

static int
pool_init(struct pool *p, int lfd)
{
	int	i;

	memset(p, 0, sizeof(*p));
	p->lfd = lfd;
	for (i = CONN_MAX - 1; i >= 0; i--)
		p->free[p->nfree++] = i;
	if ((p->ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		return -1;
	return watch_listener(p, 1);
}

/*
 * The slot's connection is gone (libfcgi closed it, which also took it
 * out of the epoll set): make the slot reusable.
 */
static void
conn_release(struct pool *p, int i)
{
	struct conn	*c = &p->c[i];

	c->used = 0;
	c->watched = 0;
	c->gen++;
	p->free[p->nfree++] = i;
}

/*
 * Read one request from slot i (accepting first if the slot is fresh),
 * run it and end it.  A connection nginx keeps is then watched for its
 * next request.  0 if a request was served, else libfcgi's negative code
 * (-EAGAIN: nothing to accept; for a kept connection: it was closed).
 */
static int
serve(struct worker *w, struct pool *p, int i)
{
	struct conn		*c = &p->c[i];
	struct epoll_event	 ev;
	int			 rc;

	if ((rc = FCGX_Accept_r(&c->req)) < 0) {
		conn_release(p, i);
		return rc;
	}
	app_handle(w, &c->req);
	finish(&c->req);
	if (c->req.ipcFd < 0) {
		conn_release(p, i);
		return 0;
	}
	c->req.listen_sock = -1;	/* this slot never accepts again */
	if (!c->watched) {
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN;
		ev.data.u64 = ev_key(p, i);
		if (epoll_ctl(p->ep, EPOLL_CTL_ADD, c->req.ipcFd, &ev) == -1) {
			log_err("worker %d: epoll_ctl: %s", w->id,
			    strerror(errno));
			close(c->req.ipcFd);
			c->req.ipcFd = -1;
			conn_release(p, i);
			return 0;
		}
		c->watched = 1;
	}
	return 0;
}

/* Take one new connection from the listener and serve its request. */
static int
serve_new(struct worker *w, struct pool *p)
{
	int	i, rc;

	if (p->nfree == 0)
		return -EAGAIN;
	i = p->free[--p->nfree];
	FCGX_InitRequest(&p->c[i].req, p->lfd, 0);
	p->c[i].used = 1;
	rc = serve(w, p, i);
	if (watch_listener(p, p->nfree > 0) == -1)
		log_err("worker %d: epoll_ctl: %s", w->id, strerror(errno));
	return rc;
}

/*
 * Close every kept connection.  A request nginx has already written to
 * one is served first: it is in flight as far as nginx knows.
 */
static void
pool_close(struct worker *w, struct pool *p)
{
	struct pollfd	pfd;
	int		i, again;

	do {
		again = 0;
		for (i = 0; i < CONN_MAX; i++) {
			if (!p->c[i].used || p->c[i].req.ipcFd < 0)
				continue;
			pfd.fd = p->c[i].req.ipcFd;
			pfd.events = POLLIN;
			if (poll(&pfd, 1, 0) == 1 && serve(w, p, i) == 0)
				again = 1;
		}
	} while (again);
	for (i = 0; i < CONN_MAX; i++) {
		if (!p->c[i].used)
			continue;
		if (p->c[i].req.ipcFd >= 0)
			close(p->c[i].req.ipcFd);	/* idle: no lingering */
		p->c[i].req.ipcFd = -1;
		FCGX_Free(&p->c[i].req, 0);
		conn_release(p, i);
	}
	close(p->ep);
}

/* Accept errors that mean "try again", not "this worker is broken". */
static int
accept_retry(int rc)
{
	return rc == -EINTR || rc == -ECONNABORTED || rc == -EPROTO;
}

void
worker_main(int id, const struct settings *s, int fd, pid_t master)
{
	static struct pool	 pool;
	struct epoll_event	 evs[EV_BATCH];
	struct worker		 w;
	sigset_t		 waitmask;
	int			 i, n, rc, status = 0;

	/* A worker must not outlive the master. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1)
		log_warn("worker %d: prctl: %s", id, strerror(errno));
	if (getppid() != master)
		exit(0);
	worker_signals(&waitmask);
	if (pool_init(&pool, fd) == -1)
		fatal("worker %d: epoll", id);

	memset(&w, 0, sizeof(w));
	w.id = id;
	w.s = s;
	if (app_init(&w) == -1) {
		log_err("worker %d: initialisation failed", id);
		close(pool.ep);
		exit(1);
	}

	while (!stop) {
		if (reopen) {
			reopen = 0;
			log_reopen();
		}
		/* Sleep until a request, a connection or a signal. */
		n = epoll_pwait(pool.ep, evs, (int)(sizeof(evs) / sizeof(evs[0])),
		    -1, &waitmask);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			log_err("worker %d: epoll_wait: %s", id, strerror(errno));
			status = 1;
			break;
		}
		for (i = 0; i < n && !stop; i++) {
			uint64_t	 key = evs[i].data.u64;

			if (key == EV_LISTENER) {
				rc = serve_new(&w, &pool);
				if (rc < 0 && rc != -EAGAIN &&
				    rc != -EWOULDBLOCK && !accept_retry(rc)) {
					log_err("worker %d: accept: %s", id,
					    rc > -9000 ? strerror(-rc) :
					    "libfcgi error");
					status = 1;
					stop = 1;
				}
			} else {
				int	slot = (int)(uint32_t)key;

				if (slot >= CONN_MAX || !pool.c[slot].used ||
				    ev_key(&pool, slot) != key)
					continue;	/* closed meanwhile */
				(void)serve(&w, &pool, slot);
			}
			if (!pool.lwatched && pool.nfree > 0 &&
			    watch_listener(&pool, 1) == -1)
				log_err("worker %d: epoll_ctl: %s", id,
				    strerror(errno));
		}
	}
	pool_close(&w, &pool);
	app_exit(&w);
	log_debug("worker %d: exiting", id);
	log_close();
	exit(status);
}
