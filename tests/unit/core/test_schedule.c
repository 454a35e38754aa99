/* test_schedule.c - business hours, table-driven, every expected value
 * worked out by hand (the comment on each row says how).
 *
 * Calendar facts used below (2026):
 *   2026-01-01 is a Thursday.  2026-03-06 Fri, 03-07 Sat, 03-08 Sun, 03-09 Mon.
 *   America/New_York: EST (-05:00) until Sun 2026-03-08 02:00 local, when
 *   clocks jump to 03:00 EDT (-04:00); back to EST at Sun 2026-11-01 02:00
 *   EDT (01:00-01:59 happens twice).  2026-10-30 Fri, 11-02 Mon.
 *   Asia/Seoul: KST (+09:00) all year, no DST.  2026-09-23 Wed, 09-24 Thu
 *   (day 267 of the year: 266 days after a Thursday, 266 = 38*7), 09-28 Mon,
 *   10-08 Thu, 10-09 Fri (Hangul Day), 10-12 Mon, 12-21 Mon, 12-25 Fri.
 * Times in the tables are written with the local offset in force, so the
 * UTC instant is unambiguous; "+N" in a comment is business minutes.
 */
#include "testutil.h"
#include "base/util.h"
#include "core/schedule.h"
#include <stdio.h>
#include <string.h>

#define D(dow, h, m) ((dow) * 1440 + (h) * 60 + (m)) /* Sunday = 0 */

/* A: New York, Monday to Friday 09:00-17:00 */
static const struct schedule_interval ny_week[] = {
	{D(1, 9, 0), D(1, 17, 0)}, {D(2, 9, 0), D(2, 17, 0)}, {D(3, 9, 0), D(3, 17, 0)},
	{D(4, 9, 0), D(4, 17, 0)}, {D(5, 9, 0), D(5, 17, 0)},
};
/* B: Seoul, Monday to Friday 09:00-18:00, holidays Chuseok Thu 09-24 - Fri
 * 09-25 and Hangul Day Fri 10-09 (filled in open_all) */
static const struct schedule_interval seoul_week[] = {
	{D(1, 9, 0), D(1, 18, 0)}, {D(2, 9, 0), D(2, 18, 0)}, {D(3, 9, 0), D(3, 18, 0)},
	{D(4, 9, 0), D(4, 18, 0)}, {D(5, 9, 0), D(5, 18, 0)},
};
/* C: Seoul night shift: Monday to Friday 22:00 - next day 02:00, and
 * Saturday 22:00 - Sunday 02:00 written past the week's end (9960-10200);
 * holiday Fri 12-25 */
static const struct schedule_interval night[] = {
	{D(1, 22, 0), D(2, 2, 0)}, {D(2, 22, 0), D(3, 2, 0)}, {D(3, 22, 0), D(4, 2, 0)},
	{D(4, 22, 0), D(5, 2, 0)}, {D(5, 22, 0), D(6, 2, 0)}, {D(6, 22, 0), D(7, 2, 0)},
};
/* D: New York, around the clock (one interval, the whole week) */
static const struct schedule_interval always[] = {{0, SCHEDULE_WEEK}};
/* E: New York, Sundays 01:00-04:00 (straddles both DST changes) */
static const struct schedule_interval sun_early[] = {{D(0, 1, 0), D(0, 4, 0)}};

enum { A, B, C, DD, E, NSCHED };
static struct schedule sch[NSCHED];

static int64_t at(const char *iso)
{
	int64_t t;
	if (parse_iso8601(iso, &t))
		fail_msg("bad time %s", iso);
	return t;
}

static int64_t day(const char *ymd)
{
	int64_t d;
	assert_int_equal(schedule_parse_date(ymd, &d), 0);
	return d;
}

static int open_all(void **state)
{
	char err[128];
	struct schedule_holiday kr[] = {{day("2026-09-24"), day("2026-09-25")},
					{day("2026-10-09"), day("2026-10-09")}};
	struct schedule_holiday xmas[] = {{day("2026-12-25"), day("2026-12-25")}};
	assert_int_equal(schedule_open(&sch[A], "America/New_York", ny_week, 5, NULL, 0, err,
				       sizeof(err)), 0);
	assert_int_equal(schedule_open(&sch[B], "Asia/Seoul", seoul_week, 5, kr, 2, err,
				       sizeof(err)), 0);
	assert_int_equal(schedule_open(&sch[C], "Asia/Seoul", night, 6, xmas, 1, err, sizeof(err)),
			 0);
	assert_int_equal(schedule_open(&sch[DD], "America/New_York", always, 1, NULL, 0, err,
				       sizeof(err)), 0);
	assert_int_equal(schedule_open(&sch[E], "America/New_York", sun_early, 1, NULL, 0, err,
				       sizeof(err)), 0);
	return 0;
}

static int close_all(void **state)
{
	for (int i = 0; i < NSCHED; i++)
		schedule_release(&sch[i]);
	return 0;
}

struct within_case {
	int s;
	const char *t;
	int want;
	const char *why;
};
static const struct within_case within_cases[] = {
	{A, "2026-03-06T09:00:00-05:00", 1, "Friday 09:00 EST, start is inside"},
	{A, "2026-03-06T08:59:59-05:00", 0, "one second before opening"},
	{A, "2026-03-06T16:59:59-05:00", 1, "last second of the day"},
	{A, "2026-03-06T17:00:00-05:00", 0, "end is outside"},
	{A, "2026-03-07T12:00:00-05:00", 0, "Saturday"},
	{A, "2026-03-09T13:30:00Z", 1, "Monday 09:30 EDT (after the spring change)"},
	{A, "2026-03-09T21:30:00Z", 0, "Monday 17:30 EDT; a fixed -05:00 would say 16:30"},
	{A, "2026-11-02T21:30:00Z", 1, "Monday 16:30 EST; a fixed -04:00 would say 17:30"},
	{B, "2026-09-22T23:59:59Z", 0, "Wednesday 08:59:59 KST"},
	{B, "2026-09-23T00:00:00Z", 1, "Wednesday 09:00 KST"},
	{B, "2026-09-23T09:00:00Z", 0, "Wednesday 18:00 KST"},
	{B, "2026-09-24T10:00:00+09:00", 0, "Thursday, Chuseok holiday"},
	{B, "2026-09-28T10:00:00+09:00", 1, "Monday after Chuseok"},
	{C, "2026-12-21T23:00:00+09:00", 1, "Monday 23:00, night shift"},
	{C, "2026-12-22T01:59:59+09:00", 1, "Tuesday 01:59:59, the shift crossed midnight"},
	{C, "2026-12-22T02:00:00+09:00", 0, "Tuesday 02:00, shift over"},
	{C, "2026-12-22T12:00:00+09:00", 0, "Tuesday noon"},
	{C, "2026-12-24T23:00:00+09:00", 1, "Thursday 23:00, the eve is not a holiday"},
	{C, "2026-12-25T01:00:00+09:00", 0, "Friday 01:00: Thursday's shift, but on the holiday"},
	{C, "2026-12-25T23:00:00+09:00", 0, "Friday 23:00, holiday"},
	{C, "2026-12-26T01:00:00+09:00", 1, "Saturday 01:00: the holiday's shift, on a work day"},
	{C, "2026-12-26T23:00:00+09:00", 1, "Saturday 23:00"},
	{C, "2026-12-27T01:00:00+09:00", 1, "Sunday 01:00: the part past 10080 wrapped"},
	{C, "2026-12-27T02:00:00+09:00", 0, "Sunday 02:00"},
	{E, "2026-11-01T08:30:00Z", 1, "Sunday 03:30 EST (fall-back day)"},
	{E, "2026-11-01T09:30:00Z", 0, "Sunday 04:30 EST"},
	{E, "2026-11-01T05:30:00Z", 1, "Sunday 01:30 EDT, first of the two 01:30s"},
	{E, "2026-03-08T07:30:00Z", 1, "Sunday 03:30 EDT (spring-forward day)"},
	{E, "2026-03-08T08:00:00Z", 0, "Sunday 04:00 EDT"},
	{DD, "2026-03-08T07:00:00Z", 1, "always"},
};

static void test_within(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(within_cases); i++) {
		const struct within_case *c = &within_cases[i];
		int got = schedule_within(&sch[c->s], at(c->t));
		if (got != c->want)
			fail_msg("within %s: got %d, want %d (%s)", c->t, got, c->want, c->why);
	}
}

struct add_case {
	int s;
	const char *from;
	int64_t seconds;
	const char *want;
	const char *why;
};
static const struct add_case add_cases[] = {
	{A, "2026-03-06T16:00:00-05:00", 120 * 60, "2026-03-09T10:00:00-04:00",
	 "+60 Friday, weekend with the DST change, +60 Monday: 10:00 EDT"},
	{A, "2026-03-06T17:00:00-05:00", 0, "2026-03-06T17:00:00-05:00", "zero is the start"},
	{A, "2026-03-07T10:00:00-05:00", 60 * 60, "2026-03-09T10:00:00-04:00",
	 "from Saturday: the clock starts Monday 09:00 EDT"},
	{A, "2026-03-09T09:00:00-04:00", 480 * 60, "2026-03-09T17:00:00-04:00",
	 "a full day ends at 17:00, not at 09:00 the next day"},
	{A, "2026-03-09T09:00:00-04:00", 481 * 60, "2026-03-10T09:01:00-04:00",
	 "one minute more rolls over"},
	{A, "2026-03-09T16:59:30-04:00", 3600, "2026-03-10T09:59:30-04:00",
	 "30 s Monday + 3570 s Tuesday, to the second"},
	{A, "2026-10-30T16:00:00-04:00", 120 * 60, "2026-11-02T10:00:00-05:00",
	 "+60 Friday EDT, +60 Monday EST (fall change in between)"},
	{A, "2026-03-02T09:00:00-05:00", 2400 * 60, "2026-03-06T17:00:00-05:00",
	 "five 8-hour days, Monday 09:00 to Friday 17:00"},
	{A, "2026-03-02T09:00:00-05:00", 2401 * 60, "2026-03-09T09:01:00-04:00",
	 "one more minute: Monday 09:01, now EDT"},
	{A, "2026-03-04T03:00:00-05:00", 1, "2026-03-04T09:00:01-05:00",
	 "from the night before, one second"},
	{B, "2026-09-23T17:00:00+09:00", 120 * 60, "2026-09-28T10:00:00+09:00",
	 "+60 Wednesday; Chuseok Thu-Fri and the weekend skipped; +60 Monday"},
	{B, "2026-10-08T17:30:00+09:00", 60 * 60, "2026-10-12T09:30:00+09:00",
	 "+30 Thursday; Hangul Day Friday, weekend; +30 Monday"},
	{B, "2026-09-21T09:00:00+09:00", 540 * 60, "2026-09-21T18:00:00+09:00",
	 "a 9-hour Seoul day"},
	{C, "2026-12-21T23:30:00+09:00", 180 * 60, "2026-12-22T22:30:00+09:00",
	 "+30 to midnight, +120 to 02:00 Tuesday, +30 from 22:00 Tuesday"},
	{C, "2026-12-24T23:00:00+09:00", 120 * 60, "2026-12-26T01:00:00+09:00",
	 "+60 Thursday night; Friday (holiday) skipped, 00:00-02:00 Saturday +60"},
	{C, "2026-12-26T23:00:00+09:00", 240 * 60, "2026-12-28T23:00:00+09:00",
	 "+60 Sat, +120 Sun 00-02 (wrapped), Monday 22:00 +60"},
	{DD, "2026-03-08T01:30:00-05:00", 60 * 60, "2026-03-08T03:30:00-04:00",
	 "around the clock = elapsed time; 01:30 EST + 1 h = 03:30 EDT"},
	{DD, "2026-11-01T00:30:00-04:00", 120 * 60, "2026-11-01T01:30:00-05:00",
	 "elapsed: 00:30 EDT + 2 h = the second 01:30 (EST)"},
	{E, "2026-03-08T00:00:00-05:00", 150 * 60, "2026-03-15T01:30:00-04:00",
	 "spring day has 2 h (01:00 EST-04:00 EDT), +30 on the next Sunday"},
	{E, "2026-11-01T00:00:00-04:00", 210 * 60, "2026-11-01T03:30:00-05:00",
	 "fall day has 4 h (01:00 EDT - 04:00 EST); 3.5 h in: 03:30 EST"},
};

static void test_add(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(add_cases); i++) {
		const struct add_case *c = &add_cases[i];
		int64_t got = 0;
		if (schedule_add(&sch[c->s], at(c->from), c->seconds, &got))
			fail_msg("add %s: failed (%s)", c->from, c->why);
		if (got != at(c->want)) {
			char g[32];
			iso8601(got, g);
			fail_msg("add %s + %lld s: got %s, want %s (%s)", c->from,
				 (long long)c->seconds, g, c->want, c->why);
		}
	}
}

struct between_case {
	int s;
	const char *a, *b;
	int64_t want;
	const char *why;
};
static const struct between_case between_cases[] = {
	{A, "2026-03-06T16:00:00-05:00", "2026-03-09T10:00:00-04:00", 7200,
	 "1 h Friday + 1 h Monday"},
	{A, "2026-03-07T00:00:00-05:00", "2026-03-08T23:59:59-04:00", 0, "a weekend"},
	{A, "2026-03-02T00:00:00-05:00", "2026-03-09T00:00:00-04:00", 5 * 8 * 3600,
	 "a whole week: 40 h"},
	{A, "2026-03-09T12:00:00-04:00", "2026-03-09T11:00:00-04:00", 0, "b before a"},
	{A, "2026-03-09T16:59:30-04:00", "2026-03-10T09:00:30-04:00", 60, "30 s + 30 s"},
	{B, "2026-09-23T00:00:00+09:00", "2026-09-28T12:00:00+09:00", 12 * 3600,
	 "9 h Wednesday, holidays and weekend 0, 3 h Monday"},
	{B, "2026-09-21T00:00:00+09:00", "2026-10-19T00:00:00+09:00", (20 - 3) * 9 * 3600,
	 "four weeks = 20 days, 3 of them holidays, 9 h each"},
	{C, "2026-12-24T22:00:00+09:00", "2026-12-28T00:00:00+09:00", 8 * 3600,
	 "Thu 22-24, [Fri holiday], Sat 00-02, Sat 22-24, Sun 00-02: 2+2+2+2 h"},
	{DD, "2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00", 23 * 3600,
	 "the spring-forward day lasts 23 h"},
	{DD, "2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00", 25 * 3600,
	 "the fall-back day lasts 25 h"},
	{E, "2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00", 2 * 3600,
	 "01:00 EST - 04:00 EDT is 2 h (02:00-03:00 never happens)"},
	{E, "2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00", 4 * 3600,
	 "01:00 EDT - 04:00 EST is 4 h (01:00-02:00 happens twice)"},
	{E, "2026-03-01T00:00:00-05:00", "2026-03-08T00:00:00-05:00", 3 * 3600,
	 "an ordinary Sunday: 3 h"},
};

static void test_between(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(between_cases); i++) {
		const struct between_case *c = &between_cases[i];
		int64_t got = schedule_between(&sch[c->s], at(c->a), at(c->b));
		if (got != c->want)
			fail_msg("between %s and %s: got %lld, want %lld (%s)", c->a, c->b,
				 (long long)got, (long long)c->want, c->why);
	}
}

/* add and between agree: business time from t to add(t, n) is n. */
static void test_add_between_agree(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(add_cases); i++) {
		const struct add_case *c = &add_cases[i];
		int64_t t = at(c->from), end;
		assert_int_equal(schedule_add(&sch[c->s], t, c->seconds, &end), 0);
		assert_int_equal(schedule_between(&sch[c->s], t, end), c->seconds);
	}
}

static void test_errors(void **state)
{
	struct schedule s;
	char err[128];
	struct schedule_interval bad[] = {{600, 500}};
	struct schedule_interval late[] = {{SCHEDULE_WEEK, SCHEDULE_WEEK + 60}};
	assert_int_equal(schedule_open(&s, "Asia/Seol", ny_week, 5, NULL, 0, err, sizeof(err)), -1);
	assert_string_equal(err, "unknown time zone \"Asia/Seol\"");
	assert_int_equal(schedule_open(&s, "", ny_week, 5, NULL, 0, err, sizeof(err)), -1);
	assert_int_equal(schedule_open(&s, "GMT+05:00", ny_week, 5, NULL, 0, err, sizeof(err)), -1);
	assert_int_equal(schedule_open(&s, "Asia/Seoul", bad, 1, NULL, 0, err, sizeof(err)), -1);
	assert_int_equal(schedule_open(&s, "Asia/Seoul", late, 1, NULL, 0, err, sizeof(err)), -1);
	struct schedule_interval many[SCHEDULE_MAX_INTERVALS + 1];
	for (int i = 0; i <= SCHEDULE_MAX_INTERVALS; i++)
		many[i] = (struct schedule_interval){i * 60, i * 60 + 30};
	assert_int_equal(schedule_open(&s, "UTC", many, SCHEDULE_MAX_INTERVALS + 1, NULL, 0, err,
				       sizeof(err)), -1);
	/* the most intervals there may be, 24 of them on Sunday: all count */
	assert_int_equal(schedule_open(&s, "UTC", many, SCHEDULE_MAX_INTERVALS, NULL, 0, err,
				       sizeof(err)), 0);
	assert_int_equal(schedule_between(&s, at("2026-03-01T00:00:00Z"), at("2026-03-08T00:00:00Z")),
			 SCHEDULE_MAX_INTERVALS * 30 * 60);
	schedule_release(&s);
	assert_true(schedule_tz_valid("UTC"));
	assert_true(schedule_tz_valid("Europe/London"));
	assert_false(schedule_tz_valid("Mars/Olympus"));
	/* no intervals: nothing to add to, nothing between */
	assert_int_equal(schedule_open(&s, "UTC", NULL, 0, NULL, 0, err, sizeof(err)), 0);
	int64_t out;
	assert_int_equal(schedule_add(&s, at("2026-01-01T00:00:00Z"), 60, &out), -1);
	assert_int_equal(schedule_between(&s, 0, 86400 * 30), 0);
	assert_false(schedule_within(&s, 0));
	schedule_release(&s);
	/* overlapping intervals count once */
	struct schedule_interval dup[] = {{D(1, 9, 0), D(1, 12, 0)}, {D(1, 11, 0), D(1, 13, 0)},
					  {D(1, 13, 0), D(1, 14, 0)}};
	assert_int_equal(schedule_open(&s, "UTC", dup, 3, NULL, 0, err, sizeof(err)), 0);
	assert_int_equal(s.niv, 1);
	assert_int_equal(schedule_between(&s, at("2026-03-02T00:00:00Z"), at("2026-03-03T00:00:00Z")),
			 5 * 3600);
	/* a whole year of holidays: add gives up only beyond it */
	schedule_release(&s);
	struct schedule_holiday year[] = {{day("2026-01-01"), day("2026-12-31")}};
	assert_int_equal(schedule_open(&s, "UTC", ny_week, 5, year, 1, err, sizeof(err)), 0);
	assert_int_equal(schedule_add(&s, at("2026-01-01T00:00:00Z"), 60, &out), 0);
	assert_int_equal(out, at("2027-01-01T09:01:00Z")); /* 2027-01-01 is a Friday */
	schedule_release(&s);
}

static void test_dates(void **state)
{
	int64_t d;
	char out[16];
	assert_int_equal(schedule_parse_date("1970-01-01", &d), 0);
	assert_int_equal(d, 0);
	assert_int_equal(schedule_parse_date("2024-02-29", &d), 0);
	schedule_format_date(d, out);
	assert_string_equal(out, "2024-02-29");
	assert_int_equal(schedule_parse_date("2026-02-29", &d), -1);
	assert_int_equal(schedule_parse_date("2026-13-01", &d), -1);
	assert_int_equal(schedule_parse_date("2026-1-01", &d), -1);
	assert_int_equal(schedule_parse_date("2026-01-01x", &d), -1);
	assert_int_equal(schedule_parse_date(NULL, &d), -1);
	assert_int_equal(schedule_parse_date("2026-12-25", &d), 0);
	schedule_format_date(d, out);
	assert_string_equal(out, "2026-12-25");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_within),		cmocka_unit_test(test_add),
		cmocka_unit_test(test_between),		cmocka_unit_test(test_add_between_agree),
		cmocka_unit_test(test_errors),		cmocka_unit_test(test_dates),
	};
	return cmocka_run_group_tests(tests, open_all, close_all);
}
