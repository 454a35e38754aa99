/* limit.h - in-memory rate limits for the messenger's public API.
 *
 * Fixed one-minute windows counted per key ("ip:1.2.3.4", "conv:17",
 * ...) in a table of LIMIT_SLOTS counters guarded by one mutex.  The
 * counts live in this process only: with several `serve --role web`
 * processes behind a balancer each enforces its own limit (so a visitor
 * may get up to N times the limit); that is the stated trade for not
 * writing a row per keystroke.  Two keys that hash to the same slot share
 * a counter (they are limited together, never freed early).
 */
#ifndef SONNIM_WIDGET_LIMIT_H
#define SONNIM_WIDGET_LIMIT_H
#include <stdint.h>

#define LIMIT_SLOTS 16384

/* Count one hit for key at time now (unix seconds); 1 when it is within
 * per_minute hits this minute, 0 when over (the hit is still counted). */
int limit_hit(const char *key, int per_minute, int64_t now);
/* Forget every count (tests). */
void limit_reset(void);
#endif
