/*
 * server: request lifecycle. libmicrohttpd calls on_request once with no
 * data (we only allocate state: answering on the first call would close
 * keep-alive connections), then with body chunks, then once more with none,
 * when we validate, dispatch and queue the response.
 */
#include "http/server.h"

#include "http/metrics.h"
#include "http/routes.h"
#include "http/static.h"
#include "lib/jw.h"
#include "lib/limits.h"
#include "lib/num.h"
#include "lib/workq.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Where a connection is in its request cycle, for the deadlines and the drain. */
enum conn_phase {
	PHASE_IDLE,     /* waiting for a request: open, or its last response sent */
	PHASE_HEAD,     /* the request line arrived, the header fields are coming */
	PHASE_BODY,     /* the head is complete, the body is coming */
	PHASE_HANDLING, /* the request is complete: handled, its answer being sent */
};

/*
 * One per TCP connection (libmicrohttpd's socket context), in the server's
 * list from open to close. Workers move the phase; the main thread reads it
 * to cut slow clients and, on SIGTERM, idle connections. It shuts a socket
 * down (never closes it) while holding conns_mu, and libmicrohttpd reports
 * the close (conn_notify) before it closes the descriptor, so the descriptor
 * cannot have been reused meanwhile.
 */
struct conn_track {
	struct conn_track *prev, *next;
	int fd;
	_Atomic int phase;
	_Atomic int64_t since_ms; /* monotonic time the phase began */
	bool cut;                 /* shut down by the main thread */
	_Atomic bool linger;      /* answered before its body was read: see lingering */
};

/*
 * A connection answered before its body was read (an early 413) must not be
 * closed with that body unread: the kernel would answer the client's next
 * segment with a reset, and a client still sending loses the answer it had
 * not read yet. So when libmicrohttpd closes it, a duplicate of the socket is
 * kept here, its further input read and thrown away, until the client stops,
 * LINGER_MS pass or LINGER_BYTES were discarded (what Apache calls a
 * lingering close). libmicrohttpd has already shut its sending side down.
 */
enum { LINGER_MS = 2000, LINGER_BYTES = 8 << 20 };
struct lingering {
	struct lingering *next;
	int fd;
	int64_t until_ms;
	size_t discarded;
};

struct server {
	struct app *app;
	const struct server_opts *opts;
	pthread_mutex_t log_mu;
	time_t log_flushed;
	char rid_prefix[12];
	_Atomic uint64_t rid_counter;
	struct workq *hashq; /* password hashing, off the request workers */
	pthread_mutex_t conns_mu;
	struct conn_track *conns;
	struct lingering *lingering; /* under conns_mu */
	_Atomic bool draining;       /* SIGTERM: every answer says Connection: close */
	int64_t header_deadline_ms, body_deadline_ms;
};

/*
 * Per-request state, from the request line (on_uri) to completion. `early`
 * is an answer known before the body is read (too long a URI, too many
 * parameters, too large a declared body): it is sent at once and the
 * connection closed, the body never read.
 */
struct conn_state {
	struct buf body;
	bool too_large;
	bool started; /* the handler has seen the request head */
	enum err early;
	struct timespec start;
	/* a deferred request (http_defer): suspended until its work is done */
	struct MHD_Connection *conn;
	const struct route *route;
	void (*resume)(struct req *rq, void *arg);
	void *arg;
	char rid[80];
};

/* A hashing thread finished a deferred request's work: let a worker answer it. */
static void deferred_done(void *p)
{
	struct conn_state *st = p;
	MHD_resume_connection(st->conn);
}

static int64_t mono_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static struct conn_track *conn_track_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
	        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

static void conn_phase(struct MHD_Connection *conn, enum conn_phase ph)
{
	struct conn_track *t = conn_track_of(conn);
	if (t) {
		t->since_ms = mono_ms();
		t->phase = (int)ph;
	}
}

/* libmicrohttpd: a connection opened or closed. */
static void conn_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                        enum MHD_ConnectionNotificationCode code)
{
	struct server *s = cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
		        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		struct conn_track *t = xcalloc(1, sizeof *t);
		t->fd = ci ? ci->connect_fd : -1;
		t->phase = PHASE_IDLE;
		t->since_ms = mono_ms();
		pthread_mutex_lock(&s->conns_mu);
		t->next = s->conns;
		if (s->conns)
			s->conns->prev = t;
		s->conns = t;
		pthread_mutex_unlock(&s->conns_mu);
		*socket_context = t;
		return;
	}
	struct conn_track *t = *socket_context;
	if (!t)
		return;
	int dupfd = t->linger && t->fd >= 0 ? fcntl(t->fd, F_DUPFD_CLOEXEC, 0) : -1;
	if (dupfd >= 0)
		fcntl(dupfd, F_SETFL, fcntl(dupfd, F_GETFL) | O_NONBLOCK);
	pthread_mutex_lock(&s->conns_mu);
	if (dupfd >= 0) {
		struct lingering *l = xcalloc(1, sizeof *l);
		l->fd = dupfd;
		l->until_ms = mono_ms() + LINGER_MS;
		l->next = s->lingering;
		s->lingering = l;
	}
	if (t->prev)
		t->prev->next = t->next;
	else
		s->conns = t->next;
	if (t->next)
		t->next->prev = t->prev;
	pthread_mutex_unlock(&s->conns_mu);
	free(t);
	*socket_context = NULL;
}

/* Whether the client has sent bytes the server has not read yet. */
static bool conn_has_input(int fd)
{
	char c;
	return recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

/*
 * Cut the connections past a deadline: the request head must be complete
 * within header_deadline of the connection opening or of its previous answer
 * (so an idle keep-alive connection ends then too), the body within
 * body_deadline of the head. When draining, idle connections with no request
 * coming end at once. Returns how many connections are still busy with a
 * request (for the drain).
 */
/* Read and discard what lingering connections send; close the finished ones. */
static void linger_sweep(struct server *s, int64_t now, bool all)
{
	char sink[16384];
	for (struct lingering **pl = &s->lingering; *pl;) {
		struct lingering *l = *pl;
		bool done = all || now > l->until_ms;
		while (!done) {
			ssize_t n = read(l->fd, sink, sizeof sink);
			if (n > 0 && (l->discarded += (size_t)n) <= LINGER_BYTES)
				continue;
			done = n >= 0 || errno != EAGAIN; /* end of input, an error, or enough */
			break;
		}
		if (done) {
			close(l->fd);
			*pl = l->next;
			free(l);
		} else {
			pl = &l->next;
		}
	}
}

static int conns_sweep(struct server *s)
{
	int64_t now = mono_ms();
	int busy = 0;
	bool draining = s->draining;
	pthread_mutex_lock(&s->conns_mu);
	linger_sweep(s, now, false);
	for (struct conn_track *t = s->conns; t; t = t->next) {
		if (t->cut || t->fd < 0)
			continue;
		int ph = t->phase;
		int64_t age = now - t->since_ms;
		bool cut = false;
		if (ph == PHASE_IDLE || ph == PHASE_HEAD)
			cut = age > s->header_deadline_ms ||
			      (draining && ph == PHASE_IDLE && !conn_has_input(t->fd));
		else if (ph == PHASE_BODY)
			cut = age > s->body_deadline_ms;
		if (cut) {
			shutdown(t->fd, SHUT_RDWR); /* libmicrohttpd sees the end and closes it */
			t->cut = true;
		} else {
			busy++;
		}
	}
	pthread_mutex_unlock(&s->conns_mu);
	return busy;
}

static double elapsed(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* ---- responses ---- */

/*
 * The page's policy: scripts only from this origin (the UI has no inline
 * script), inline styles allowed (Vue and Element Plus set style attributes),
 * never framed. API answers are data: they may load nothing at all.
 */
static const char csp_page[] =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
        " img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self';"
        " object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
static const char csp_data[] = "default-src 'none'; frame-ancestors 'none'; base-uri 'none';"
                               " form-action 'none'";

/* Headers every answer carries, whatever produced it. */
static void security_headers(struct MHD_Response *resp, const struct req *rq)
{
	bool page = rq->content_type && !strncmp(rq->content_type, "text/html", 9);
	MHD_add_response_header(resp, "Content-Security-Policy", page ? csp_page : csp_data);
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
	/* API answers hold personal data, errors are never worth keeping */
	if (rq->route || rq->status >= 400 || !strncmp(rq->path, "/api/", 5))
		MHD_add_response_header(resp, "Cache-Control", "no-store");
}

static enum MHD_Result queue(struct MHD_Connection *conn, struct req *rq, const char *rid,
                             bool close)
{
	/* libmicrohttpd copies the body: the buffer stays with the worker for the next request */
	struct MHD_Response *resp = MHD_create_response_from_buffer(
	        rq->out.len, (void *)buf_str(&rq->out), MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	if (rq->out.len || rq->status != 204)
		MHD_add_response_header(resp, "Content-Type",
		                        rq->content_type ? rq->content_type : "application/json");
	MHD_add_response_header(resp, "X-Request-Id", rid);
	security_headers(resp, rq);
	if (close)
		MHD_add_response_header(resp, "Connection", "close");
	if (rq->location)
		MHD_add_response_header(resp, "Location", rq->location);
	if (rq->retry_after) {
		char ra[24];
		snprintf(ra, sizeof ra, "%d", rq->retry_after);
		MHD_add_response_header(resp, "Retry-After", ra);
	}
	if (rq->allow)
		MHD_add_response_header(resp, "Allow", rq->allow);
	/* RFC 6750: a 401 names the scheme the client should use */
	if (rq->status == 401)
		MHD_add_response_header(resp, "WWW-Authenticate", "Bearer");
	if (rq->ctx && rq->ctx->replayed)
		MHD_add_response_header(resp, "Idempotent-Replayed", "true");
	/* free text in the body that cleaning changed (docs/API.md, "Text") */
	unsigned long changed =
	        rq->route && rq->status < 300 ? fields_changed(rq->body, rq->route->nbody) : 0;
	if (changed) {
		char n[24];
		snprintf(n, sizeof n, "%lu", changed);
		MHD_add_response_header(resp, "X-Text-Changed", n);
	}
	enum MHD_Result r = MHD_queue_response(conn, (unsigned)rq->status, resp);
	MHD_destroy_response(resp);
	return r;
}

/* ---- access log ---- */

/*
 * One JSON object per line (docs/ARCHITECTURE.md), built outside the lock;
 * only the write and the periodic flush are serialised
 */
static void access_log(struct server *s, struct req *rq, const char *rid, const char *addr,
                       double secs, size_t bytes)
{
	FILE *f = s->opts->access_log;
	if (!f)
		return;
	struct buf line = BUF_INIT;
	struct jw w;
	char ts[INSTANT_STR];
	time_t now = time(NULL);
	instant_format((int64_t)now, ts);
	jw_init(&w, &line);
	jw_obj_open(&w);
	jw_kstr(&w, "ts", ts);
	jw_kstr(&w, "rid", rid);
	jw_kstr(&w, "method", rq->method);
	jw_kstr(&w, "path", rq->path);
	jw_kstr(&w, "route", rq->route ? rq->route->path : NULL);
	jw_ki64(&w, "status", rq->status);
	jw_key(&w, "ms");
	/* milliseconds cut to two decimals: finer digits are noise and bloat the log */
	jw_f64(&w, (double)(int64_t)(secs * 1e5) / 100.0);
	jw_ki64(&w, "bytes", (int64_t)bytes);
	jw_kstr(&w, "user", rq->ctx && rq->ctx->actor.username[0] ? rq->ctx->actor.username : NULL);
	jw_kstr(&w, "addr", addr);
	jw_obj_close(&w);
	buf_putc(&line, '\n');
	pthread_mutex_lock(&s->log_mu);
	fwrite(line.data, 1, line.len, f);
	if (now != s->log_flushed) { /* buffered, but never more than a second behind */
		fflush(f);
		s->log_flushed = now;
	}
	pthread_mutex_unlock(&s->log_mu);
	buf_free(&line);
}

/* ---- input ---- */

/*
 * The state of one pass over the query string (libmicrohttpd calls back per parameter):
 * the first error stops the pass, and the seen_ flags catch a parameter given twice
 */
struct query_scan {
	struct req *rq;
	enum err e;
	struct err_detail d;
	int n;
	bool seen_limit, seen_cursor, seen_count, seen_version;
};

/*
 * Visible ASCII only, bounded: the value is echoed into response headers, logs and
 * the idempotency store, where a control character or line break could forge content
 */
static bool valid_header_token(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7F)
			return false;
	return true;
}

/* Parameters every list takes, and the version of versioned deletes. */
static enum err common_param(struct query_scan *q, const char *key, const char *value, bool *used)
{
	struct req *rq = q->rq;
	unsigned fl = rq->route->flags;
	int64_t v;
	*used = true;
	if ((fl & ROUTE_LIST) && !strcmp(key, "limit")) {
		if (q->seen_limit || !num_parse(value, 1, LIMIT_PAGE_MAX, &v))
			return err_set(&q->d, ERR_MALFORMED, "limit",
			               "must be an integer from 1 to %d", LIMIT_PAGE_MAX);
		q->seen_limit = true;
		rq->page.limit = (int)v;
	} else if ((fl & ROUTE_LIST) && !strcmp(key, "cursor")) {
		if (q->seen_cursor || !*value)
			return err_set(&q->d, ERR_MALFORMED, "cursor",
			               "must be given once, not empty");
		q->seen_cursor = true;
		rq->page.cursor = value;
	} else if ((fl & ROUTE_LIST) && !strcmp(key, "count")) {
		if (q->seen_count || (strcmp(value, "true") && strcmp(value, "false")))
			return err_set(&q->d, ERR_MALFORMED, "count", "must be true or false");
		q->seen_count = true;
		rq->page.count = !strcmp(value, "true");
	} else if ((fl & ROUTE_VERSION_QUERY) && !strcmp(key, "version")) {
		if (q->seen_version || !num_parse(value, 1, INT64_MAX, &v))
			return err_set(&q->d, ERR_MALFORMED, "version",
			               "must be a positive integer");
		q->seen_version = true;
		rq->version = v;
	} else {
		*used = false;
	}
	return ERR_OK;
}

/*
 * Every parameter must be declared by the route: an unknown one is a 400, so a
 * client's typo in a filter name is reported instead of silently returning everything
 */
static enum MHD_Result on_query_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
	(void)kind;
	struct query_scan *q = cls;
	struct req *rq = q->rq;
	const struct route *r = rq->route;
	value = value ? value : "";
	if (++q->n > LIMIT_QUERY_PARAMS) {
		q->e = err_set(&q->d, ERR_MALFORMED, "", "more than %d query parameters",
		               LIMIT_QUERY_PARAMS);
		return MHD_NO;
	}
	if (strlen(value) > LIMIT_PARAM_BYTES) {
		q->e = err_set(&q->d, ERR_MALFORMED, key, "is longer than %d bytes",
		               LIMIT_PARAM_BYTES);
		return MHD_NO;
	}
	bool used;
	if ((q->e = common_param(q, key, value, &used)) || used)
		return q->e ? MHD_NO : MHD_YES;
	int i = fields_find(r->query, r->nquery, key);
	if (i < 0) {
		q->e = err_set(&q->d, ERR_MALFORMED, key, "is not a parameter of this endpoint");
		return MHD_NO;
	}
	if (rq->query[i].set) {
		q->e = err_set(&q->d, ERR_MALFORMED, key, "is given twice");
		return MHD_NO;
	}
	q->e = fields_set_text(&r->query[i], value, &rq->query[i], &rq->ctx->arena, &q->d);
	if (q->e)
		q->e = ERR_MALFORMED; /* a bad parameter is a 400, per the API conventions */
	return q->e ? MHD_NO : MHD_YES;
}

/*
 * Depth of a JSON value, stopping early past the limit. Bodies are flat
 * objects, so a deeper one is refused before any handler recurses over it.
 */
static int json_depth(const json_t *j, int depth)
{
	if (depth > LIMIT_JSON_DEPTH)
		return depth;
	int max = depth;
	if (json_is_object(j)) {
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)j, k, v)
		{
			int d = json_depth(v, depth + 1);
			max = d > max ? d : max;
		}
	} else if (json_is_array(j)) {
		size_t i;
		json_t *v;
		json_array_foreach(j, i, v)
		{
			int d = json_depth(v, depth + 1);
			max = d > max ? d : max;
		}
	}
	return max;
}

/*
 * A JSON body must say application/json, and if it names a charset, UTF-8
 * (the only encoding of JSON, RFC 8259): text in another charset would be
 * read as mojibake, so it is refused rather than guessed at.
 */
static enum err check_media_type(const char *ct, struct err_detail *d)
{
	if (!ct || strncasecmp(ct, "application/json", 16) ||
	    (ct[16] && ct[16] != ';' && ct[16] != ' ' && ct[16] != '\t'))
		return err_set(d, ERR_MEDIA_TYPE, "Content-Type", "must be application/json");
	for (const char *p = strchr(ct + 16, ';'); p; p = strchr(p, ';')) {
		p++;
		p += strspn(p, " \t");
		if (strncasecmp(p, "charset", 7))
			continue;
		const char *v = p + 7 + strspn(p + 7, " \t");
		if (*v != '=')
			continue;
		v++;
		v += strspn(v, " \t");
		bool quoted = *v == '"';
		v += quoted;
		size_t n = strcspn(v, quoted ? "\"" : "; \t");
		if (n != 5 || strncasecmp(v, "utf-8", 5))
			return err_set(d, ERR_MEDIA_TYPE, "Content-Type",
			               "charset must be utf-8, not %.*s", (int)(n > 40 ? 40 : n),
			               v);
	}
	return ERR_OK;
}

static enum err read_body(struct req *rq, struct MHD_Connection *conn, struct conn_state *st)
{
	const struct route *r = rq->route;
	enum err e;
	struct err_detail *d = &rq->ctx->err;
	bool wants = r->nbody > 0 || (r->flags & (ROUTE_VERSION_BODY | ROUTE_JSON));
	if (!wants) {
		if (st->body.len)
			return err_set(d, ERR_MALFORMED, "", "this endpoint takes no body");
		return ERR_OK;
	}
	const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
	if ((e = check_media_type(ct, d)))
		return e;
	json_error_t je;
	rq->json = json_loadb(st->body.data ? st->body.data : "", st->body.len,
	                      JSON_REJECT_DUPLICATES, &je);
	if (!rq->json)
		return err_set(d, ERR_MALFORMED, "", "malformed JSON at character %d: %s",
		               je.position, je.text);
	if (json_depth(rq->json, 1) > LIMIT_JSON_DEPTH)
		return err_set(d, ERR_MALFORMED, "", "JSON nested deeper than %d",
		               LIMIT_JSON_DEPTH);
	if (!json_is_object(rq->json))
		return err_set(d, ERR_MALFORMED, "", "the body must be a JSON object");
	if (r->flags & ROUTE_VERSION_BODY) {
		json_t *v = json_object_get(rq->json, "version");
		if (!v)
			return err_set(d, ERR_INVALID, "version",
			               "is required: send the version you read");
		if (!json_is_integer(v) || json_integer_value(v) < 1)
			return err_set(d, ERR_INVALID, "version", "must be a positive integer");
		rq->version = json_integer_value(v);
		/*
		 * the version is the concurrency check, not a field: removed so the field
		 * table does not refuse it
		 */
		json_object_del(rq->json, "version");
	}
	if (r->flags & ROUTE_JSON)
		return ERR_OK; /* the handler's parser names what is wrong */
	return fields_from_json(r->body, r->nbody, rq->json, (r->flags & ROUTE_BODY_CREATE) != 0,
	                        rq->body, &rq->ctx->arena, d);
}

/*
 * The peer's address as text for the log and for per-address limits (failed
 * sign-ins, objections); empty when libmicrohttpd does not know it
 */
static const char *client_addr(struct MHD_Connection *conn, char *out, size_t n)
{
	const union MHD_ConnectionInfo *ci =
	        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	out[0] = '\0';
	if (ci && ci->client_addr) {
		const struct sockaddr *sa = ci->client_addr;
		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET,
			          &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
			          (socklen_t)n);
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6,
			          &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
			          (socklen_t)n);
	}
	return out;
}

/* Validate and authenticate, then run the handler. Fills rq->status/out. */
static void dispatch(struct server *s, struct req *rq, struct MHD_Connection *conn,
                     struct conn_state *st, const char *addr)
{
	struct app_ctx *ctx = rq->ctx;
	const struct route *r = rq->route;
	enum err e;
	if (st->too_large) {
		err_set(&ctx->err, ERR_TOO_LARGE, "", "the body is larger than %d bytes",
		        LIMIT_BODY_BYTES);
		return http_problem(rq, ERR_TOO_LARGE);
	}
	/*
	 * the operations endpoints (ROUTE_RAW) run without a database connection so they answer
	 * even when the pool is exhausted; /readyz takes one because that is what it reports on
	 */
	if (!(r->flags & ROUTE_RAW) || !strcmp(r->path, "/readyz")) {
		if ((e = app_ctx_begin(ctx, s->app))) {
			rq->retry_after = 5;
			return http_problem(rq, ERR_UNAVAILABLE);
		}
	}
	ctx->client_addr = addr;
	ctx->method = rq->method;
	ctx->path = rq->path;
	const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
	if (auth && ctx->conn) { /* operations endpoints ignore credentials */
		if (strncasecmp(auth, "Bearer ", 7)) {
			err_set(&ctx->err, ERR_UNAUTHENTICATED, "Authorization",
			        "must be \"Bearer <token>\"");
			return http_problem(rq, ERR_UNAUTHENTICATED);
		}
		rq->token = auth + 7;
		if ((e = app_authenticate(ctx, rq->token)))
			return http_problem(rq, e);
	}
	if (r->auth == AUTH_USER && ctx->actor.user_id <= 0) {
		err_set(&ctx->err, ERR_UNAUTHENTICATED, "Authorization", "sign in first");
		return http_problem(rq, ERR_UNAUTHENTICATED);
	}
	/*
	 * checks in the order of docs/ARCHITECTURE.md (credentials, query, body): the
	 * first problem found is the one reported
	 */
	rq->page.limit = LIMIT_PAGE_DEFAULT;
	struct query_scan q = {.rq = rq};
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, on_query_arg, &q);
	if (q.e) {
		ctx->err = q.d;
		return http_problem(rq, q.e);
	}
	/* a required parameter is the server's to enforce: a 400 like any bad parameter */
	if (fields_require(r->query, r->nquery, rq->query, &ctx->err))
		return http_problem(rq, ERR_MALFORMED);
	if ((r->flags & ROUTE_VERSION_QUERY) && !q.seen_version) {
		err_set(&ctx->err, ERR_MALFORMED, "version",
		        "is required: send the version you read");
		return http_problem(rq, ERR_MALFORMED);
	}
	if ((e = read_body(rq, conn, st)))
		return http_problem(rq, e);
	/* only POST is replayable: the raw body is kept for the idempotency store's hash */
	if (!strcmp(rq->method, "POST")) {
		const char *key =
		        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Idempotency-Key");
		if (key && !valid_header_token(key, LIMIT_IDEM_KEY_BYTES)) {
			err_set(&ctx->err, ERR_MALFORMED, "Idempotency-Key",
			        "must be 1-%d visible ASCII characters", LIMIT_IDEM_KEY_BYTES);
			return http_problem(rq, ERR_MALFORMED);
		}
		ctx->idem_key = key;
		ctx->body = st->body.data;
		ctx->body_len = st->body.len;
	}
	r->handler(rq);
}

/*
 * A client's id is kept so one request can be followed across systems; it must be a short
 * visible token without quotes or backslashes, as it is copied into JSON and headers
 */
static void request_id(struct server *s, struct MHD_Connection *conn, char out[80])
{
	const char *given = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Request-Id");
	if (given && valid_header_token(given, 64) && !strpbrk(given, "\"\\")) {
		snprintf(out, 80, "%s", given);
		return;
	}
	uint64_t n = atomic_fetch_add(&s->rid_counter, 1);
	snprintf(out, 80, "%s-%llx", s->rid_prefix, (unsigned long long)n);
}

/* A worker thread's reusable request memory, freed when the thread ends. */
struct spare {
	struct arena arena;
	struct buf out;
};
static pthread_key_t spare_key;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;

static void spare_free(void *p)
{
	struct spare *sp = p;
	arena_free(&sp->arena);
	buf_free(&sp->out);
	free(sp);
}

static void spare_key_init(void)
{
	pthread_key_create(&spare_key, spare_free);
}

/*
 * Created on a worker's first request; the thread key's destructor frees it
 * when the daemon stops the pool
 */
static struct spare *worker_spare(void)
{
	pthread_once(&spare_once, spare_key_init);
	struct spare *sp = pthread_getspecific(spare_key);
	if (!sp) {
		sp = xcalloc(1, sizeof *sp);
		pthread_setspecific(spare_key, sp);
	}
	return sp;
}

/*
 * libmicrohttpd: the request line has arrived, before the query string is
 * parsed. Too long a target or too many parameters is decided here, and the
 * query string is then emptied in place: parsing hundreds of parameters
 * would exhaust the connection's memory and libmicrohttpd would drop the
 * connection without any answer. The answer (414 or 431) goes out once the
 * head is complete. The state returned here is the request's con_cls.
 */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	(void)cls;
	struct conn_state *st = xcalloc(1, sizeof *st);
	clock_gettime(CLOCK_MONOTONIC, &st->start);
	struct conn_track *t = conn_track_of(conn);
	if (t)
		t->phase = PHASE_HEAD; /* the head deadline still runs from the idle start */
	char *q = strchr(uri, '?');
	if (strlen(uri) >= LIMIT_URL_BYTES) {
		st->early = ERR_URI_TOO_LONG;
	} else if (q) {
		int n = 0;
		for (const char *p = q + 1; *p; p++)
			n += *p == '&' || p == q + 1;
		if (n > LIMIT_QUERY_PARAMS)
			st->early = ERR_HEADERS_TOO_BIG;
	}
	if (st->early && q)
		q[1] = '\0'; /* the buffer is libmicrohttpd's own copy of the line */
	return st;
}

/* Whether the request has a body to come (a non-zero length, or chunks). */
static bool has_body(struct MHD_Connection *conn)
{
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
	return (cl && strcmp(cl, "0")) ||
	       MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Transfer-Encoding");
}

/* A Content-Length larger than the body limit: refused before reading a byte. */
static bool declared_too_large(struct MHD_Connection *conn)
{
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
	int64_t n;
	return cl && num_parse(cl, 0, INT64_MAX, &n) && n > LIMIT_BODY_BYTES;
}

/* Answer the request: validate, dispatch (unless st->early says no), queue, log. */
static enum MHD_Result answer(struct server *s, struct MHD_Connection *conn, struct conn_state *st,
                              const char *url, const char *method)
{
	/* each worker reuses its request arena and body buffer: no allocation per request */
	struct spare *sp = worker_spare();
	struct app_ctx ctx = {.app = s->app, .arena = sp->arena};
	struct req rq = {.method = method, .path = url, .ctx = &ctx, .status = 500, .out = sp->out};
	sp->arena = (struct arena)ARENA_INIT;
	sp->out = (struct buf)BUF_INIT;
	buf_reset(&rq.out);
	char rid[80], addr[64], scratch[LIMIT_URL_BYTES];
	if (st->resume)
		snprintf(rid, sizeof rid, "%s", st->rid);
	else
		request_id(s, conn, rid);
	ctx.request_id = rid;
	client_addr(conn, addr, sizeof addr);
	rq.hashq = s->hashq;
	char allow[64];
	if (st->resume) { /* back from the hashing threads */
		rq.route = st->route;
		void (*resume)(struct req *, void *) = st->resume;
		st->resume = NULL;
		enum err be = app_ctx_begin(&ctx, s->app);
		ctx.client_addr = addr;
		ctx.method = method;
		ctx.path = url;
		resume(&rq, st->arg); /* without a connection it only frees its state */
		if (be) {
			rq.retry_after = 5;
			http_problem(&rq, ERR_UNAVAILABLE);
		}
	} else if (st->early == ERR_TOO_LARGE) {
		err_set(&ctx.err, ERR_TOO_LARGE, "Content-Length",
		        "the body is larger than %d bytes", LIMIT_BODY_BYTES);
		http_problem(&rq, ERR_TOO_LARGE);
	} else if (st->early == ERR_HEADERS_TOO_BIG) {
		err_set(&ctx.err, ERR_HEADERS_TOO_BIG, "", "more than %d query parameters",
		        LIMIT_QUERY_PARAMS);
		http_problem(&rq, ERR_HEADERS_TOO_BIG);
	} else if (st->early || strlen(url) >= LIMIT_URL_BYTES) {
		err_set(&ctx.err, ERR_URI_TOO_LONG, "", "the URL is longer than %d bytes",
		        LIMIT_URL_BYTES - 1);
		http_problem(&rq, ERR_URI_TOO_LONG);
	} else if ((rq.route = route_match(method, url, rq.path_params, scratch, sizeof scratch,
	                                   allow, sizeof allow))) {
		dispatch(s, &rq, conn, st, addr);
	} else if (allow[0]) {
		err_set(&ctx.err, ERR_METHOD, "", "%s is not allowed here; allowed: %s", method,
		        allow);
		http_problem(&rq, ERR_METHOD);
		rq.allow = allow;
	} else if (strncmp(url, "/api/", 5) &&
	           (!strcmp(method, "GET") || !strcmp(method, "HEAD"))) {
		/* not the API and not a route: the web UI (its client-side routes included) */
		static_serve(&rq, s->opts->web_dir, url);
	} else {
		err_set(&ctx.err, ERR_NOT_FOUND, "", "no endpoint %s %s", method, url);
		http_problem(&rq, ERR_NOT_FOUND);
	}
	if (rq.defer_work) { /* answer when the work is done; the worker moves on */
		st->conn = conn;
		st->route = rq.route;
		st->resume = rq.defer_resume;
		st->arg = rq.defer_arg;
		snprintf(st->rid, sizeof st->rid, "%s", rid);
		MHD_suspend_connection(conn);
		workq_submit(s->hashq, rq.defer_work, rq.defer_arg, deferred_done, st);
		if (rq.json)
			json_decref(rq.json);
		sp->out = rq.out;
		arena_reset(&ctx.arena);
		sp->arena = ctx.arena;
		ctx.arena = (struct arena)ARENA_INIT;
		app_ctx_end(&ctx);
		return MHD_YES;
	}
	size_t bytes = rq.out.len;
	/* an early answer leaves the body unread: the connection cannot go on */
	enum MHD_Result res = queue(conn, &rq, rid, st->early || s->draining);
	double secs = elapsed(&st->start);
	size_t nroutes;
	const struct route *routes = route_table(&nroutes);
	metrics_observe(rq.route ? (size_t)(rq.route - routes) : nroutes, rq.status, secs);
	access_log(s, &rq, rid, addr, secs, bytes);
	if (rq.json)
		json_decref(rq.json);
	if (rq.out.cap > 64 * 1024)
		buf_free(&rq.out); /* a big answer does not pin its memory to the worker */
	sp->out = rq.out;
	arena_reset(&ctx.arena);
	sp->arena = ctx.arena;
	ctx.arena = (struct arena)ARENA_INIT;
	app_ctx_end(&ctx);
	return res;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
	(void)version;
	struct server *s = cls;
	struct conn_state *st = *con_cls;
	if (!st) { /* on_uri always makes one; never seen, but never crash either */
		st = on_uri(s, "", conn);
		*con_cls = st;
	}
	if (!st->started) {
		/* the head is complete: answer an early refusal now, else read the body */
		st->started = true;
		metrics_inflight_add(1);
		conn_phase(conn, PHASE_BODY);
		if (!st->early && declared_too_large(conn))
			st->early = ERR_TOO_LARGE;
		if (st->early) {
			conn_phase(conn, PHASE_HANDLING);
			struct conn_track *t = conn_track_of(conn);
			if (t && has_body(conn))
				t->linger = true; /* its body stays unread */
			return answer(s, conn, st, url, method);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (st->body.len + *upload_data_size > LIMIT_BODY_BYTES)
			st->too_large =
			        true; /* a chunked body: read on (within the body deadline) */
		else
			buf_append(&st->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (st->early)
		return MHD_YES; /* answered already */
	conn_phase(conn, PHASE_HANDLING);
	return answer(s, conn, st, url, method);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)toe;
	conn_phase(conn, PHASE_IDLE); /* the next request's head is due from now */
	struct conn_state *st = *con_cls;
	if (!st)
		return;
	if (st->started)
		metrics_inflight_add(-1);
	buf_free(&st->body);
	free(st);
	*con_cls = NULL;
}

/* IPv4 only, ADDRESS:PORT; an empty address listens on all interfaces */
static bool parse_listen(const char *listen, struct sockaddr_in *sa, struct err_detail *d)
{
	const char *colon = strrchr(listen, ':');
	int64_t port;
	char host[64];
	memset(sa, 0, sizeof *sa);
	sa->sin_family = AF_INET;
	if (!colon || (size_t)(colon - listen) >= sizeof host ||
	    !num_parse(colon + 1, 1, 65535, &port)) {
		err_set(d, ERR_USAGE, "listen", "must be ADDRESS:PORT, e.g. 127.0.0.1:8080");
		return false;
	}
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	if (inet_pton(AF_INET, host[0] ? host : "0.0.0.0", &sa->sin_addr) != 1) {
		err_set(d, ERR_USAGE, "listen", "%s is not an IPv4 address", host);
		return false;
	}
	sa->sin_port = htons((uint16_t)port);
	return true;
}

/* Wait for SIGTERM/SIGINT, sweeping slow connections four times a second meanwhile. */
static int wait_signal(struct server *s, const sigset_t *sigs)
{
	const struct timespec tick = {0, 250 * 1000 * 1000};
	for (;;) {
		int sig = sigtimedwait(sigs, NULL, &tick);
		if (sig > 0)
			return sig;
		conns_sweep(s);
	}
}

/*
 * Drain: no new connections (the listening socket is closed, so clients are
 * refused at once instead of waiting in its backlog), idle connections
 * closed, requests in flight answered with Connection: close, within
 * LIMIT_DRAIN_S.
 */
static void drain(struct server *s, struct MHD_Daemon *daemon)
{
	s->draining = true;
	MHD_socket lfd = MHD_quiesce_daemon(daemon);
	if (lfd != MHD_INVALID_SOCKET)
		close(lfd);
	int64_t until = mono_ms() + LIMIT_DRAIN_S * 1000;
	while (conns_sweep(s) > 0 && mono_ms() < until)
		usleep(20 * 1000);
	workq_drain(s->hashq); /* sign-ins being hashed finish (and are answered) first */
}

enum err server_run(struct app *app, const struct server_opts *o, struct err_detail *d)
{
	struct sockaddr_in sa;
	if (!parse_listen(o->listen, &sa, d))
		return ERR_USAGE;
	struct server s = {.app = app, .opts = o};
	s.header_deadline_ms = 1000LL * (o->header_deadline_s > 0 ? o->header_deadline_s
	                                                          : LIMIT_HEADER_DEADLINE_S);
	s.body_deadline_ms =
	        1000LL * (o->body_deadline_s > 0 ? o->body_deadline_s : LIMIT_BODY_DEADLINE_S);
	unsigned per_addr =
	        (unsigned)(o->max_conn_per_addr > 0 ? o->max_conn_per_addr : LIMIT_CONN_PER_ADDR);
	pthread_mutex_init(&s.log_mu, NULL);
	pthread_mutex_init(&s.conns_mu, NULL);
	snprintf(s.rid_prefix, sizeof s.rid_prefix, "%08lx",
	         (unsigned long)time(NULL) ^ (unsigned long)getpid());

	/* the workers inherit a mask without SIGTERM/SIGINT: only sigtimedwait below sees them */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	unsigned workers = (unsigned)(o->workers > 0 ? o->workers : 2);
	s.hashq = workq_new(LIMIT_HASH_THREADS, LIMIT_HASH_SLOTS);
	struct MHD_Daemon *daemon = MHD_start_daemon(
	        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG |
	                MHD_ALLOW_SUSPEND_RESUME,
	        0, NULL, NULL, on_request, &s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	        MHD_OPTION_THREAD_POOL_SIZE, workers, MHD_OPTION_NOTIFY_COMPLETED, on_completed, &s,
	        MHD_OPTION_NOTIFY_CONNECTION, conn_notify, &s, MHD_OPTION_URI_LOG_CALLBACK, on_uri,
	        &s, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)LIMIT_IDLE_TIMEOUT_S,
	        MHD_OPTION_CONNECTION_LIMIT, (unsigned)LIMIT_CONN_TOTAL,
	        MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_addr, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	        (size_t)(8 * 1024), MHD_OPTION_END);
	if (!daemon) {
		workq_free(s.hashq);
		pthread_mutex_destroy(&s.log_mu);
		pthread_mutex_destroy(&s.conns_mu);
		return err_set(d, ERR_IO, "listen", "cannot listen on %s", o->listen);
	}
	fprintf(stderr, "techbridge: serving on http://%s (%u workers)\n", o->listen, workers);
	int sig = wait_signal(&s, &sigs);
	fprintf(stderr, "techbridge: signal %d: finishing requests in flight\n", sig);
	drain(&s, daemon);
	MHD_stop_daemon(daemon);
	workq_free(s.hashq);
	pthread_mutex_lock(&s.conns_mu);
	linger_sweep(&s, mono_ms(), true);
	pthread_mutex_unlock(&s.conns_mu);
	if (o->access_log)
		fflush(o->access_log);
	pthread_mutex_destroy(&s.log_mu);
	pthread_mutex_destroy(&s.conns_mu);
	fprintf(stderr, "techbridge: stopped\n");
	return ERR_OK;
}
