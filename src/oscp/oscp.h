/*
 * oscp.h -- the OSCP 2.0 side (SPEC §3): the message table, the messages
 * an FP receives, parsed and checked against the OSCP schemas' rules
 * (oscp_msg.c), the inbound handlers (oscp_api.c) and the dispatcher
 * process that sends everything outbound (dispatch.c, send.c).
 *
 * Stored numbers: enum oscp_action in oscp_task.action and
 * oscp_event.action, enum peer_role (model.h) in their role columns,
 * enum oscp_dir in oscp_event.direction.
 */
#ifndef OSCP_H
#define OSCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fp.h"

struct arena;
struct jlimits;
struct req;

enum oscp_action {
	OSCP_REGISTER,
	OSCP_HANDSHAKE,
	OSCP_HANDSHAKE_ACK,
	OSCP_HEARTBEAT,
	OSCP_UPDATE_FORECAST,
	OSCP_ADJUST_FORECAST,
	OSCP__MAX
};

enum oscp_dir {
	OSCP_IN,
	OSCP_OUT
};

/* One row per message: its name (events, serviceProps "url-paths" keys)
 * and the path suffix it is sent to unless url-paths says otherwise. */
struct oscp_action_def {
	const char	*name;
	const char	*suffix;
};

extern const struct oscp_action_def oscp_actions[OSCP__MAX];

/* Register: the token we must present to the peer and its 2.0 base URL
 * (NULL when no entry offers "2.0": answer 501). */
struct oscp_register {
	const char	*token;
	const char	*base_url;
};

/* RequiredBehaviour of a Handshake or HandshakeAcknowledge. */
struct oscp_behaviour {
	bool		 present;	/* false: nothing to store */
	int		 heartbeat_secs; /* truncated; -1 when absent */
	const char	*styles;	/* JSON array of stored codes: [99] */
};

struct oscp_block {
	const char	*capacity;	/* the number as received */
	const char	*phase;
	const char	*unit;
	int64_t		 start_us, end_us;
};

/* UpdateGroupCapacityForecast and AdjustGroupCapacityForecast. */
struct oscp_forecast {
	const char		*group_id;
	const char		*type;
	struct oscp_block	*blocks;
	size_t			 nblocks;
};

/*
 * oscp_msg.c: parse a body and check it against the schema's rules.
 * FP_EMALFORMED (not JSON: "Malformed JSON: ..."), FP_EINVAL (a rule:
 * "<field path>: <what is wrong>"), FP_ENOMEM; *detail says which.
 */
enum fp_err	 oscp_parse_register(struct arena *, const struct jlimits *,
		    const unsigned char *, size_t, struct oscp_register *,
		    const char **detail);
enum fp_err	 oscp_parse_behaviour(struct arena *, const struct jlimits *,
		    const unsigned char *, size_t, bool ack,
		    struct oscp_behaviour *, const char **detail);
enum fp_err	 oscp_parse_heartbeat(struct arena *, const struct jlimits *,
		    const unsigned char *, size_t, int64_t *offline_us,
		    const char **detail);
enum fp_err	 oscp_parse_forecast(struct arena *, const struct jlimits *,
		    const unsigned char *, size_t, struct oscp_forecast *,
		    const char **detail);

/* Outbound bodies (NULL when out of memory); dates UTC with ms. */
char		*oscp_json_forecast(struct arena *, const struct oscp_forecast *);
char		*oscp_json_register(struct arena *, const char *token,
		    const char *base_url);
char		*oscp_json_ack(struct arena *, int heartbeat_secs,
		    const char *styles_csv);	/* 0: no heartbeats wanted */
char		*oscp_json_heartbeat(struct arena *, int64_t offline_us);

/* The OSCP settings checked when a settings file loads (-t, start,
 * SIGHUP): 0, or -1 with err set. */
int		 oscp_settings_ok(const struct settings *, char *err,
		    size_t errlen);

/* A header value we store and send back: 1..128 of 0x21-0x7e. */
bool		 oscp_id_ok(const char *);
/* A random (version 4) UUID for the X-Request-ID of what we send. */
#define OSCP_UUID_LEN	36
int		 oscp_uuid(char out[OSCP_UUID_LEN + 1]);	/* 0 or -1 */

/* oscp_auth.c: Authorization: Token -> r->user_id, oscp_role, conf_id,
 * fp_id; FP_EDENIED (403) otherwise. */
enum fp_err	 oscp_auth(struct req *);

/* oscp_api.c: the handlers of the route table, and the wake-up of this
 * host's dispatcher (an eventfd the master makes before forking). */
enum fp_err	 oscp_register(struct req *);
enum fp_err	 oscp_handshake(struct req *);
enum fp_err	 oscp_handshake_ack(struct req *);
enum fp_err	 oscp_heartbeat(struct req *);
enum fp_err	 oscp_update_forecast(struct req *);
enum fp_err	 oscp_adjust_forecast(struct req *);
void		 oscp_wake_init(int fd);
int		 oscp_wake_fd(void);
void		 oscp_wake(void);		/* after a task commits */

#endif /* OSCP_H */
