/* log.c - one formatted line per call, written with a single write(2) so lines
 * from different threads never interleave. */
#include "base/log.h"
#include "base/util.h"
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

static int min_level = 1;
static const char *names[] = {"debug", "info", "warn", "error"};

void log_set_level(int level)
{
	min_level = level;
}

void log_msg(int level, const char *area, const char *fmt, ...)
{
	if (level < min_level)
		return;
	/* the formatted second, cached per thread: one log line per request
	 * should not cost a gmtime + strftime each */
	static __thread int64_t ts_sec = -1;
	static __thread char ts[32];
	char line[2048];
	int64_t now = now_seconds();
	if (now != ts_sec) {
		iso8601(now, ts);
		ts_sec = now;
	}
	int n = snprintf(line, sizeof(line), "%s %s %s ", ts, names[level & 3], area);
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	n += m;
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	ssize_t w = write(2, line, n);
	(void)w;
}
