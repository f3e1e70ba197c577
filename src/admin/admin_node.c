/*
 * admin_node.c -- "oscp-admin node add": register a SolarNetwork node id
 * as owned by a user (user_node), optionally public so that any user's
 * assets may refer to it (SPEC §2 improvement 7, reference §6.3).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "admin.h"
#include "db.h"
#include "fp.h"

/* A positive decimal int64 with nothing around it. */
static int
node_id_parse(const char *s, int64_t *out)
{
	char		*end;
	long long	 v;
	const char	*p;

	if (*s == '\0')
		return -1;
	for (p = s; *p != '\0'; p++)
		if (!isdigit((unsigned char)*p))
			return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v <= 0)
		return -1;
	*out = (int64_t)v;
	return 0;
}

static int
node_add(struct admin *adm, const struct admin_args *args)
{
	const char	*email = args->argv[0];
	int64_t		 node, uid;
	enum fp_err	 e;

	if (node_id_parse(args->argv[1], &node) != 0)
		return admin_usage_fail(&admin_node_add_cmd,
		    "invalid NODE_ID %s (a positive integer)", args->argv[1]);
	if (admin_user_lookup(adm, email, &uid, NULL) != ADMIN_OK)
		return ADMIN_EFAIL;
	e = db_exec(adm->db, STMT_ADM_NODE_INSERT, "llb", node, uid,
	    admin_has(args, "public") ? 1 : 0);
	if (e == FP_EDUP)
		return admin_fail("node %" PRId64 " is already registered",
		    node);
	if (e != FP_OK)
		return admin_fail("node add: %s", db_errmsg(adm->db));
	return ADMIN_OK;
}

static const struct admin_opt node_add_opts[] = {
	{ "public", false, false },
	{ NULL, false, false }
};

const struct admin_cmd admin_node_add_cmd = {
	.group = "node",
	.name = "add",
	.usage = "EMAIL NODE_ID [--public]",
	.summary = "register a node id as owned by a user",
	.help =
	    "Records that the user owns the node, so its assets may use it.\n"
	    "A node belongs to one user; registering it again fails.\n"
	    "\n"
	    "  --public  any user's assets may use the node too\n",
	.opts = node_add_opts,
	.args_min = 2,
	.args_max = 2,
	.flags = ADMIN_NEED_DB,
	.exec = node_add,
};
