/* metrics.c - request counts by status class and a latency histogram, all
 * atomics, rendered as Prometheus text.  Per-route counts are kept for the
 * routes of the table. */
#include "http/metrics.h"
#include "base/util.h"
#include "http/http.h"
#include <stdatomic.h>

static const double bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
				0.5, 1, 2.5, 5};
#define NB ARRAY_SIZE(bounds)
static atomic_llong buckets[NB + 1], by_class[6], sum_ns, count;
static atomic_llong by_route[API_ROUTES_MAX];

void metrics_observe(int route, int status, int64_t ns)
{
	double s = ns / 1e9;
	size_t b = 0;
	while (b < NB && s > bounds[b])
		b++;
	atomic_fetch_add(&buckets[b], 1);
	atomic_fetch_add(&by_class[(status / 100) % 6], 1);
	atomic_fetch_add(&sum_ns, ns);
	atomic_fetch_add(&count, 1);
	if (route >= 0 && route < API_ROUTES_MAX)
		atomic_fetch_add(&by_route[route], 1);
}

void metrics_render(struct buf *b)
{
	buf_adds(b, "# HELP sonnim_http_requests_total HTTP requests by status class.\n"
		    "# TYPE sonnim_http_requests_total counter\n");
	for (int c = 1; c <= 5; c++)
		buf_addf(b, "sonnim_http_requests_total{code=\"%dxx\"} %lld\n", c,
			 (long long)atomic_load(&by_class[c]));
	buf_adds(b, "# HELP sonnim_http_route_requests_total HTTP requests by route.\n"
		    "# TYPE sonnim_http_route_requests_total counter\n");
	for (int i = 0; i < API_ROUTES_MAX && api_routes[i].pattern; i++) {
		long long n = atomic_load(&by_route[i]);
		if (n)
			buf_addf(b, "sonnim_http_route_requests_total{route=\"%s\"} %lld\n",
				 api_routes[i].pattern, n);
	}
	buf_adds(b, "# HELP sonnim_http_request_duration_seconds Request latency.\n"
		    "# TYPE sonnim_http_request_duration_seconds histogram\n");
	long long cum = 0;
	for (size_t i = 0; i < NB; i++) {
		cum += atomic_load(&buckets[i]);
		buf_addf(b, "sonnim_http_request_duration_seconds_bucket{le=\"%g\"} %lld\n",
			 bounds[i], cum);
	}
	cum += atomic_load(&buckets[NB]);
	buf_addf(b, "sonnim_http_request_duration_seconds_bucket{le=\"+Inf\"} %lld\n", cum);
	buf_addf(b, "sonnim_http_request_duration_seconds_sum %.6f\n",
		 atomic_load(&sum_ns) / 1e9);
	buf_addf(b, "sonnim_http_request_duration_seconds_count %lld\n",
		 (long long)atomic_load(&count));
}
