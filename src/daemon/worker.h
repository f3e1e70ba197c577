/*
 * worker.h -- the contract between the process code (main.c, master.c,
 * worker.c: sockets, fork, signals, the FastCGI accept loop) and the
 * application (app.c: one request in, one response out).
 */
#ifndef WORKER_H
#define WORKER_H

#include "fp.h"
#include "keyring.h"

struct arena;
struct db;
struct FCGX_Request;

struct worker {
	int			 id;	/* 0..workers-1 */
	const struct settings	*s;
	struct keyring		 keys;	/* master keys (sealed secrets) */
	struct arena		*a;	/* per-request arena */
	struct arena		*rowa;	/* per-row scratch for long lists */
	struct db		*db;	/* NULL while the database is down */
};

/* Called in the child after fork: load the key, create the arena, open
 * the database (failure to connect is not fatal: requests answer 503 and
 * the next request retries).  Returns -1 only for fatal problems. */
int	 app_init(struct worker *);
/* Serve one accepted request completely (response written, access line
 * logged, transaction rolled back if left open, arena reset). */
void	 app_handle(struct worker *, struct FCGX_Request *);
void	 app_exit(struct worker *);

#endif /* WORKER_H */
