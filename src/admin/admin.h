/*
 * admin.h -- oscp-admin, the operator's command line tool: the command
 * table shape (tmux's cmd_entry), the parsed arguments a command receives
 * and the context it runs in.  admin.c owns main, option parsing, help
 * and opening the settings, database and master key on demand; each
 * admin_<area>.c owns the commands of one area and exports its entries.
 *
 * Exit codes: ADMIN_OK, ADMIN_EFAIL (operational error, message on
 * stderr prefixed "oscp-admin: "), ADMIN_EUSAGE (bad command line).
 */
#ifndef ADMIN_H
#define ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "fp.h"

#define ADMIN_OK	0
#define ADMIN_EFAIL	1
#define ADMIN_EUSAGE	2

#define ADMIN_OPTS_MAX	64	/* option occurrences on one command line */

struct arena;
struct db;

/* One long option a command accepts: "--name" or "--name VALUE". */
struct admin_opt {
	const char	*name;		/* without the leading "--" */
	bool		 has_arg;
	bool		 repeat;	/* may be given more than once */
};

/* A command line after parsing: positional arguments and options. */
struct admin_args {
	int		 argc;
	char		**argv;		/* positionals only */
	int		 nopt;
	const char	*opt_name[ADMIN_OPTS_MAX];
	const char	*opt_value[ADMIN_OPTS_MAX];	/* NULL for flags */
};

/* What a command needs opened before it runs. */
#define ADMIN_NEED_DB	0x1	/* settings + database connection */

struct admin;

struct admin_cmd {
	const char		*group;		/* "user", or NULL */
	const char		*name;		/* "add" or "migrate" */
	const char		*usage;		/* arguments after the name */
	const char		*summary;	/* one line for --help */
	const char		*help;		/* paragraph(s) for CMD --help */
	const struct admin_opt	*opts;		/* NULL-name terminated, or NULL */
	int			 args_min;
	int			 args_max;
	int			 flags;		/* ADMIN_NEED_* */
	int			(*exec)(struct admin *, const struct admin_args *);
};

/* Process context: one per run, passed explicitly to every command. */
struct admin {
	const char		*conf;		/* settings file in use or NULL */
	struct settings		 s;
	bool			 loaded;	/* s needs settings_free */
	struct arena		*a;
	struct db		*db;		/* NULL unless ADMIN_NEED_DB */
};

/* admin.c: helpers shared by the commands. */
void		 admin_warnx(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
int		 admin_fail(const char *, ...)
		    __attribute__((format(printf, 1, 2)));	/* ADMIN_EFAIL */
int		 admin_usage_fail(const struct admin_cmd *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));	/* ADMIN_EUSAGE */
bool		 admin_has(const struct admin_args *, const char *);
const char	*admin_get(const struct admin_args *, const char *);
int		 admin_key_load(struct admin *, struct fp_key *);

/* admin_user.c: email -> user id; ADMIN_OK or ADMIN_EFAIL (reported). */
int		 admin_user_lookup(struct admin *, const char *email,
		    int64_t *id, bool *enabled);

/* Command entries, one per file. */
extern const struct admin_cmd admin_migrate_cmd;
extern const struct admin_cmd admin_user_add_cmd;
extern const struct admin_cmd admin_user_list_cmd;
extern const struct admin_cmd admin_user_disable_cmd;
extern const struct admin_cmd admin_token_add_cmd;
extern const struct admin_cmd admin_token_list_cmd;
extern const struct admin_cmd admin_token_disable_cmd;
extern const struct admin_cmd admin_node_add_cmd;
extern const struct admin_cmd admin_key_init_cmd;
extern const struct admin_cmd admin_key_rotate_cmd;

#endif /* ADMIN_H */
