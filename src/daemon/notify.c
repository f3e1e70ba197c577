/*
 * notify.c -- tell systemd (Type=notify) what the master is doing, with
 * sd_notify(3) from libsystemd: READY=1 once the socket is bound and the
 * first children are forked, RELOADING=1 ... READY=1 around a SIGHUP,
 * STOPPING=1 when a stop signal starts the drain.  Without NOTIFY_SOCKET
 * (not under systemd) sd_notify() does nothing; without libsystemd
 * (configure --without-libsystemd) neither do these.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "fp.h"
#include "proc.h"

static void
notify(const char *state)
{
#ifdef HAVE_LIBSYSTEMD
	int	rc;

	/* Keep NOTIFY_SOCKET: a reload notifies again. */
	if ((rc = sd_notify(0, state)) < 0)
		log_warn("sd_notify: %s", strerror(-rc));
#else
	(void)state;
#endif
}

void
notify_ready(const char *status)
{
	char	buf[256];

	snprintf(buf, sizeof(buf), "READY=1\nSTATUS=%s", status);
	notify(buf);
}

void
notify_reloading(void)
{
	struct timespec	ts;
	char		buf[96];

	/* MONOTONIC_USEC: systemd 253's Type=notify-reload wants it. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(buf, sizeof(buf), "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000ULL);
	notify(buf);
}

void
notify_stopping(void)
{
	notify("STOPPING=1\nSTATUS=draining");
}
