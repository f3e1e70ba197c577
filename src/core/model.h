/*
 * model.h -- the entities of the management API (reference §4) and the
 * enumerations they use (reference §3), as plain structs filled by the
 * JSON parser or the database layer.  Strings point into the request
 * arena.  Integers use DB_NULL / DB_NULL_INT (db.h) for "absent".
 */
#ifndef MODEL_H
#define MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fp.h"

struct arena;
struct db;

/* One enumeration value: Java name, one-character code, stored value. */
struct enumval {
	const char	*name;
	char		 code;	/* '\0': read by name only */
	int		 value;	/* stored in SMALLINT/INTEGER columns */
};

struct enumdef {
	const char		*what;	/* for messages */
	const struct enumval	*v;
	size_t			 n;
	bool			 by_code; /* reference §2.2 "fromValue" reader */
};

enum enumkind {
	ENUM_REG_STATUS,
	ENUM_AUDIENCE,
	ENUM_MEAS_PERIOD,
	ENUM_CATEGORY,
	ENUM_PHASE,
	ENUM_UNIT,
	ENUM_STAT,
	ENUM_ENERGY_TYPE,
	ENUM_ENERGY_DIR,
	ENUM_MEAS_STYLE,
	ENUM__MAX
};

extern const struct enumdef enums[ENUM__MAX];

/* Index into enums[k].v, or -1 when s is not a valid name/code. */
int		 enum_read(enum enumkind, const char *s, size_t len);
/* Name for a stored value, NULL if unknown. */
const char	*enum_name(enum enumkind, int value);
int		 enum_value(enum enumkind, int idx);

#define REG_PENDING_VALUE	112	/* 'p' */

enum peer_role {
	ROLE_CP,
	ROLE_CO,
	ROLE__MAX
};

/* Capacity Provider / Capacity Optimizer (reference §4.2). */
struct peer {
	int64_t		 user_id;
	int64_t		 id;
	int64_t		 created;
	int64_t		 modified;
	bool		 enabled;
	const char	*name;
	const char	*token;		/* POST response only */
	const char	*base_url;
	const char	*oscp_ver;
	int64_t		 fp_id;
	int		 reg_status;	/* stored value, DB_NULL_INT absent */
	int		 heartbeat_secs;
	const char	*meas_styles;	/* JSON array of codes, e.g. [99] */
	int64_t		 heartbeat_at;
	int64_t		 offline_at;
	const char	*sprops;	/* JSON object text, no secret */
	const char	*oauth_secret;	/* input only, never emitted */
};

/* Capacity Group (reference §4.3). */
struct group {
	int64_t		 user_id;
	int64_t		 id;
	int64_t		 created;
	int64_t		 modified;
	bool		 enabled;
	const char	*name;
	const char	*ident;
	int64_t		 cp_id;
	int64_t		 co_id;
	int		 cp_meas_secs;
	int		 co_meas_secs;
	int64_t		 cp_meas_at;
	int64_t		 co_meas_at;
	const char	*sprops;
};

/* Asset measurement sub-configuration (instantaneous / energy). */
struct meas {
	bool		 present;
	const char	*props;		/* JSON array of strings */
	size_t		 nprops;
	int		 unit;
	const char	*mult;		/* decimal text, NULL if absent */
	int		 stat;
	int		 type;		/* energy only */
	int		 dir;		/* energy only */
};

/* Asset (reference §4.4). */
struct asset {
	int64_t		 user_id;
	int64_t		 id;
	int64_t		 created;
	int64_t		 modified;
	bool		 enabled;
	const char	*name;
	int64_t		 cg_id;
	const char	*ident;
	int		 audience;
	int64_t		 node_id;
	const char	*source_id;
	int		 category;
	int		 phase;
	struct meas	 inst;
	struct meas	 energy;
	const char	*sprops;
};

/* An entity as a body is parsed into it: zeroed, every optional integer
 * and id absent (DB_NULL / DB_NULL_INT), so a field left out stays so. */
void		 peer_init(struct peer *);
void		 group_init(struct group *);
void		 asset_init(struct asset *);

/* db_peer.c, db_group.c, db_asset.c: entity access.  Every function takes
 * the authenticated user id; nothing is looked up across tenants.  The
 * list functions call back once per row (rows are streamed). */
typedef enum fp_err (*peer_cb)(void *, const struct peer *);
typedef enum fp_err (*group_cb)(void *, const struct group *);
typedef enum fp_err (*asset_cb)(void *, const struct asset *);

enum fp_err	 db_peer_list(struct db *, struct arena *, enum peer_role, int64_t,
	    peer_cb, void *);
enum fp_err	 db_peer_get(struct db *, struct arena *, enum peer_role, int64_t,
	    int64_t, struct peer *);
enum fp_err	 db_peer_insert(struct db *, enum peer_role, struct peer *,
	    const unsigned char digest[32]);
enum fp_err	 db_peer_update(struct db *, enum peer_role, struct peer *);
enum fp_err	 db_peer_secret(struct db *, enum peer_role, int64_t, int64_t,
	    const unsigned char *sealed, size_t sealedlen);
enum fp_err	 db_peer_delete(struct db *, enum peer_role, int64_t, int64_t);

enum fp_err	 db_group_list(struct db *, struct arena *, int64_t, group_cb, void *);
enum fp_err	 db_group_get(struct db *, struct arena *, int64_t, int64_t,
	    struct group *);
enum fp_err	 db_group_insert(struct db *, struct group *);
enum fp_err	 db_group_update(struct db *, struct group *);
enum fp_err	 db_group_delete(struct db *, int64_t, int64_t);

enum fp_err	 db_asset_list(struct db *, struct arena *, int64_t, int64_t,
	    asset_cb, void *);
enum fp_err	 db_asset_get(struct db *, struct arena *, int64_t, int64_t,
	    struct asset *);
enum fp_err	 db_asset_insert(struct db *, struct asset *);
enum fp_err	 db_asset_update(struct db *, struct asset *);
enum fp_err	 db_asset_delete(struct db *, int64_t, int64_t);

enum fp_err	 db_node_get(struct db *, struct arena *, int64_t node_id,
	    int64_t *owner, bool *is_public);

#endif /* MODEL_H */
