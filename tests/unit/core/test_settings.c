/*
 * test_settings.c -- src/settings.c: defaults, file syntax (comments,
 * sections, quotes, whitespace), error messages with file:line, the
 * OSCP_FP_* environment overriding the file, and the dump.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fp.h"
#include "unit.h"

extern char	**environ;

static char	tmpfile_path[64];

/* No OSCP_FP_* from the caller's environment may leak into the tests. */
static int
suite_init(void)
{
	char	 name[128];
	char	*eq;
	size_t	 i;

	for (i = 0; environ[i] != NULL; ) {
		if (strncmp(environ[i], "OSCP_FP_", 8) == 0 &&
		    (eq = strchr(environ[i], '=')) != NULL &&
		    (size_t)(eq - environ[i]) < sizeof(name)) {
			memcpy(name, environ[i], eq - environ[i]);
			name[eq - environ[i]] = '\0';
			unsetenv(name);
			i = 0;		/* environ may have moved */
			continue;
		}
		i++;
	}
	return 0;
}

static int
suite_clean(void)
{
	if (tmpfile_path[0] != '\0')
		unlink(tmpfile_path);
	return 0;
}

/* Write text to a fresh temporary file and return its path. */
static const char *
write_conf(const char *text)
{
	FILE	*f;
	int	 fd;

	if (tmpfile_path[0] != '\0')
		unlink(tmpfile_path);
	snprintf(tmpfile_path, sizeof(tmpfile_path), "/tmp/fpconfXXXXXX");
	if ((fd = mkstemp(tmpfile_path)) == -1)
		return NULL;
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		return NULL;
	}
	fputs(text, f);
	fclose(f);
	return tmpfile_path;
}

static void
t_defaults(void)
{
	struct settings	s;
	char		err[256];

	CU_ASSERT_EQUAL_FATAL(settings_load(&s, NULL, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(s.listen, "/run/oscp-fp/oscp-fp.sock");
	CU_ASSERT_EQUAL(s.listen_mode, 0660);
	CU_ASSERT_STRING_EQUAL(s.listen_group, "");
	CU_ASSERT_STRING_EQUAL(s.allowed_peers, "127.0.0.1");
	CU_ASSERT_EQUAL(s.read_timeout, 10);
	CU_ASSERT_EQUAL(s.workers, 8);
	CU_ASSERT_EQUAL(s.backlog, 1024);
	CU_ASSERT_STRING_EQUAL(s.pid_file, "");
	CU_ASSERT_STRING_EQUAL(s.db_host, "localhost");
	CU_ASSERT_EQUAL(s.db_port, 3306);
	CU_ASSERT_STRING_EQUAL(s.db_socket, "/run/mysqld/mysqld.sock");
	CU_ASSERT_STRING_EQUAL(s.db_name, "oscp");
	CU_ASSERT_STRING_EQUAL(s.db_user, "oscp");
	CU_ASSERT_STRING_EQUAL(s.db_password, "");
	/* Beside the settings file of this build (issue 11: prefix-correct). */
	CU_ASSERT_STRING_EQUAL(s.master_key_file,
	    SYSCONFDIR "/oscp-fp/master.key");
	CU_ASSERT_PTR_NOT_NULL(strstr(s.schema_dir, "/schema"));
	CU_ASSERT_STRING_EQUAL(s.log_file, "");
	CU_ASSERT_FALSE(s.log_syslog);
	CU_ASSERT_EQUAL(s.log_level, LOG_LVL_INFO);
	CU_ASSERT_EQUAL(s.body_max, FP_BODY_MAX_DEFAULT);
	CU_ASSERT_EQUAL(s.json_max_depth, FP_JSON_DEPTH_DEFAULT);
	CU_ASSERT_EQUAL(s.json_max_string, FP_JSON_STRING_DEFAULT);
	CU_ASSERT_EQUAL(s.json_max_array, FP_JSON_ARRAY_DEFAULT);
	CU_ASSERT_EQUAL(s.date_skew, 900);
	CU_ASSERT_EQUAL(s.auth_cache_seconds, 2);
	CU_ASSERT_STRING_EQUAL(s.public_url, "http://127.0.0.1:8080");
	settings_free(&s);
	CU_ASSERT_PTR_NULL(s.listen);
	settings_free(&s);		/* twice is harmless */
}

static void
t_file(void)
{
	struct settings	 s;
	char		 err[256];
	const char	*f;

	f = write_conf(
	    "\xef\xbb\xbf# oscp-fp settings\n"
	    "; another comment\n"
	    "   # indented comment\n"
	    "\n"
	    "[server]\n"
	    "listen = 127.0.0.1:9000\n"
	    "listen_mode = 640\n"
	    "listen_group = www-data\n"
	    "allowed_peers = 10.0.0.5, ::1\n"
	    "read_timeout = 3\n"
	    "workers=3\n"
	    "  backlog\t=\t 64  \r\n"
	    "[ database ]\n"
	    "db_host = \"db.example.com\"\n"
	    "db_port = 3307\n"
	    "db_password = \"p#s;s \\\"w\\\\d\"  \n"
	    "db_name = \"\"\n"
	    "pid_file = /run/x.pid\n"
	    "log_syslog = yes\n"
	    "log_level = DEBUG\n"
	    "body_max = 1048576\n"
	    "date_skew = 0\n"
	    "public_url = https://oscp.example.com\n"
	    "workers = 4\n");		/* the last one wins */
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL_FATAL(settings_load(&s, f, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(s.listen, "127.0.0.1:9000");
	CU_ASSERT_EQUAL(s.listen_mode, 0640);
	CU_ASSERT_STRING_EQUAL(s.listen_group, "www-data");
	CU_ASSERT_STRING_EQUAL(s.allowed_peers, "10.0.0.5, ::1");
	CU_ASSERT_EQUAL(s.read_timeout, 3);
	CU_ASSERT_EQUAL(s.workers, 4);
	CU_ASSERT_EQUAL(s.backlog, 64);
	CU_ASSERT_STRING_EQUAL(s.db_host, "db.example.com");
	CU_ASSERT_EQUAL(s.db_port, 3307);
	CU_ASSERT_STRING_EQUAL(s.db_password, "p#s;s \"w\\d");
	CU_ASSERT_STRING_EQUAL(s.db_name, "");
	CU_ASSERT_STRING_EQUAL(s.pid_file, "/run/x.pid");
	CU_ASSERT_TRUE(s.log_syslog);
	CU_ASSERT_EQUAL(s.log_level, LOG_LVL_DEBUG);
	CU_ASSERT_EQUAL(s.body_max, 1048576);
	CU_ASSERT_EQUAL(s.date_skew, 0);
	CU_ASSERT_STRING_EQUAL(s.public_url, "https://oscp.example.com");
	/* Keys not in the file keep their defaults. */
	CU_ASSERT_STRING_EQUAL(s.db_user, "oscp");
	CU_ASSERT_EQUAL(s.json_max_depth, 16);
	settings_free(&s);
}

static const struct {
	const char	*text;
	const char	*err;		/* expected after "<file>:" */
} bad[] = {
	{ "workers = 2\n\nfoo = 1\n",		"3: unknown key 'foo'" },
	{ "# c\nworkers = many\n",
	    "2: bad number 'many' for workers" },
	{ "workers = 0\n",			"1: bad number '0' for workers" },
	{ "workers = 4 # four\n",		"1: bad number '4 # four'" },
	{ "workers = 99999999999999999999\n",	"1: bad number" },
	{ "workers = -1\n",			"1: bad number '-1'" },
	{ "workers =\n",			"1: bad number '' for workers" },
	{ "db_port = 65536\n",			"1: bad number '65536'" },
	{ "db_port = 0x10\n",			"1: bad number '0x10'" },
	{ "body_max = 12k\n",			"1: bad number '12k'" },
	{ "log_syslog = maybe\n",		"1: bad boolean 'maybe'" },
	{ "log_level = loud\n",			"1: bad log level 'loud'" },
	{ "listen_mode = 0999\n",		"1: bad mode '0999' for listen" },
	{ "listen_mode = 1000\n",		"1: bad mode '1000'" },
	{ "listen_mode = rw-rw----\n",		"1: bad mode 'rw-rw----'" },
	{ "listen_mode = -660\n",		"1: bad mode '-660'" },
	{ "listen_mode =\n",			"1: bad mode '' for listen_mode" },
	{ "read_timeout = 0\n",			"1: bad number '0' for read" },
	{ "\n\n\n\njust words\n",		"5: expected key = value" },
	{ "[unterminated\n",			"1: unterminated section" },
	{ "listen = \"/x\n",			"1: bad quoted value for listen" },
	{ "listen = \"/x\" trailing\n",		"1: bad quoted value for listen" },
	{ "Workers = 2\n",			"1: unknown key 'Workers'" },
	{ " = 2\n",				"1: unknown key ''" },
};

static void
t_errors(void)
{
	struct settings	 s;
	char		 err[256], want[512];
	const char	*f;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f = write_conf(bad[i].text);
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		err[0] = '\0';
		CU_ASSERT_EQUAL(settings_load(&s, f, err, sizeof(err)), -1);
		snprintf(want, sizeof(want), "%s:%s", f, bad[i].err);
		if (strncmp(err, want, strlen(want)) != 0) {
			fprintf(stderr, "\ncase %zu: got \"%s\", want \"%s\"\n",
			    i, err, want);
			CU_FAIL("error text");
		}
		CU_ASSERT_PTR_NULL(s.listen);	/* freed on failure */
		settings_free(&s);
	}
}

static void
t_missing_file(void)
{
	struct settings	s;
	char		err[256];

	CU_ASSERT_EQUAL(settings_load(&s, "/nonexistent/oscp-fp.conf", err,
	    sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "/nonexistent/oscp-fp.conf: "
	    "No such file or directory");
}

static void
t_env(void)
{
	struct settings	 s;
	char		 err[256];
	const char	*f;

	f = write_conf("workers = 3\ndb_name = fromfile\nlog_level = warn\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	setenv("OSCP_FP_WORKERS", "5", 1);
	setenv("OSCP_FP_DB_PASSWORD", "envpw", 1);
	setenv("OSCP_FP_LOG_SYSLOG", "on", 1);
	setenv("OSCP_FP_JSON_MAX_ARRAY", "77", 1);
	CU_ASSERT_EQUAL_FATAL(settings_load(&s, f, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(s.workers, 5);			/* env beats file */
	CU_ASSERT_STRING_EQUAL(s.db_name, "fromfile");	/* file beats default */
	CU_ASSERT_STRING_EQUAL(s.db_password, "envpw");	/* env beats default */
	CU_ASSERT_TRUE(s.log_syslog);
	CU_ASSERT_EQUAL(s.json_max_array, 77);
	CU_ASSERT_EQUAL(s.log_level, LOG_LVL_WARN);
	settings_free(&s);

	/* Without a file, too; and an empty value is a value. */
	setenv("OSCP_FP_DB_HOST", "", 1);
	CU_ASSERT_EQUAL_FATAL(settings_load(&s, NULL, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(s.workers, 5);
	CU_ASSERT_STRING_EQUAL(s.db_host, "");
	settings_free(&s);

	/* A bad value in the environment names the variable. */
	setenv("OSCP_FP_WORKERS", "lots", 1);
	CU_ASSERT_EQUAL(settings_load(&s, f, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "OSCP_FP_WORKERS: bad number "
	    "'lots'"));
	settings_free(&s);

	unsetenv("OSCP_FP_WORKERS");
	unsetenv("OSCP_FP_DB_PASSWORD");
	unsetenv("OSCP_FP_LOG_SYSLOG");
	unsetenv("OSCP_FP_JSON_MAX_ARRAY");
	unsetenv("OSCP_FP_DB_HOST");
}

static char	dumped[4096];

static void
collect(const char *line)
{
	strncat(dumped, line, sizeof(dumped) - strlen(dumped) - 2);
	strcat(dumped, "\n");
}

static void
t_dump(void)
{
	struct settings	 s;
	char		 err[256];
	const char	*f;
	const char	*keys[] = { "listen", "listen_mode", "listen_group",
	    "allowed_peers", "read_timeout", "workers", "backlog", "pid_file",
	    "db_host", "db_port", "db_socket", "db_name", "db_user",
	    "db_password", "master_key_file", "schema_dir", "log_file",
	    "log_syslog", "log_level", "body_max", "json_max_depth",
	    "json_max_string", "json_max_array", "date_skew",
	    "auth_cache_seconds", "public_url" };
	char		 k[64];
	size_t		 i;

	CU_ASSERT_EQUAL_FATAL(settings_load(&s, NULL, err, sizeof(err)), 0);
	dumped[0] = '\0';
	settings_dump(&s, collect);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(k, sizeof(k), "\n%s = ", keys[i]);
		CU_ASSERT_PTR_NOT_NULL(i == 0 ? strstr(dumped, k + 1) :
		    strstr(dumped, k));
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(dumped, "db_password = (empty)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(dumped, "workers = 8\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(dumped, "listen_mode = 0660\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(dumped, "pid_file = \"\"\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(dumped, "log_level = info\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(dumped, "log_syslog = false\n"));
	settings_free(&s);

	/* The password itself never appears; odd strings read back. */
	f = write_conf("db_password = s3cr3t-value\n"
	    "db_name = \" spaced \\\"q\\\" \"\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL_FATAL(settings_load(&s, f, err, sizeof(err)), 0);
	dumped[0] = '\0';
	settings_dump(&s, collect);
	CU_ASSERT_PTR_NULL(strstr(dumped, "s3cr3t"));
	CU_ASSERT_PTR_NOT_NULL(strstr(dumped, "db_password = (set)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(dumped,
	    "db_name = \" spaced \\\"q\\\" \"\n"));
	settings_free(&s);
}

static char	unknown[1024];

static void
collect_unknown(const char *name)
{
	strncat(unknown, name, sizeof(unknown) - strlen(unknown) - 2);
	strcat(unknown, "\n");
}

/* An OSCP_FP_* variable that names no setting is reported, by name only
 * (its value may be a mistyped password). */
static void
t_unknown_env(void)
{
	unknown[0] = '\0';
	setenv("OSCP_FP_WORKERS", "3", 1);
	setenv("OSCP_FP_BOGUS", "1", 1);
	setenv("OSCP_FP_DB_PASSWROD", "hunter2", 1);
	setenv("OSCP_FP_workers", "4", 1);	/* only upper case is read */
	setenv("OSCP_FP_", "x", 1);
	CU_ASSERT_EQUAL(settings_unknown_env(collect_unknown), 4);
	CU_ASSERT_PTR_NOT_NULL(strstr(unknown, "OSCP_FP_BOGUS\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(unknown, "OSCP_FP_DB_PASSWROD\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(unknown, "OSCP_FP_workers\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(unknown, "OSCP_FP_\n"));
	CU_ASSERT_PTR_NULL(strstr(unknown, "OSCP_FP_WORKERS"));
	CU_ASSERT_PTR_NULL(strstr(unknown, "hunter2"));
	unsetenv("OSCP_FP_BOGUS");
	unsetenv("OSCP_FP_DB_PASSWROD");
	unsetenv("OSCP_FP_workers");
	unsetenv("OSCP_FP_");
	unknown[0] = '\0';
	CU_ASSERT_EQUAL(settings_unknown_env(collect_unknown), 0);
	CU_ASSERT_STRING_EQUAL(unknown, "");
	unsetenv("OSCP_FP_WORKERS");
}

/* --print-defaults: the table's defaults, whatever the environment. */
static void
t_dump_defaults(void)
{
	setenv("OSCP_FP_WORKERS", "3", 1);
	dumped[0] = '\0';
	CU_ASSERT_EQUAL(settings_dump_defaults(collect), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(dumped, "workers = 8\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(dumped, "master_key_file = "
	    SYSCONFDIR "/oscp-fp/master.key\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(dumped, "schema_dir = " PKGDATADIR
	    "/schema\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(dumped, "ack_measurement_configuration"
	    " = CONTINUOUS\n"));
	unsetenv("OSCP_FP_WORKERS");
}

/* settings_parse(): the same grammar from memory (the fuzzer's entry),
 * NULs included, no environment. */
static void
t_parse_buffer(void)
{
	static const char	 ok[] = "[x]\nworkers = 3\ndb_name = \"a\\\"b\"\n";
	static const char	 nul[] = "workers = 3\nlisten = a\0b\n";
	struct settings		 st;
	char			 err[256];

	CU_ASSERT_EQUAL_FATAL(settings_parse(&st, ok, sizeof(ok) - 1, "mem",
	    err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(st.workers, 3);
	CU_ASSERT_STRING_EQUAL(st.db_name, "a\"b");
	CU_ASSERT_EQUAL(st.json_max_depth, 16);		/* default */
	settings_free(&st);
	CU_ASSERT_EQUAL_FATAL(settings_parse(&st, "", 0, "mem", err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(st.workers, 8);
	settings_free(&st);
	CU_ASSERT_EQUAL(settings_parse(&st, nul, sizeof(nul) - 1, "mem", err,
	    sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "mem:2: NUL byte in line");
	CU_ASSERT_PTR_NULL(st.listen);
	CU_ASSERT_EQUAL(settings_parse(&st, "workers = 0", 11, "mem", err,
	    sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "mem:1: bad number '0'"));
}

void
test_settings_register(void)
{
	CU_pSuite	s;

	s = CU_add_suite("settings", suite_init, suite_clean);
	CU_add_test(s, "defaults", t_defaults);
	CU_add_test(s, "file syntax", t_file);
	CU_add_test(s, "errors name file:line", t_errors);
	CU_add_test(s, "missing file", t_missing_file);
	CU_add_test(s, "environment wins", t_env);
	CU_add_test(s, "dump hides the password", t_dump);
	CU_add_test(s, "unknown OSCP_FP_ variables", t_unknown_env);
	CU_add_test(s, "built-in defaults", t_dump_defaults);
	CU_add_test(s, "parse from memory", t_parse_buffer);
}
