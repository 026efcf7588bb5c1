/*
 * metrics: request counters and latency histograms per route and status,
 * kept with atomic adds (no lock on the request path), rendered in the
 * Prometheus text format. Process-wide state, owned by this module.
 */
#ifndef TB_HTTP_METRICS_H
#define TB_HTTP_METRICS_H

#include "lib/buf.h"

#include <stddef.h>

/* Record one request: route index (nroutes for static files and unmatched paths). */
void metrics_observe(size_t route, int status, double seconds);
void metrics_render(struct buf *out);
/* Requests in flight, for graceful shutdown and the gauge. */
void metrics_inflight_add(int delta);
long metrics_inflight(void);

#endif
