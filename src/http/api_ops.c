/* api_ops: liveness, readiness, metrics and the OpenAPI document. */
#include "http/api.h"

#include "http/metrics.h"
#include "http/routes.h"

/*
 * Liveness: answers whenever the process can serve a request, without touching the
 * database, so an orchestrator does not restart the process for a database outage
 */
void api_healthz(struct req *rq)
{
	buf_puts(&rq->out, "{\"status\":\"ok\"}");
	http_json(rq, 200);
}

/* Readiness: the database answers; 503 tells a load balancer to send traffic elsewhere for now */
void api_readyz(struct req *rq)
{
	/* 503 with the cause: the store is unreachable, or writes failed lately */
	if (app_ready(rq->ctx))
		return http_problem(rq, ERR_UNAVAILABLE);
	buf_puts(&rq->out, "{\"status\":\"ready\"}");
	http_json(rq, 200);
}

/*
 * The HTTP counters plus the connection pool's gauges (which live in the app
 * layer), in Prometheus text format 0.0.4
 */
void api_metrics(struct req *rq)
{
	metrics_render(&rq->out);
	const char *kind;
	int open, idle;
	app_pool_stats(rq->ctx->app, &kind, &open, &idle);
	buf_printf(&rq->out,
	           "# HELP techbridge_db_connections Database connections of this process.\n"
	           "# TYPE techbridge_db_connections gauge\n"
	           "techbridge_db_connections{store=\"%s\",state=\"open\"} %d\n"
	           "techbridge_db_connections{store=\"%s\",state=\"idle\"} %d\n",
	           kind, open, kind, idle);
	rq->status = 200;
	rq->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

/* Generated on each request from the tables, so it always matches the running binary */
void api_openapi(struct req *rq)
{
	openapi_document(&rq->out);
	http_json(rq, 200);
}
