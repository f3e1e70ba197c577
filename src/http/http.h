/*
 * http.h -- one request and its response.  struct req carries everything a
 * handler may use: the arena, the database, the master keys, the
 * authenticated user, the parsed path id and the body, so no handler
 * needs the worker (worker.h).  Handlers return enum fp_err; http.c owns
 * the single error renderer (resp_error) and the success envelope.
 *
 * Routes (route.c) are one table: path pattern, whether SNWS2 is needed,
 * and one handler per method.  Anything not in it is 404; a known path with
 * another method is 405 with Allow.
 */
#ifndef HTTP_H
#define HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yajl/yajl_gen.h>

#include "fp.h"

struct FCGX_Request;
struct req;
struct keyring;

enum method {
	METHOD_GET,
	METHOD_POST,
	METHOD_PUT,
	METHOD_DELETE,
	METHOD_PATCH,
	METHOD_HEAD,
	METHOD_OPTIONS,
	METHOD_OTHER,
	METHOD__MAX
};

enum route {
	ROUTE_PING,
	ROUTE_CP_LIST,
	ROUTE_CP_ITEM,
	ROUTE_CO_LIST,
	ROUTE_CO_ITEM,
	ROUTE_CG_LIST,
	ROUTE_CG_ITEM,
	ROUTE_CG_ASSETS,
	ROUTE_ASSET_LIST,
	ROUTE_ASSET_ITEM,
	ROUTE_CP_EVENTS,
	ROUTE_CO_EVENTS,
	ROUTE_OSCP_REGISTER,
	ROUTE_OSCP_HANDSHAKE,
	ROUTE_OSCP_HANDSHAKE_ACK,
	ROUTE_OSCP_HANDSHAKE_ACK2,	/* _acknowledgement */
	ROUTE_OSCP_HANDSHAKE_ACK3,	/* _acknowledgment */
	ROUTE_OSCP_HEARTBEAT,
	ROUTE_OSCP_UPDATE_FORECAST,
	ROUTE_OSCP_ADJUST_FORECAST,
	ROUTE__MAX
};

/*
 * API families (route.c, one table): the path prefix that selects one,
 * how its callers authenticate and how its errors look.  Every route row
 * names its family; the request path is family -> body -> database ->
 * authentication -> route -> handler (app.c).
 */
enum api_family {
	FAM_PUBLIC,	/* /ping: no authentication, no database */
	FAM_MGMT,	/* SNWS2, SolarNetwork envelope */
	FAM_OSCP,	/* Authorization: Token, {"message":...} errors */
	FAM__MAX
};

struct family_def {
	const char	*name;
	const char	*prefix;	/* NULL: whatever no other takes */
	enum fp_err	(*auth)(struct req *);	/* NULL: public */
};

extern const struct family_def families[FAM__MAX];
enum api_family	 family_of(const char *path);

/* OSCP routes: which caller roles (enum peer_role bits) may call one. */
#define ROLES_CP	(1u << 0)
#define ROLES_CO	(1u << 1)
#define ROLES_ANY	(ROLES_CP | ROLES_CO)

/* One VAL.00004 entry (reference §6.3). */
struct verr {
	const char	*location;
	const char	*code;
	const char	*message;
	const char	*rejected;	/* JSON text, NULL when null */
};

#define REQ_MAX_ERRORS	32

struct req {
	struct arena		*a;
	struct arena		*rowa;		/* per-row scratch, long lists */
	struct keyring		*keys;		/* the worker's master keys */
	struct db		*db;
	const struct settings	*s;
	struct FCGX_Request	*fcgx;
	char			**envp;
	enum method		 method;
	const char		*method_name;
	const char		*target;	/* raw request target */
	const char		*path;		/* target before '?' */
	const char		*reqid;
	const char		*content_type;
	unsigned char		*body;
	size_t			 body_len;
	bool			 body_read;
	int64_t			 start_us;
	int64_t			 user_id;	/* 0 until authenticated */
	int			 oscp_role;	/* OSCP caller: enum peer_role */
	int64_t			 conf_id;	/* OSCP caller: its CP/CO id */
	int64_t			 fp_id;		/* OSCP caller: its FP token row */
	enum api_family		 fam;
	enum route		 route;
	const char		*route_name;
	int64_t			 id;		/* {id} from the path */
	const char		*detail;	/* message for the error */
	unsigned		 allow;		/* 405: method bit mask */
	struct verr		 errors[REQ_MAX_ERRORS];
	size_t			 nerrors;
	/* response */
	int			 status;
	const char		*location;
	const char		*error_header;	/* 501: X-Error-Message */
	yajl_gen		 g;
	bool			 headers_sent;
	bool			 streaming;
};

typedef enum fp_err (*handler_fn)(struct req *);

struct route_def {
	const char	*name;		/* for the access log */
	const char	*prefix;	/* path up to {id}, or the whole path */
	const char	*suffix;	/* after {id}; NULL: no {id} */
	enum api_family	 fam;
	unsigned	 roles;		/* FAM_OSCP: ROLES_* allowed */
	handler_fn	 fn[METHOD__MAX];
};

extern const struct route_def routes[ROUTE__MAX];

/* route.c */
enum method	 method_parse(const char *);
const char	*method_name(enum method);
enum fp_err	 route_match(struct req *);	/* sets route, id, allow */
void		 route_allow(unsigned mask, char *buf, size_t len);
int		 parse_id(const char *, size_t, int64_t *);	/* 0 or -1 */

/* http.c */
const char	*req_param(const struct req *, const char *name);
enum fp_err	 req_from_params(struct req *);	/* method, target, path */
enum fp_err	 req_content_length(struct req *, size_t *);
enum fp_err	 req_read_body(struct req *);
enum fp_err	 req_json_body(struct req *);	/* 415 / 413 / empty body */
void		 req_verr(struct req *, const char *location, const char *code,
		    const char *message, const char *rejected_json);
yajl_gen	 resp_begin(struct req *, int status);	/* opens "data" */
enum fp_err	 resp_flush(struct req *);	/* stream a long list */
enum fp_err	 resp_end(struct req *);	/* closes envelope, writes */
enum fp_err	 resp_ok_nodata(struct req *);	/* {"success":true} */
enum fp_err	 resp_no_content(struct req *);	/* 204, no body (OSCP) */
void		 resp_error(struct req *, enum fp_err);
int		 fp_err_status(enum fp_err);
const char	*fp_err_code(enum fp_err);
const char	*fp_err_message(enum fp_err);

/* auth.c: SNWS2 + token policy + role for the management API. */
enum fp_err	 auth_request(struct req *);
void		 auth_cache_clear(void);	/* wipe the token cache */

#endif /* HTTP_H */
