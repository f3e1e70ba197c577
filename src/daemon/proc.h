/*
 * proc.h -- the process model of oscp-fpd, internal to main.c, master.c
 * and worker.c.
 *
 * main.c reads the settings, opens the FastCGI socket and hands it to the
 * master.  The master (master.c) forks one child per slot, respawns a
 * child that dies (backing off when a slot keeps dying), reloads the
 * settings and replaces the workers on SIGHUP and drains on
 * SIGTERM/SIGINT/SIGQUIT (a worker told with SIGQUIT also serves what is
 * queued on the socket; SIGTERM, a retired worker, only its own).  A worker (worker.c) is the
 * FastCGI accept loop around app_handle() from worker.h.
 *
 * Signals: the master and the workers keep SIGTERM, SIGINT, SIGQUIT,
 * SIGHUP (and in the master SIGCHLD, SIGALRM) blocked and only let them in
 * while waiting (sigsuspend in the master, epoll_pwait in a worker), so
 * their handlers, which only set volatile sig_atomic_t flags, never
 * interrupt a request or a library call.
 */
#ifndef PROC_H
#define PROC_H

#include <sys/types.h>
#include <netinet/in.h>

#include "fp.h"

/*
 * The kinds of child the master supervises (master.c has one table row
 * each: how many, and the body).
 */
enum child_kind {
	CHILD_WORKER,		/* FastCGI worker: worker_main() */
	CHILD_DISPATCHER,	/* outbound OSCP, jobs: dispatcher_main() */
	CHILD__MAX
};

/* SIGHUP: load the settings again into *ns (cur: the running ones).  0,
 * or -1 with err set and nothing changed. */
typedef int master_reload_fn(const struct settings *cur,
    struct settings *ns, char *err, size_t errlen);

/* A stop signal came: called once, before the children are told
 * (main.c removes the socket file, so new connections are refused). */
typedef void master_stop_fn(void *arg);

/* master.c: supervise s->workers workers sharing the listening socket
 * fd until a stop signal; on SIGHUP, replace *s with what reload gives and
 * the workers with a new set; on a stop signal call stop(stop_arg) first.
 * Returns the exit status for main(). */
int	master_run(struct settings *s, int fd, master_reload_fn *reload,
	    master_stop_fn *stop, void *stop_arg);

/* notify.c: systemd readiness (sd_notify), no-ops outside systemd. */
void	notify_ready(const char *status);
void	notify_reloading(void);
void	notify_stopping(void);

/* allowed_peers, parsed: the web servers a TCP listener lets in (an IPv4
 * address is kept as its v4-mapped IPv6 form). */
#define PEERS_MAX	32

struct peers {
	struct in6_addr	 addr[PEERS_MAX];
	size_t		 n;
};

/* worker.c: parse "addr[, addr]..." into *p.  0, or -1 with err set. */
int	peers_parse(const char *list, struct peers *p, char *err,
	    size_t errlen);

/* worker.c: the body of worker number id (0-based), forked by the
 * master whose pid is master.  Never returns: exits 0 after a stop
 * signal, 1 on a fatal error (the master then respawns it). */
void	worker_main(int id, const struct settings *s, int fd, pid_t master)
	    __attribute__((noreturn));

#endif /* PROC_H */
