/*
 * admin_user.c -- "oscp-admin user add|list|disable": the tenants
 * (user_user) and their roles (user_role), plus the email -> id lookup
 * the token and node commands share.  Users are never deleted here.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "db.h"
#include "fp.h"
#include "timefmt.h"

#define ROLE_OSCP	"ROLE_OSCP"
#define EMAIL_MAX	255		/* user_user.email VARCHAR(255) */

/*
 * Look up a user by email.  ADMIN_OK with *id (and *enabled when not
 * NULL) set, or ADMIN_EFAIL after reporting "no such user".
 */
int
admin_user_lookup(struct admin *adm, const char *email, int64_t *id,
    bool *enabled)
{
	int64_t	uid = DB_NULL;
	bool	en = false;
	int	r;

	if (db_query(adm->db, STMT_ADM_USER_ID, "s", email) != FP_OK)
		return admin_fail("user lookup: %s", db_errmsg(adm->db));
	r = db_fetch(adm->db, adm->a, "lb", &uid, &en);
	db_done(adm->db);
	if (r == -1)
		return admin_fail("user lookup: %s", db_errmsg(adm->db));
	if (r == 0)
		return admin_fail("no such user: %s", email);
	*id = uid;
	if (enabled != NULL)
		*enabled = en;
	return ADMIN_OK;
}

/*
 * Reject what is obviously not an email address: no '@', nothing before
 * or after it, blanks or control characters, or longer than the column.
 */
static bool
email_ok(const char *e)
{
	const char	*at = strchr(e, '@');
	const char	*p;

	if (at == NULL || at == e || at[1] == '\0' || strchr(at + 1, '@'))
		return false;
	if (strlen(e) > EMAIL_MAX)
		return false;
	for (p = e; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return false;
	return true;
}

static int
user_add(struct admin *adm, const struct admin_args *args)
{
	const char	*email = args->argv[0];
	int64_t		 id;
	enum fp_err	 e;

	if (!email_ok(email))
		return admin_fail("invalid email address: %s", email);
	if (db_begin(adm->db) != FP_OK)
		return admin_fail("database: %s", db_errmsg(adm->db));
	e = db_exec(adm->db, STMT_ADM_USER_INSERT, "s", email);
	if (e == FP_EDUP)
		return admin_fail("user %s already exists", email);
	if (e != FP_OK)
		return admin_fail("user add: %s", db_errmsg(adm->db));
	id = db_insert_id(adm->db);
	if (!admin_has(args, "no-role") &&
	    db_exec(adm->db, STMT_ADM_ROLE_INSERT, "ls", id, ROLE_OSCP) !=
	    FP_OK)
		return admin_fail("role: %s", db_errmsg(adm->db));
	if (db_commit(adm->db) != FP_OK)
		return admin_fail("commit: %s", db_errmsg(adm->db));
	printf("%" PRId64 "\n", id);
	return ADMIN_OK;
}

struct user_row {
	int64_t		 id;
	char		*email;
	int64_t		 created;
	bool		 enabled;
	char		*roles;
};

static int
user_list(struct admin *adm, const struct admin_args *args)
{
	struct user_row	*rows = NULL, *nr, u;
	size_t		 n = 0, cap = 0, i, w = 5, l;
	char		 ts[TIME_BUFSZ];
	int		 r;

	(void)args;
	if (db_query(adm->db, STMT_ADM_USER_LIST, "") != FP_OK)
		return admin_fail("user list: %s", db_errmsg(adm->db));
	for (;;) {
		memset(&u, 0, sizeof(u));
		r = db_fetch(adm->db, adm->a, "lstbs", &u.id, &u.email,
		    &u.created, &u.enabled, &u.roles);
		if (r != 1)
			break;
		if ((nr = arena_push(adm->a, &rows, &n, &cap,
		    sizeof(*nr))) == NULL) {
			db_done(adm->db);
			return admin_fail("out of memory");
		}
		*nr = u;
		if (u.email != NULL && (l = strlen(u.email)) > w)
			w = l;
	}
	db_done(adm->db);
	if (r == -1)
		return admin_fail("user list: %s", db_errmsg(adm->db));

	printf("%-6s %-*s %-27s %-7s %s\n", "ID", (int)w, "EMAIL", "CREATED",
	    "ENABLED", "ROLES");
	for (i = 0; i < n; i++) {
		if (rows[i].created == DB_NULL)
			strcpy(ts, "-");
		else
			time_fmt_sn(rows[i].created, ts);
		printf("%-6" PRId64 " %-*s %-27s %-7s %s\n", rows[i].id,
		    (int)w, rows[i].email != NULL ? rows[i].email : "", ts,
		    rows[i].enabled ? "yes" : "no",
		    rows[i].roles != NULL && *rows[i].roles != '\0' ?
		    rows[i].roles : "-");
	}
	return ADMIN_OK;
}

static int
user_disable(struct admin *adm, const struct admin_args *args)
{
	const char	*email = args->argv[0];
	int64_t		 id;
	bool		 enabled;

	if (db_exec(adm->db, STMT_ADM_USER_DISABLE, "s", email) != FP_OK)
		return admin_fail("user disable: %s", db_errmsg(adm->db));
	if (db_affected(adm->db) > 0)
		return ADMIN_OK;
	/* 0 rows: no such user, or (without CLIENT_FOUND_ROWS) already
	 * disabled, which is success. */
	if (admin_user_lookup(adm, email, &id, &enabled) != ADMIN_OK)
		return ADMIN_EFAIL;
	if (enabled)
		return admin_fail("user %s was not disabled", email);
	return ADMIN_OK;
}

static const struct admin_opt user_add_opts[] = {
	{ "no-role", false, false },
	{ NULL, false, false }
};

const struct admin_cmd admin_user_add_cmd = {
	.group = "user",
	.name = "add",
	.usage = "EMAIL [--no-role]",
	.summary = "create a user and print its id",
	.help =
	    "Creates an enabled user with the given email address and prints\n"
	    "its numeric id.  The user is granted ROLE_OSCP (needed for the\n"
	    "OSCP management API) unless --no-role is given.\n"
	    "\n"
	    "  --no-role  do not grant ROLE_OSCP\n",
	.opts = user_add_opts,
	.args_min = 1,
	.args_max = 1,
	.flags = ADMIN_NEED_DB,
	.exec = user_add,
};

const struct admin_cmd admin_user_list_cmd = {
	.group = "user",
	.name = "list",
	.usage = "",
	.summary = "list users with their roles",
	.help =
	    "Prints one line per user: id, email, creation time (UTC),\n"
	    "whether it is enabled, and its roles (comma separated, or -).\n",
	.opts = NULL,
	.args_min = 0,
	.args_max = 0,
	.flags = ADMIN_NEED_DB,
	.exec = user_list,
};

const struct admin_cmd admin_user_disable_cmd = {
	.group = "user",
	.name = "disable",
	.usage = "EMAIL",
	.summary = "disable a user (its tokens stop authenticating)",
	.help =
	    "Marks the user disabled.  Requests signed with any of its tokens\n"
	    "are then refused.  Disabling a disabled user succeeds.\n",
	.opts = NULL,
	.args_min = 1,
	.args_max = 1,
	.flags = ADMIN_NEED_DB,
	.exec = user_disable,
};
