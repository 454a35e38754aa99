/* schedule.c - how long business-hours arithmetic takes (core/schedule.c
 * over ICU), for the README's figures.  Not part of make bench; build and
 * run it with the command in the README ("Business hours and SLAs").
 * Each figure is the mean over N calls on one New York schedule (weekdays
 * 09:00-17:00, a two-day holiday), starting Friday 2026-03-06 16:00 EST.
 */
#include "base/util.h"
#include "core/schedule.h"
#include <stdio.h>

#define N 20000

static double per_call_us(int64_t t0, int64_t t1)
{
	return (double)(t1 - t0) / N / 1000.0;
}

int main(void)
{
	struct schedule_interval iv[5];
	for (int d = 1; d <= 5; d++)
		iv[d - 1] = (struct schedule_interval){d * 1440 + 540, d * 1440 + 1020};
	struct schedule_holiday h = {20720, 20721}; /* 2026-09-24..25 */
	struct schedule s;
	char err[128];
	if (schedule_open(&s, "America/New_York", iv, 5, &h, 1, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	int64_t start = 1772830800, out = 0, sum = 0;
	int64_t a = mono_ns();
	for (int i = 0; i < N; i++) {
		schedule_add(&s, start + i, 8 * 3600, &out);
		sum += out;
	}
	int64_t b = mono_ns();
	for (int i = 0; i < N; i++)
		sum += schedule_between(&s, start + i, start + i + 30 * 86400);
	int64_t c = mono_ns();
	for (int i = 0; i < N; i++)
		sum += schedule_within(&s, start + i * 60);
	int64_t d = mono_ns();
	for (int i = 0; i < N; i++) {
		struct schedule x;
		if (!schedule_open(&x, "Asia/Seoul", iv, 5, NULL, 0, err, sizeof(err)))
			schedule_release(&x);
	}
	int64_t e = mono_ns();
	schedule_release(&s);
	printf("add 8 business hours across a weekend  %6.2f us\n", per_call_us(a, b));
	printf("business time over 30 days             %6.2f us\n", per_call_us(b, c));
	printf("in business hours?                     %6.2f us\n", per_call_us(c, d));
	printf("open + release a schedule              %6.2f us\n", per_call_us(d, e));
	return sum == 42; /* keeps the loops from being optimized away */
}
