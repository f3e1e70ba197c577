/*
 * admin_key.c -- "oscp-admin key init|rotate": the master key file that
 * seals every stored secret (crypto.h), and re-encrypting all sealed
 * values under a new key.
 *
 * Values are opened with the current key or, failing that, the previous
 * one (<path>.old): a worker that sealed just before the last rotation
 * may have used it, and rotation must not wedge on such a row.
 *
 * Rotation order, so that a crash never leaves values no key can open:
 * the new key is written to <path>.new first; all values are re-sealed
 * and checked in one transaction; only after the commit does the old key
 * move to <path>.old and <path>.new to <path>.  Any failure before the
 * commit rolls back and removes <path>.new.  A <path>.new left behind by
 * a crash after the commit is the key the database now needs, so rotate
 * refuses to run while it exists.
 */
#include <sys/stat.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "crypto.h"
#include "db.h"
#include "fp.h"
#include "keyring.h"

#define ADMIN_SCRATCH_CAP	((size_t)1 << 30)	/* rows of one table */

/* One table holding sealed values and how its rows name their AAD
 * (keyed by token id for AAD_AUTH_TOKEN, else by user + id). */
struct sealed_table {
	const char	*name;
	enum stmt	 list;		/* rows FOR UPDATE */
	enum stmt	 set;
	enum aad_kind	 aad;
};

static const struct sealed_table sealed_tables[] = {
	{ "user_auth_token", STMT_ADM_SEAL_AUTH_LIST, STMT_ADM_SEAL_AUTH_SET,
	    AAD_AUTH_TOKEN },
	{ "oscp_cp_token", STMT_ADM_SEAL_CP_TOKEN_LIST,
	    STMT_ADM_SEAL_CP_TOKEN_SET, AAD_CP_TOKEN },
	{ "oscp_co_token", STMT_ADM_SEAL_CO_TOKEN_LIST,
	    STMT_ADM_SEAL_CO_TOKEN_SET, AAD_CO_TOKEN },
	{ "oscp_cp_secret", STMT_ADM_SEAL_CP_SECRET_LIST,
	    STMT_ADM_SEAL_CP_SECRET_SET, AAD_CP_SECRET },
	{ "oscp_co_secret", STMT_ADM_SEAL_CO_SECRET_LIST,
	    STMT_ADM_SEAL_CO_SECRET_SET, AAD_CO_SECRET },
	{ "oscp_fp_token", STMT_ADM_SEAL_FP_NEXT_LIST,
	    STMT_ADM_SEAL_FP_NEXT_SET, AAD_FP_NEXT },
};

#define SEALED_TABLES	(sizeof(sealed_tables) / sizeof(sealed_tables[0]))

struct sealed_row {
	char		*token;		/* aad_by_token() */
	int64_t		 user_id;	/* otherwise */
	int64_t		 id;
	unsigned char	*blob;
	size_t		 len;
};

static const char *
key_path(struct admin *adm)
{
	if (adm->s.master_key_file == NULL || *adm->s.master_key_file == '\0')
		return NULL;
	return adm->s.master_key_file;
}

/* fsync the directory holding path so renames survive a crash. */
static void
sync_dir(const char *path)
{
	char	*copy, *dir;
	int	 fd;

	if ((copy = strdup(path)) == NULL)
		return;
	dir = dirname(copy);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(fd);
		close(fd);
	}
	free(copy);
}

/*
 * --owner USER[:GROUP] (names or numbers; GROUP defaults to USER's
 * primary group).  ADMIN_OK, or ADMIN_EFAIL reported.
 */
static int
owner_parse(const char *spec, uid_t *uid, gid_t *gid)
{
	struct passwd	*pw;
	struct group	*gr;
	char		 user[256], *end;
	const char	*colon, *g = NULL;
	unsigned long	 n;
	size_t		 len;

	colon = strchr(spec, ':');
	len = colon != NULL ? (size_t)(colon - spec) : strlen(spec);
	if (len == 0 || len >= sizeof(user))
		return admin_fail("--owner %s: expected USER[:GROUP]", spec);
	memcpy(user, spec, len);
	user[len] = '\0';
	if (colon != NULL) {
		g = colon + 1;
		if (*g == '\0')
			return admin_fail("--owner %s: empty group", spec);
	}
	if ((pw = getpwnam(user)) != NULL) {
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
	} else {
		errno = 0;
		n = strtoul(user, &end, 10);
		if (*user < '0' || *user > '9' || *end != '\0' || errno != 0 ||
		    n >= (uid_t)-1)
			return admin_fail("--owner: no such user %s (create "
			    "it first, e.g. systemd-sysusers)", user);
		*uid = (uid_t)n;
		*gid = (gid_t)-1;
	}
	if (g == NULL) {
		if (*gid == (gid_t)-1)
			return admin_fail("--owner %s: a numeric user needs "
			    ":GROUP", spec);
		return ADMIN_OK;
	}
	if ((gr = getgrnam(g)) != NULL) {
		*gid = gr->gr_gid;
		return ADMIN_OK;
	}
	errno = 0;
	n = strtoul(g, &end, 10);
	if (*g < '0' || *g > '9' || *end != '\0' || errno != 0 ||
	    n >= (gid_t)-1)
		return admin_fail("--owner: no such group %s", g);
	*gid = (gid_t)n;
	return ADMIN_OK;
}

/*
 * The key's directory: made (0750) when missing and its parent exists;
 * a clear error otherwise.
 */
static int
key_dir(const char *path, uid_t uid, gid_t gid)
{
	struct stat	 st;
	char		*copy, *dir;
	int		 rc = ADMIN_OK;

	if ((copy = strdup(path)) == NULL)
		return admin_fail("out of memory");
	dir = dirname(copy);
	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			rc = admin_fail("%s: not a directory", dir);
	} else if (errno != ENOENT) {
		rc = admin_fail("%s: %s", dir, strerror(errno));
	} else if (mkdir(dir, 0750) == -1) {
		rc = admin_fail("cannot create the directory %s for "
		    "master_key_file: %s", dir, strerror(errno));
	} else {
		/* Its group may enter, so the owner's group can. */
		if (gid != (gid_t)-1 && chown(dir, (uid_t)-1, gid) == -1)
			admin_warnx("%s: group %ld: %s", dir, (long)gid,
			    strerror(errno));
		(void)uid;
		printf("created the directory %s (mode 0750)\n", dir);
	}
	free(copy);
	return rc;
}

static int
key_init(struct admin *adm, const struct admin_args *args)
{
	struct fp_key	 key;
	const char	*path, *owner;
	char		 err[256];
	uid_t		 uid = (uid_t)-1;
	gid_t		 gid = (gid_t)-1;
	int		 fd, rc = ADMIN_EFAIL;

	if ((path = key_path(adm)) == NULL)
		return admin_fail("master_key_file is not set");
	if ((owner = admin_get(args, "owner")) != NULL &&
	    owner_parse(owner, &uid, &gid) != ADMIN_OK)
		return ADMIN_EFAIL;
	if (key_dir(path, uid, gid) != ADMIN_OK)
		return ADMIN_EFAIL;
	/* Claim the name first: never overwrite an existing key. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1 && errno == EEXIST)
		return admin_fail("%s already exists; not overwriting it "
		    "(use \"key rotate\" to change the key)", path);
	if (fd == -1)
		return admin_fail("cannot create %s: %s", path,
		    strerror(errno));
	close(fd);

	memset(&key, 0, sizeof(key));
	if (key_generate(&key) != 0) {
		admin_fail("cannot generate a key");
		goto out;
	}
	err[0] = '\0';
	if (key_write_as(&key, path, uid, gid, 0600, err, sizeof(err)) != 0) {
		admin_fail("%s", err[0] != '\0' ? err : "cannot write the key");
		goto out;
	}
	sync_dir(path);
	printf("created %s (key id %08" PRIx32 ")\n", path, key.id);
	if (owner == NULL && geteuid() == 0)
		admin_warnx("%s is root's (mode 0600): the service cannot read "
		    "it; chown it to the service user or use --owner",
		    path);
	rc = ADMIN_OK;
out:
	if (rc != ADMIN_OK)
		unlink(path);
	crypto_wipe(&key, sizeof(key));
	return rc;
}

static char *
row_aad(struct arena *a, const struct sealed_table *t,
    const struct sealed_row *r)
{
	return aad_build(a, t->aad, r->token, r->user_id, r->id);
}

static const char *
row_name(struct arena *a, const struct sealed_table *t,
    const struct sealed_row *r)
{
	const char	*s;

	/* A token id is not a secret (it is sent in every request). */
	if (aad_by_token(t->aad))
		s = arena_printf(a, "%s %s", t->name, r->token);
	else
		s = arena_printf(a, "%s user %" PRId64 " id %" PRId64,
		    t->name, r->user_id, r->id);
	return s != NULL ? s : t->name;
}

/*
 * Fetch every row of one table (locked FOR UPDATE) into the arena.  The
 * query streams, so all rows are read and db_done called before the
 * caller runs any other statement.
 */
static int
rows_fetch(struct admin *adm, struct arena *a, const struct sealed_table *t,
    struct sealed_row **rowsp, size_t *np)
{
	struct sealed_row	*rows = NULL, *nr, row;
	size_t			 n = 0, cap = 0;
	int			 r;

	if (db_query(adm->db, t->list, "") != FP_OK)
		return admin_fail("%s: %s", t->name, db_errmsg(adm->db));
	for (;;) {
		memset(&row, 0, sizeof(row));
		if (aad_by_token(t->aad))
			r = db_fetch(adm->db, a, "sx", &row.token,
			    &row.blob, &row.len);
		else
			r = db_fetch(adm->db, a, "llx", &row.user_id,
			    &row.id, &row.blob, &row.len);
		if (r != 1)
			break;
		if ((nr = arena_push(a, &rows, &n, &cap, sizeof(*nr))) ==
		    NULL) {
			db_done(adm->db);
			return admin_fail("out of memory");
		}
		*nr = row;
	}
	db_done(adm->db);
	if (r == -1)
		return admin_fail("%s: %s", t->name, db_errmsg(adm->db));
	*rowsp = rows;
	*np = n;
	return ADMIN_OK;
}

/*
 * Re-seal every value of one table from the keys in use (the current
 * one or <path>.old) to the new one.  Adds the number of values to
 * *count.  ADMIN_OK or ADMIN_EFAIL.
 */
static int
table_rewrap(struct admin *adm, struct arena *a, const struct sealed_table *t,
    struct keyring *ring, const struct fp_key *newk, size_t *count)
{
	struct sealed_row	*rows = NULL;
	unsigned char		*pt, *out;
	size_t			 n = 0, i, ptlen, outlen;
	char			*aad;
	enum fp_err		 e;
	int			 rc;

	if ((rc = rows_fetch(adm, a, t, &rows, &n)) != ADMIN_OK)
		return rc;
	for (i = 0; i < n; i++) {
		if ((aad = row_aad(a, t, &rows[i])) == NULL ||
		    (pt = arena_alloc(a, rows[i].len + 1)) == NULL)
			return admin_fail("out of memory");
		ptlen = 0;
		if (keyring_open(ring, aad, rows[i].blob, rows[i].len, pt,
		    &ptlen) != 0)
			return admin_fail("%s: cannot open the value with the "
			    "current master key or %s.old (wrong key or damaged "
			    "value)", row_name(a, t, &rows[i]), ring->path);
		if ((out = arena_alloc(a, SEAL_LEN(ptlen))) == NULL) {
			crypto_wipe(pt, ptlen);
			return admin_fail("out of memory");
		}
		outlen = 0;
		rc = crypto_seal(newk, aad, pt, ptlen, out, &outlen);
		crypto_wipe(pt, ptlen);
		if (rc != 0)
			return admin_fail("%s: cannot seal with the new key",
			    row_name(a, t, &rows[i]));
		if (aad_by_token(t->aad))
			e = db_exec(adm->db, t->set, "xs", out, outlen,
			    rows[i].token);
		else
			e = db_exec(adm->db, t->set, "xll", out, outlen,
			    rows[i].user_id, rows[i].id);
		if (e != FP_OK)
			return admin_fail("%s: %s", row_name(a, t, &rows[i]),
			    db_errmsg(adm->db));
		if (db_affected(adm->db) != 1)
			return admin_fail("%s: row changed during rotation",
			    row_name(a, t, &rows[i]));
		(*count)++;
	}
	return ADMIN_OK;
}

/* Before committing, read everything back and open it with the new key. */
static int
table_verify(struct admin *adm, struct arena *a, const struct sealed_table *t,
    const struct fp_key *newk, size_t *count)
{
	struct sealed_row	*rows = NULL;
	unsigned char		*pt;
	size_t			 n = 0, i, ptlen;
	char			*aad;
	int			 rc;

	if ((rc = rows_fetch(adm, a, t, &rows, &n)) != ADMIN_OK)
		return rc;
	for (i = 0; i < n; i++) {
		if ((aad = row_aad(a, t, &rows[i])) == NULL ||
		    (pt = arena_alloc(a, rows[i].len + 1)) == NULL)
			return admin_fail("out of memory");
		ptlen = 0;
		rc = crypto_open(newk, aad, rows[i].blob, rows[i].len, pt,
		    &ptlen);
		crypto_wipe(pt, rows[i].len);
		if (rc != 0)
			return admin_fail("%s: re-encrypted value does not "
			    "open with the new key", row_name(a, t,
			    &rows[i]));
		(*count)++;
	}
	return ADMIN_OK;
}

static int
key_rotate(struct admin *adm, const struct admin_args *args)
{
	struct keyring	 ring;
	struct fp_key	 newk;
	struct stat	 st;
	struct arena	*scratch = NULL;
	const char	*path;
	char		*newpath, *oldpath, err[256];
	size_t		 i, count = 0, checked = 0;
	int		 rc = ADMIN_EFAIL;
	bool		 wrote_new = false, committed = false;

	(void)args;
	memset(&ring, 0, sizeof(ring));
	memset(&newk, 0, sizeof(newk));
	if ((path = key_path(adm)) == NULL)
		return admin_fail("master_key_file is not set");
	newpath = arena_printf(adm->a, "%s.new", path);
	oldpath = arena_printf(adm->a, "%s.old", path);
	if (newpath == NULL || oldpath == NULL)
		return admin_fail("out of memory");
	if (access(newpath, F_OK) == 0)
		return admin_fail("%s exists: an earlier rotation did not "
		    "finish.  If it committed, the database needs that key: "
		    "move it to %s; otherwise remove it.  Then run rotate "
		    "again", newpath, path);
	err[0] = '\0';
	if (keyring_load(&ring, path, err, sizeof(err)) != 0)
		return admin_fail("%s", err[0] != '\0' ? err :
		    "cannot load the master key");
	/* The new key and the .old one keep the key file's owner, group
	 * and mode, so the service user can still read them. */
	if (stat(path, &st) == -1) {
		keyring_wipe(&ring);
		return admin_fail("%s: %s", path, strerror(errno));
	}

	do {
		if (key_generate(&newk) != 0) {
			admin_fail("cannot generate a key");
			goto out;
		}
	} while (newk.id == ring.cur.id ||
	    (ring.have_old && newk.id == ring.old.id));
	err[0] = '\0';
	if (key_write_as(&newk, newpath, st.st_uid, st.st_gid, st.st_mode,
	    err, sizeof(err)) != 0) {
		admin_fail("%s", err[0] != '\0' ? err : "cannot write the key");
		goto out;
	}
	wrote_new = true;
	sync_dir(newpath);

	/* One table's rows at a time: reset between tables. */
	if ((scratch = arena_new(ADMIN_SCRATCH_CAP)) == NULL) {
		admin_fail("out of memory");
		goto out;
	}
	if (db_begin(adm->db) != FP_OK) {
		admin_fail("database: %s", db_errmsg(adm->db));
		goto out;
	}
	for (i = 0; i < SEALED_TABLES; i++) {
		arena_reset(scratch);
		if (table_rewrap(adm, scratch, &sealed_tables[i], &ring, &newk,
		    &count) != ADMIN_OK)
			goto out;
	}
	for (i = 0; i < SEALED_TABLES; i++) {
		arena_reset(scratch);
		if (table_verify(adm, scratch, &sealed_tables[i], &newk,
		    &checked) != ADMIN_OK)
			goto out;
	}
	if (checked != count) {
		admin_fail("%zu values re-encrypted but %zu found afterwards",
		    count, checked);
		goto out;
	}
	if (db_commit(adm->db) != FP_OK) {
		admin_fail("commit: %s", db_errmsg(adm->db));
		goto out;
	}
	committed = true;

	/* From here the database needs the new key: never remove it. */
	err[0] = '\0';
	if (key_write_as(&ring.cur, oldpath, st.st_uid, st.st_gid,
	    st.st_mode, err, sizeof(err)) != 0)
		admin_warnx("could not keep the old key: %s",
		    err[0] != '\0' ? err : "cannot write");
	if (rename(newpath, path) == -1) {
		admin_fail("the database now uses the key in %s but it could "
		    "not be moved to %s (%s): move it by hand", newpath, path,
		    strerror(errno));
		goto out;
	}
	sync_dir(path);
	printf("re-encrypted %zu value%s (key id %08" PRIx32 " -> %08" PRIx32
	    ")\n", count, count == 1 ? "" : "s", ring.cur.id, newk.id);
	printf("running oscp-fpd workers pick up the new key as they need it "
	    "(no restart)\n");
	rc = ADMIN_OK;
out:
	if (!committed) {
		db_rollback(adm->db);
		if (wrote_new)
			unlink(newpath);
	}
	if (scratch != NULL)
		arena_free(scratch);
	keyring_wipe(&ring);
	crypto_wipe(&newk, sizeof(newk));
	return rc;
}

static const struct admin_opt key_init_opts[] = {
	{ "owner", true, false },
	{ NULL, false, false }
};

const struct admin_cmd admin_key_init_cmd = {
	.group = "key",
	.name = "init",
	.usage = "[--owner USER[:GROUP]]",
	.summary = "create the master key file (never overwrites)",
	.help =
	    "Creates master_key_file with a new random AES-256 key (64 hex\n"
	    "characters, mode 0600), and its directory (mode 0750) if that is\n"
	    "missing.  Fails if the file already exists.  --owner gives the\n"
	    "file to USER and GROUP (default USER's group), e.g. --owner\n"
	    "oscp-fp when run as root: the service must be able to read it.\n",
	.opts = key_init_opts,
	.args_min = 0,
	.args_max = 0,
	.flags = 0,
	.exec = key_init,
};

const struct admin_cmd admin_key_rotate_cmd = {
	.group = "key",
	.name = "rotate",
	.usage = "",
	.summary = "re-encrypt every stored secret under a new master key",
	.help =
	    "Generates a new master key, writes it to <master_key_file>.new,\n"
	    "then in one transaction re-encrypts every sealed value (token\n"
	    "secrets, peer tokens, OAuth client secrets; values still under\n"
	    "the previous key, <master_key_file>.old, included) and checks\n"
	    "each one opens with the new key.  After the commit the key that\n"
	    "was current is kept as <master_key_file>.old and the new one\n"
	    "replaces master_key_file; both keep master_key_file's owner,\n"
	    "group and mode.  On any failure nothing changes.\n"
	    "Running oscp-fpd workers pick up the new key as they need it: no\n"
	    "restart is needed.\n",
	.opts = NULL,
	.args_min = 0,
	.args_max = 0,
	.flags = ADMIN_NEED_DB,
	.exec = key_rotate,
};
