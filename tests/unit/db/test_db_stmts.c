/*
 * test_db_stmts.c -- src/db_stmts.c: every enum stmt has SQL; the tenancy
 * lint (every SELECT/UPDATE/DELETE on an oscp_* table filters on
 * "user_id = ?" in its WHERE clause, every INSERT into one sets user_id;
 * only the STMT_ADM_SEAL_* key-rotation statements run across users);
 * and the placeholders of each statement against its signature, both a
 * fixed table for the request-path statements and the "in -> out"
 * comments parsed from the source file (also checked against the number
 * of selected columns).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <CUnit/CUnit.h>

#include "db.h"
#include "unit.h"


#define S(x)	[x] = #x
static const char *const names[STMT__MAX] = {
	S(STMT_AUTH_TOKEN), S(STMT_NODE_GET),
	S(STMT_FP_TOKEN_INSERT), S(STMT_FP_TOKEN_DELETE),
	S(STMT_CP_LIST), S(STMT_CP_GET), S(STMT_CP_INSERT),
	S(STMT_CP_HB_INSERT), S(STMT_CP_UPDATE), S(STMT_CP_FP_ID),
	S(STMT_CP_SECRET_UPSERT),
	S(STMT_CO_LIST), S(STMT_CO_GET), S(STMT_CO_INSERT),
	S(STMT_CO_HB_INSERT), S(STMT_CO_UPDATE), S(STMT_CO_FP_ID),
	S(STMT_CO_SECRET_UPSERT),
	S(STMT_CG_LIST), S(STMT_CG_GET), S(STMT_CG_INSERT),
	S(STMT_CG_CP_MEAS_INSERT), S(STMT_CG_CO_MEAS_INSERT),
	S(STMT_CG_UPDATE), S(STMT_CG_DELETE),
	S(STMT_ASSET_LIST), S(STMT_ASSET_GET), S(STMT_ASSET_INSERT),
	S(STMT_ASSET_UPDATE), S(STMT_ASSET_DELETE),
	S(STMT_OSCP_CP_REGISTER), S(STMT_OSCP_CO_REGISTER),
	S(STMT_OSCP_CP_TOKEN_UPSERT), S(STMT_OSCP_CO_TOKEN_UPSERT),
	S(STMT_OSCP_FP_REPLY_REQID), S(STMT_OSCP_FP_NEXT_SET),
	S(STMT_OSCP_TASK_CANCEL), S(STMT_OSCP_CP_BEHAVIOUR),
	S(STMT_OSCP_CO_BEHAVIOUR), S(STMT_OSCP_CP_HEARTBEAT),
	S(STMT_OSCP_CO_HEARTBEAT), S(STMT_OSCP_CG_BY_CP), S(STMT_OSCP_CG_BY_CO),
	S(STMT_EVENT_LIST), S(STMT_OSCP_AUTH),
	S(STMT_TASK_INSERT), S(STMT_EVENT_INSERT),
	S(STMT_DSP_CP_REG_STATUS), S(STMT_DSP_CO_REG_STATUS),
	S(STMT_DSP_FP_PROMOTE), S(STMT_DSP_CLAIM), S(STMT_DSP_CLAIMED),
	S(STMT_DSP_TASK_DONE), S(STMT_DSP_EVENTS_INSERT),
	S(STMT_DSP_TASK_RETRY),
	S(STMT_DSP_CP_HB_CLAIM), S(STMT_DSP_CO_HB_CLAIM),
	S(STMT_DSP_CP_HB_TASKS), S(STMT_DSP_CO_HB_TASKS),
	S(STMT_DSP_EVENT_PRUNE),
	S(STMT_ADM_VERSION_TABLE), S(STMT_ADM_VERSION_LIST),
	S(STMT_ADM_VERSION_INSERT), S(STMT_ADM_USER_INSERT),
	S(STMT_ADM_USER_ID), S(STMT_ADM_USER_LIST), S(STMT_ADM_USER_DISABLE),
	S(STMT_ADM_ROLE_INSERT), S(STMT_ADM_TOKEN_INSERT),
	S(STMT_ADM_TOKEN_LIST), S(STMT_ADM_TOKEN_DISABLE),
	S(STMT_ADM_NODE_INSERT),
	S(STMT_ADM_SEAL_AUTH_LIST), S(STMT_ADM_SEAL_AUTH_SET),
	S(STMT_ADM_SEAL_CP_TOKEN_LIST), S(STMT_ADM_SEAL_CP_TOKEN_SET),
	S(STMT_ADM_SEAL_CO_TOKEN_LIST), S(STMT_ADM_SEAL_CO_TOKEN_SET),
	S(STMT_ADM_SEAL_CP_SECRET_LIST), S(STMT_ADM_SEAL_CP_SECRET_SET),
	S(STMT_ADM_SEAL_CO_SECRET_LIST), S(STMT_ADM_SEAL_CO_SECRET_SET),
	S(STMT_ADM_SEAL_FP_NEXT_LIST), S(STMT_ADM_SEAL_FP_NEXT_SET),
};
#undef S

static size_t
count_char(const char *s, char c)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		if (*s == c)
			n++;
	return n;
}

/* Case-insensitive prefix test after leading blanks. */
static bool
starts(const char *s, const char *word)
{
	while (isspace((unsigned char)*s))
		s++;
	return strncasecmp(s, word, strlen(word)) == 0;
}

static const char *
strcasestr_(const char *h, const char *n)
{
	size_t	 len = strlen(n);

	for (; *h != '\0'; h++)
		if (strncasecmp(h, n, len) == 0)
			return h;
	return NULL;
}

static bool
is_seal(enum stmt i)
{
	return strncmp(names[i], "STMT_ADM_SEAL_", 14) == 0;
}

static void
t_present(void)
{
	int	 i;

	for (i = 0; i < STMT__MAX; i++) {
		CHECK(names[i] != NULL, "names[%d] missing in this test", i);
		if (names[i] == NULL)
			continue;
		CHECK(stmts[i] != NULL && stmts[i][0] != '\0',
		    "%s has no SQL", names[i]);
	}
}

/*
 * The statements that may touch rows of any tenant, by name: the FP token
 * lookup (the token names its tenant), the dispatcher's claims and event
 * pruning, and oscp-admin's key rotation.  db_stmts.c marks them
 * DB_ANY_TENANT; a new one must be added here on purpose.
 */
static bool
any_tenant_allowed(enum stmt i)
{
	static const enum stmt ok[] = {
		STMT_OSCP_AUTH, STMT_DSP_CLAIM, STMT_DSP_CLAIMED,
		STMT_DSP_TASK_DONE, STMT_DSP_EVENTS_INSERT,
		STMT_DSP_TASK_RETRY, STMT_DSP_CP_HB_CLAIM,
		STMT_DSP_CO_HB_CLAIM, STMT_DSP_CP_HB_TASKS,
		STMT_DSP_CO_HB_TASKS, STMT_DSP_EVENT_PRUNE,
	};
	size_t	 k;

	if (is_seal(i))
		return true;
	for (k = 0; k < N(ok); k++)
		if (ok[k] == i)
			return true;
	return false;
}

/* Every statement belongs to a process; workers never claim. */
static void
t_roles(void)
{
	int	 i;
	unsigned r;

	for (i = 0; i < STMT__MAX; i++) {
		r = stmt_roles(i);
		CHECK((r & (DB_WORKER | DB_DISPATCHER | DB_ADMIN)) != 0,
		    "%s belongs to no process", names[i]);
		CHECK(!(r & DB_ANY_TENANT) || any_tenant_allowed(i),
		    "%s is marked DB_ANY_TENANT without being listed here",
		    names[i]);
		CHECK((r & DB_ANY_TENANT) || !any_tenant_allowed(i),
		    "%s is listed here but not marked DB_ANY_TENANT", names[i]);
		if (strncmp(names[i], "STMT_DSP_", 9) == 0)
			CHECK((r & DB_WORKER) == 0 && (r & DB_DISPATCHER),
			    "%s: dispatcher statement not the dispatcher's",
			    names[i]);
		if (strncmp(names[i], "STMT_ADM_", 9) == 0)
			CHECK(r & DB_ADMIN, "%s: not oscp-admin's", names[i]);
	}
}

/* One SELECT/UPDATE/DELETE/INSERT on an oscp_* table: scoped by user. */
static void
tenancy_one(const char *name, const char *s, int *scoped)
{
	const char	*where, *cols;

	if (starts(s, "SELECT") || starts(s, "UPDATE") ||
	    starts(s, "DELETE")) {
		where = strcasestr_(s, " WHERE ");
		CHECK(where != NULL && strstr(where, "user_id = ?") != NULL,
		    "%s: tenant statement without \"user_id = ?\" in WHERE: "
		    "%s", name, s);
		(*scoped)++;
	} else if (starts(s, "INSERT")) {
		cols = strchr(s, '(');
		CHECK(cols != NULL && strstr(cols, "user_id") != NULL &&
		    strstr(cols, "user_id") < strchr(cols, ')'),
		    "%s: tenant INSERT without user_id: %s", name, s);
	} else
		CHECK(false, "%s: unexpected statement kind: %s", name, s);
}

/*
 * A compound statement (BEGIN NOT ATOMIC ... END, db_stmts.c) must be one
 * transaction: its handler rolls back and re-raises, it starts and
 * commits one, and each statement inside passes the tenancy lint.
 */
static void
tenancy_compound(const char *name, const char *s, int *scoped)
{
	static const char head[] = "BEGIN NOT ATOMIC DECLARE EXIT HANDLER "
	    "FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END; "
	    "START TRANSACTION; ";
	static const char tail[] = "; COMMIT; END";
	char		 buf[2048], *p, *semi;
	size_t		 n = strlen(s), dml = 0;

	CHECK(strncmp(s, head, sizeof(head) - 1) == 0 &&
	    n > sizeof(head) + sizeof(tail) &&
	    strcmp(s + n - (sizeof(tail) - 1), tail) == 0,
	    "%s: not one rolled-back-on-error transaction: %s", name, s);
	if (n >= sizeof(buf) || n <= sizeof(head) + sizeof(tail))
		return;
	memcpy(buf, s + sizeof(head) - 1, n - (sizeof(head) - 1) -
	    (sizeof(tail) - 1));
	buf[n - (sizeof(head) - 1) - (sizeof(tail) - 1)] = '\0';
	for (p = buf; p != NULL; p = semi) {
		if ((semi = strchr(p, ';')) != NULL) {
			*semi++ = '\0';
			while (*semi == ' ')
				semi++;
		}
		tenancy_one(name, p, scoped);
		dml++;
	}
	CHECK(dml >= 2, "%s: a compound statement of %zu statements", name,
	    dml);
}

/*
 * Tenancy: a statement on an oscp_* table is scoped by the caller's user
 * id, except the DB_ANY_TENANT ones above.
 */
static void
t_tenancy(void)
{
	const char	*s;
	int		 i, scoped = 0;

	for (i = 0; i < STMT__MAX; i++) {
		if ((s = stmts[i]) == NULL || names[i] == NULL)
			continue;
		if (strstr(s, "oscp_") == NULL)
			continue;
		if (stmt_roles(i) & DB_ANY_TENANT)
			continue;
		if (starts(s, "BEGIN"))
			tenancy_compound(names[i], s, &scoped);
		else
			tenancy_one(names[i], s, &scoped);
	}
	/* The lint actually looked at the request-path statements. */
	CU_ASSERT(scoped >= 17);
	/*
	 * The exemption stays narrow: a rotation list only reads and locks,
	 * a rotation set changes one column of one row.
	 */
	for (i = 0; i < STMT__MAX; i++) {
		const char	*set, *wh;
		size_t		 eq = 0;

		if (names[i] == NULL || stmts[i] == NULL || !is_seal(i))
			continue;
		if (strstr(names[i], "_LIST") != NULL) {
			CHECK(starts(stmts[i], "SELECT") &&
			    strstr(stmts[i], "FOR UPDATE") != NULL,
			    "%s: %s", names[i], stmts[i]);
			continue;
		}
		set = strcasestr_(stmts[i], " SET ");
		wh = strcasestr_(stmts[i], " WHERE ");
		CHECK(starts(stmts[i], "UPDATE") && set != NULL && wh != NULL &&
		    set < wh, "%s: %s", names[i], stmts[i]);
		if (set == NULL || wh == NULL)
			continue;
		for (; set < wh; set++)
			eq += *set == '=';
		CHECK(eq == 1, "%s sets %zu columns", names[i], eq);
		CHECK(strstr(wh, "user_id = ?") != NULL ||
		    strstr(wh, "auth_token = ?") != NULL,
		    "%s: updates by key: %s", names[i], stmts[i]);
	}
}

/* Request-path statements: placeholders written out by hand. */
static void
t_params_fixed(void)
{
	static const struct {
		enum stmt	 st;
		size_t		 n;
	} t[] = {
		{ STMT_AUTH_TOKEN, 1 },
		{ STMT_NODE_GET, 1 },
		{ STMT_FP_TOKEN_INSERT, 2 },
		{ STMT_FP_TOKEN_DELETE, 2 },
		{ STMT_CP_LIST, 1 },
		{ STMT_CP_GET, 2 },
		{ STMT_CP_INSERT, 10 },
		{ STMT_CP_HB_INSERT, 2 },
		{ STMT_CP_UPDATE, 9 },
		{ STMT_CP_FP_ID, 2 },
		{ STMT_CP_SECRET_UPSERT, 3 },
		{ STMT_CO_LIST, 1 },
		{ STMT_CO_GET, 2 },
		{ STMT_CO_INSERT, 10 },
		{ STMT_CO_HB_INSERT, 2 },
		{ STMT_CO_UPDATE, 9 },
		{ STMT_CO_FP_ID, 2 },
		{ STMT_CO_SECRET_UPSERT, 3 },
		{ STMT_CG_LIST, 1 },
		{ STMT_CG_GET, 2 },
		{ STMT_CG_INSERT, 11 },
		{ STMT_CG_CP_MEAS_INSERT, 2 },
		{ STMT_CG_CO_MEAS_INSERT, 2 },
		{ STMT_CG_UPDATE, 11 },
		{ STMT_CG_DELETE, 2 },
		{ STMT_ASSET_LIST, 2 },
		{ STMT_ASSET_GET, 2 },
		{ STMT_ASSET_INSERT, 23 },
		{ STMT_ASSET_UPDATE, 23 },
		{ STMT_ASSET_DELETE, 2 },
	};
	size_t	 i, n;

	for (i = 0; i < N(t); i++) {
		if (stmts[t[i].st] == NULL)
			continue;
		n = count_char(stmts[t[i].st], '?');
		CHECK(n == t[i].n, "%s: %zu placeholders, want %zu",
		    names[t[i].st], n, t[i].n);
	}
	/* CP and CO statements are the same text but for the table. */
	for (i = STMT_CP_LIST; i <= STMT_CP_SECRET_UPSERT; i++) {
		const char	*cp = stmts[i];
		const char	*co = stmts[i + (STMT_CO_LIST - STMT_CP_LIST)];
		size_t		 k;

		CU_ASSERT_EQUAL_FATAL(strlen(cp), strlen(co));
		for (k = 0; cp[k] != '\0'; k++)
			if (cp[k] != co[k] && !(cp[k] == 'p' && co[k] == 'o'))
				break;
		CHECK(cp[k] == '\0', "%s and its CO twin differ at %zu",
		    names[i], k);
	}
}

/* Columns selected by a SELECT: top-level commas before FROM, plus one. */
static size_t
select_columns(const char *s)
{
	size_t	 n = 1;
	int	 depth = 0;

	while (isspace((unsigned char)*s))
		s++;
	for (s += 6; *s != '\0'; s++) {
		if (*s == '(')
			depth++;
		else if (*s == ')')
			depth--;
		else if (depth == 0 && *s == ',')
			n++;
		else if (depth == 0 && strncasecmp(s, " FROM ", 6) == 0)
			return n;
	}
	return 0;
}

static char *
slurp(const char *path)
{
	FILE	*f;
	char	*buf;
	long	 len;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)len + 1)) ==
	    NULL) {
		fclose(f);
		return NULL;
	}
	if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		fclose(f);
		return NULL;
	}
	buf[len] = '\0';
	fclose(f);
	return buf;
}

/*
 * The "in -> out" comments of src/db_stmts.c: one per row, in enum order.
 * A CO row without its own signature shares its CP twin's; "(as list)"
 * shares the list's output.
 */
static void
t_params_comments(void)
{
	char		 path[1024];
	char		 in[STMT__MAX][64], out[STMT__MAX][64];
	bool		 has[STMT__MAX] = { false };
	char		*src, *p, *end, *arrow;
	size_t		 len;
	int		 k = 0, i;

	snprintf(path, sizeof(path), "%s/../../src/db/db_stmts.c",
	    unit_fixtures);
	src = slurp(path);
	CHECK(src != NULL, "cannot read %s", path);
	if (src == NULL)
		return;
	for (p = src; (p = strstr(p, "/* STMT_")) != NULL; p = end) {
		p += 3;
		end = strstr(p, "*/");
		CU_ASSERT_PTR_NOT_NULL_FATAL(end);
		len = strcspn(p, ": *");
		CHECK(k < STMT__MAX, "more STMT comments than statements");
		if (k >= STMT__MAX)
			break;
		CHECK(strlen(names[k]) == len &&
		    strncmp(p, names[k], len) == 0,
		    "comment %d names %.*s, want %s", k, (int)len, p,
		    names[k]);
		in[k][0] = out[k][0] = '\0';
		if (p[len] == ':') {
			char	 sig[128];

			snprintf(sig, sizeof(sig), "%.*s",
			    (int)(end - (p + len + 1)), p + len + 1);
			has[k] = true;
			arrow = strstr(sig, "->");
			if (arrow != NULL)
				*arrow = '\0';
			sscanf(sig, " %63[a-z]", in[k]);
			if (arrow != NULL && strstr(arrow + 2, "(as list)") ==
			    NULL)
				sscanf(arrow + 2, " %63[a-z]", out[k]);
			else if (arrow != NULL && k > 0)
				strcpy(out[k], out[k - 1]);
		}
		k++;
	}
	CHECK(k == STMT__MAX, "%d STMT comments, want %d", k, STMT__MAX);
	for (i = 0; i < k; i++) {
		int	 j = i;
		size_t	 cols;

		/* CO rows borrow the CP signature. */
		if (!has[i] && i >= STMT_CO_LIST && i <= STMT_CO_SECRET_UPSERT)
			j = i - (STMT_CO_LIST - STMT_CP_LIST);
		else if (!has[i] && strncmp(names[i], "STMT_ADM_SEAL_", 14) ==
		    0 && (strstr(names[i], "_CO_") || strstr(names[i],
		    "_SECRET_")))
			j = strstr(names[i], "_LIST") ?
			    STMT_ADM_SEAL_CP_TOKEN_LIST :
			    STMT_ADM_SEAL_CP_TOKEN_SET;
		if (!has[j]) {
			/* Only DDL may go without a signature. */
			CHECK(starts(stmts[i], "CREATE"), "%s has no "
			    "signature comment", names[i]);
			CHECK(count_char(stmts[i], '?') == 0, "%s", names[i]);
			continue;
		}
		CHECK(count_char(stmts[i], '?') == strlen(in[j]),
		    "%s: %zu placeholders, signature \"%s\"", names[i],
		    count_char(stmts[i], '?'), in[j]);
		if (starts(stmts[i], "SELECT")) {
			cols = select_columns(stmts[i]);
			CHECK(out[j][0] != '\0', "%s: SELECT without an output "
			    "signature", names[i]);
			CHECK(cols == strlen(out[j]), "%s: %zu columns, "
			    "signature \"%s\"", names[i], cols, out[j]);
		} else
			CHECK(out[j][0] == '\0', "%s: output signature on a "
			    "statement without rows", names[i]);
	}
	free(src);
}

void
test_db_stmts_register(void)
{
	CU_pSuite	 s;

	s = CU_add_suite("db_stmts", NULL, NULL);
	CU_add_test(s, "every statement present", t_present);
	CU_add_test(s, "tenancy lint", t_tenancy);
	CU_add_test(s, "roles: each statement has its process", t_roles);
	CU_add_test(s, "placeholders (fixed table)", t_params_fixed);
	CU_add_test(s, "placeholders and columns (comments)",
	    t_params_comments);
}
