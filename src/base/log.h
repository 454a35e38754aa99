/* log.h - structured logs: one line per event, "key=value" pairs, to stderr.
 *   log_info("http", "method=%s path=%s status=%d ms=%.2f", ...)
 * Lines look like: 2026-11-23T07:34:35Z info http method=GET ...
 * log_level() sets the minimum level (0 debug, 1 info, 2 warn, 3 error). */
#ifndef SONNIM_LOG_H
#define SONNIM_LOG_H
void log_set_level(int level);
void log_msg(int level, const char *area, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define log_debug(area, ...) log_msg(0, area, __VA_ARGS__)
#define log_info(area, ...) log_msg(1, area, __VA_ARGS__)
#define log_warn(area, ...) log_msg(2, area, __VA_ARGS__)
#define log_error(area, ...) log_msg(3, area, __VA_ARGS__)
#endif
