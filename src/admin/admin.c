/*
 * admin.c -- oscp-admin: main, global options (-c FILE, --help,
 * --version), the command table, per-command option parsing and help,
 * and opening the settings, database and master key a command asks for.
 *
 * The commands themselves live in admin_<area>.c; this file knows
 * nothing about users, tokens or keys beyond their table entries.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "crypto.h"
#include "db.h"
#include "fp.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR	"/etc"
#endif
#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION	"dev"
#endif

#define ADMIN_CONF_DEFAULT	SYSCONFDIR "/oscp-fp/oscp-fp.conf"
#define ADMIN_ARENA_CAP		(256 * 1024 * 1024)

static const struct admin_cmd *const cmds[] = {
	&admin_migrate_cmd,
	&admin_user_add_cmd,
	&admin_user_list_cmd,
	&admin_user_disable_cmd,
	&admin_token_add_cmd,
	&admin_token_list_cmd,
	&admin_token_disable_cmd,
	&admin_node_add_cmd,
	&admin_key_init_cmd,
	&admin_key_rotate_cmd,
	NULL
};

static const char *progname = "oscp-admin";

/*
 * Print "oscp-admin: <message>" on stderr.
 */
void
admin_warnx(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * Report an operational error; returns ADMIN_EFAIL for "return
 * admin_fail(...)".
 */
int
admin_fail(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return ADMIN_EFAIL;
}

static void
cmd_usage_line(FILE *f, const struct admin_cmd *c, const char *prefix)
{
	fprintf(f, "%s%s ", prefix, progname);
	if (c->group != NULL)
		fprintf(f, "%s ", c->group);
	fprintf(f, "%s%s%s\n", c->name, *c->usage != '\0' ? " " : "",
	    c->usage);
}

/*
 * Report a bad command line for one command, followed by its usage
 * line; returns ADMIN_EUSAGE.
 */
int
admin_usage_fail(const struct admin_cmd *c, const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (c != NULL)
		cmd_usage_line(stderr, c, "usage: ");
	return ADMIN_EUSAGE;
}

/* True when option NAME was given (flag or with a value). */
bool
admin_has(const struct admin_args *args, const char *name)
{
	int	i;

	for (i = 0; i < args->nopt; i++)
		if (strcmp(args->opt_name[i], name) == 0)
			return true;
	return false;
}

/* The value of option NAME (the last one if repeated), or NULL. */
const char *
admin_get(const struct admin_args *args, const char *name)
{
	int	i;

	for (i = args->nopt - 1; i >= 0; i--)
		if (strcmp(args->opt_name[i], name) == 0)
			return args->opt_value[i];
	return NULL;
}

/*
 * Load the master key named by the settings.  ADMIN_OK or ADMIN_EFAIL
 * (reported).  The caller wipes the key.
 */
int
admin_key_load(struct admin *adm, struct fp_key *key)
{
	char	err[256];

	if (adm->s.master_key_file == NULL || *adm->s.master_key_file == '\0')
		return admin_fail("master_key_file is not set");
	err[0] = '\0';
	if (key_load(key, adm->s.master_key_file, err, sizeof(err)) != 0)
		return admin_fail("%s", err[0] != '\0' ? err :
		    "cannot load the master key");
	return ADMIN_OK;
}

static void
usage(FILE *f)
{
	const struct admin_cmd *const	*cp;
	char				 buf[128];

	fprintf(f,
	    "usage: %s [-c FILE] COMMAND [ARGS]\n"
	    "       %s help [COMMAND]\n"
	    "       %s --help | --version\n"
	    "\n"
	    "options:\n"
	    "  -c FILE      settings file (default %s;\n"
	    "               OSCP_FP_<KEY> environment variables override it)\n"
	    "  --help       show this help (COMMAND --help: that command's)\n"
	    "  --version    show the version\n"
	    "\n"
	    "commands:\n", progname, progname, progname, ADMIN_CONF_DEFAULT);
	for (cp = cmds; *cp != NULL; cp++) {
		snprintf(buf, sizeof(buf), "%s%s%s%s%s",
		    (*cp)->group != NULL ? (*cp)->group : "",
		    (*cp)->group != NULL ? " " : "", (*cp)->name,
		    *(*cp)->usage != '\0' ? " " : "", (*cp)->usage);
		fprintf(f, "  %s\n      %s\n", buf, (*cp)->summary);
	}
	fprintf(f, "\nexit status: 0 success, 1 error, 2 usage error\n");
}

static void
cmd_help(FILE *f, const struct admin_cmd *c)
{
	cmd_usage_line(f, c, "usage: ");
	fprintf(f, "\n%s\n", c->summary);
	if (c->help != NULL && *c->help != '\0')
		fprintf(f, "\n%s", c->help);
	fprintf(f, "\nexit status: 0 success, 1 error, 2 usage error\n");
}

static bool
is_group(const char *word)
{
	const struct admin_cmd *const	*cp;

	for (cp = cmds; *cp != NULL; cp++)
		if ((*cp)->group != NULL && strcmp((*cp)->group, word) == 0)
			return true;
	return false;
}

static void
group_usage(FILE *f, const char *group)
{
	const struct admin_cmd *const	*cp;

	for (cp = cmds; *cp != NULL; cp++)
		if ((*cp)->group != NULL && strcmp((*cp)->group, group) == 0)
			cmd_usage_line(f, *cp,
			    cp == cmds || (*(cp - 1))->group == NULL ||
			    strcmp((*(cp - 1))->group, group) != 0 ?
			    "usage: " : "       ");
}

static bool
is_help(const char *arg)
{
	return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

/*
 * Find the command named by argv (one or two words).  Sets *used to the
 * words consumed.  NULL with *rc set when there is none: a group word
 * alone or followed by --help prints the group's commands.
 */
static const struct admin_cmd *
cmd_find(int argc, char **argv, int *used, int *rc)
{
	const struct admin_cmd *const	*cp;

	if (is_group(argv[0])) {
		if (argc >= 2) {
			for (cp = cmds; *cp != NULL; cp++)
				if ((*cp)->group != NULL &&
				    strcmp((*cp)->group, argv[0]) == 0 &&
				    strcmp((*cp)->name, argv[1]) == 0) {
					*used = 2;
					return *cp;
				}
			if (is_help(argv[1])) {
				group_usage(stdout, argv[0]);
				*rc = ADMIN_OK;
				return NULL;
			}
			admin_warnx("unknown command: %s %s", argv[0], argv[1]);
		} else
			admin_warnx("missing command after \"%s\"", argv[0]);
		group_usage(stderr, argv[0]);
		*rc = ADMIN_EUSAGE;
		return NULL;
	}
	for (cp = cmds; *cp != NULL; cp++)
		if ((*cp)->group == NULL && strcmp((*cp)->name, argv[0]) == 0) {
			*used = 1;
			return *cp;
		}
	admin_warnx("unknown command: %s (try \"%s --help\")", argv[0],
	    progname);
	*rc = ADMIN_EUSAGE;
	return NULL;
}

static const struct admin_opt *
opt_find(const struct admin_cmd *c, const char *name, size_t len)
{
	const struct admin_opt	*o;

	if (c->opts == NULL)
		return NULL;
	for (o = c->opts; o->name != NULL; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

/*
 * Split a command's words into options and positionals.  "--name VALUE",
 * "--name=VALUE" and "--" are understood; options may come anywhere.
 * Returns ADMIN_OK or ADMIN_EUSAGE (reported).  Option values and
 * positionals point into argv; args->argv must hold argc entries.
 */
static int
args_parse(const struct admin_cmd *c, int argc, char **argv,
    struct admin_args *args)
{
	const struct admin_opt	*o;
	const char		*arg, *eq, *value;
	size_t			 len;
	int			 i, j;
	bool			 opts_done = false;

	for (i = 0; i < argc; i++) {
		arg = argv[i];
		/* Commands have no short options: "-x" is an argument
		 * (a token id may start with '-'). */
		if (opts_done || arg[0] != '-' || arg[1] != '-') {
			args->argv[args->argc++] = argv[i];
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			opts_done = true;
			continue;
		}
		arg += 2;
		eq = strchr(arg, '=');
		len = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
		if ((o = opt_find(c, arg, len)) == NULL)
			return admin_usage_fail(c, "unknown option: --%.*s",
			    (int)len, arg);
		value = NULL;
		if (o->has_arg) {
			if (eq != NULL)
				value = eq + 1;
			else if (i + 1 < argc)
				value = argv[++i];
			else
				return admin_usage_fail(c,
				    "option --%s needs a value", o->name);
		} else if (eq != NULL)
			return admin_usage_fail(c,
			    "option --%s takes no value", o->name);
		if (!o->repeat) {
			for (j = 0; j < args->nopt; j++)
				if (strcmp(args->opt_name[j], o->name) == 0)
					return admin_usage_fail(c,
					    "option --%s given more than once",
					    o->name);
		}
		if (args->nopt >= ADMIN_OPTS_MAX)
			return admin_usage_fail(c, "too many options");
		args->opt_name[args->nopt] = o->name;
		args->opt_value[args->nopt] = value;
		args->nopt++;
	}
	if (args->argc < c->args_min)
		return admin_usage_fail(c, "missing argument");
	if (args->argc > c->args_max)
		return admin_usage_fail(c, "too many arguments");
	return ADMIN_OK;
}

/* "help", "help CMD", "help GROUP", "help GROUP CMD". */
static int
help(int argc, char **argv)
{
	const struct admin_cmd	*c;
	int			 used, rc = ADMIN_EUSAGE;

	if (argc == 0) {
		usage(stdout);
		return ADMIN_OK;
	}
	if (is_group(argv[0]) && argc == 1) {
		group_usage(stdout, argv[0]);
		return ADMIN_OK;
	}
	if ((c = cmd_find(argc, argv, &used, &rc)) == NULL)
		return rc;
	if (argc > used) {
		admin_warnx("usage: %s help [COMMAND]", progname);
		return ADMIN_EUSAGE;
	}
	cmd_help(stdout, c);
	return ADMIN_OK;
}

/*
 * Load settings (always) and open the database (ADMIN_NEED_DB).  With no
 * -c, a missing default file means "defaults plus environment", which is
 * how a test or container without /etc runs.
 */
static int
admin_open(struct admin *adm, int flags)
{
	char		 err[512];
	const char	*file = adm->conf;

	if (file == NULL && access(ADMIN_CONF_DEFAULT, F_OK) == 0)
		file = ADMIN_CONF_DEFAULT;
	err[0] = '\0';
	if (settings_load(&adm->s, file, err, sizeof(err)) != 0)
		return admin_fail("%s", err[0] != '\0' ? err :
		    "cannot load settings");
	adm->loaded = true;
	if ((adm->a = arena_new(ADMIN_ARENA_CAP)) == NULL)
		return admin_fail("out of memory");
	if (flags & ADMIN_NEED_DB) {
		/*
		 * Statements are prepared on first use: migrate runs before
		 * the tables exist, and a command should not fail because a
		 * statement it never uses names a table of a newer schema.
		 */
		err[0] = '\0';
		adm->db = db_open(&adm->s, DB_ADMIN, err, sizeof(err));
		if (adm->db == NULL)
			return admin_fail("%s",
			    err[0] != '\0' ? err : "database: cannot connect");
	}
	return ADMIN_OK;
}

int
main(int argc, char *argv[])
{
	struct admin		 adm;
	struct admin_args	 args;
	const struct admin_cmd	*c;
	int			 i, used, rc = ADMIN_EUSAGE;

	memset(&adm, 0, sizeof(adm));
	memset(&args, 0, sizeof(args));

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (is_help(argv[i])) {
			usage(stdout);
			return ADMIN_OK;
		} else if (strcmp(argv[i], "--version") == 0 ||
		    strcmp(argv[i], "-V") == 0) {
			printf("%s %s\n", progname, PACKAGE_VERSION);
			return ADMIN_OK;
		} else if (strcmp(argv[i], "-c") == 0) {
			if (++i >= argc) {
				admin_warnx("option -c needs a file");
				usage(stderr);
				return ADMIN_EUSAGE;
			}
			adm.conf = argv[i];
		} else if (strncmp(argv[i], "-c", 2) == 0) {
			adm.conf = argv[i] + 2;
		} else if (strncmp(argv[i], "--config=", 9) == 0) {
			adm.conf = argv[i] + 9;
		} else {
			admin_warnx("unknown option: %s", argv[i]);
			usage(stderr);
			return ADMIN_EUSAGE;
		}
	}
	argc -= i;
	argv += i;
	if (argc == 0) {
		admin_warnx("missing command");
		usage(stderr);
		return ADMIN_EUSAGE;
	}
	if (strcmp(argv[0], "help") == 0)
		return help(argc - 1, argv + 1);
	if ((c = cmd_find(argc, argv, &used, &rc)) == NULL)
		return rc;
	argc -= used;
	argv += used;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (is_help(argv[i])) {
			cmd_help(stdout, c);
			return ADMIN_OK;
		}
	}
	if ((args.argv = calloc((size_t)argc + 1, sizeof(*args.argv))) == NULL)
		return admin_fail("out of memory");
	if ((rc = args_parse(c, argc, argv, &args)) != ADMIN_OK)
		goto out;

	if ((rc = admin_open(&adm, c->flags)) != ADMIN_OK)
		goto out;
	rc = c->exec(&adm, &args);
	if (fflush(stdout) != 0 && rc == ADMIN_OK)
		rc = admin_fail("stdout: %s", strerror(errno));
out:
	if (adm.db != NULL) {
		db_rollback(adm.db);
		db_close(adm.db);
	}
	if (adm.a != NULL)
		arena_free(adm.a);
	if (adm.loaded)
		settings_free(&adm.s);
	free(args.argv);
	return rc;
}
