/* util.h - allocation that cannot fail, fatal errors, invariants.
 *
 * xmalloc/xcalloc/xrealloc/xstrdup abort the process on out-of-memory
 * (there is nothing sensible a request can do then).  die() is for start-up
 * only; BUG() marks a broken invariant and aborts with file:line. */
#ifndef SONNIM_UTIL_H
#define SONNIM_UTIL_H
#include <stddef.h>
#include <stdint.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* s (NULL = "") into the fixed buffer dst of n bytes, cut to fit. */
void copy_small(char *dst, size_t n, const char *s);

/* Print "fatal: <msg>" to stderr and exit(1).  Start-up only. */
void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void bug_at(const char *file, int line, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));
#define BUG(...) bug_at(__FILE__, __LINE__, __VA_ARGS__)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Seconds since the epoch (wall clock) and a monotonic clock in nanoseconds. */
int64_t now_seconds(void);
int64_t mono_ns(void);

/* Format t as "2026-11-23T07:34:35Z" into out (at least 21 bytes). */
void iso8601(int64_t t, char out[32]);
/* Parse "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SSZ" (or +hh:mm offset).
 * Returns 0 and sets *t, or -1 when s is not such a time. */
int parse_iso8601(const char *s, int64_t *t);

/* Parse a decimal int64 from the whole string; -1 if not exactly that. */
int parse_i64(const char *s, int64_t *out);
#endif
