/*
 * main.c -- oscp-fpd: command line, settings, the FastCGI socket, the pid
 * file, daemonising; then master_run() (master.c) until a stop signal.
 *
 *	oscp-fpd [-c FILE] [-t] [-f] [--print-defaults] [--help] [--version]
 *
 * Without -c the default file is SYSCONFDIR/oscp-fp/oscp-fp.conf, and a
 * missing default file just means "defaults and environment"; a file
 * named with -c must exist.  -t checks the settings, the master key and
 * the database (connect and prepare every statement) and exits.
 * --print-defaults prints every setting's built-in default (the build
 * turns it into oscp-fp.conf.example).  A master key file others may
 * read is refused (-t and at start), one its group may read is warned
 * about; so are OSCP_FP_* variables that name no setting.
 *
 * SIGHUP (master.c) reopens the logs and reloads the settings file: a new
 * set of workers starts with the new settings and the old ones finish
 * their requests and exit.  listen, listen_mode, listen_group, backlog
 * and pid_file only change on a restart (allowed_peers and read_timeout
 * come with the new workers); a file that does not load changes nothing.
 *
 * The socket is "host:port" (an address or host name, "[v6addr]:port" for
 * IPv6; a bare ":port" or "*:port", which would bind every interface, is
 * refused) or else a unix socket path.  A unix socket is created owner
 * only, then given listen_group (nginx's workers' group; empty = ours)
 * and listen_mode (0660), so no other local user can connect and pin the
 * workers.  A TCP listener lets in only allowed_peers (worker.c).  A
 * stale unix socket is removed first; a live one (something accepts on
 * it) is an error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <fcgiapp.h>
#include <mysql.h>

#include "crypto.h"
#include "db.h"
#include "fp.h"
#include "oscp.h"
#include "proc.h"

#ifndef PACKAGE_STRING
#define PACKAGE_STRING	"oscp-fp"
#endif
#ifndef SYSCONFDIR
#define SYSCONFDIR	"/etc"
#endif
#define DEFAULT_CONFIG	SYSCONFDIR "/oscp-fp/oscp-fp.conf"
#define PROGNAME	"oscp-fpd"

struct listener {
	int		 fd;
	char		*path;		/* unix socket path, NULL for TCP */
	dev_t		 dev;		/* of the socket file we made */
	ino_t		 ino;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: " PROGNAME " [-c FILE] [-t] [-f] [--print-defaults] "
	    "[--help] [--version]\n"
	    "\n"
	    "  -c, --config FILE  settings file (default " DEFAULT_CONFIG
	    ";\n"
	    "                     every key can be overridden by OSCP_FP_<KEY>)\n"
	    "  -t, --test         check settings, master key and database, "
	    "then exit\n"
	    "  -f, --foreground   do not daemonise\n"
	    "      --print-defaults  print every setting's built-in default\n"
	    "  -h, --help         show this help\n"
	    "  -V, --version      show the version\n"
	    "\n"
	    "Signals: TERM/INT/QUIT drain and stop.  HUP reopens the logs and\n"
	    "reloads the settings file: new workers start with it and the old\n"
	    "ones finish their requests and exit (listen, listen_mode,\n"
	    "listen_group, backlog and pid_file need a restart; a file that\n"
	    "does not load changes nothing).  See oscp-fpd(8).\n");
}

/*
 * Split listen into a unix socket path (returns 1) or host and port
 * (returns 0; "[v6addr]:port" works too).  -1 with a message in err when
 * it is neither, or would bind every interface without saying so.
 */
static int
listen_parse(const char *l, char *host, size_t hostlen, char *port,
    size_t portlen, char *err, size_t errlen)
{
	struct sockaddr_un	 sun;
	const char		*colon, *h, *he;
	long			 n;
	char			*end;

	if (*l == '\0') {
		snprintf(err, errlen, "listen: empty");
		return -1;
	}
	if ((colon = strrchr(l, ':')) == NULL || *l == '/' || *l == '.') {
		if (strlen(l) >= sizeof(sun.sun_path)) {
			snprintf(err, errlen, "listen %s: unix socket path "
			    "longer than %zu bytes", l,
			    sizeof(sun.sun_path) - 1);
			return -1;
		}
		return 1;
	}
	h = l;
	he = colon;
	if (*h == '[' && he > h && he[-1] == ']') {
		h++;
		he--;
	}
	if (he == h || (he - h == 1 && *h == '*')) {
		snprintf(err, errlen, "listen %s: give an explicit address, "
		    "e.g. 127.0.0.1%s (a bare port binds every interface)", l,
		    colon);
		return -1;
	}
	errno = 0;
	n = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno != 0 || n < 1 ||
	    n > 65535) {
		snprintf(err, errlen, "listen %s: bad port", l);
		return -1;
	}
	if ((size_t)(he - h) >= hostlen) {
		snprintf(err, errlen, "listen %s: host name too long", l);
		return -1;
	}
	memcpy(host, h, he - h);
	host[he - h] = '\0';
	snprintf(port, portlen, "%ld", n);
	return 0;
}

/* Make a relative path absolute (we chdir("/") when daemonising). */
static void
absolutize(char **path)
{
	char	cwd[PATH_MAX], *p;

	if (**path == '\0' || **path == '/')
		return;
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		fatal("getcwd");
	if (asprintf(&p, "%s/%s", cwd, *path) == -1)
		fatal("asprintf");
	free(*path);
	*path = p;
}

/* Does something accept connections on the unix socket at path? */
static bool
socket_live(const char *path)
{
	struct sockaddr_un	sun;
	int			fd;
	bool			live;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return false;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	live = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	return live;
}

/*
 * listen_group as a gid: a group name, else a number.  0 with *set false
 * when it is empty (the socket keeps the daemon's group); -1 with a
 * message in err when no such group exists.
 */
static int
listen_gid(const char *name, gid_t *gid, bool *set, char *err,
    size_t errlen)
{
	struct group	*gr;
	char		*end;
	unsigned long	 n;

	*set = false;
	if (*name == '\0')
		return 0;
	if ((gr = getgrnam(name)) != NULL) {
		*gid = gr->gr_gid;
		*set = true;
		return 0;
	}
	errno = 0;
	n = strtoul(name, &end, 10);
	if (*name >= '0' && *name <= '9' && *end == '\0' && errno == 0 &&
	    n < (gid_t)-1) {
		*gid = (gid_t)n;
		*set = true;
		return 0;
	}
	snprintf(err, errlen, "listen_group %s: no such group", name);
	return -1;
}

/*
 * Bind the unix socket owner-only (no other user may connect before it
 * has its group and mode), then give it s->listen_group and
 * s->listen_mode.
 */
static int
bind_unix(const char *path, const struct settings *s)
{
	struct sockaddr_un	sun;
	mode_t			old;
	gid_t			gid;
	bool			have_gid;
	char			err[256];
	int			fd;

	if (listen_gid(s->listen_group, &gid, &have_gid, err,
	    sizeof(err)) == -1)
		fatalx("%s", err);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		fatal("socket");
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		fatal("listen %s: bind", path);
	umask(old);
	if (have_gid && chown(path, (uid_t)-1, gid) == -1)
		fatal("listen %s: group %s", path, s->listen_group);
	if (chmod(path, (mode_t)s->listen_mode) == -1)
		fatal("chmod %s", path);
	if (listen(fd, s->backlog) == -1)
		fatal("listen %s", path);
	return fd;
}

static int
bind_tcp(const char *host, const char *port, int backlog)
{
	struct addrinfo	 hints, *res, *ai;
	int		 fd = -1, on = 1, rc, saved = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0)
		fatalx("listen %s:%s: %s", host, port, gai_strerror(rc));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd == -1) {
			saved = errno;
			continue;
		}
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on,
		    sizeof(on)) == 0 && bind(fd, ai->ai_addr,
		    ai->ai_addrlen) == 0 && listen(fd, backlog) == 0)
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1) {
		errno = saved;
		fatal("listen %s:%s", host, port);
	}
	return fd;
}

/*
 * Bind the FastCGI socket ourselves rather than with FCGX_OpenSocket(),
 * which prints to stderr and exit()s on any bind error, reads a unix
 * path with a ':' in it as host:port, and knows no IPv6.  Errors here are
 * logged and end the process with status 1.
 */
static void
open_listener(const struct settings *s, struct listener *l)
{
	struct stat	st;
	char		host[256], port[8], err[512];
	int		flags, kind;

	memset(l, 0, sizeof(*l));
	kind = listen_parse(s->listen, host, sizeof(host), port,
	    sizeof(port), err, sizeof(err));
	if (kind == -1)
		fatalx("%s", err);
	if (FCGX_Init() != 0)
		fatalx("FCGX_Init failed");
	if (kind == 0) {
		l->fd = bind_tcp(host, port, s->backlog);
	} else {
		/* Its own copy: SIGHUP replaces the settings. */
		if ((l->path = strdup(s->listen)) == NULL)
			fatal("strdup");
		if (lstat(l->path, &st) == 0) {
			if (!S_ISSOCK(st.st_mode))
				fatalx("listen %s: exists and is not a socket",
				    l->path);
			if (socket_live(l->path))
				fatalx("listen %s: another process is "
				    "accepting on it", l->path);
			if (unlink(l->path) == -1)
				fatal("unlink %s", l->path);
			log_info("removed stale socket %s", l->path);
		} else if (errno != ENOENT)
			fatal("listen %s", l->path);
		l->fd = bind_unix(l->path, s);
		if (stat(l->path, &st) == -1)
			fatal("stat %s", l->path);
		l->dev = st.st_dev;
		l->ino = st.st_ino;
	}
	/* Workers wait in epoll and must not block in accept (worker.c). */
	if ((flags = fcntl(l->fd, F_GETFL)) == -1 ||
	    fcntl(l->fd, F_SETFL, flags | O_NONBLOCK) == -1)
		fatal("fcntl %s", s->listen);
	log_info("listening on %s", s->listen);
}

/* Remove the socket file, unless another daemon has replaced it. */
static void
close_listener(struct listener *l)
{
	struct stat	st;

	close(l->fd);
	if (l->path != NULL && stat(l->path, &st) == 0 &&
	    st.st_dev == l->dev && st.st_ino == l->ino)
		unlink(l->path);
	free(l->path);
	l->path = NULL;
}

/*
 * On a stop signal (master.c, before the workers are told): remove the
 * socket file, unless another daemon has replaced it, so new connections
 * are refused while the workers serve those already queued on the still
 * open listener.
 */
static void
unlink_listener(void *arg)
{
	struct listener	*l = arg;
	struct stat	 st;

	if (l->path == NULL)
		return;
	if (stat(l->path, &st) == 0 && st.st_dev == l->dev &&
	    st.st_ino == l->ino)
		unlink(l->path);
}

static void
daemonize(void)
{
	pid_t	pid;
	int	fd;

	fflush(NULL);
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid > 0)
		_exit(0);
	if (setsid() == -1)
		fatal("setsid");
	if (chdir("/") == -1)
		fatal("chdir /");
	if ((fd = open("/dev/null", O_RDWR)) == -1)
		fatal("/dev/null");
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
}

static void
write_pid(const char *path)
{
	FILE	*f;

	if (*path == '\0')
		return;
	if ((f = fopen(path, "we")) == NULL)
		fatal("pid file %s", path);
	fprintf(f, "%ld\n", (long)getpid());
	if (fclose(f) == EOF)
		fatal("pid file %s", path);
}

/* Remove the pid file if it still holds our pid. */
static void
remove_pid(const char *path)
{
	FILE	*f;
	long	 pid;

	if (*path == '\0' || (f = fopen(path, "re")) == NULL)
		return;
	if (fscanf(f, "%ld", &pid) == 1 && pid == (long)getpid())
		unlink(path);
	fclose(f);
}

/* Does the master key file load?  (The key itself is wiped at once.) */
static int
key_usable(const char *path, char *err, size_t errlen)
{
	struct fp_key	key;

	if (key_load(&key, path, err, errlen) == -1)
		return -1;
	crypto_wipe(&key, sizeof(key));
	return 0;
}

/*
 * The master key file's mode: 1 (err set) when others may read or write
 * it, 0 with a warning in err when its group may, else 0 and err empty.
 * Not found is key_usable()'s to report.
 */
static int
key_mode_check(const char *path, char *err, size_t errlen)
{
	struct stat	st;

	err[0] = '\0';
	if (stat(path, &st) == -1)
		return 0;
	if (st.st_mode & (S_IROTH | S_IWOTH | S_IXOTH)) {
		snprintf(err, errlen, "master key %s: mode %04o lets every "
		    "local user read it: chmod 600 (or 640 with a group of its "
		    "own)", path, (unsigned)(st.st_mode & 07777));
		return 1;
	}
	if (st.st_mode & (S_IRGRP | S_IWGRP | S_IXGRP))
		snprintf(err, errlen, "master key %s: mode %04o: its group "
		    "may read it (0600 is safer)", path,
		    (unsigned)(st.st_mode & 07777));
	return 0;
}

static void
warn_env_stderr(const char *name)
{
	fprintf(stderr, PROGNAME ": warning: %s is set but names no "
	    "setting; ignored\n", name);
}

static void
warn_env_log(const char *name)
{
	log_warn("%s is set but names no setting; ignored", name);
}

/* -t: settings were fine; now the key and the database. */
static int
check_config(const struct settings *s)
{
	struct db	*db;
	char		 err[512];

	settings_unknown_env(warn_env_stderr);
	if (key_usable(s->master_key_file, err, sizeof(err)) == -1) {
		fprintf(stderr, PROGNAME ": %s\n", err);
		return 1;
	}
	if (key_mode_check(s->master_key_file, err, sizeof(err)) == 1) {
		fprintf(stderr, PROGNAME ": %s\n", err);
		return 1;
	}
	if (err[0] != '\0')
		fprintf(stderr, PROGNAME ": warning: %s\n", err);
	if (mysql_library_init(0, NULL, NULL) != 0) {
		fprintf(stderr, PROGNAME ": mysql_library_init failed\n");
		return 1;
	}
	db = db_open(s, DB_WORKER | DB_DISPATCHER, err, sizeof(err));
	if (db == NULL) {
		fprintf(stderr, PROGNAME ": %s\n", err);
		mysql_library_end();
		return 1;
	}
	db_close(db);
	mysql_library_end();
	printf("configuration OK\n");
	return 0;
}

static void
print_line(const char *line)
{
	printf("%s\n", line);
}

static void
dump_line(const char *line)
{
	log_debug("setting %s", line);
}

/* What SIGHUP reloads: the file named at start (absolute), as at start. */
static const char	*conf_file;
static bool		 conf_fg;

/*
 * Read the settings as the daemon uses them: relative paths made absolute
 * unless in the foreground (a daemon's working directory is /), syslog
 * when a daemon has no log file.  *kind: 1 for a unix socket, 0 for TCP.
 */
static int
load_config(struct settings *s, int *kind, char *err, size_t errlen)
{
	struct peers	 peers;
	char		 host[256], port[8];
	gid_t		 gid;
	bool		 have_gid;

	if (settings_load(s, conf_file, err, errlen) == -1)
		return -1;
	if ((*kind = listen_parse(s->listen, host, sizeof(host), port,
	    sizeof(port), err, errlen)) == -1 ||
	    listen_gid(s->listen_group, &gid, &have_gid, err, errlen) == -1 ||
	    peers_parse(s->allowed_peers, &peers, err, errlen) == -1 ||
	    oscp_settings_ok(s, err, errlen) == -1) {
		settings_free(s);
		return -1;
	}
	if (!conf_fg) {
		if (*kind == 1)
			absolutize(&s->listen);
		absolutize(&s->pid_file);
		absolutize(&s->log_file);
		if (*s->log_file == '\0' && !s->log_syslog)
			s->log_syslog = true;
	}
	return 0;
}

/* Keep the running value of a setting that only a restart changes. */
static void
keep(const char *name, char **now, const char *was)
{
	char	*p;

	if (strcmp(*now, was) == 0)
		return;
	log_warn("SIGHUP: %s changes only on a restart: keeping %s", name,
	    was);
	if ((p = strdup(was)) == NULL)
		fatal("strdup");
	free(*now);
	*now = p;
}

/*
 * SIGHUP (called by the master): load the settings file again into *ns.
 * -1 with err set if it does not load or names an unusable master key;
 * the master then carries on with *cur.  On success the log is switched
 * to the new log settings.
 */
static int
reload_config(const struct settings *cur, struct settings *ns, char *err,
    size_t errlen)
{
	int		 kind;

	if (load_config(ns, &kind, err, errlen) == -1)
		return -1;
	if (key_usable(ns->master_key_file, err, errlen) == -1) {
		settings_free(ns);
		return -1;
	}
	keep("listen", &ns->listen, cur->listen);
	keep("listen_group", &ns->listen_group, cur->listen_group);
	keep("pid_file", &ns->pid_file, cur->pid_file);
	if (ns->backlog != cur->backlog) {
		log_warn("SIGHUP: backlog changes only on a restart: "
		    "keeping %d", cur->backlog);
		ns->backlog = cur->backlog;
	}
	if (ns->listen_mode != cur->listen_mode) {
		log_warn("SIGHUP: listen_mode changes only on a restart: "
		    "keeping %04o", cur->listen_mode);
		ns->listen_mode = cur->listen_mode;
	}
	if (log_open(PROGNAME, ns->log_file, ns->log_syslog,
	    ns->log_level) == -1) {
		snprintf(err, errlen, "log file %s: %s", ns->log_file,
		    strerror(errno));
		settings_free(ns);
		return -1;
	}
	settings_dump(ns, dump_line);
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "config",	required_argument,	NULL,	'c' },
		{ "test",	no_argument,		NULL,	't' },
		{ "foreground",	no_argument,		NULL,	'f' },
		{ "help",	no_argument,		NULL,	'h' },
		{ "version",	no_argument,		NULL,	'V' },
		{ "print-defaults", no_argument,	NULL,	'D' },
		{ NULL,		0,			NULL,	0 }
	};
	struct settings	 s;
	struct listener	 l;
	sigset_t	 block;
	const char	*file = NULL;
	char		*conf_path = NULL;
	char		 err[512];
	bool		 test = false, fg = false;
	int		 ch, rc, kind;

	while ((ch = getopt_long(argc, argv, "c:tfhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			file = optarg;
			break;
		case 't':
			test = true;
			break;
		case 'f':
			fg = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("%s\n", PACKAGE_STRING);
			return 0;
		case 'D':
			return settings_dump_defaults(print_line) == 0 ? 0 : 1;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 1;
	}
	if (file == NULL && access(DEFAULT_CONFIG, F_OK) == 0)
		file = DEFAULT_CONFIG;
	conf_fg = fg || test;		/* -t: paths as written */
	if (file != NULL && *file != '/' && !conf_fg) {
		if ((conf_path = strdup(file)) == NULL)
			fatal("strdup");
		absolutize(&conf_path);
		file = conf_path;
	}
	conf_file = file;
	if (load_config(&s, &kind, err, sizeof(err)) == -1) {
		fprintf(stderr, PROGNAME ": %s\n", err);
		free(conf_path);
		return 1;
	}
	if (test) {
		rc = check_config(&s);
		settings_free(&s);
		free(conf_path);
		return rc;
	}
	if (!fg && s.log_syslog && *s.log_file == '\0')
		fprintf(stderr, PROGNAME ": no log_file: logging to syslog\n");
	if (log_open(PROGNAME, s.log_file, s.log_syslog, s.log_level) == -1) {
		fprintf(stderr, PROGNAME ": log file %s: %s\n", s.log_file,
		    strerror(errno));
		settings_free(&s);
		free(conf_path);
		return 1;
	}
	log_info("%s starting (%s), %d workers on %s", PACKAGE_STRING,
	    file != NULL ? file : "no settings file", s.workers, s.listen);
	settings_dump(&s, dump_line);

	/* Fail here rather than in a respawn loop of workers. */
	if (key_usable(s.master_key_file, err, sizeof(err)) == -1 ||
	    key_mode_check(s.master_key_file, err, sizeof(err)) == 1)
		fatalx("%s", err);
	if (err[0] != '\0')
		log_warn("%s", err);
	settings_unknown_env(warn_env_log);

	/* Stop signals wait until the master can act on them. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGQUIT);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* Once, before any fork: each worker connects on its own. */
	if (mysql_library_init(0, NULL, NULL) != 0)
		fatalx("mysql_library_init failed");

	open_listener(&s, &l);
	if (!fg)
		daemonize();
	write_pid(s.pid_file);

	rc = master_run(&s, l.fd, reload_config, unlink_listener, &l);

	close_listener(&l);
	remove_pid(s.pid_file);
	mysql_library_end();
	log_info("stopped");
	log_close();
	settings_free(&s);
	free(conf_path);
	return rc;
}
