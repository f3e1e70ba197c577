/*
 * fuzz_oscp.h -- what the OSCP message targets (fuzz/fuzz_oscp_*.c) share:
 * the limits inbound() in oscp_api.c gives a parser, the results a
 * handler may rely on, the time round trip, and the Handshake /
 * HandshakeAcknowledge body (one parser, two targets).
 */
#ifndef FUZZ_OSCP_H
#define FUZZ_OSCP_H

#include "oscp.h"
#include "timefmt.h"
#include "fuzz.h"

/* inbound(): the settings' limits, no memory budget (the arena cap
 * bounds the tree). */
static inline void
fz_oscp_limits(struct jlimits *lim)
{
	fz_limits(lim);
	lim->mem = 0;
}

/* What the handlers may rely on for any result. */
static inline void
fz_oscp_rc(enum fp_err rc, const char *detail)
{
	FZ_ASSERT(rc == FP_OK || rc == FP_EMALFORMED || rc == FP_EINVAL ||
	    rc == FP_ENOMEM);
	if (rc != FP_OK)
		FZ_ASSERT(detail != NULL);
}

/* An instant we accepted must be one we can write back out. */
static inline void
fz_time_check(int64_t us)
{
	char	 buf[TIME_BUFSZ];
	int64_t	 back;

	FZ_ASSERT(time_fmt_oscp(us, buf) > 0);
	FZ_ASSERT(time_parse_rfc3339(buf, strlen(buf), &back) == 0);
	FZ_ASSERT(back <= us && us - back < 1000);
	FZ_ASSERT(time_fmt_sn(us, buf) > 0);
}

/* oscp_parse_behaviour() as a Handshake or (ack) an acknowledgement:
 * the stored styles are a JSON array, the interval in range. */
static inline int
fz_oscp_behaviour(const uint8_t *data, size_t size, bool ack)
{
	struct arena		*a = fz_arena();
	struct jlimits		 lim;
	struct oscp_behaviour	 m;
	const char		*detail = NULL;
	char			*copy = fz_cstr(data, size);
	enum fp_err		 rc;

	fz_oscp_limits(&lim);
	rc = oscp_parse_behaviour(a, &lim, (const unsigned char *)copy, size,
	    ack, &m, &detail);
	fz_oscp_rc(rc, detail);
	if (rc == FP_OK && m.present) {
		fz_json_check(m.styles);
		FZ_ASSERT(m.heartbeat_secs >= -1 &&
		    m.heartbeat_secs <= 32767);
	}
	arena_reset(a);
	free(copy);
	return 0;
}

#endif /* FUZZ_OSCP_H */
