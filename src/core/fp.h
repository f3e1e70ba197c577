/*
 * fp.h -- what every part of oscp-fp shares: the error codes a client can
 * observe, the per-request arena, logging and runtime settings.
 *
 * Area headers build on this one: crypto.h (OpenSSL wrappers, sealed
 * secrets, FP tokens), snws2.h (request signing), http.h (requests,
 * responses, routes), json.h (yajl parse/emit), model.h (entities and
 * enum tables), db.h (MariaDB access; the only place SQL is named).
 */
#ifndef FP_H
#define FP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/*
 * Outcomes a client can see.  One table in http.c maps each member to an
 * HTTP status, a SolarNetwork error code and a message; handlers return
 * these and never render errors themselves.
 */
enum fp_err {
	FP_OK = 0,
	FP_EINVAL,	/* 422 VAL.00004, details in req->errors */
	FP_EMALFORMED,	/* 422 "Malformed JSON: <detail>" */
	FP_EILLEGAL,	/* 422 "Illegal argument: <detail>" */
	FP_EMEDIA,	/* 415 unsupported content type */
	FP_ETOOBIG,	/* 413 body over the cap */
	FP_ENOTFOUND,	/* 403 UNKNOWN_OBJECT: missing or another tenant's */
	FP_ENODE,	/* 403 ACCESS_DENIED: node not readable by the user */
	FP_EDUP,	/* 422 DAO.00101 duplicate key */
	FP_EREF,	/* 422 DAO.00105 foreign key */
	FP_ETOOLONG,	/* 422 DAO.00103 data too long / out of range */
	FP_EINTEGRITY,	/* 422 DAO.00104 other integrity violation */
	FP_EAUTH,	/* 401 SNWS2 failure, reason in req->auth_msg */
	FP_EDENIED,	/* 403 Access Denied (role or policy) */
	FP_EROUTE,	/* 404 no such route */
	FP_EMETHOD,	/* 405 wrong method, Allow from the route table */
	FP_EBADREQ,	/* 400 bad request (bad path id, missing header) */
	FP_EBUSY,	/* 429 transient DB failure (deadlock, lock wait) */
	FP_EDBDOWN,	/* 503 database unavailable */
	FP_ENOMEM,	/* 500 arena cap reached */
	FP_ESYS,	/* 500 Internal error */
	FP_EVERSION,	/* 501 OSCP: no version in common */
	FP__MAX
};

/* Limits on request input; settings can lower or raise the defaults. */
#define FP_BODY_MAX_DEFAULT	(256 * 1024)
#define FP_JSON_DEPTH_DEFAULT	16
#define FP_JSON_STRING_DEFAULT	(8 * 1024)
#define FP_JSON_ARRAY_DEFAULT	1024
#define FP_ARENA_CAP		(8 * 1024 * 1024)

/* Base path of the management API and of the OSCP endpoints. */
#define FP_API_BASE	"/solaruser/api/v1/sec/user/oscp"
#define FP_OSCP_BASE	"/oscp/fp/2.0"

/* ------------------------------------------------------------------ */
/* arena.c: per-request memory.  Everything a request allocates comes
 * from here and goes away with one arena_reset(); cleanups registered
 * with arena_cleanup_add() run first, newest first (rollbacks, wiping
 * secrets, freeing library handles). */

struct arena;

struct arena	*arena_new(size_t cap);
void		 arena_free(struct arena *);
void		 arena_reset(struct arena *);
void		*arena_alloc(struct arena *, size_t);	/* NULL past cap */
void		*arena_calloc(struct arena *, size_t);
char		*arena_strdup(struct arena *, const char *);
char		*arena_strndup(struct arena *, const char *, size_t);
char		*arena_printf(struct arena *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
void		*arena_push(struct arena *, void *arrp, size_t *n, size_t *cap,
		    size_t size);	/* grow *arrp by one element */
int		 arena_cleanup_add(struct arena *, void (*)(void *), void *);
size_t		 arena_used(const struct arena *);

/* ------------------------------------------------------------------ */
/* log.c: one line per event to stderr, a file or syslog.  Never pass a
 * body, a header value or a secret to these functions. */

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

int	 log_open(const char *ident, const char *path, bool use_syslog,
	    enum log_level);			/* path NULL or "" = stderr */
void	 log_reopen(void);			/* SIGHUP: reopen the file */
void	 log_close(void);
void	 log_set_reqid(const char *);		/* prefix for lines; NULL clears */
void	 log_err(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_access(const char *reqid, int64_t user_id, const char *method,
	    const char *route, int status, long usec);
void	 fatal(const char *, ...) __attribute__((format(printf, 1, 2),
	    noreturn));				/* appends strerror(errno) */
void	 fatalx(const char *, ...) __attribute__((format(printf, 1, 2),
	    noreturn));

/* ------------------------------------------------------------------ */
/* settings.c: one INI-style file (key = value, '#' comments, optional
 * [section] headers ignored for lookup) and an OSCP_FP_<KEY> environment
 * variable for every key, which wins over the file. */

struct settings {
	char		*listen;	/* unix path or host:port */
	unsigned	 listen_mode;	/* unix socket permissions (0660) */
	char		*listen_group;	/* unix socket group, "" = ours */
	char		*allowed_peers;	/* TCP: addresses let in, comma list */
	int		 read_timeout;	/* seconds a read of a request waits */
	int		 workers;	/* pre-forked FastCGI workers */
	int		 backlog;	/* listen backlog */
	char		*pid_file;	/* master pid file, "" = none */
	char		*db_host;	/* "localhost" or "" = unix socket */
	unsigned	 db_port;
	char		*db_socket;
	char		*db_name;
	char		*db_user;
	char		*db_password;
	char		*master_key_file;	/* 64 hex chars, mode 0600 */
	char		*schema_dir;	/* migrations for oscp-admin */
	char		*log_file;	/* "" = stderr */
	bool		 log_syslog;
	int		 log_level;	/* enum log_level */
	size_t		 body_max;
	int		 json_max_depth;
	size_t		 json_max_string;
	size_t		 json_max_array;
	int		 date_skew;	/* SNWS2 allowed skew, seconds */
	int		 auth_cache_seconds; /* token cache lifetime, 0 = off */
	char		*public_url;	/* e.g. https://oscp.example.com */
	/* OSCP (SPEC §3) */
	char		*fp_base_url;	/* announced in Register, "" = unset */
	int		 dispatch_concurrency;	/* sends in flight */
	int		 dispatch_poll_ms;	/* queue poll without a wake-up */
	int		 dispatch_lease_seconds;	/* a claim's lease */
	int		 dispatch_retry_seconds;	/* back-off: tries x this */
	int		 heartbeat_job_seconds;	/* heartbeat job period */
	int		 event_days;		/* events kept this long */
	int		 outbound_connect_timeout;	/* seconds */
	int		 outbound_timeout;	/* seconds, whole request */
	char		*outbound_ca_file;	/* "" = system CAs */
	bool		 outbound_allow_http;	/* plain http base URLs */
	bool		 outbound_allow_private; /* loopback/private addresses */
	int		 ack_heartbeat_interval;	/* asked of peers, 0 = none */
	char		*ack_measurement_configuration; /* e.g. CONTINUOUS */
};

int	 settings_load(struct settings *, const char *file, char *err,
	    size_t errlen);			/* file NULL = defaults + env;
						   on -1 s is already freed */
int	 settings_parse(struct settings *, const char *text, size_t len,
	    const char *name, char *err, size_t errlen);	/* no env */
void	 settings_free(struct settings *);
void	 settings_dump(const struct settings *, void (*)(const char *));
int	 settings_dump_defaults(void (*)(const char *));
int	 settings_unknown_env(void (*)(const char *));	/* OSCP_FP_* no
							   setting reads */

#endif /* FP_H */
