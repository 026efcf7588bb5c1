/* metrics: lock-free counters rendered as Prometheus text. */
#include "http/metrics.h"

#include "http/routes.h"

#include <stdatomic.h>
#include <stdint.h>

static const int statuses[] = {200, 201, 204, 304, 400, 401, 403, 404, 405,
                               409, 413, 415, 422, 429, 500, 503, 0 /* other */};
enum { NSTATUS = sizeof statuses / sizeof statuses[0] };
static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                 0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
enum { NBUCKET = sizeof buckets / sizeof buckets[0] };

static _Atomic uint64_t counts[ROUTES_MAX + 1][NSTATUS];
static _Atomic uint64_t hist[ROUTES_MAX + 1][NBUCKET + 1];
static _Atomic uint64_t sum_us[ROUTES_MAX + 1];
static _Atomic long inflight;

static size_t route_slot(size_t route)
{
	return route < nroutes && route < ROUTES_MAX ? route : ROUTES_MAX;
}

void metrics_observe(size_t route, int status, double seconds)
{
	size_t r = route_slot(route);
	size_t s = 0;
	while (statuses[s] && statuses[s] != status)
		s++;
	atomic_fetch_add_explicit(&counts[r][s], 1, memory_order_relaxed);
	size_t b = 0;
	while (b < NBUCKET && seconds > buckets[b])
		b++;
	atomic_fetch_add_explicit(&hist[r][b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&sum_us[r], (uint64_t)(seconds * 1e6), memory_order_relaxed);
}

void metrics_inflight_add(int delta)
{
	atomic_fetch_add(&inflight, delta);
}

long metrics_inflight(void)
{
	return atomic_load(&inflight);
}

static void route_labels(struct buf *out, size_t r)
{
	if (r < nroutes)
		buf_printf(out, "method=\"%s\",route=\"%s\"", routes[r].method, routes[r].path);
	else
		buf_puts(out, "method=\"GET\",route=\"static\"");
}

void metrics_render(struct buf *out)
{
	buf_puts(out, "# HELP techbridge_http_requests_total HTTP requests by route and status.\n"
	              "# TYPE techbridge_http_requests_total counter\n");
	for (size_t r = 0; r <= ROUTES_MAX; r++) {
		for (size_t s = 0; s < NSTATUS; s++) {
			uint64_t n = atomic_load_explicit(&counts[r][s], memory_order_relaxed);
			if (!n)
				continue;
			buf_puts(out, "techbridge_http_requests_total{");
			route_labels(out, r);
			if (statuses[s])
				buf_printf(out, ",status=\"%d\"} %llu\n", statuses[s],
				           (unsigned long long)n);
			else
				buf_printf(out, ",status=\"other\"} %llu\n", (unsigned long long)n);
		}
	}
	buf_puts(out, "# HELP techbridge_http_request_duration_seconds Request latency by route.\n"
	              "# TYPE techbridge_http_request_duration_seconds histogram\n");
	for (size_t r = 0; r <= ROUTES_MAX; r++) {
		uint64_t total = 0;
		for (size_t b = 0; b <= NBUCKET; b++)
			total += atomic_load_explicit(&hist[r][b], memory_order_relaxed);
		if (!total)
			continue;
		uint64_t cum = 0;
		for (size_t b = 0; b <= NBUCKET; b++) {
			cum += atomic_load_explicit(&hist[r][b], memory_order_relaxed);
			buf_puts(out, "techbridge_http_request_duration_seconds_bucket{");
			route_labels(out, r);
			if (b < NBUCKET)
				buf_printf(out, ",le=\"%g\"} %llu\n", buckets[b],
				           (unsigned long long)cum);
			else
				buf_printf(out, ",le=\"+Inf\"} %llu\n", (unsigned long long)cum);
		}
		buf_puts(out, "techbridge_http_request_duration_seconds_sum{");
		route_labels(out, r);
		buf_printf(out, "} %.6f\n", (double)atomic_load(&sum_us[r]) / 1e6);
		buf_puts(out, "techbridge_http_request_duration_seconds_count{");
		route_labels(out, r);
		buf_printf(out, "} %llu\n", (unsigned long long)total);
	}
	buf_printf(out,
	           "# HELP techbridge_http_requests_in_flight Requests being served.\n"
	           "# TYPE techbridge_http_requests_in_flight gauge\n"
	           "techbridge_http_requests_in_flight %ld\n",
	           metrics_inflight());
}
