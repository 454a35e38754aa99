/* metrics.h - counters for the Prometheus-format /metrics page.
 * metrics_observe() is called once per finished request (lock-free). */
#ifndef SONNIM_METRICS_H
#define SONNIM_METRICS_H
#include "base/buf.h"
#include <stdint.h>
void metrics_observe(int route, int status, int64_t ns);
/* Append the request metrics in the text exposition format to b. */
void metrics_render(struct buf *b);
#endif
