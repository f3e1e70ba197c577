/*
 * worker.h -- the contract between the process code (main.c, master.c,
 * worker.c: sockets, fork, signals, the FastCGI accept loop) and the
 * application (app.c: one request in, one response out).
 */
#ifndef WORKER_H
#define WORKER_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "crypto.h"
#include "fp.h"

struct arena;
struct db;
struct FCGX_Request;

struct worker {
	int			 id;	/* 0..workers-1 */
	const struct settings	*s;
	struct fp_key		 key;	/* master key (sealed secrets) */
	struct fp_key		 oldkey; /* <key file>.old after a rotation */
	bool			 have_oldkey;
	struct timespec		 key_mtime; /* to notice `oscp-admin key rotate` */
	ino_t			 key_ino;
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
/* Master key (key rotation): app_key_refresh() reloads it if its file
 * changed (1 if it did); app_seal() refreshes first, so new values are
 * sealed under the current key; app_open() tries the current key, then the
 * previous one, then refreshes and tries again.  No per-request check. */
int	 app_key_refresh(struct worker *);
int	 app_seal(struct worker *, const char *aad, const void *pt, size_t,
	    unsigned char *out, size_t *outlen);
int	 app_open(struct worker *, const char *aad, const unsigned char *,
	    size_t, unsigned char *out, size_t *outlen);

#endif /* WORKER_H */
