/*
 * admin_token.c -- "oscp-admin token add|list|disable": SNWS2 security
 * tokens (user_auth_token).  A new token's secret is sealed under the
 * master key (AAD_AUTH_TOKEN, keyring.h) and printed exactly once,
 * by "token add"; nothing else here ever prints or logs it.
 *
 * The token policy is the expiry (not_after) and the API path patterns
 * (api_paths, a JSON array of Ant-style patterns, snws2-auth.md §11).
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <yajl/yajl_gen.h>

#include "admin.h"
#include "crypto.h"
#include "db.h"
#include "fp.h"
#include "keyring.h"
#include "timefmt.h"

#define TOKEN_ID_LEN		20
#define TOKEN_SECRET_LEN	32
#define API_PATH_MAX		1024

static const char *const token_types[] = { "User", "ReadNodeData" };

/* "2030-01-31" means midnight UTC; anything else is RFC 3339. */
static int
expires_parse(const char *s, int64_t *us)
{
	char	buf[32];
	size_t	len = strlen(s);
	int	i;

	if (len == 10) {
		for (i = 0; i < 10; i++)
			if (i == 4 || i == 7 ? s[i] != '-' :
			    !isdigit((unsigned char)s[i]))
				return -1;
		snprintf(buf, sizeof(buf), "%sT00:00:00Z", s);
		return time_parse_rfc3339(buf, strlen(buf), us);
	}
	return time_parse_rfc3339(s, len, us);
}

/* An api path pattern: "/…" or "!/…", printable, no blanks. */
static bool
api_path_ok(const char *p)
{
	const char	*q;

	if (*p == '!')
		p++;
	if (*p != '/' || strlen(p) > API_PATH_MAX)
		return false;
	for (q = p; *q != '\0'; q++)
		if ((unsigned char)*q <= ' ' || *q == 0x7f)
			return false;
	return true;
}

/*
 * The --api-path values as a JSON array (arena string), NULL when none
 * were given.  Returns ADMIN_OK or ADMIN_EUSAGE/ADMIN_EFAIL (reported).
 */
static int
api_paths_json(struct admin *adm, const struct admin_cmd *c,
    const struct admin_args *args, char **out)
{
	yajl_gen		 g;
	const unsigned char	*buf;
	size_t			 len;
	int			 i, rc = ADMIN_EFAIL;
	bool			 any = false;

	*out = NULL;
	for (i = 0; i < args->nopt; i++) {
		if (strcmp(args->opt_name[i], "api-path") != 0)
			continue;
		if (!api_path_ok(args->opt_value[i]))
			return admin_usage_fail(c, "invalid --api-path %s "
			    "(a pattern like /user/oscp/** or !/user/oscp/assets"
			    "/**)", args->opt_value[i]);
		any = true;
	}
	if (!any)
		return ADMIN_OK;

	if ((g = yajl_gen_alloc(NULL)) == NULL)
		return admin_fail("out of memory");
	yajl_gen_config(g, yajl_gen_validate_utf8, 1);
	if (yajl_gen_array_open(g) != yajl_gen_status_ok)
		goto out;
	for (i = 0; i < args->nopt; i++) {
		if (strcmp(args->opt_name[i], "api-path") != 0)
			continue;
		if (yajl_gen_string(g, (const unsigned char *)args->opt_value[i],
		    strlen(args->opt_value[i])) != yajl_gen_status_ok) {
			rc = admin_usage_fail(c, "--api-path is not valid "
			    "UTF-8");
			goto out;
		}
	}
	if (yajl_gen_array_close(g) != yajl_gen_status_ok ||
	    yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok)
		goto out;
	if ((*out = arena_strndup(adm->a, (const char *)buf, len)) == NULL)
		goto out;
	rc = ADMIN_OK;
out:
	if (rc == ADMIN_EFAIL)
		admin_fail("cannot encode api paths");
	yajl_gen_free(g);
	return rc;
}

static int
token_add(struct admin *adm, const struct admin_args *args)
{
	struct fp_key	 key;
	const char	*email = args->argv[0], *type = "User", *v;
	char		 id[TOKEN_ID_LEN + 1], secret[TOKEN_SECRET_LEN + 1];
	char		*aad, *paths;
	unsigned char	 sealed[SEAL_LEN(TOKEN_SECRET_LEN)];
	size_t		 sealedlen = 0, i;
	int64_t		 uid, not_after = DB_NULL;
	int		 rc;
	bool		 found, enabled;
	enum fp_err	 e;

	if ((v = admin_get(args, "type")) != NULL) {
		found = false;
		for (i = 0; i < sizeof(token_types) / sizeof(*token_types);
		    i++)
			if (strcasecmp(v, token_types[i]) == 0) {
				type = token_types[i];
				found = true;
			}
		if (!found)
			return admin_usage_fail(&admin_token_add_cmd,
			    "invalid --type %s (User or ReadNodeData)", v);
	}
	if ((v = admin_get(args, "expires")) != NULL &&
	    expires_parse(v, &not_after) != 0)
		return admin_usage_fail(&admin_token_add_cmd,
		    "invalid --expires %s (RFC 3339 date-time or YYYY-MM-DD)",
		    v);
	if ((rc = api_paths_json(adm, &admin_token_add_cmd, args, &paths)) !=
	    ADMIN_OK)
		return rc;

	if (admin_user_lookup(adm, email, &uid, &enabled) != ADMIN_OK)
		return ADMIN_EFAIL;
	if (!enabled)
		admin_warnx("warning: user %s is disabled; the token will not "
		    "authenticate", email);
	if (admin_key_load(adm, &key) != ADMIN_OK)
		return ADMIN_EFAIL;

	rc = ADMIN_EFAIL;
	memset(id, 0, sizeof(id));
	memset(secret, 0, sizeof(secret));
	/* An id starting with '-' would read as an option on the command
	 * line of "token disable": draw again. */
	do {
		if (random_ident(id, TOKEN_ID_LEN) != 0) {
			admin_fail("cannot generate a random token id");
			goto out;
		}
	} while (id[0] == '-');
	if (random_ident(secret, TOKEN_SECRET_LEN) != 0) {
		admin_fail("cannot generate a random secret");
		goto out;
	}
	id[TOKEN_ID_LEN] = '\0';
	secret[TOKEN_SECRET_LEN] = '\0';
	if ((aad = aad_build(adm->a, AAD_AUTH_TOKEN, id, 0, 0)) == NULL) {
		admin_fail("out of memory");
		goto out;
	}
	if (crypto_seal(&key, aad, secret, TOKEN_SECRET_LEN, sealed,
	    &sealedlen) != 0) {
		admin_fail("cannot seal the token secret");
		goto out;
	}
	e = db_exec(adm->db, STMT_ADM_TOKEN_INSERT, "slsxts", id, uid, type,
	    sealed, sealedlen, not_after, paths);
	if (e == FP_EDUP) {
		admin_fail("token id collision, try again");
		goto out;
	}
	if (e != FP_OK) {
		admin_fail("token add: %s", db_errmsg(adm->db));
		goto out;
	}
	/* The only place a secret is ever shown. */
	printf("%s %s\n", id, secret);
	rc = ADMIN_OK;
out:
	crypto_wipe(secret, sizeof(secret));
	crypto_wipe(&key, sizeof(key));
	return rc;
}

struct token_row {
	char	*id;
	int64_t	 created;
	char	*status;
	char	*type;
	int64_t	 not_after;
	char	*paths;
};

static int
token_list(struct admin *adm, const struct admin_args *args)
{
	struct token_row	*rows = NULL, *nr, t;
	const char		*email = args->argv[0];
	char			 c[TIME_BUFSZ], x[TIME_BUFSZ];
	size_t			 n = 0, cap = 0, i;
	int64_t			 uid;
	int			 r;

	if (admin_user_lookup(adm, email, &uid, NULL) != ADMIN_OK)
		return ADMIN_EFAIL;
	if (db_query(adm->db, STMT_ADM_TOKEN_LIST, "s", email) != FP_OK)
		return admin_fail("token list: %s", db_errmsg(adm->db));
	for (;;) {
		memset(&t, 0, sizeof(t));
		r = db_fetch(adm->db, adm->a, "stssts", &t.id, &t.created,
		    &t.status, &t.type, &t.not_after, &t.paths);
		if (r != 1)
			break;
		if ((nr = arena_push(adm->a, &rows, &n, &cap,
		    sizeof(*nr))) == NULL) {
			db_done(adm->db);
			return admin_fail("out of memory");
		}
		*nr = t;
	}
	db_done(adm->db);
	if (r == -1)
		return admin_fail("token list: %s", db_errmsg(adm->db));

	printf("%-*s %-27s %-8s %-12s %-27s %s\n", TOKEN_ID_LEN, "TOKEN",
	    "CREATED", "STATUS", "TYPE", "EXPIRES", "API_PATHS");
	for (i = 0; i < n; i++) {
		if (rows[i].created == DB_NULL)
			strcpy(c, "-");
		else
			time_fmt_sn(rows[i].created, c);
		if (rows[i].not_after == DB_NULL)
			strcpy(x, "-");
		else
			time_fmt_sn(rows[i].not_after, x);
		printf("%-*s %-27s %-8s %-12s %-27s %s\n", TOKEN_ID_LEN,
		    rows[i].id != NULL ? rows[i].id : "", c,
		    rows[i].status != NULL ? rows[i].status : "-",
		    rows[i].type != NULL ? rows[i].type : "-", x,
		    rows[i].paths != NULL ? rows[i].paths : "-");
	}
	return ADMIN_OK;
}

static int
token_disable(struct admin *adm, const struct admin_args *args)
{
	const char	*id = args->argv[0];

	if (db_exec(adm->db, STMT_ADM_TOKEN_DISABLE, "s", id) != FP_OK)
		return admin_fail("token disable: %s", db_errmsg(adm->db));
	/* CLIENT_FOUND_ROWS: an already disabled token counts as found. */
	if (db_affected(adm->db) == 0)
		return admin_fail("unknown token: %s", id);
	return ADMIN_OK;
}

static const struct admin_opt token_add_opts[] = {
	{ "type", true, false },
	{ "expires", true, false },
	{ "api-path", true, true },
	{ NULL, false, false }
};

const struct admin_cmd admin_token_add_cmd = {
	.group = "token",
	.name = "add",
	.usage = "EMAIL [--type User|ReadNodeData] [--expires ISO8601] "
	    "[--api-path PATTERN]...",
	.summary = "create a security token; prints TOKEN_ID SECRET once",
	.help =
	    "Creates an active SNWS2 security token for the user and prints\n"
	    "\"TOKEN_ID SECRET\" on one line.  The secret is stored encrypted\n"
	    "under the master key and cannot be shown again.\n"
	    "\n"
	    "  --type TYPE        User (default) or ReadNodeData\n"
	    "  --expires TIME     the token stops working after TIME: an RFC 3339\n"
	    "                     date-time (2030-01-31T12:00:00Z) or a date\n"
	    "                     (2030-01-31 = midnight UTC)\n"
	    "  --api-path PATTERN restrict the token to request paths matching\n"
	    "                     an Ant-style pattern, relative to /api/v1/sec\n"
	    "                     (e.g. /user/oscp/**; a leading ! negates);\n"
	    "                     may be repeated\n",
	.opts = token_add_opts,
	.args_min = 1,
	.args_max = 1,
	.flags = ADMIN_NEED_DB,
	.exec = token_add,
};

const struct admin_cmd admin_token_list_cmd = {
	.group = "token",
	.name = "list",
	.usage = "EMAIL",
	.summary = "list a user's security tokens (never their secrets)",
	.help =
	    "Prints one line per token of the user: token id, creation time,\n"
	    "status, type, expiry (or -) and API path patterns (or -).\n",
	.opts = NULL,
	.args_min = 1,
	.args_max = 1,
	.flags = ADMIN_NEED_DB,
	.exec = token_list,
};

const struct admin_cmd admin_token_disable_cmd = {
	.group = "token",
	.name = "disable",
	.usage = "TOKEN_ID",
	.summary = "disable a security token",
	.help =
	    "Marks the token Disabled; requests signed with it are refused.\n",
	.opts = NULL,
	.args_min = 1,
	.args_max = 1,
	.flags = ADMIN_NEED_DB,
	.exec = token_disable,
};
