/*
 * log.c -- one line per event, to stderr, a file or syslog.
 *
 *	2026-11-28T10:00:00.123Z oscp-fpd[4242] INFO [reqid] message
 *
 * A line is built in a buffer and written with a single write(2), so lines
 * from several workers appending to the same file do not interleave.
 * Control characters in the message or the request id are replaced with
 * '?', so nothing a client sends can forge a line.  "[-]" stands for "no
 * request".  log_reopen() (SIGHUP) reopens the file by path, which is how
 * logrotate's "move then signal" works.
 *
 * What goes into a line is the caller's responsibility: never a body, a
 * header value, a token or a password.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "fp.h"

#define LINE_MAX_LEN	4096
#define REQID_MAX	64

static struct {
	char		 ident[32];
	char		*path;		/* NULL: stderr or syslog */
	int		 fd;		/* 2 for stderr */
	bool		 use_syslog;
	enum log_level	 level;
	char		 reqid[REQID_MAX + 1];
	pid_t		 pid;		/* 0: not known yet */
	time_t		 stamp_sec;	/* second that stamp[] shows */
	char		 stamp[32];	/* "YYYY-MM-DDTHH:MM:SS" */
	bool		 atfork;	/* handler registered */
} lg = { "oscp-fp", NULL, 2, false, LOG_LVL_INFO, "", 0, -1, "", false };

/* The pid and the time stamp are cached; a forked child starts afresh. */
static void
log_atfork_child(void)
{
	lg.pid = 0;
}

static const char *const lvl_names[] = {
	"ERR",		/* LOG_LVL_ERR */
	"WARN",		/* LOG_LVL_WARN */
	"INFO",		/* LOG_LVL_INFO */
	"DEBUG",	/* LOG_LVL_DEBUG */
};

static const int lvl_prio[] = {
	LOG_ERR,	/* LOG_LVL_ERR */
	LOG_WARNING,	/* LOG_LVL_WARN */
	LOG_INFO,	/* LOG_LVL_INFO */
	LOG_DEBUG,	/* LOG_LVL_DEBUG */
};

/* Replace bytes below 0x20 and DEL with '?', in place. */
static void
defang(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static int
open_file(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

/*
 * Start logging as ident.  path NULL or "" logs to stderr unless
 * use_syslog; otherwise the file is opened for appending (created 0640).
 * Returns 0, or -1 with errno set when the file cannot be opened (logging
 * then stays on stderr).  May be called again to switch destinations.
 */
int
log_open(const char *ident, const char *path, bool use_syslog,
    enum log_level level)
{
	int	 fd;
	char	*p = NULL;

	if (level > LOG_LVL_DEBUG)
		level = LOG_LVL_DEBUG;
	if (path != NULL && *path != '\0' && !use_syslog) {
		if ((p = strdup(path)) == NULL)
			return -1;
		if ((fd = open_file(path)) == -1) {
			free(p);
			return -1;
		}
	} else
		fd = STDERR_FILENO;
	log_close();
	if (!lg.atfork) {
		pthread_atfork(NULL, NULL, log_atfork_child);
		lg.atfork = true;
	}
	snprintf(lg.ident, sizeof(lg.ident), "%s", ident);
	lg.path = p;
	lg.fd = fd;
	lg.use_syslog = use_syslog;
	lg.level = level;
	if (use_syslog)
		openlog(lg.ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	return 0;
}

/*
 * Reopen the log file by its path (after a rotation moved it).  On
 * failure the old descriptor stays in use and an error is logged to it.
 */
void
log_reopen(void)
{
	int	fd;

	if (lg.path == NULL)
		return;
	if ((fd = open_file(lg.path)) == -1) {
		log_err("log_reopen %s: %s", lg.path, strerror(errno));
		return;
	}
	close(lg.fd);
	lg.fd = fd;
}

/* Back to stderr, releasing the file or the syslog connection. */
void
log_close(void)
{
	if (lg.path != NULL) {
		close(lg.fd);
		free(lg.path);
		lg.path = NULL;
	}
	if (lg.use_syslog)
		closelog();
	lg.use_syslog = false;
	lg.fd = STDERR_FILENO;
}

/* Set the request id shown on following lines; NULL or "" clears it. */
void
log_set_reqid(const char *id)
{
	if (id == NULL)
		id = "";
	snprintf(lg.reqid, sizeof(lg.reqid), "%s", id);
	defang(lg.reqid);
}

/*
 * Format and write one line.  suffix (strerror text) is appended after
 * ": ".  A fatal line is also copied to stderr when the log goes
 * elsewhere, so a daemon that cannot start says why on the terminal.
 */
static void
vlog(enum log_level lvl, const char *suffix, bool fatal_line,
    const char *fmt, va_list ap)
{
	char		 msg[LINE_MAX_LEN], line[LINE_MAX_LEN + 256];
	struct timespec	 ts;
	struct tm	 tm;
	int		 n, m, saved = errno;
	const char	*rid;

	if (lvl > lg.level)
		return;
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		snprintf(msg, sizeof(msg), "(bad log format)");
	if (suffix != NULL)
		snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), ": %s",
		    suffix);
	defang(msg);
	rid = lg.reqid[0] != '\0' ? lg.reqid : "-";
	if (fatal_line && (lg.use_syslog || lg.fd != STDERR_FILENO))
		dprintf(STDERR_FILENO, "%s: %s\n", lg.ident, msg);

	if (lg.use_syslog) {
		syslog(lvl_prio[lvl], "%s [%s] %s", lvl_names[lvl], rid, msg);
		errno = saved;
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts.tv_sec != lg.stamp_sec) {
		gmtime_r(&ts.tv_sec, &tm);
		strftime(lg.stamp, sizeof(lg.stamp), "%Y-%m-%dT%H:%M:%S", &tm);
		lg.stamp_sec = ts.tv_sec;
	}
	if (lg.pid == 0)
		lg.pid = getpid();
	n = 0;
	m = snprintf(line, sizeof(line), "%s.%03ldZ %s[%ld] %s [%s] %s",
	    lg.stamp, ts.tv_nsec / 1000000, lg.ident, (long)lg.pid,
	    lvl_names[lvl], rid, msg);
	if (m < 0)
		m = 0;
	n += m;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	/* One write per line; a short write on a full disk is dropped. */
	if (write(lg.fd, line, n) == -1) {
		/* nowhere left to report it */
	}
	errno = saved;
}

void
log_err(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_ERR, NULL, false, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_WARN, NULL, false, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_INFO, NULL, false, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_DEBUG, NULL, false, fmt, ap);
	va_end(ap);
}

/*
 * The access line, at INFO: user_id <= 0 (not authenticated) shows as
 * "-", as do NULL strings.  route is the route's pattern or the path as
 * sent; method and route are defanged like everything else.
 */
void
log_access(const char *reqid, int64_t user_id, const char *method,
    const char *route, int status, long usec)
{
	char	user[24];

	if (user_id > 0)
		snprintf(user, sizeof(user), "%lld", (long long)user_id);
	else
		snprintf(user, sizeof(user), "-");
	log_info("access reqid=%s user=%s method=%s route=%s status=%d "
	    "usec=%ld", reqid != NULL && *reqid != '\0' ? reqid : "-", user,
	    method != NULL ? method : "-", route != NULL ? route : "-",
	    status, usec);
}

/* Log at ERR with ": strerror(errno)" appended, then exit(1). */
void
fatal(const char *fmt, ...)
{
	va_list	ap;
	char	err[128];

	snprintf(err, sizeof(err), "%s", strerror(errno));
	va_start(ap, fmt);
	vlog(LOG_LVL_ERR, err, true, fmt, ap);
	va_end(ap);
	exit(1);
}

/* Log at ERR, then exit(1). */
void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_ERR, NULL, true, fmt, ap);
	va_end(ap);
	exit(1);
}
