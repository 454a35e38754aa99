/* schedule.c - business hours over real time zones (see schedule.h).
 *
 * The time zone library: ICU's ucal_* (Debian's libicu-dev).  The choices
 * were (a) glibc's localtime_r/mktime with TZ set per call - TZ is process
 * state, so setenv+tzset from worker threads races with every other
 * thread's time calls; (b) reading the TZif files of Debian's tzdata by hand
 * - a second tz implementation to keep right (POSIX footer rules, leap
 * years beyond the table); (c) ICU, a well-kept library whose UCalendar is a
 * per-object zone: no global state, thread-safe as long as one thread uses
 * one calendar.  ICU carries its own copy of the tz database (updated with
 * the libicu package) rather than /usr/share/zoneinfo; for the zones a help
 * desk schedules in the rules are the same.  We take (c).
 *
 * Model.  At open, the weekly intervals are normalized: a part past the
 * week's end wraps to its start, then they are sorted and overlapping or
 * touching ones merged.  A query walks local calendar days: for local day d
 * (days since 1970-01-01 in the zone) the business windows are the
 * normalized intervals cut to that weekday's [dow*1440, dow*1440+1440),
 * none on a holiday, each end turned into a UTC instant by ICU.  Wall times
 * the zone skips (02:30 on a spring-forward night) move to the first valid
 * instant after the gap (03:00); repeated wall times (01:30 on a fall-back
 * night) take the first occurrence.  So a window is always real elapsed
 * time, and a 00:00-24:00 day lasts 23 or 25 hours when the clocks change.
 *
 * Cost: per local day visited, two ICU wall-to-UTC conversions per window
 * (about a microsecond each); schedule_add walks at most 5 years of days
 * before giving up, schedule_between walks the days between its ends.
 */
#include "core/schedule.h"
#include "base/util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ucal.h>
#include <unicode/ustring.h>

#define HORIZON_DAYS (5 * 366)
/* windows per day: each interval gives at most one per day, two when it
 * wraps past the week's end */
#define MAX_WINDOWS (2 * SCHEDULE_MAX_INTERVALS + 1)

/* Howard Hinnant's days_from_civil / civil_from_days. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

int schedule_parse_date(const char *s, int64_t *day)
{
	int y, m, d, n = 0;
	if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 ||
	    s[4] != '-' || s[7] != '-' || m < 1 || m > 12 || d < 1 || y < 1900 || y > 9999)
		return -1;
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100) || y % 400 == 0;
	if (d > mdays[m - 1] || (m == 2 && d == 29 && !leap))
		return -1;
	*day = days_from_civil(y, m, d);
	return 0;
}

void schedule_format_date(int64_t day, char out[16])
{
	int64_t y;
	int m, d;
	civil_from_days(day, &y, &m, &d);
	snprintf(out, 16, "%04d-%02d-%02d", (int)y, m, d);
}

/* Open a UCalendar for tz, or NULL when ICU does not know the zone (ICU
 * itself would silently fall back to GMT). */
static UCalendar *cal_open(const char *tz)
{
	UChar id[128], canon[128];
	size_t n = tz ? strlen(tz) : 0;
	if (!n || n >= ARRAY_SIZE(id))
		return NULL;
	u_uastrncpy(id, tz, (int32_t)ARRAY_SIZE(id));
	UErrorCode st = U_ZERO_ERROR;
	UBool sys = 0;
	ucal_getCanonicalTimeZoneID(id, (int32_t)n, canon, (int32_t)ARRAY_SIZE(canon), &sys, &st);
	if (U_FAILURE(st) || !sys)
		return NULL;
	UCalendar *c = ucal_open(id, (int32_t)n, "en_US_POSIX", UCAL_GREGORIAN, &st);
	if (U_FAILURE(st)) {
		if (c)
			ucal_close(c);
		return NULL;
	}
	ucal_setAttribute(c, UCAL_REPEATED_WALL_TIME, UCAL_WALLTIME_FIRST);
	ucal_setAttribute(c, UCAL_SKIPPED_WALL_TIME, UCAL_WALLTIME_NEXT_VALID);
	ucal_setAttribute(c, UCAL_LENIENT, 1);
	return c;
}

int schedule_tz_valid(const char *tz)
{
	UCalendar *c = cal_open(tz);
	if (!c)
		return 0;
	ucal_close(c);
	return 1;
}

int schedule_intervals_valid(const struct schedule_interval *iv, int niv, char *err, size_t errlen)
{
	if (niv < 0 || niv > SCHEDULE_MAX_INTERVALS) {
		snprintf(err, errlen, "too many intervals (at most %d)", SCHEDULE_MAX_INTERVALS);
		return -1;
	}
	for (int i = 0; i < niv; i++) {
		if (iv[i].start < 0 || iv[i].start >= SCHEDULE_WEEK || iv[i].end <= iv[i].start ||
		    iv[i].end - iv[i].start > SCHEDULE_WEEK) {
			snprintf(err, errlen, "bad interval %d-%d (minutes from Sunday 00:00, start < end)",
				 iv[i].start, iv[i].end);
			return -1;
		}
	}
	return 0;
}

static int cmp_iv(const void *a, const void *b)
{
	const struct schedule_interval *x = a, *y = b;
	return x->start != y->start ? (x->start > y->start) - (x->start < y->start)
				    : (x->end > y->end) - (x->end < y->end);
}

int schedule_open(struct schedule *s, const char *tz, const struct schedule_interval *iv, int niv,
		  const struct schedule_holiday *hol, int nhol, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	if (schedule_intervals_valid(iv, niv, err, errlen))
		return -1;
	UCalendar *c = cal_open(tz);
	if (!c) {
		snprintf(err, errlen, "unknown time zone \"%s\"", tz ? tz : "");
		return -1;
	}
	s->cal = c;
	/* wrap the parts past the week's end, sort, merge */
	struct schedule_interval *v = xcalloc((size_t)niv * 2 + 1, sizeof(*v));
	int n = 0;
	for (int i = 0; i < niv; i++) {
		if (iv[i].end > SCHEDULE_WEEK) {
			v[n++] = (struct schedule_interval){iv[i].start, SCHEDULE_WEEK};
			v[n++] = (struct schedule_interval){0, iv[i].end - SCHEDULE_WEEK};
		} else {
			v[n++] = iv[i];
		}
	}
	qsort(v, (size_t)n, sizeof(*v), cmp_iv);
	int m = 0;
	for (int i = 0; i < n; i++) {
		if (m && v[i].start <= v[m - 1].end) {
			if (v[i].end > v[m - 1].end)
				v[m - 1].end = v[i].end;
		} else {
			v[m++] = v[i];
		}
	}
	s->iv = v;
	s->niv = m;
	if (nhol) {
		s->hol = xcalloc((size_t)nhol, sizeof(*hol));
		memcpy(s->hol, hol, (size_t)nhol * sizeof(*hol));
	}
	s->nhol = nhol;
	return 0;
}

void schedule_release(struct schedule *s)
{
	if (s->cal)
		ucal_close(s->cal);
	free(s->iv);
	free(s->hol);
	memset(s, 0, sizeof(*s));
}

/* The local day (days since 1970-01-01 in the zone) of instant t. */
static int64_t local_day(struct schedule *s, int64_t t)
{
	UErrorCode st = U_ZERO_ERROR;
	ucal_setMillis(s->cal, (UDate)t * 1000.0, &st);
	int y = ucal_get(s->cal, UCAL_EXTENDED_YEAR, &st);
	int m = ucal_get(s->cal, UCAL_MONTH, &st);
	int d = ucal_get(s->cal, UCAL_DATE, &st);
	if (U_FAILURE(st))
		BUG("icu: %s", u_errorName(st));
	return days_from_civil(y, m + 1, d);
}

/* The UTC instant of local day `day` at `minute` (0..1440) past midnight. */
static int64_t wall_to_utc(struct schedule *s, int64_t day, int minute)
{
	if (minute >= 1440) {
		day += minute / 1440;
		minute %= 1440;
	}
	int64_t y;
	int m, d;
	civil_from_days(day, &y, &m, &d);
	UErrorCode st = U_ZERO_ERROR;
	ucal_clear(s->cal);
	ucal_setDateTime(s->cal, (int32_t)y, m - 1, d, minute / 60, minute % 60, 0, &st);
	ucal_set(s->cal, UCAL_MILLISECOND, 0);
	UDate ms = ucal_getMillis(s->cal, &st);
	if (U_FAILURE(st))
		BUG("icu: %s", u_errorName(st));
	return (int64_t)(ms / 1000.0);
}

static int holiday(const struct schedule *s, int64_t day)
{
	for (int i = 0; i < s->nhol; i++)
		if (day >= s->hol[i].start_day && day <= s->hol[i].end_day)
			return 1;
	return 0;
}

struct window {
	int64_t start, end; /* UTC, [start, end) */
};

/* The business windows of local day `day`, in order; returns how many. */
static int day_windows(struct schedule *s, int64_t day, struct window *w)
{
	if (holiday(s, day))
		return 0;
	int dow = (int)(((day % 7) + 11) % 7); /* 1970-01-01 was a Thursday; Sunday = 0 */
	int lo = dow * 1440, hi = lo + 1440, n = 0;
	for (int i = 0; i < s->niv && n < MAX_WINDOWS; i++) {
		int a = s->iv[i].start > lo ? s->iv[i].start : lo;
		int b = s->iv[i].end < hi ? s->iv[i].end : hi;
		if (a >= b)
			continue;
		w[n].start = wall_to_utc(s, day, a - lo);
		w[n].end = wall_to_utc(s, day, b - lo);
		if (w[n].end > w[n].start)
			n++;
	}
	return n;
}

int schedule_within(struct schedule *s, int64_t t)
{
	struct window w[MAX_WINDOWS];
	int n = day_windows(s, local_day(s, t), w);
	for (int i = 0; i < n; i++)
		if (t >= w[i].start && t < w[i].end)
			return 1;
	return 0;
}

int schedule_add(struct schedule *s, int64_t t, int64_t seconds, int64_t *out)
{
	if (seconds <= 0) {
		*out = t;
		return 0;
	}
	struct window w[MAX_WINDOWS];
	int64_t day = local_day(s, t), left = seconds;
	for (int k = 0; k < HORIZON_DAYS && s->niv; k++, day++) {
		int n = day_windows(s, day, w);
		for (int i = 0; i < n; i++) {
			int64_t a = w[i].start > t ? w[i].start : t;
			if (a >= w[i].end)
				continue;
			if (left <= w[i].end - a) {
				*out = a + left;
				return 0;
			}
			left -= w[i].end - a;
		}
	}
	return -1;
}

int64_t schedule_between(struct schedule *s, int64_t a, int64_t b)
{
	if (b <= a || !s->niv)
		return 0;
	struct window w[MAX_WINDOWS];
	int64_t sum = 0, last = local_day(s, b);
	for (int64_t day = local_day(s, a); day <= last; day++) {
		int n = day_windows(s, day, w);
		for (int i = 0; i < n; i++) {
			int64_t x = w[i].start > a ? w[i].start : a;
			int64_t y = w[i].end < b ? w[i].end : b;
			if (y > x)
				sum += y - x;
		}
	}
	return sum;
}
