/*
 * api.h -- management API handlers (SPEC §2), one per route and method.
 * Each reads top to bottom: parse, validate, one transaction, respond.
 */
#ifndef API_H
#define API_H

#include "http.h"
#include "model.h"

enum fp_err	 api_ping(struct req *);
enum fp_err	 api_cp_list(struct req *);
enum fp_err	 api_cp_create(struct req *);
enum fp_err	 api_cp_get(struct req *);
enum fp_err	 api_cp_update(struct req *);
enum fp_err	 api_cp_delete(struct req *);
enum fp_err	 api_co_list(struct req *);
enum fp_err	 api_co_create(struct req *);
enum fp_err	 api_co_get(struct req *);
enum fp_err	 api_co_update(struct req *);
enum fp_err	 api_co_delete(struct req *);
enum fp_err	 api_group_list(struct req *);
enum fp_err	 api_group_create(struct req *);
enum fp_err	 api_group_get(struct req *);
enum fp_err	 api_group_update(struct req *);
enum fp_err	 api_group_delete(struct req *);
enum fp_err	 api_group_assets(struct req *);
enum fp_err	 api_asset_create(struct req *);
enum fp_err	 api_asset_get(struct req *);
enum fp_err	 api_asset_update(struct req *);
enum fp_err	 api_asset_delete(struct req *);
enum fp_err	 api_cp_events(struct req *);
enum fp_err	 api_co_events(struct req *);

/* valid.c: VAL.00004 checks; FP_EINVAL with r->errors filled. */
enum fp_err	 valid_peer(struct req *, enum peer_role, const struct peer *);
enum fp_err	 valid_group(struct req *, const struct group *);
enum fp_err	 valid_asset(struct req *, const struct asset *);


/* api.c: helpers shared by the handlers. */
struct field;
enum fp_err	 api_body(struct req *, const struct field *, void *base,
		    const char **secret);
enum fp_err	 api_location(struct req *, const char *collection,
		    int64_t id);		/* sets r->location */
enum fp_err	 api_seal(struct req *, const char *aad, const char *secret,
		    unsigned char **blob, size_t *len);
enum fp_err	 api_node_check(struct req *, int64_t node_id);

#endif /* API_H */
