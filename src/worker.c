/*
 * worker.c -- one pre-forked FastCGI worker: signals, the accept loop and
 * the calls into the application (app_init, app_handle, app_exit from
 * worker.h).
 *
 * The stop and reopen signals stay blocked except inside epoll_pwait().
 * The shared listening socket is non-blocking (main.c), so a worker first
 * tries to accept; under load a connection is usually queued and that is
 * the only system call between requests besides a sigpending() check
 * (a pending signal is then let in with sigsuspend(), which returns at
 * once).
 * When accept says EAGAIN the worker sleeps in epoll_pwait() with the
 * signals let in.  So a SIGTERM that arrives while a worker is idle wakes
 * it at once and it exits, and one that arrives during a request stays
 * pending until the response has been written and the connection
 * finished; nothing inside a request ever sees EINTR.  EPOLLEXCLUSIVE
 * wakes one idle worker per connection rather than all of them; a worker
 * that loses the race gets EAGAIN again and goes back to sleep.
 *
 * A worker leaves through exit(), never _exit(), so atexit handlers and
 * LeakSanitizer run in every worker of a sanitizer build.
 */
#include <errno.h>
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

static int
watch_listener(int fd)
{
	struct epoll_event	ev;
	int			ep;

	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		return -1;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	ev.data.fd = fd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == -1) {
		/* Kernels before 4.5: every idle worker wakes up. */
		ev.events = EPOLLIN;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == -1) {
			close(ep);
			return -1;
		}
	}
	return ep;
}

/*
 * Wait for the listener (timeout in ms, -1 = forever) with the stop and
 * reopen signals let in; their handlers run in here.  0, or -1 on error.
 */
static int
wait_listener(int ep, int timeout, const sigset_t *waitmask)
{
	struct epoll_event	ev;

	if (epoll_pwait(ep, &ev, 1, timeout, waitmask) == -1 && errno != EINTR)
		return -1;
	return 0;
}

/* Is a stop or reopen signal waiting (blocked) for this process? */
static int
signals_pending(void)
{
	sigset_t	pend;

	if (sigpending(&pend) == -1)
		return 1;
	return sigismember(&pend, SIGTERM) == 1 ||
	    sigismember(&pend, SIGINT) == 1 ||
	    sigismember(&pend, SIGQUIT) == 1 ||
	    sigismember(&pend, SIGHUP) == 1;
}

/* Accept errors that mean "try again", not "this worker is broken". */
static int
accept_retry(int rc)
{
	return rc == -EINTR || rc == -ECONNABORTED || rc == -EPROTO;
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

void
worker_main(int id, const struct settings *s, int fd, pid_t master)
{
	struct worker		w;
	FCGX_Request		req;
	sigset_t		waitmask;
	int			ep, rc, status = 0;

	/* A worker must not outlive the master. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1)
		log_warn("worker %d: prctl: %s", id, strerror(errno));
	if (getppid() != master)
		exit(0);
	worker_signals(&waitmask);
	if ((ep = watch_listener(fd)) == -1)
		fatal("worker %d: epoll", id);

	memset(&w, 0, sizeof(w));
	w.id = id;
	w.s = s;
	if (app_init(&w) == -1) {
		log_err("worker %d: initialisation failed", id);
		close(ep);
		exit(1);
	}

	FCGX_InitRequest(&req, fd, 0);
	while (!stop) {
		if (reopen) {
			reopen = 0;
			log_reopen();
		}
		/* Busy: the next connection is usually queued already. */
		if ((rc = FCGX_Accept_r(&req)) >= 0) {
			app_handle(&w, &req);
			finish(&req);
			/* A pending signal: let it in, run its handler. */
			if (signals_pending())
				sigsuspend(&waitmask);
			continue;
		}
		if (stop)
			break;
		if (rc == -EAGAIN || rc == -EWOULDBLOCK) {
			/* Idle: sleep until a connection or a signal. */
			if (wait_listener(ep, -1, &waitmask) == -1) {
				log_err("worker %d: epoll_wait: %s", id,
				    strerror(errno));
				status = 1;
				break;
			}
			continue;
		}
		if (accept_retry(rc))
			continue;
		log_err("worker %d: accept: %s", id, rc > -9000 ?
		    strerror(-rc) : "libfcgi error");
		status = 1;
		break;
	}
	FCGX_Finish_r(&req);
	app_exit(&w);
	close(ep);
	log_debug("worker %d: exiting", id);
	log_close();
	exit(status);
}
