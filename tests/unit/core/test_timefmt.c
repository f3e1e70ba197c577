/*
 * test_timefmt.c -- src/timefmt.c: table-driven formatting and parsing of
 * the SolarNetwork, OSCP/RFC 3339, HTTP and compact SNWS2 formats, both
 * ways, including leap days, trimmed fractions and invalid input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <CUnit/CUnit.h>

#include "timefmt.h"
#include "unit.h"

#define S	INT64_C(1000000)

/* 2025-03-07T09:05:03Z */
#define T0	INT64_C(1741338303)
/* 2024-02-29T23:59:59Z */
#define TLEAP	INT64_C(1709251199)

static void
test_fmt_sn(void)
{
	static const struct {
		int64_t		 us;
		const char	*out;
	} t[] = {
		{ T0 * S,		"2025-03-07 09:05:03Z" },
		{ T0 * S + 120000,	"2025-03-07 09:05:03.12Z" },
		{ T0 * S + 100000,	"2025-03-07 09:05:03.1Z" },
		{ T0 * S + 1,		"2025-03-07 09:05:03.000001Z" },
		{ T0 * S + 746647,	"2025-03-07 09:05:03.746647Z" },
		{ T0 * S + 999999,	"2025-03-07 09:05:03.999999Z" },
		{ T0 * S + 10,		"2025-03-07 09:05:03.00001Z" },
		{ TLEAP * S,		"2024-02-29 23:59:59Z" },
		{ TLEAP * S + S,	"2024-03-01 00:00:00Z" },
		{ 0,			"1970-01-01 00:00:00Z" },
		{ -1,			"1969-12-31 23:59:59.999999Z" },
		{ -S / 2,		"1969-12-31 23:59:59.5Z" },
		{ INT64_C(1662677671) * S + 746647,
		    "2022-09-08 22:54:31.746647Z" },
		{ INT64_C(253402300799) * S, "9999-12-31 23:59:59Z" },
	};
	char	 buf[TIME_BUFSZ];
	size_t	 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CU_ASSERT_EQUAL(time_fmt_sn(t[i].us, buf), strlen(t[i].out));
		CU_ASSERT_STRING_EQUAL(buf, t[i].out);
	}
	/* year 10000 cannot be written */
	CU_ASSERT_EQUAL(time_fmt_sn(INT64_C(253402300800) * S, buf), 0);
	CU_ASSERT_STRING_EQUAL(buf, "");
}

static void
test_parse_sn(void)
{
	static const struct {
		const char	*in;
		int64_t		 us;
	} ok[] = {
		{ "2025-03-07 09:05:03Z",		T0 * S },
		{ "2025-03-07 09:05:03.12Z",		T0 * S + 120000 },
		{ "2025-03-07 09:05:03.120000Z",	T0 * S + 120000 },
		{ "2025-03-07 09:05:03.1Z",		T0 * S + 100000 },
		{ "2025-03-07 09:05:03.000001Z",	T0 * S + 1 },
		{ "2025-03-07 09:05:03.746647Z",	T0 * S + 746647 },
		{ "2025-03-07 09:05:03.7466479Z",	T0 * S + 746647 },
		{ "2025-03-07 09:05:03.999999999Z",	T0 * S + 999999 },
		{ "2025-03-07 09:05:03.000Z",		T0 * S },
		{ "2024-02-29 23:59:59Z",		TLEAP * S },
		{ "2000-02-29 00:00:00Z",		INT64_C(951782400) * S },
		{ "1970-01-01 00:00:00Z",		0 },
		{ "1969-12-31 23:59:59.5Z",		-S / 2 },
		{ "9999-12-31 23:59:59Z",	INT64_C(253402300799) * S },
	};
	static const char *const bad[] = {
		"",
		"2025-03-07",
		"2025-03-07 09:05:03",			/* no Z */
		"2025-03-07T09:05:03Z",			/* T, not space */
		"2025-03-07  09:05:03Z",
		"2025-03-07 09:05:03.Z",		/* dot, no digits */
		"2025-03-07 09:05:03.1234567890Z",	/* 10 digits */
		"2025-03-07 09:05:03+00:00",
		"2025-03-07 09:05:03z",
		"2025-03-07 09:05:03Z ",
		" 2025-03-07 09:05:03Z",
		"2025-13-07 09:05:03Z",			/* month 13 */
		"2025-00-07 09:05:03Z",
		"2025-02-30 09:05:03Z",			/* Feb 30 */
		"2025-02-29 09:05:03Z",			/* not a leap year */
		"1900-02-29 00:00:00Z",			/* not a leap year */
		"2025-04-31 00:00:00Z",
		"2025-03-00 00:00:00Z",
		"2025-03-07 24:00:00Z",
		"2025-03-07 09:60:00Z",
		"2025-03-07 09:05:60Z",			/* no leap seconds */
		"-025-03-07 09:05:03Z",			/* negative year */
		"10000-03-07 09:05:03Z",		/* year > 9999 */
		"25-03-07 09:05:03Z",
		"2025-3-07 09:05:03Z",
		"2025-03-07 9:05:03Z",
		"2025-03-07 09:05:03.12a4Z",
		"2025/03/07 09:05:03Z",
	};
	int64_t	 us;
	size_t	 i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		us = -42;
		CU_ASSERT_EQUAL(time_parse_sn(ok[i].in, strlen(ok[i].in), &us),
		    0);
		CU_ASSERT_EQUAL(us, ok[i].us);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(time_parse_sn(bad[i], strlen(bad[i]), &us), -1);
	/* read with trailing zeros, written without */
	{
		char	 buf[TIME_BUFSZ];

		CU_ASSERT_EQUAL(time_parse_sn("2025-03-07 09:05:03.120000Z", 27,
		    &us), 0);
		CU_ASSERT_EQUAL(time_fmt_sn(us, buf), 23);
		CU_ASSERT_STRING_EQUAL(buf, "2025-03-07 09:05:03.12Z");
		CU_ASSERT_EQUAL(time_parse_sn("2025-03-07 09:05:03.000000Z", 27,
		    &us), 0);
		time_fmt_sn(us, buf);
		CU_ASSERT_STRING_EQUAL(buf, "2025-03-07 09:05:03Z");
	}
	/* the length bounds the input: no NUL needed, trailing bytes ignored */
	CU_ASSERT_EQUAL(time_parse_sn("2025-03-07 09:05:03Zjunk", 20, &us), 0);
	CU_ASSERT_EQUAL(us, T0 * S);
	CU_ASSERT_EQUAL(time_parse_sn("2025-03-07 09:05:03Z", 19, &us), -1);
}

/* Formatting and parsing are inverses for the SolarNetwork format. */
static void
test_sn_roundtrip(void)
{
	char	 buf[TIME_BUFSZ];
	int64_t	 us, back;
	int	 i;

	srand(7);
	for (i = 0; i < 2000; i++) {
		us = ((int64_t)rand() << 20 ^ rand()) % (INT64_C(4102444800) *
		    S);
		if (i % 3 == 0)
			us -= us % S;	/* whole seconds too */
		CU_ASSERT_FATAL(time_fmt_sn(us, buf) > 0);
		CU_ASSERT_EQUAL(time_parse_sn(buf, strlen(buf), &back), 0);
		CU_ASSERT_EQUAL(back, us);
	}
}

static void
test_fmt_oscp(void)
{
	static const struct {
		int64_t		 us;
		const char	*out;
	} t[] = {
		{ T0 * S,		"2025-03-07T09:05:03.000Z" },
		{ T0 * S + 120000,	"2025-03-07T09:05:03.120Z" },
		{ T0 * S + 999999,	"2025-03-07T09:05:03.999Z" },
		{ T0 * S + 1500,	"2025-03-07T09:05:03.001Z" },
		{ TLEAP * S,		"2024-02-29T23:59:59.000Z" },
		{ -1,			"1969-12-31T23:59:59.999Z" },
	};
	char	 buf[TIME_BUFSZ];
	size_t	 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CU_ASSERT_EQUAL(time_fmt_oscp(t[i].us, buf), strlen(t[i].out));
		CU_ASSERT_STRING_EQUAL(buf, t[i].out);
	}
}

static void
test_parse_rfc3339(void)
{
	static const struct {
		const char	*in;
		int64_t		 us;
	} ok[] = {
		{ "2025-03-07T09:05:03Z",		T0 * S },
		{ "2025-03-07t09:05:03z",		T0 * S },
		{ "2025-03-07T09:05:03.120Z",		T0 * S + 120000 },
		{ "2025-03-07T09:05:03.5Z",		T0 * S + 500000 },
		{ "2025-03-07T09:05:03.123456789Z",	T0 * S + 123456 },
		/* RFC 3339's time-secfrac is 1*DIGIT: any length */
		{ "2025-03-07T09:05:03.1234567890Z",	T0 * S + 123456 },
		{ "2025-03-07T09:05:03.99999999999999999999999+00:00",
		    T0 * S + 999999 },
		{ "2025-03-07T10:05:03+01:00",		T0 * S },
		{ "2025-03-07T04:35:03-04:30",		T0 * S },
		{ "2025-03-07T09:05:03.25+00:00",	T0 * S + 250000 },
		{ "2025-03-07T09:05:03-00:00",		T0 * S },
		{ "2025-03-08T09:04:03+23:59",		T0 * S },
		{ "2024-03-01T01:59:59+02:00",		TLEAP * S },
	};
	static const char *const bad[] = {
		"",
		"2025-03-07T09:05:03",			/* no offset */
		"2025-03-07 09:05:03Z",			/* space */
		"2025-03-07T09:05:03+0100",
		"2025-03-07T09:05:03+01",
		"2025-03-07T09:05:03+24:00",
		"2025-03-07T09:05:03+01:60",
		"2025-03-07T09:05:03.Z",
		"2025-03-07T09:05:03.12a4Z",
		"2025-02-30T09:05:03Z",
		"2025-13-01T09:05:03Z",
		"2025-03-07T09:05:03ZZ",
		"2025-03-07T09:05Z",
		"+2025-03-07T09:05:03Z",
		"12025-03-07T09:05:03Z",
	};
	/* the offset takes the instant out of years 0000-9999, which
	 * nothing could format again (found by fuzz/fuzz_timefmt): -2 */
	static const char *const range[] = {
		"0000-01-01T00:00:00+00:01",
		"9999-12-31T23:59:59-00:01",
		"9999-12-31T23:30:00-23:59",
	};
	static const struct {
		const char	*in;
		const char	*out;
	} edge[] = {
		{ "0000-01-01T00:00:00+00:00",	"0000-01-01T00:00:00.000Z" },
		{ "0000-01-01T00:59:00+00:59",	"0000-01-01T00:00:00.000Z" },
		{ "9999-12-31T23:59:59.999Z",	"9999-12-31T23:59:59.999Z" },
		{ "9999-12-31T23:58:59-00:01",	"9999-12-31T23:59:59.000Z" },
	};
	int64_t	 us;
	size_t	 i;
	char	 buf[TIME_BUFSZ];

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		us = -42;
		CU_ASSERT_EQUAL(time_parse_rfc3339(ok[i].in, strlen(ok[i].in),
		    &us), 0);
		CU_ASSERT_EQUAL(us, ok[i].us);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(time_parse_rfc3339(bad[i], strlen(bad[i]), &us),
		    -1);
	for (i = 0; i < sizeof(range) / sizeof(range[0]); i++)
		CU_ASSERT_EQUAL(time_parse_rfc3339(range[i], strlen(range[i]),
		    &us), -2);
	/* the first and last instants still accepted format again */
	for (i = 0; i < sizeof(edge) / sizeof(edge[0]); i++) {
		CU_ASSERT_EQUAL(time_parse_rfc3339(edge[i].in,
		    strlen(edge[i].in), &us), 0);
		CU_ASSERT(time_fmt_oscp(us, buf) > 0);
		CU_ASSERT_STRING_EQUAL(buf, edge[i].out);
	}
	/* what we send, we can read back */
	time_fmt_oscp(T0 * S + 120000, buf);
	CU_ASSERT_EQUAL(time_parse_rfc3339(buf, strlen(buf), &us), 0);
	CU_ASSERT_EQUAL(us, T0 * S + 120000);
}

static void
test_http(void)
{
	static const struct {
		const char	*in;
		int64_t		 t;
	} ok[] = {
		{ "Fri, 07 Mar 2025 09:05:03 GMT",	T0 },
		{ "Fri, 7 Mar 2025 09:05:03 GMT",	T0 },
		{ "Friday, 07-Mar-25 09:05:03 GMT",	T0 },
		{ "Fri Mar  7 09:05:03 2025",		T0 },
		{ "Thu, 29 Feb 2024 23:59:59 GMT",	TLEAP },
		{ "Thursday, 29-Feb-24 23:59:59 GMT",	TLEAP },
		{ "Thu Feb 29 23:59:59 2024",		TLEAP },
		{ "Tue, 25 Apr 2017 14:30:00 GMT",	INT64_C(1493130600) },
		{ "Sunday, 06-Nov-94 08:49:37 GMT",	INT64_C(784111777) },
		{ "Sun, 06 Nov 1994 08:49:37 GMT",	INT64_C(784111777) },
		{ "Sun Nov  6 08:49:37 1994",		INT64_C(784111777) },
		{ "Thu, 01 Jan 1970 00:00:00 GMT",	0 },
	};
	static const char *const bad[] = {
		"",
		"Fri, 07 Mar 2025 09:05:03",		/* no zone */
		"Fri, 07 Mar 2025 09:05:03 UTC",
		"Fri, 07 Mar 2025 09:05:03 +0000",
		"Fri, 07 Mar 2025 09:05:03 GMT ",
		" Fri, 07 Mar 2025 09:05:03 GMT",
		"Fri,07 Mar 2025 09:05:03 GMT",
		"fri, 07 mar 2025 09:05:03 GMT",	/* case-sensitive */
		"Fre, 07 Mar 2025 09:05:03 GMT",
		"Fri, 07 Mrz 2025 09:05:03 GMT",
		"Fri, 30 Feb 2025 09:05:03 GMT",
		"Fri, 29 Feb 2025 09:05:03 GMT",
		"Fri, 07 Mar 2025 24:05:03 GMT",
		"Fri, 07 Mar 2025 09:05:60 GMT",
		"Fri, 07 Mar 25 09:05:03 GMT",
		"Fri, 007 Mar 2025 09:05:03 GMT",
		"Fri, 07 Mar 12025 09:05:03 GMT",
		"Fri, 07 Mar -025 09:05:03 GMT",
		"Fri, 07 Mar 2025 9:05:03 GMT",
		"Friday, 07-Mar-2025 09:05:03 GMT",
		"Fri Mar 7 09:05:03 2025",		/* asctime pads */
		"Fri Mar  7 09:05:03 2025 GMT",
		"2025-03-07T09:05:03Z",
		"1741338303",
	};
	time_t	 t;
	size_t	 i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		t = -42;
		CU_ASSERT_EQUAL(time_parse_http(ok[i].in, &t), 0);
		CU_ASSERT_EQUAL((int64_t)t, ok[i].t);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(time_parse_http(bad[i], &t), -1);
}

static void
test_fmt_http(void)
{
	static const struct {
		int64_t		 t;
		const char	*out;
	} tab[] = {
		{ T0,			"Fri, 07 Mar 2025 09:05:03 GMT" },
		{ TLEAP,		"Thu, 29 Feb 2024 23:59:59 GMT" },
		{ 0,			"Thu, 01 Jan 1970 00:00:00 GMT" },
		{ INT64_C(784111777),	"Sun, 06 Nov 1994 08:49:37 GMT" },
		{ INT64_C(1735614245),	"Tue, 31 Dec 2024 03:04:05 GMT" },
	};
	char	 buf[TIME_BUFSZ];
	time_t	 back;
	size_t	 i;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		CU_ASSERT_EQUAL(time_fmt_http((time_t)tab[i].t, buf),
		    strlen(tab[i].out));
		CU_ASSERT_STRING_EQUAL(buf, tab[i].out);
		CU_ASSERT_EQUAL(time_parse_http(buf, &back), 0);
		CU_ASSERT_EQUAL((int64_t)back, tab[i].t);
	}
	/* every day of a leap year and its week day round-trip */
	for (i = 0; i < 366; i++) {
		time_t	 t = (time_t)(INT64_C(1704067200) + (int64_t)i * 86400 +
		    (int64_t)i * 37);

		CU_ASSERT_FATAL(time_fmt_http(t, buf) > 0);
		CU_ASSERT_EQUAL(time_parse_http(buf, &back), 0);
		CU_ASSERT_EQUAL(back, t);
	}
}

static void
test_compact(void)
{
	char	 buf[TIME_BUFSZ];

	CU_ASSERT_EQUAL(time_fmt_compact((time_t)T0, buf), 16);
	CU_ASSERT_STRING_EQUAL(buf, "20250307T090503Z");
	CU_ASSERT_EQUAL(time_fmt_day((time_t)T0, buf), 8);
	CU_ASSERT_STRING_EQUAL(buf, "20250307");
	time_fmt_compact((time_t)TLEAP, buf);
	CU_ASSERT_STRING_EQUAL(buf, "20240229T235959Z");
	time_fmt_day((time_t)TLEAP, buf);
	CU_ASSERT_STRING_EQUAL(buf, "20240229");
	time_fmt_day((time_t)(TLEAP + 1), buf);
	CU_ASSERT_STRING_EQUAL(buf, "20240301");
	time_fmt_day((time_t)0, buf);
	CU_ASSERT_STRING_EQUAL(buf, "19700101");
}

static void
test_now(void)
{
	int64_t	 a, b;
	time_t	 t;

	t = time(NULL);
	a = time_now_us();
	b = time_now_us();
	CU_ASSERT(b >= a);
	CU_ASSERT(a / S >= (int64_t)t && a / S <= (int64_t)t + 2);
}

void
test_timefmt_register(void)
{
	CU_pSuite	 s;

	s = CU_add_suite("timefmt", NULL, NULL);
	CU_add_test(s, "format SolarNetwork", test_fmt_sn);
	CU_add_test(s, "parse SolarNetwork", test_parse_sn);
	CU_add_test(s, "SolarNetwork round trip", test_sn_roundtrip);
	CU_add_test(s, "format OSCP", test_fmt_oscp);
	CU_add_test(s, "parse RFC 3339", test_parse_rfc3339);
	CU_add_test(s, "parse HTTP dates", test_http);
	CU_add_test(s, "format HTTP dates", test_fmt_http);
	CU_add_test(s, "compact SNWS2 forms", test_compact);
	CU_add_test(s, "now", test_now);
}
