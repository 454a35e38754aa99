/* schedule.h - business hours: when the clock of a business-hours SLA runs.
 *
 * A schedule is Zendesk's shape: an IANA time zone, weekly intervals in
 * minutes from Sunday 00:00 local time (Monday 09:00-17:00 is 1980-2460),
 * and holidays (whole local days, start and end date inclusive).  An
 * interval may cross midnight (Monday 22:00 - Tuesday 02:00 = 2760-3000) and
 * may end after the week's end (Saturday 22:00 - Sunday 02:00 = 9960-10200):
 * the part past 10080 wraps to the start of the week.  On a holiday no
 * interval counts, even the part of one that began the evening before.
 *
 * Times are unix seconds (UTC); results are exact to the second.  Time
 * zones come from ICU (see schedule.c for why ICU), so DST is real: a
 * 09:00-17:00 day is 8 hours on either side of a change, a 00:00-24:00 day is
 * 23 or 25 hours on the days the clocks change.
 *
 * Life: schedule_open() copies what it is given and opens the zone;
 * schedule_release() frees it.  A struct schedule holds an ICU calendar that
 * the queries move around, so it is used by one thread at a time (open one
 * per use; opening costs a few microseconds).
 */
#ifndef SONNIM_SCHEDULE_H
#define SONNIM_SCHEDULE_H
#include <stddef.h>
#include <stdint.h>

#define SCHEDULE_WEEK 10080	     /* minutes in a week */
#define SCHEDULE_MAX_INTERVALS 100 /* most weekly intervals a schedule takes */

/* One weekly interval: [start, end) in minutes from Sunday 00:00 local,
 * 0 <= start < end <= start + SCHEDULE_WEEK, start < SCHEDULE_WEEK,
 * end <= 2 * SCHEDULE_WEEK. */
struct schedule_interval {
	int start, end;
};

/* One holiday: local days [start_day, end_day], both counted as days since
 * 1970-01-01 (schedule_parse_date). */
struct schedule_holiday {
	int64_t start_day, end_day;
};

struct schedule {
	struct schedule_interval *iv;	/* normalized: sorted, merged, no wrap */
	int niv;
	struct schedule_holiday *hol;	/* as given */
	int nhol;
	void *cal;			/* the zone's UCalendar (ICU) */
};

/* Open a schedule in zone tz (an IANA name: "Asia/Seoul").  Copies iv and
 * hol.  Returns 0, or -1 with err filled ("unknown time zone \"X\"", "bad
 * interval ...") and nothing to release. */
int schedule_open(struct schedule *s, const char *tz, const struct schedule_interval *iv, int niv,
		  const struct schedule_holiday *hol, int nhol, char *err, size_t errlen);
void schedule_release(struct schedule *s);

/* 1 when tz is a time zone schedule_open accepts (IANA names ICU knows). */
int schedule_tz_valid(const char *tz);
/* 0 when ivs are intervals schedule_open accepts (at most
 * SCHEDULE_MAX_INTERVALS), else -1 with err. */
int schedule_intervals_valid(const struct schedule_interval *iv, int niv, char *err, size_t errlen);

/* 1 when instant t is within business hours, else 0. */
int schedule_within(struct schedule *s, int64_t t);

/* The instant when `seconds` business seconds have passed since t (the
 * target time of a business-hours SLA target).  0 seconds gives t itself;
 * otherwise the result lies inside or at the end of a business interval
 * (09:00 + 8 hours of a 09:00-17:00 day is 17:00 that day, not 09:00 the
 * next).  Returns 0 with *out, or -1 when the schedule has no business time
 * within the next 5 years (no intervals, or all holidays). */
int schedule_add(struct schedule *s, int64_t t, int64_t seconds, int64_t *out);

/* Business seconds in [a, b); 0 when b <= a. */
int64_t schedule_between(struct schedule *s, int64_t a, int64_t b);

/* "YYYY-MM-DD" -> days since 1970-01-01 (proleptic Gregorian); 0 or -1. */
int schedule_parse_date(const char *s, int64_t *day);
/* days since 1970-01-01 -> "YYYY-MM-DD" into out. */
void schedule_format_date(int64_t day, char out[16]);
#endif
