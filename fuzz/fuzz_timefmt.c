/*
 * fuzz_timefmt.c -- the timestamp parsers (timefmt.c): SolarNetwork JSON
 * dates, RFC 3339 (OSCP inbound) and HTTP dates (RFC 1123, RFC 850,
 * asctime; X-SN-Date and Date).  Whatever a parser accepts must format
 * and read back to the same instant (the OSCP form to the millisecond);
 * the formatters are also run on the first 8 input bytes as a raw
 * instant.
 */
#include "timefmt.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*s = fz_cstr(data, size), buf[TIME_BUFSZ];
	int64_t		 us, back;
	time_t		 t, tb;
	size_t		 n;

	if (time_parse_sn(s, size, &us) == 0) {
		FZ_ASSERT((n = time_fmt_sn(us, buf)) > 0 && n < TIME_BUFSZ);
		FZ_ASSERT(time_parse_sn(buf, n, &back) == 0 && back == us);
	}
	if (time_parse_rfc3339(s, size, &us) == 0) {
		FZ_ASSERT((n = time_fmt_oscp(us, buf)) > 0 && n < TIME_BUFSZ);
		FZ_ASSERT(time_parse_rfc3339(buf, n, &back) == 0);
		FZ_ASSERT(back <= us && us - back < 1000);
		FZ_ASSERT(time_fmt_sn(us, buf) > 0);
	}
	if (time_parse_http(s, &t) == 0) {
		FZ_ASSERT((n = time_fmt_http(t, buf)) > 0 && n < TIME_BUFSZ);
		FZ_ASSERT(time_parse_http(buf, &tb) == 0 && tb == t);
		FZ_ASSERT(time_fmt_compact(t, buf) > 0);
		FZ_ASSERT(time_fmt_day(t, buf) > 0);
	}
	if (size >= sizeof(int64_t)) {
		memcpy(&us, data, sizeof(us));
		if ((n = time_fmt_sn(us, buf)) > 0)
			FZ_ASSERT(time_parse_sn(buf, n, &back) == 0 &&
			    back == us);
		if ((n = time_fmt_oscp(us, buf)) > 0)
			FZ_ASSERT(time_parse_rfc3339(buf, n, &back) == 0);
		t = (time_t)us;
		if (time_fmt_http(t, buf) > 0)
			FZ_ASSERT(time_parse_http(buf, &tb) == 0 && tb == t);
		(void)time_fmt_compact(t, buf);
		(void)time_fmt_day(t, buf);
	}
	free(s);
	return 0;
}
