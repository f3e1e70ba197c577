/*
 * timefmt.h -- the three time formats oscp-fp speaks.  Instants are
 * int64_t microseconds since the epoch, always UTC.
 *
 *	SolarNetwork JSON:  2022-09-08 22:54:31.746647Z  (fraction trimmed,
 *			    no dot for whole seconds; input fraction optional)
 *	OSCP outbound:      2022-09-08T22:54:31.746Z
 *	OSCP inbound:       RFC 3339 with any offset
 *	HTTP Date:          Fri, 07 Mar 2025 09:05:03 GMT (RFC 1123; RFC 850
 *			    and asctime also read)
 */
#ifndef TIMEFMT_H
#define TIMEFMT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define TIME_BUFSZ	40

int64_t	 time_now_us(void);
size_t	 time_fmt_sn(int64_t us, char out[TIME_BUFSZ]);
int	 time_parse_sn(const char *, size_t, int64_t *us);	/* 0 or -1 */
size_t	 time_fmt_oscp(int64_t us, char out[TIME_BUFSZ]);
int	 time_parse_rfc3339(const char *, size_t, int64_t *us);
				/* 0, -1, or -2 outside years 0000-9999 UTC */
size_t	 time_fmt_http(time_t, char out[TIME_BUFSZ]);
int	 time_parse_http(const char *, time_t *);
size_t	 time_fmt_compact(time_t, char out[TIME_BUFSZ]);  /* 20250307T090503Z */
size_t	 time_fmt_day(time_t, char out[TIME_BUFSZ]);	  /* 20250307 */

#endif /* TIMEFMT_H */
