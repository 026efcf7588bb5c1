/*
 * server: the HTTP server (libmicrohttpd, a pool of worker threads with
 * epoll). It serves the route table, the web UI (embedded in the binary, or
 * from a directory) and the operations endpoints, writes one JSON access-log
 * line per request and stops cleanly on SIGTERM/SIGINT: it closes the listening
 * socket and idle connections and lets requests in flight finish, answering
 * them with Connection: close. Slow clients are cut by two deadlines (the
 * request head, the body) and each client address may hold only so many
 * connections. The caller owns the app and keeps it open while the server runs.
 */
#ifndef TB_HTTP_SERVER_H
#define TB_HTTP_SERVER_H

#include "app/app.h"

#include <stdio.h>

struct server_opts {
	const char *listen; /* "127.0.0.1:8080" */
	int workers;
	const char *web_dir;   /* NULL: the embedded UI */
	FILE *access_log;      /* NULL: none */
	int max_conn_per_addr; /* connections from one client address (0: the default) */
	int header_deadline_s; /* request head complete within (0: the default) */
	int body_deadline_s;   /* request body complete within (0: the default) */
};

/* Serve until SIGTERM or SIGINT; ERR_IO if the address cannot be bound. */
enum err server_run(struct app *app, const struct server_opts *o, struct err_detail *d);

#endif
