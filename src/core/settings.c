/*
 * settings.c -- runtime settings: built-in defaults, then one INI-style
 * file, then an OSCP_FP_<KEY> environment variable per key (the
 * environment wins).
 *
 * One table row per member of struct settings names its key, type,
 * offset, bounds and default; parsing, overriding, freeing and dumping all
 * walk that table, so a new setting is one struct member and one row.
 *
 * File syntax: "key = value" lines; blank lines and lines whose first
 * non-blank character is '#' or ';' are comments (a comment is a whole
 * line: "workers = 4 # four" is an error, and an unquoted string value
 * runs to the end of the line); "[section]" lines are accepted and
 * ignored; whitespace around keys and values is trimmed; a value may be
 * put in double quotes, inside which \" and \\ are escapes.  An unknown
 * key, a malformed line or a bad value is an error naming file:line.
 *
 * This file does not decide what a missing file means: main.c passes
 * NULL when the default file is absent.
 *
 * settings_dump_defaults() prints the table's defaults (oscp-fpd
 * --print-defaults; the build makes oscp-fp.conf.example from them) and
 * settings_unknown_env() names the OSCP_FP_* variables no row reads.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fp.h"

#ifndef PKGDATADIR
#define PKGDATADIR	"/usr/local/share/oscp-fp"
#endif
#ifndef SYSCONFDIR
#define SYSCONFDIR	"/usr/local/etc"
#endif

#define ENV_PREFIX	"OSCP_FP_"

enum stype {
	ST_STR,		/* char * */
	ST_INT,		/* int, within [min, max] */
	ST_UINT,	/* unsigned, within [min, max] */
	ST_SIZE,	/* size_t, within [min, max] */
	ST_MODE,	/* unsigned permission bits in octal, within [min, max] */
	ST_BOOL,	/* bool: true/false, yes/no, on/off, 1/0 */
	ST_LEVEL,	/* int enum log_level: err, warn, info, debug */
};

struct setting {
	const char	*key;
	enum stype	 type;
	size_t		 off;
	long long	 min, max;	/* numbers only */
	const char	*def;		/* default, read like a file value */
	bool		 secret;	/* dump shows (set)/(empty) only */
};

#define S(k, t, lo, hi, d)	\
	{ #k, (t), offsetof(struct settings, k), (lo), (hi), (d), false }

static const struct setting table[] = {
	S(listen, ST_STR, 0, 0, "/run/oscp-fp/oscp-fp.sock"),
	S(listen_mode, ST_MODE, 0, 0777, "0660"),
	S(listen_group, ST_STR, 0, 0, ""),
	S(allowed_peers, ST_STR, 0, 0, "127.0.0.1"),
	S(read_timeout, ST_INT, 1, 3600, "10"),
	S(workers, ST_INT, 1, 1024, "8"),
	S(backlog, ST_INT, 1, 65535, "1024"),
	S(pid_file, ST_STR, 0, 0, ""),
	S(db_host, ST_STR, 0, 0, "localhost"),
	S(db_port, ST_UINT, 0, 65535, "3306"),
	S(db_socket, ST_STR, 0, 0, "/run/mysqld/mysqld.sock"),
	S(db_name, ST_STR, 0, 0, "oscp"),
	S(db_user, ST_STR, 0, 0, "oscp"),
	{ "db_password", ST_STR, offsetof(struct settings, db_password),
	    0, 0, "", true },
	S(master_key_file, ST_STR, 0, 0, SYSCONFDIR "/oscp-fp/master.key"),
	S(schema_dir, ST_STR, 0, 0, PKGDATADIR "/schema"),
	S(log_file, ST_STR, 0, 0, ""),
	S(log_syslog, ST_BOOL, 0, 0, "false"),
	S(log_level, ST_LEVEL, 0, 0, "info"),
	S(body_max, ST_SIZE, 1, 1LL << 30, "262144"),
	S(json_max_depth, ST_INT, 1, 1024, "16"),
	S(json_max_string, ST_SIZE, 1, 1LL << 30, "8192"),
	S(json_max_array, ST_SIZE, 1, 1LL << 24, "1024"),
	S(date_skew, ST_INT, 0, 86400, "900"),
	S(auth_cache_seconds, ST_INT, 0, 3600, "2"),
	S(public_url, ST_STR, 0, 0, "http://127.0.0.1:8080"),
	S(fp_base_url, ST_STR, 0, 0, ""),
	S(dispatch_concurrency, ST_INT, 1, 1024, "64"),
	S(dispatch_poll_ms, ST_INT, 10, 600000, "1000"),
	S(dispatch_lease_seconds, ST_INT, 1, 86400, "60"),
	S(dispatch_retry_seconds, ST_INT, 0, 3600, "5"),
	S(heartbeat_job_seconds, ST_INT, 1, 86400, "60"),
	S(event_days, ST_INT, 1, 3650, "30"),
	S(outbound_connect_timeout, ST_INT, 1, 600, "10"),
	S(outbound_timeout, ST_INT, 1, 3600, "20"),
	S(outbound_ca_file, ST_STR, 0, 0, ""),
	S(outbound_allow_http, ST_BOOL, 0, 0, "false"),
	S(outbound_allow_private, ST_BOOL, 0, 0, "false"),
	S(ack_heartbeat_interval, ST_INT, 0, 32767, "0"),
	S(ack_measurement_configuration, ST_STR, 0, 0, "CONTINUOUS"),
};

#define NSETTINGS	(sizeof(table) / sizeof(table[0]))

static const char *const level_names[] = {
	"err",		/* LOG_LVL_ERR */
	"warn",		/* LOG_LVL_WARN */
	"info",		/* LOG_LVL_INFO */
	"debug",	/* LOG_LVL_DEBUG */
};

static const struct setting *
lookup(const char *key)
{
	size_t	i;

	for (i = 0; i < NSETTINGS; i++)
		if (strcmp(table[i].key, key) == 0)
			return &table[i];
	return NULL;
}

static int
parse_number(const char *v, const struct setting *t, long long *out)
{
	char			*end;
	unsigned long long	 u;

	if (*v == '\0' || !(isdigit((unsigned char)*v) ||
	    (*v == '-' && isdigit((unsigned char)v[1]))))
		return -1;
	errno = 0;
	if (*v == '-') {
		*out = strtoll(v, &end, 10);
	} else {
		u = strtoull(v, &end, 10);
		if (u > LLONG_MAX)
			return -1;
		*out = (long long)u;
	}
	if (errno != 0 || *end != '\0')
		return -1;
	if (*out < t->min || *out > t->max)
		return -1;
	return 0;
}

/* Octal permission bits ("0660" or "660"), within [t->min, t->max]. */
static int
parse_mode(const char *v, const struct setting *t, long long *out)
{
	const char	*p;

	if (*v == '\0' || strlen(v) > 4)
		return -1;
	for (p = v; *p != '\0'; p++)
		if (*p < '0' || *p > '7')
			return -1;
	*out = strtoll(v, NULL, 8);
	if (*out < t->min || *out > t->max)
		return -1;
	return 0;
}

static int
parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	size_t	i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

static int
parse_level(const char *v, int *out)
{
	size_t	i;

	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcasecmp(v, level_names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	if (strcasecmp(v, "error") == 0) {
		*out = LOG_LVL_ERR;
		return 0;
	}
	if (strcasecmp(v, "warning") == 0) {
		*out = LOG_LVL_WARN;
		return 0;
	}
	return -1;
}

/*
 * Store value v into the member described by t.  Returns 0, or -1 with
 * a description of what was wrong in why.
 */
static int
set_value(struct settings *s, const struct setting *t, const char *v,
    char *why, size_t whylen)
{
	char		*p = (char *)s + t->off;
	char		*dup;
	long long	 n;
	bool		 b;
	int		 lvl;

	switch (t->type) {
	case ST_STR:
		if ((dup = strdup(v)) == NULL) {
			snprintf(why, whylen, "out of memory");
			return -1;
		}
		free(*(char **)p);
		*(char **)p = dup;
		return 0;
	case ST_INT:
	case ST_UINT:
	case ST_SIZE:
		if (parse_number(v, t, &n) == -1) {
			snprintf(why, whylen, "bad number '%s' for %s "
			    "(expected an integer from %lld to %lld)", v,
			    t->key, t->min, t->max);
			return -1;
		}
		if (t->type == ST_INT)
			*(int *)p = (int)n;
		else if (t->type == ST_UINT)
			*(unsigned *)p = (unsigned)n;
		else
			*(size_t *)p = (size_t)n;
		return 0;
	case ST_MODE:
		if (parse_mode(v, t, &n) == -1) {
			snprintf(why, whylen, "bad mode '%s' for %s (expected "
			    "octal permissions from 0 to %04llo, e.g. 0660)", v,
			    t->key, t->max);
			return -1;
		}
		*(unsigned *)p = (unsigned)n;
		return 0;
	case ST_BOOL:
		if (parse_bool(v, &b) == -1) {
			snprintf(why, whylen, "bad boolean '%s' for %s "
			    "(expected true or false)", v, t->key);
			return -1;
		}
		*(bool *)p = b;
		return 0;
	case ST_LEVEL:
		if (parse_level(v, &lvl) == -1) {
			snprintf(why, whylen, "bad log level '%s' for %s "
			    "(expected err, warn, info or debug)", v, t->key);
			return -1;
		}
		*(int *)p = lvl;
		return 0;
	}
	snprintf(why, whylen, "internal error");
	return -1;
}

static char *
trim(char *s)
{
	char	*e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Undo the quotes of a quoted value in place; -1 if malformed. */
static int
unquote(char *v)
{
	char	*r = v + 1, *w = v;

	for (; *r != '\0' && *r != '"'; r++) {
		if (*r == '\\' && (r[1] == '"' || r[1] == '\\'))
			r++;
		*w++ = *r;
	}
	if (*r != '"')
		return -1;		/* unterminated */
	for (r++; isspace((unsigned char)*r); r++)
		continue;
	if (*r != '\0')
		return -1;		/* text after the closing quote */
	*w = '\0';
	return 0;
}

/* The lines of f, named file in messages. */
static int
load_stream(struct settings *s, FILE *f, const char *file, char *err,
    size_t errlen)
{
	char			*line = NULL, *p, *eq, *k, *v;
	char			 why[256];
	size_t			 cap = 0;
	ssize_t			 len;
	unsigned		 lineno = 0;
	const struct setting	*t;
	int			 rc = -1;

	while ((len = getline(&line, &cap, f)) != -1) {
		lineno++;
		p = line;
		if (lineno == 1 && strncmp(p, "\xef\xbb\xbf", 3) == 0)
			p += 3;		/* UTF-8 byte order mark */
		if (strlen(p) != (size_t)(len - (p - line))) {
			snprintf(err, errlen, "%s:%u: NUL byte in line", file,
			    lineno);
			goto out;
		}
		p = trim(p);
		if (*p == '\0' || *p == '#' || *p == ';')
			continue;
		if (*p == '[') {
			if (p[strlen(p) - 1] != ']') {
				snprintf(err, errlen, "%s:%u: unterminated "
				    "section header", file, lineno);
				goto out;
			}
			continue;
		}
		if ((eq = strchr(p, '=')) == NULL) {
			snprintf(err, errlen, "%s:%u: expected key = value",
			    file, lineno);
			goto out;
		}
		*eq = '\0';
		k = trim(p);
		v = trim(eq + 1);
		if ((t = lookup(k)) == NULL) {
			snprintf(err, errlen, "%s:%u: unknown key '%s'", file,
			    lineno, k);
			goto out;
		}
		if (*v == '"' && unquote(v) == -1) {
			snprintf(err, errlen, "%s:%u: bad quoted value for %s",
			    file, lineno, k);
			goto out;
		}
		if (set_value(s, t, v, why, sizeof(why)) == -1) {
			snprintf(err, errlen, "%s:%u: %s", file, lineno, why);
			goto out;
		}
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(line);
	return rc;
}

static int
load_file(struct settings *s, const char *file, char *err, size_t errlen)
{
	FILE	*f;
	int	 rc;

	if ((f = fopen(file, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return -1;
	}
	rc = load_stream(s, f, file, err, errlen);
	fclose(f);
	return rc;
}

static int
load_env(struct settings *s, char *err, size_t errlen)
{
	char		 name[64], why[256];
	const char	*v;
	size_t		 i, j;

	for (i = 0; i < NSETTINGS; i++) {
		j = snprintf(name, sizeof(name), "%s", ENV_PREFIX);
		for (const char *k = table[i].key; *k != '\0' &&
		    j < sizeof(name) - 1; k++)
			name[j++] = toupper((unsigned char)*k);
		name[j] = '\0';
		if ((v = getenv(name)) == NULL)
			continue;
		if (set_value(s, &table[i], v, why, sizeof(why)) == -1) {
			snprintf(err, errlen, "%s: %s", name, why);
			return -1;
		}
	}
	return 0;
}

/* Is v[0..n) upper case (as load_env() spells the names)? */
static bool
is_upper(const char *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (islower((unsigned char)v[i]))
			return false;
	return true;
}

/* s zeroed, then every setting at its built-in default: 0, or -1 with a
 * message in err (a default that does not parse is a bug). */
static int
set_defaults(struct settings *s, char *err, size_t errlen)
{
	char	why[256];
	size_t	i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < NSETTINGS; i++)
		if (set_value(s, &table[i], table[i].def, why,
		    sizeof(why)) == -1) {
			snprintf(err, errlen, "default %s: %s", table[i].key,
			    why);
			return -1;
		}
	return 0;
}

/*
 * Fill s from the defaults, then file (unless NULL), then the
 * environment.  Returns 0, or -1 with a message in err that names the
 * file and line or the variable; s is then freed (all strings NULL), so
 * calling settings_free() again is harmless.
 */
int
settings_load(struct settings *s, const char *file, char *err,
    size_t errlen)
{
	if (set_defaults(s, err, errlen) == -1)
		goto fail;
	if (file != NULL && load_file(s, file, err, errlen) == -1)
		goto fail;
	if (load_env(s, err, errlen) == -1)
		goto fail;
	return 0;
fail:
	settings_free(s);
	return -1;
}

/*
 * Call out(name) for every OSCP_FP_* variable in the environment that
 * names no setting (a typo would otherwise be ignored without a word).
 * Returns how many there were.
 */
int
settings_unknown_env(void (*out)(const char *))
{
	extern char	**environ;
	char		  name[128], key[128];
	size_t		  n, i, pl = sizeof(ENV_PREFIX) - 1;
	int		  count = 0;

	for (char **e = environ; e != NULL && *e != NULL; e++) {
		const char	*eq;

		if (strncmp(*e, ENV_PREFIX, pl) != 0 ||
		    (eq = strchr(*e, '=')) == NULL)
			continue;
		/* The name only: the value may be a password. */
		n = (size_t)(eq - *e);
		if (n >= sizeof(name))
			n = sizeof(name) - 1;
		memcpy(name, *e, n);
		name[n] = '\0';
		/* load_env() reads the upper-case spelling only. */
		if (n > pl && is_upper(name + pl, n - pl)) {
			for (i = pl; i < n; i++)
				key[i - pl] = tolower((unsigned char)name[i]);
			key[n - pl] = '\0';
			if (lookup(key) != NULL)
				continue;
		}
		count++;
		out(name);
	}
	return count;
}

/*
 * The built-in defaults alone (no file, no environment), as
 * settings_dump() prints them.  0, or -1 if a default does not parse.
 */
int
settings_dump_defaults(void (*out)(const char *))
{
	struct settings	s;
	char		err[320];

	if (set_defaults(&s, err, sizeof(err)) == -1) {
		settings_free(&s);
		return -1;
	}
	settings_dump(&s, out);
	settings_free(&s);
	return 0;
}

/*
 * The defaults, then the text of a settings file (len bytes, NULs
 * included), named name in messages; the environment is not read.  The
 * same contract as settings_load(); for the fuzzer and the unit tests.
 */
int
settings_parse(struct settings *s, const char *text, size_t len,
    const char *name, char *err, size_t errlen)
{
	FILE	*f = NULL;
	int	 rc;

	if (set_defaults(s, err, errlen) == -1)
		goto fail;
	if (len == 0)
		return 0;
	if ((f = fmemopen((void *)text, len, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		goto fail;
	}
	rc = load_stream(s, f, name, err, errlen);
	fclose(f);
	if (rc == 0)
		return 0;
fail:
	settings_free(s);
	return -1;
}

/* Free every string member and zero the struct. */
void
settings_free(struct settings *s)
{
	size_t	  i;
	char	**p;

	for (i = 0; i < NSETTINGS; i++) {
		if (table[i].type != ST_STR)
			continue;
		p = (char **)((char *)s + table[i].off);
		free(*p);
		*p = NULL;
	}
	memset(s, 0, sizeof(*s));
}

/* Does v need quotes to read back as the same value? */
static bool
needs_quotes(const char *v)
{
	if (*v == '\0' || *v == '#' || *v == ';' || *v == '"' ||
	    isspace((unsigned char)*v) ||
	    isspace((unsigned char)v[strlen(v) - 1]))
		return true;
	return false;
}

/*
 * Call out(line) once per key, in table order, as "key = value" (strings
 * quoted when needed to read back the same).  Secrets are shown only as
 * "(set)" or "(empty)".
 */
void
settings_dump(const struct settings *s, void (*out)(const char *))
{
	char		 line[1024], val[900];
	const char	*p, *sv;
	size_t		 i, j;

	for (i = 0; i < NSETTINGS; i++) {
		p = (const char *)s + table[i].off;
		switch (table[i].type) {
		case ST_STR:
			sv = *(char *const *)p != NULL ? *(char *const *)p : "";
			if (table[i].secret)
				snprintf(val, sizeof(val), "%s", *sv != '\0' ?
				    "(set)" : "(empty)");
			else if (needs_quotes(sv) || strpbrk(sv, "\"\\")) {
				j = 0;
				val[j++] = '"';
				for (; *sv != '\0' && j < sizeof(val) - 3;
				    sv++) {
					if (*sv == '"' || *sv == '\\')
						val[j++] = '\\';
					val[j++] = *sv;
				}
				val[j++] = '"';
				val[j] = '\0';
			} else
				snprintf(val, sizeof(val), "%s", sv);
			break;
		case ST_INT:
			snprintf(val, sizeof(val), "%d", *(const int *)p);
			break;
		case ST_UINT:
			snprintf(val, sizeof(val), "%u", *(const unsigned *)p);
			break;
		case ST_SIZE:
			snprintf(val, sizeof(val), "%zu", *(const size_t *)p);
			break;
		case ST_MODE:
			snprintf(val, sizeof(val), "%04o", *(const unsigned *)p);
			break;
		case ST_BOOL:
			snprintf(val, sizeof(val), "%s", *(const bool *)p ?
			    "true" : "false");
			break;
		case ST_LEVEL:
			j = (size_t)*(const int *)p;
			snprintf(val, sizeof(val), "%s", j <
			    sizeof(level_names) / sizeof(level_names[0]) ?
			    level_names[j] : "?");
			break;
		}
		snprintf(line, sizeof(line), "%s = %s", table[i].key, val);
		out(line);
	}
}
