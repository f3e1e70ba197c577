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
 * The worker accepts by itself and hands the connection to libfcgi: a
 * TCP peer not in allowed_peers is closed at once; every connection reads
 * with a timeout (SO_RCVTIMEO = read_timeout), so a web server that stops
 * halfway through a request holds the worker at most that long per read;
 * and a new connection with nothing to read yet waits in the epoll set
 * like a kept one, never in the worker, and is closed if its request has
 * not begun within read_timeout.  So a client that connects and sends
 * nothing pins no worker at all.  A request that does not arrive
 * (timeout, garbage, the peer gone) ends in a plain close, not libfcgi's
 * lingering one, which would wait for the peer.
 *
 * Each connection is an FCGX_Request in a fixed table, with listen_sock
 * -1: when libfcgi finds the connection closed it cannot fall back to
 * accept() on that slot (accept(-1) fails at once) and the slot is freed.
 * Events carry the slot and a generation number, so an event for a
 * connection that was closed earlier in the same batch is ignored.
 *
 * The stop and reopen signals stay blocked except inside epoll_pwait().  So
 * a SIGTERM that arrives while a worker is idle wakes it at once, and one
 * that arrives during a request takes effect once the requests of the
 * current batch (at most EV_BATCH) are answered; nothing inside a request
 * ever sees EINTR, and a request costs no signal syscall.  On stop the
 * worker serves any request already waiting on its kept connections, then
 * closes them and exits; on SIGQUIT (the master stopping the whole daemon)
 * it first serves the connections queued in the listen backlog too.
 * EPOLLEXCLUSIVE wakes one idle worker per new connection rather than all
 * of them; a worker that loses the race gets EAGAIN and goes back to wait.
 *
 * A worker leaves through exit(), never _exit(), so atexit handlers and
 * LeakSanitizer run in every worker of a sanitizer build.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "fp.h"
#include "proc.h"
#include "worker.h"

static volatile sig_atomic_t	stop, reopen, drain;

static void
on_stop(int sig)
{
	(void)sig;
	stop = 1;
	FCGX_ShutdownPending();
}

/* SIGQUIT: the whole daemon stops (master.c): also serve the backlog. */
static void
on_quit(int sig)
{
	(void)sig;
	drain = 1;
	stop = 1;
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
	sa.sa_handler = on_quit;
	sigaction(SIGQUIT, &sa, NULL);
	sa.sa_handler = on_stop;
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
	int64_t		 deadline;	/* no request yet: close then
					   (ms, monotonic); 0 = none */
	uint32_t	 gen;		/* bumped when the slot is freed */
	int		 used;
	int		 watched;	/* in the epoll set */
};

struct pool {
	struct conn	 c[CONN_MAX];
	int		 free[CONN_MAX];	/* stack of unused slots */
	int		 nfree;
	int		 nwaiting;		/* slots with a deadline */
	int		 ep, lfd;
	int		 lwatched;		/* listener in the epoll set */
	int		 timeout;		/* read_timeout, seconds */
	struct peers	 peers;			/* allowed_peers */
};

/*
 * "addr[, addr]...": IPv4 or IPv6 addresses, blanks around each ignored.
 * An empty list or entry is an error: a TCP listener must let someone in.
 */
int
peers_parse(const char *list, struct peers *pe, char *err, size_t errlen)
{
	char		 buf[INET6_ADDRSTRLEN];
	const char	*p, *e, *end;
	struct in_addr	 a4;
	size_t		 len;

	memset(pe, 0, sizeof(*pe));
	for (p = list;; p = e + 1) {
		if ((e = strchr(p, ',')) == NULL)
			e = p + strlen(p);
		for (end = e; end > p && isspace((unsigned char)end[-1]); end--)
			continue;
		while (p < end && isspace((unsigned char)*p))
			p++;
		if ((len = end - p) == 0) {
			snprintf(err, errlen, "allowed_peers: empty address "
			    "(give the web server's, e.g. 127.0.0.1)");
			return -1;
		}
		if (pe->n == PEERS_MAX) {
			snprintf(err, errlen, "allowed_peers: more than %d "
			    "addresses", PEERS_MAX);
			return -1;
		}
		if (len < sizeof(buf)) {
			memcpy(buf, p, len);
			buf[len] = '\0';
		} else
			buf[0] = '\0';	/* too long for an address */
		if (inet_pton(AF_INET, buf, &a4) == 1) {
			pe->addr[pe->n].s6_addr[10] = 0xff;
			pe->addr[pe->n].s6_addr[11] = 0xff;
			memcpy(&pe->addr[pe->n].s6_addr[12], &a4, 4);
		} else if (inet_pton(AF_INET6, buf, &pe->addr[pe->n]) != 1) {
			snprintf(err, errlen, "allowed_peers: '%.*s' is not "
			    "an IP address", (int)(end - p), p);
			return -1;
		}
		pe->n++;
		if (*e == '\0')
			return 0;
	}
}

/* May this peer connect?  Unix sockets: yes (the file mode decides). */
static int
peer_allowed(const struct pool *p, const struct sockaddr_storage *ss,
    char *name, size_t namelen)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;
	struct in6_addr			 a;
	size_t				 i;

	memset(&a, 0, sizeof(a));
	switch (ss->ss_family) {
	case AF_INET:
		sin = (const struct sockaddr_in *)ss;
		a.s6_addr[10] = a.s6_addr[11] = 0xff;
		memcpy(&a.s6_addr[12], &sin->sin_addr, 4);
		inet_ntop(AF_INET, &sin->sin_addr, name, namelen);
		break;
	case AF_INET6:
		sin6 = (const struct sockaddr_in6 *)ss;
		a = sin6->sin6_addr;
		inet_ntop(AF_INET6, &a, name, namelen);
		break;
	default:
		return 1;
	}
	for (i = 0; i < p->peers.n; i++)
		if (memcmp(&p->peers.addr[i], &a, sizeof(a)) == 0)
			return 1;
	return 0;
}

static int64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

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
pool_init(struct pool *p, int lfd, const struct settings *s)
{
	char	err[256];
	int	i;

	memset(p, 0, sizeof(*p));
	p->lfd = lfd;
	p->timeout = s->read_timeout;
	if (peers_parse(s->allowed_peers, &p->peers, err, sizeof(err)) == -1)
		fatalx("%s", err);	/* main.c checked it already */
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

	if (c->deadline != 0)
		p->nwaiting--;
	c->deadline = 0;
	c->used = 0;
	c->watched = 0;
	c->gen++;
	p->free[p->nfree++] = i;
}

/* Close slot i's connection at once (no lingering) and free the slot. */
static void
conn_close(struct pool *p, int i)
{
	struct conn	*c = &p->c[i];

	if (c->req.ipcFd >= 0)
		close(c->req.ipcFd);	/* also leaves the epoll set */
	c->req.ipcFd = -1;
	FCGX_Free(&c->req, 0);
	conn_release(p, i);
}

/* Watch slot i's connection for its next request.  -1: closed. */
static int
conn_watch(struct worker *w, struct pool *p, int i)
{
	struct conn		*c = &p->c[i];
	struct epoll_event	 ev;

	if (c->watched)
		return 0;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = ev_key(p, i);
	if (epoll_ctl(p->ep, EPOLL_CTL_ADD, c->req.ipcFd, &ev) == -1) {
		log_err("worker %d: epoll_ctl: %s", w->id, strerror(errno));
		conn_close(p, i);
		return -1;
	}
	c->watched = 1;
	return 0;
}

/*
 * Read one request from slot i, run it and end it.  A connection nginx
 * keeps is then watched for its next request.  0 if a request was
 * served, else libfcgi's negative code (the connection is then closed:
 * the peer closed it, sent garbage or nothing within read_timeout).
 */
static int
serve(struct worker *w, struct pool *p, int i)
{
	struct conn	*c = &p->c[i];
	int		 rc;

	if (c->deadline != 0) {
		c->deadline = 0;
		p->nwaiting--;
	}
	/* Until a request has begun, closing needs no lingering. */
	FCGX_Detach(&c->req);
	if ((rc = FCGX_Accept_r(&c->req)) < 0) {
		conn_release(p, i);
		return rc;
	}
	/* libfcgi takes params cut short for the whole set: no answer. */
	if ((rc = FCGX_GetError(c->req.in)) != 0) {
		log_info("worker %d: request %s: connection closed", w->id,
		    rc == EAGAIN || rc == EWOULDBLOCK ? "not read within "
		    "read_timeout" : "incomplete");
		conn_close(p, i);
		return -EPROTO;
	}
	FCGX_Attach(&c->req);
	app_handle(w, &c->req);
	finish(&c->req);
	if (c->req.ipcFd < 0) {
		conn_release(p, i);
		return 0;
	}
	(void)conn_watch(w, p, i);
	return 0;
}

/*
 * Take one new connection from the listener: refuse a TCP peer not in
 * allowed_peers, serve a request that is already there, else watch the
 * connection until read_timeout.  0, or -errno from accept().
 */
static int
conn_accept(struct worker *w, struct pool *p, bool wait)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sslen = sizeof(ss);
	struct timeval		 tv;
	struct pollfd		 pfd;
	struct conn		*c;
	char			 peer[INET6_ADDRSTRLEN];
	int			 fd, i, on = 1;

	if (p->nfree == 0)
		return -EAGAIN;
	fd = accept4(p->lfd, (struct sockaddr *)&ss, &sslen, SOCK_CLOEXEC);
	if (fd == -1)
		return -errno;
	if (!peer_allowed(p, &ss, peer, sizeof(peer))) {
		log_warn("worker %d: connection from %s refused: not in "
		    "allowed_peers", w->id, peer);
		close(fd);
		return 0;
	}
	memset(&tv, 0, sizeof(tv));
	tv.tv_sec = p->timeout;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1) {
		log_err("worker %d: SO_RCVTIMEO: %s", w->id, strerror(errno));
		close(fd);
		return 0;
	}
	if (ss.ss_family != AF_UNIX)	/* replies only: no Nagle delay */
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on,
		    sizeof(on));

	i = p->free[--p->nfree];
	c = &p->c[i];
	FCGX_InitRequest(&c->req, -1, 0);
	c->req.ipcFd = fd;
	c->req.keepConnection = 1;	/* or FCGX_Accept_r closes it first */
	c->used = 1;
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (wait || poll(&pfd, 1, 0) == 1)
		(void)serve(w, p, i);
	else if (conn_watch(w, p, i) == 0) {
		c->deadline = now_ms() + (int64_t)p->timeout * 1000;
		p->nwaiting++;
	}
	if (watch_listener(p, p->nfree > 0) == -1)
		log_err("worker %d: epoll_ctl: %s", w->id, strerror(errno));
	return 0;
}

/*
 * Close the new connections whose request has not begun in time.
 * Returns the milliseconds until the next such deadline, -1 if none.
 */
static int
conn_expire(struct worker *w, struct pool *p)
{
	int64_t	 now, next = -1;
	int	 i;

	if (p->nwaiting == 0)
		return -1;
	now = now_ms();
	for (i = 0; i < CONN_MAX; i++) {
		if (!p->c[i].used || p->c[i].deadline == 0)
			continue;
		if (p->c[i].deadline <= now) {
			log_info("worker %d: connection closed: no request "
			    "within read_timeout", w->id);
			conn_close(p, i);
		} else if (next == -1 || p->c[i].deadline - now < next)
			next = p->c[i].deadline - now;
	}
	return (int)next;
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
	for (i = 0; i < CONN_MAX; i++)
		if (p->c[i].used)
			conn_close(p, i);	/* idle: no lingering */
	close(p->ep);
}

/*
 * A full stop (SIGQUIT from the master, which has removed the socket
 * file first, so nothing new can queue): serve the connections already
 * waiting in the listen backlog.  nginx has connected them and written
 * its request; closing the listener with them queued would reset them,
 * losing requests the daemon had accepted.  Ends when accept() finds
 * none (or after DRAIN_MAX, for a TCP listener that keeps filling).
 */
#define DRAIN_MAX	4096
static int	accept_retry(int);

static void
drain_backlog(struct worker *w, struct pool *p)
{
	int	n, rc;

	for (n = 0; n < DRAIN_MAX; n++) {
		rc = conn_accept(w, p, true);
		if (rc < 0 && !accept_retry(rc))
			break;		/* EAGAIN: empty; or no free slot */
	}
	if (n > 0)
		log_debug("worker %d: served %d queued connections", w->id, n);
}

/*
 * Accept errors that mean "try again", not "this worker is broken": a
 * signal, and the network errors Linux passes on from a connection that
 * failed before it was accepted (accept(2)).
 */
static int
accept_retry(int rc)
{
	switch (-rc) {
	case EINTR:
	case ECONNABORTED:
	case EPROTO:
	case ENETDOWN:
	case ENOPROTOOPT:
	case EHOSTDOWN:
	case ENONET:
	case EHOSTUNREACH:
	case EOPNOTSUPP:
	case ENETUNREACH:
		return 1;
	}
	return 0;
}

void
worker_main(int id, const struct settings *s, int fd, pid_t master)
{
	static struct pool	 pool;
	struct epoll_event	 evs[EV_BATCH];
	struct worker		 w;
	sigset_t		 waitmask;
	int			 i, n, rc, timeout, status = 0;

	(void)master;		/* child_setup() (master.c) checked it */
	worker_signals(&waitmask);
	if (pool_init(&pool, fd, s) == -1)
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
		/* Slots freed since the last wait take connections again. */
		timeout = conn_expire(&w, &pool);
		if (!pool.lwatched && pool.nfree > 0 &&
		    watch_listener(&pool, 1) == -1)
			log_err("worker %d: epoll_ctl: %s", id,
			    strerror(errno));
		/* Sleep until a request, a connection, a deadline, a signal. */
		n = epoll_pwait(pool.ep, evs, (int)(sizeof(evs) / sizeof(evs[0])),
		    timeout, &waitmask);
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
				rc = conn_accept(&w, &pool, false);
				if (rc < 0 && rc != -EAGAIN &&
				    rc != -EWOULDBLOCK && !accept_retry(rc)) {
					log_err("worker %d: accept: %s", id,
					    strerror(-rc));
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
		}
	}
	if (drain && status == 0)
		drain_backlog(&w, &pool);
	pool_close(&w, &pool);
	app_exit(&w);
	log_debug("worker %d: exiting", id);
	log_close();
	exit(status);
}
