/*
 * dispatch.h -- the dispatcher process (dispatch.c: loop, claims, jobs,
 * recording) and its transfers (send.c: building a request from a task,
 * libcurl, outbound auth, the URL policy, the result of one attempt).
 */
#ifndef DISPATCH_H
#define DISPATCH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <curl/curl.h>

#include "fp.h"
#include "keyring.h"

struct db;

/* How one attempt ended. */
enum xfer_end {
	XFER_OK,	/* 2xx: done */
	XFER_FAILED,	/* HTTP error or transport error: retried */
	XFER_CONFIG,	/* configuration error: given up at once */
	XFER_SKIPPED	/* nothing to send (no base URL): done */
};

/* One claimed task on its way (heap: it outlives loop iterations). */
struct xfer {
	struct xfer	*next;
	/* the task */
	int64_t		 task_id, user_id, conf_id;
	int		 role, action, attempt;
	char		*claim, *reqid, *corr, *body;
	/* the request */
	CURL		*e;
	struct curl_slist *hdrs;
	struct curl_slist *extra;	/* serviceProps http-headers */
	struct curl_slist *sent;	/* hdrs + Authorization: Bearer */
	char		*url;
	char		*token_url;	/* OAuth: client credentials */
	char		*client_id, *client_secret;
	char		*oauth_body;	/* the token endpoint's answer */
	size_t		 oauth_len;
	bool		 oauth_stage;	/* the token request is running */
	bool		 oauth_retried;	/* refreshed once after a 401 */
	int64_t		 fp_id;		/* Register: the FP token row */
	unsigned char	 next_sha[32];	/* Register: the token sent */
	bool		 has_next;
	bool		 refused;	/* URL policy said no at connect */
	/* the outcome */
	enum xfer_end	 end;
	int		 status;	/* HTTP status, 0: none */
	char		*error;
	int64_t		 start_us;
	char		 errbuf[CURL_ERROR_SIZE];
};

/* What a claim reads about a task's target system (arena strings). */
struct target {
	int64_t		 conf_id;	/* DB_NULL: the system is gone */
	bool		 enabled, user_enabled;
	int		 status, hb;
	char		*url, *ver, *sprops;
	int64_t		 fp_id;
	unsigned char	*tok_enc, *sec_enc, *next_enc, *next_sha;
	size_t		 tok_len, sec_len, next_len, sha_len;
};

/* Cached OAuth access tokens (client credentials), per system. */
struct oauth_tok {
	struct oauth_tok *next;
	int64_t		 user_id, conf_id;
	int		 role;
	char		*access;
	int64_t		 expires_us;
};

struct dispatcher {
	const struct settings	*s;
	struct db		*db;
	struct keyring		 keys;
	struct arena		*a;	/* scratch, reset per batch */
	CURLM			*multi;
	char			 host[64];
	uint64_t		 claims;
	int			 inflight;
	bool			 poll_now;
	bool			 db_warned;
	struct xfer		*finished;	/* to record */
	struct oauth_tok	*tokens;
};

struct xfer	*xfer_new(int64_t task_id, int64_t user_id, int role,
		    int64_t conf_id, int action, int attempt, const char *claim,
		    const char *reqid, const char *corr, const char *body);
void		 xfer_free(struct xfer *);

/* send.c */
void		 send_start(struct dispatcher *, struct xfer *,
		    const struct target *);
void		 send_progress(struct dispatcher *);	/* finished -> list */
enum fp_err	 send_record(struct dispatcher *, struct xfer *list);
void		 send_cleanup(struct dispatcher *);
bool		 send_addr_allowed(const struct settings *,
		    const struct sockaddr *);	/* the URL policy */

/* dispatch.c: the child's body, started by the master. */
void		 dispatcher_main(const struct settings *, pid_t master)
		    __attribute__((noreturn));

#endif /* DISPATCH_H */
