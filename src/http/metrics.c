/* metrics: lock-free counters rendered as Prometheus text. */
#include "http/metrics.h"

#include "http/routes.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

/* The statuses the API answers with, each its own counter; anything else counts under "other" */
static const int statuses[] = {200, 201, 204, 304, 400, 401, 403, 404, 405,
                               409, 413, 415, 422, 429, 500, 503, 0 /* other */};
enum { NSTATUS = sizeof statuses / sizeof statuses[0] };
/* Latency buckets in seconds, from 0.5 ms to 2.5 s; slower lands in +Inf */
static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                 0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
enum { NBUCKET = sizeof buckets / sizeof buckets[0] };

/* One slot per route, and a last one for static files; sized from the route table. */
struct slot {
	_Atomic uint64_t counts[NSTATUS];
	_Atomic uint64_t hist[NBUCKET + 1];
	_Atomic uint64_t sum_us;
};
static struct slot *slots;
static size_t nslots;
static pthread_once_t slots_once = PTHREAD_ONCE_INIT;
static _Atomic long inflight;

/*
 * Sized once from the route table, which is fixed after start-up; the extra
 * last slot takes static files and requests that matched no route
 */
static void slots_init(void)
{
	route_table(&nslots);
	nslots++;
	slots = calloc(nslots, sizeof *slots);
	if (!slots)
		abort(); /* at start-up: a few kilobytes */
}

/*
 * Relaxed atomics: each counter only needs to be exact on its own, and workers
 * never wait on each other to count
 */
void metrics_observe(size_t route, int status, double seconds)
{
	pthread_once(&slots_once, slots_init);
	struct slot *r = &slots[route < nslots ? route : nslots - 1];
	size_t s = 0;
	while (statuses[s] && statuses[s] != status)
		s++;
	atomic_fetch_add_explicit(&r->counts[s], 1, memory_order_relaxed);
	size_t b = 0;
	while (b < NBUCKET && seconds > buckets[b])
		b++;
	atomic_fetch_add_explicit(&r->hist[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&r->sum_us, (uint64_t)(seconds * 1e6), memory_order_relaxed);
}

/* Also read by the shutdown drain (server_run), not only by the gauge */
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
	size_t nroutes;
	const struct route *routes = route_table(&nroutes);
	if (r < nroutes)
		buf_printf(out, "method=\"%s\",route=\"%s\"", routes[r].method, routes[r].path);
	else
		buf_puts(out, "method=\"GET\",route=\"static\"");
}

/*
 * Prometheus text format. Routes and statuses that never occurred are skipped
 * so the output grows with use, not with the table.
 */
void metrics_render(struct buf *out)
{
	pthread_once(&slots_once, slots_init);
	buf_puts(out, "# HELP techbridge_http_requests_total HTTP requests by route and status.\n"
	              "# TYPE techbridge_http_requests_total counter\n");
	for (size_t r = 0; r < nslots; r++) {
		for (size_t s = 0; s < NSTATUS; s++) {
			uint64_t n =
			        atomic_load_explicit(&slots[r].counts[s], memory_order_relaxed);
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
	for (size_t r = 0; r < nslots; r++) {
		uint64_t total = 0;
		for (size_t b = 0; b <= NBUCKET; b++)
			total += atomic_load_explicit(&slots[r].hist[b], memory_order_relaxed);
		if (!total)
			continue;
		uint64_t cum = 0;
		for (size_t b = 0; b <= NBUCKET; b++) {
			/*
			 * buckets are stored per range and rendered cumulative, as Prometheus
			 * expects
			 */
			cum += atomic_load_explicit(&slots[r].hist[b], memory_order_relaxed);
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
		buf_printf(out, "} %.6f\n", (double)atomic_load(&slots[r].sum_us) / 1e6);
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
