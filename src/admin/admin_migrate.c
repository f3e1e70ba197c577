/*
 * admin_migrate.c -- "oscp-admin migrate": apply the numbered schema
 * files (schema_dir/NNNN_name.sql) that the schema_version table does
 * not list yet, in order, recording each one after it succeeds.
 *
 * DDL commits implicitly in MariaDB, so a file is not applied
 * atomically: a file that fails half-way is reported and not recorded,
 * and the operator repairs the database before running migrate again.
 * The SQL itself lives in db_stmts.c and in the schema files.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "db.h"
#include "fp.h"

#define MIGRATE_FILE_MAX	(16 * 1024 * 1024)

/* Keep names matching ^[0-9]{4}_.*\.sql$ */
static int
schema_filter(const struct dirent *d)
{
	const char	*n = d->d_name;
	size_t		 len = strlen(n);
	int		 i;

	if (len < 4 + 1 + 4)
		return 0;
	for (i = 0; i < 4; i++)
		if (!isdigit((unsigned char)n[i]))
			return 0;
	return n[4] == '_' && strcmp(n + len - 4, ".sql") == 0;
}

static bool
version_applied(const int *v, size_t n, int version)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (v[i] == version)
			return true;
	return false;
}

/* Read a whole file into malloc'd memory; NULL with errno set. */
static char *
slurp(const char *path, size_t *len)
{
	struct stat	 st;
	char		*buf = NULL;
	size_t		 off = 0;
	ssize_t		 r;
	int		 fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	if (st.st_size > MIGRATE_FILE_MAX) {
		errno = EFBIG;
		goto fail;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		goto fail;
	while (off < (size_t)st.st_size) {
		r = read(fd, buf + off, (size_t)st.st_size - off);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			goto fail;
		if (r == 0)
			break;
		off += (size_t)r;
	}
	buf[off] = '\0';
	*len = off;
	close(fd);
	return buf;
fail:
	saved = errno;
	free(buf);
	close(fd);
	errno = saved;
	return NULL;
}

static int
migrate(struct admin *adm, const struct admin_args *args)
{
	struct dirent	**ents = NULL;
	const char	 *dir = adm->s.schema_dir;
	char		 *path, *sql;
	int		 *applied = NULL, *na, v, top = 0, prev = -1;
	size_t		  napplied = 0, cap = 0, len;
	int		  n = 0, i, rc = ADMIN_EFAIL, r, count = 0;
	enum fp_err	  e;

	(void)args;
	if (dir == NULL || *dir == '\0')
		return admin_fail("schema_dir is not set");

	if ((e = db_exec(adm->db, STMT_ADM_VERSION_TABLE, "")) != FP_OK)
		return admin_fail("schema_version: %s", db_errmsg(adm->db));
	if (db_query(adm->db, STMT_ADM_VERSION_LIST, "") != FP_OK)
		return admin_fail("schema_version: %s", db_errmsg(adm->db));
	while ((r = db_fetch(adm->db, adm->a, "i", &v)) == 1) {
		if ((na = arena_push(adm->a, &applied, &napplied, &cap,
		    sizeof(*na))) == NULL) {
			db_done(adm->db);
			return admin_fail("out of memory");
		}
		*na = v;
		if (v > top)
			top = v;
	}
	db_done(adm->db);
	if (r == -1)
		return admin_fail("schema_version: %s", db_errmsg(adm->db));

	if ((n = scandir(dir, &ents, schema_filter, alphasort)) == -1)
		return admin_fail("%s: %s", dir, strerror(errno));

	/* Versions must be unique: 0002_a.sql and 0002_b.sql is an error. */
	for (i = 0; i < n; i++) {
		v = atoi(ents[i]->d_name);
		if (v == prev) {
			admin_fail("%s: two files with version %04d", dir, v);
			goto out;
		}
		prev = v;
	}

	for (i = 0; i < n; i++) {
		v = atoi(ents[i]->d_name);
		if (version_applied(applied, napplied, v))
			continue;
		if (v < top)
			admin_warnx("applying %s although version %d is "
			    "already recorded", ents[i]->d_name, top);
		path = arena_printf(adm->a, "%s/%s", dir, ents[i]->d_name);
		if (path == NULL) {
			admin_fail("out of memory");
			goto out;
		}
		if ((sql = slurp(path, &len)) == NULL) {
			admin_fail("%s: %s", path, strerror(errno));
			goto out;
		}
		e = db_script(adm->db, sql, len);
		free(sql);
		if (e != FP_OK) {
			admin_fail("%s: %s", ents[i]->d_name,
			    db_errmsg(adm->db));
			if (count > 0)
				admin_warnx("%d earlier file(s) were applied "
				    "and recorded", count);
			goto out;
		}
		if (db_exec(adm->db, STMT_ADM_VERSION_INSERT, "is", v,
		    ents[i]->d_name) != FP_OK) {
			admin_fail("%s applied but not recorded: %s",
			    ents[i]->d_name, db_errmsg(adm->db));
			goto out;
		}
		printf("applied %s\n", ents[i]->d_name);
		fflush(stdout);
		count++;
		if (v > top)
			top = v;
	}
	if (count == 0)
		printf("schema up to date (version %d)\n", top);
	rc = ADMIN_OK;
out:
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return rc;
}

const struct admin_cmd admin_migrate_cmd = {
	.group = NULL,
	.name = "migrate",
	.usage = "",
	.summary = "apply pending schema migrations",
	.help =
	    "Applies, in order, every file in schema_dir named NNNN_name.sql\n"
	    "whose version NNNN is not yet recorded in the schema_version\n"
	    "table, and records it.  Prints \"applied FILE\" for each, or\n"
	    "\"schema up to date (version N)\".  Safe to run again.  A file\n"
	    "that fails stops the run with the database error (exit 1); its\n"
	    "statements that did run are not undone (DDL commits at once).\n",
	.opts = NULL,
	.args_min = 0,
	.args_max = 0,
	.flags = ADMIN_NEED_DB,
	.exec = migrate,
};
