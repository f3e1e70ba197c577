/*
 * timefmt.c -- formatting and strict parsing of the time formats oscp-fp
 * speaks (see timefmt.h): SolarNetwork JSON timestamps, OSCP outbound
 * and RFC 3339 inbound, HTTP dates (RFC 1123, RFC 850, asctime) and the
 * compact SNWS2 forms.
 *
 * Parsers read fixed-width digits by hand and check every field (month
 * 1-12, the day against the month and leap years, hour, minute and
 * second ranges; years 0000-9999 only), then convert with timegm().  Day
 * and month names come from a small English table, never from the
 * locale, so the output and the accepted input do not depend on LC_TIME.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "timefmt.h"

#define US_PER_S	INT64_C(1000000)
/* 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z: the instants every
 * formatter here can write are those in between. */
#define FIRST_S		INT64_C(-62167219200)
#define END_S		INT64_C(253402300800)

static const char *const mon_names[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};
static const char *const wday_short[7] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char *const wday_long[7] = {
	"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
	"Saturday"
};

/* Broken-down UTC time as read by the parsers. */
struct ymdhms {
	int	 year, mon, day;	/* mon 1-12 */
	int	 hour, min, sec;
	int64_t	 us;			/* fraction, 0-999999 */
};

int64_t
time_now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * US_PER_S + ts.tv_nsec / 1000;
}

static bool
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
mdays(int y, int m)
{
	static const int	 days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return m == 2 && leap(y) ? 29 : days[m - 1];
}

static bool
valid(const struct ymdhms *t)
{
	return t->year >= 0 && t->year <= 9999 &&
	    t->mon >= 1 && t->mon <= 12 &&
	    t->day >= 1 && t->day <= mdays(t->year, t->mon) &&
	    t->hour >= 0 && t->hour <= 23 &&
	    t->min >= 0 && t->min <= 59 &&
	    t->sec >= 0 && t->sec <= 59;
}

/* Seconds since the epoch of a validated time. */
static time_t
to_epoch(const struct ymdhms *t)
{
	struct tm	 tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = t->year - 1900;
	tm.tm_mon = t->mon - 1;
	tm.tm_mday = t->day;
	tm.tm_hour = t->hour;
	tm.tm_min = t->min;
	tm.tm_sec = t->sec;
	return timegm(&tm);
}

/* Split an instant into UTC fields; false outside years 0000-9999. */
static bool
split_us(int64_t us, struct tm *tm, int64_t *frac)
{
	int64_t	 secs = us / US_PER_S, f = us % US_PER_S;
	time_t	 t;

	if (f < 0) {
		f += US_PER_S;
		secs--;
	}
	t = (time_t)secs;
	if (gmtime_r(&t, tm) == NULL || tm->tm_year < -1900 ||
	    tm->tm_year > 9999 - 1900)
		return false;
	*frac = f;
	return true;
}

static bool
split_t(time_t t, struct tm *tm)
{
	return gmtime_r(&t, tm) != NULL && tm->tm_year >= -1900 &&
	    tm->tm_year <= 9999 - 1900;
}

/* Read exactly n digits at *p; advances *p only on success. */
static bool
digits(const char **p, const char *end, int n, int *out)
{
	const char	*q = *p;
	int		 v = 0;

	if (end - q < n)
		return false;
	while (n-- > 0) {
		if (*q < '0' || *q > '9')
			return false;
		v = v * 10 + (*q++ - '0');
	}
	*p = q;
	*out = v;
	return true;
}

static bool
lit(const char **p, const char *end, char c)
{
	if (*p >= end || **p != c)
		return false;
	(*p)++;
	return true;
}

/* "YYYY-MM-DD" then sep then "HH:MM:SS"; sep2 is an alternative sep. */
static bool
date_time(const char **p, const char *end, char sep, char sep2,
    struct ymdhms *t)
{
	if (!digits(p, end, 4, &t->year) || !lit(p, end, '-') ||
	    !digits(p, end, 2, &t->mon) || !lit(p, end, '-') ||
	    !digits(p, end, 2, &t->day))
		return false;
	if (*p >= end || (**p != sep && **p != sep2))
		return false;
	(*p)++;
	return digits(p, end, 2, &t->hour) && lit(p, end, ':') &&
	    digits(p, end, 2, &t->min) && lit(p, end, ':') &&
	    digits(p, end, 2, &t->sec);
}

/*
 * Optional ".f" with 1 to max digits (max 0: any number, RFC 3339's
 * 1*DIGIT), truncated to microseconds.
 */
static bool
fraction(const char **p, const char *end, int max, int64_t *us)
{
	int	 n = 0;

	*us = 0;
	if (*p >= end || **p != '.')
		return true;
	(*p)++;
	while (*p < end && **p >= '0' && **p <= '9') {
		if (n < 6)
			*us = *us * 10 + (**p - '0');
		if (n < 100)		/* no overflow; any max is below */
			n++;
		(*p)++;
	}
	if (n < 1 || (max != 0 && n > max))
		return false;
	for (; n < 6; n++)
		*us *= 10;
	return true;
}

/* 2022-09-08 22:54:31.746647Z, trailing fraction zeros removed. */
size_t
time_fmt_sn(int64_t us, char out[TIME_BUFSZ])
{
	struct tm	 tm;
	int64_t		 frac;
	char		 f[8];
	int		 n, w = 6;

	out[0] = '\0';
	if (!split_us(us, &tm, &frac))
		return 0;
	n = snprintf(out, TIME_BUFSZ, "%04d-%02d-%02d %02d:%02d:%02d",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
	if (frac != 0) {
		while (frac % 10 == 0) {
			frac /= 10;
			w--;
		}
		snprintf(f, sizeof(f), "%0*lld", w, (long long)frac);
		n += snprintf(out + n, TIME_BUFSZ - (size_t)n, ".%s", f);
	}
	out[n++] = 'Z';
	out[n] = '\0';
	return (size_t)n;
}

int
time_parse_sn(const char *s, size_t len, int64_t *us)
{
	const char	*p = s, *end = s + len;
	struct ymdhms	 t;

	if (!date_time(&p, end, ' ', ' ', &t) || !fraction(&p, end, 9, &t.us) ||
	    !lit(&p, end, 'Z') || p != end || !valid(&t))
		return -1;
	*us = (int64_t)to_epoch(&t) * US_PER_S + t.us;
	return 0;
}

/* 2022-09-08T22:54:31.746Z: always three fraction digits (truncated). */
size_t
time_fmt_oscp(int64_t us, char out[TIME_BUFSZ])
{
	struct tm	 tm;
	int64_t		 frac;
	int		 n;

	out[0] = '\0';
	if (!split_us(us, &tm, &frac))
		return 0;
	n = snprintf(out, TIME_BUFSZ, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(frac / 1000));
	return (size_t)n;
}

/*
 * RFC 3339 date-time: 'T' or 't' between date and time, optional
 * fraction of any length (1*DIGIT; what is past microseconds is cut),
 * then 'Z', 'z' or +hh:mm / -hh:mm.  The instant is UTC.  -2 when the
 * text is well formed but the offset takes the instant out of years
 * 0000-9999 (UTC), which no formatter here could write again.
 */
int
time_parse_rfc3339(const char *s, size_t len, int64_t *us)
{
	const char	*p = s, *end = s + len;
	struct ymdhms	 t;
	int		 sign, oh, om, off = 0;
	int64_t		 secs;

	if (!date_time(&p, end, 'T', 't', &t) ||
	    !fraction(&p, end, 0, &t.us) ||
	    p >= end || !valid(&t))
		return -1;
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (!digits(&p, end, 2, &oh) || !lit(&p, end, ':') ||
		    !digits(&p, end, 2, &om) || oh > 23 || om > 59)
			return -1;
		off = sign * (oh * 3600 + om * 60);
	} else
		return -1;
	if (p != end)
		return -1;
	/* An offset can move the instant out of years 0000-9999. */
	secs = (int64_t)to_epoch(&t) - off;
	if (secs < FIRST_S || secs >= END_S)
		return -2;
	*us = secs * US_PER_S + t.us;
	return 0;
}

/* Fri, 07 Mar 2025 09:05:03 GMT */
size_t
time_fmt_http(time_t t, char out[TIME_BUFSZ])
{
	struct tm	 tm;

	out[0] = '\0';
	if (!split_t(t, &tm))
		return 0;
	return (size_t)snprintf(out, TIME_BUFSZ,
	    "%s, %02d %s %04d %02d:%02d:%02d GMT", wday_short[tm.tm_wday],
	    tm.tm_mday, mon_names[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
}

/* Match one of the names at *p (case-sensitive); returns index or -1. */
static int
name(const char **p, const char *end, const char *const *names, int n)
{
	size_t	 l;
	int	 i;

	for (i = 0; i < n; i++) {
		l = strlen(names[i]);
		if ((size_t)(end - *p) >= l && memcmp(*p, names[i], l) == 0) {
			*p += l;
			return i;
		}
	}
	return -1;
}

/* One or two digits (RFC 1123 dates are two, lenient readers take one). */
static bool
digits12(const char **p, const char *end, int *out)
{
	if (digits(p, end, 2, out))
		return true;
	return digits(p, end, 1, out);
}

static bool
hms(const char **p, const char *end, struct ymdhms *t)
{
	return digits(p, end, 2, &t->hour) && lit(p, end, ':') &&
	    digits(p, end, 2, &t->min) && lit(p, end, ':') &&
	    digits(p, end, 2, &t->sec);
}

static bool
gmt(const char **p, const char *end)
{
	return lit(p, end, ' ') && lit(p, end, 'G') && lit(p, end, 'M') &&
	    lit(p, end, 'T');
}

/*
 * HTTP-date (RFC 9110 §5.6.7): IMF-fixdate / RFC 1123
 * "Sun, 06 Nov 1994 08:49:37 GMT", obsolete RFC 850
 * "Sunday, 06-Nov-94 08:49:37 GMT" (two-digit years 70-99 are 19xx, the
 * rest 20xx) and asctime "Sun Nov  6 08:49:37 1994".  Names are English
 * and case-sensitive.  The day name must be a valid name but is not
 * checked against the date, as Java's servlet parser does not check it.
 */
int
time_parse_http(const char *s, time_t *out)
{
	const char	*p = s, *end = s + strlen(s);
	struct ymdhms	 t;
	const char	*q;
	int		 yy;

	memset(&t, 0, sizeof(t));
	q = p;
	if (name(&q, end, wday_short, 7) >= 0 && lit(&q, end, ',')) {
		/* RFC 1123 */
		p = q;
		if (!lit(&p, end, ' ') || !digits12(&p, end, &t.day) ||
		    !lit(&p, end, ' ') ||
		    (t.mon = name(&p, end, mon_names, 12) + 1) == 0 ||
		    !lit(&p, end, ' ') || !digits(&p, end, 4, &t.year) ||
		    !lit(&p, end, ' ') || !hms(&p, end, &t) || !gmt(&p, end))
			return -1;
	} else if (name(&p, end, wday_long, 7) >= 0) {
		/* RFC 850 */
		if (!lit(&p, end, ',') || !lit(&p, end, ' ') ||
		    !digits(&p, end, 2, &t.day) || !lit(&p, end, '-') ||
		    (t.mon = name(&p, end, mon_names, 12) + 1) == 0 ||
		    !lit(&p, end, '-') || !digits(&p, end, 2, &yy) ||
		    !lit(&p, end, ' ') || !hms(&p, end, &t) || !gmt(&p, end))
			return -1;
		t.year = yy < 70 ? 2000 + yy : 1900 + yy;
	} else if (name(&p, end, wday_short, 7) >= 0) {
		/* asctime: day is " 6" or "16" */
		if (!lit(&p, end, ' ') ||
		    (t.mon = name(&p, end, mon_names, 12) + 1) == 0 ||
		    !lit(&p, end, ' '))
			return -1;
		if (p < end && *p == ' ') {
			p++;
			if (!digits(&p, end, 1, &t.day))
				return -1;
		} else if (!digits(&p, end, 2, &t.day))
			return -1;
		if (!lit(&p, end, ' ') || !hms(&p, end, &t) ||
		    !lit(&p, end, ' ') || !digits(&p, end, 4, &t.year))
			return -1;
	} else
		return -1;
	if (p != end || !valid(&t))
		return -1;
	*out = to_epoch(&t);
	return 0;
}

/* 20250307T090503Z (SNWS2 string to sign) */
size_t
time_fmt_compact(time_t t, char out[TIME_BUFSZ])
{
	struct tm	 tm;

	out[0] = '\0';
	if (!split_t(t, &tm))
		return 0;
	return (size_t)snprintf(out, TIME_BUFSZ, "%04d%02d%02dT%02d%02d%02dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
}

/* 20250307 (SNWS2 signing key day) */
size_t
time_fmt_day(time_t t, char out[TIME_BUFSZ])
{
	struct tm	 tm;

	out[0] = '\0';
	if (!split_t(t, &tm))
		return 0;
	return (size_t)snprintf(out, TIME_BUFSZ, "%04d%02d%02d",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}
