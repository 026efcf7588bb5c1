/*
 * limits: every size bound of the system in one place, so a reviewer can see
 * at a glance how much any input may cost. Nothing else hard-codes a bound.
 */
#ifndef TB_LIB_LIMITS_H
#define TB_LIB_LIMITS_H

#include <stdint.h>

enum {
	LIMIT_BODY_BYTES = 1 << 20,       /* HTTP request body */
	LIMIT_JSON_DEPTH = 32,            /* nesting of any JSON input */
	LIMIT_URL_BYTES = 2048,           /* path plus query string */
	LIMIT_QUERY_PARAMS = 32,          /* query parameters per request */
	LIMIT_PARAM_BYTES = 512,          /* one query parameter value */
	LIMIT_PAGE_DEFAULT = 50,          /* list page size when none asked */
	LIMIT_PAGE_MAX = 500,             /* largest list page */
	LIMIT_TEXT_SHORT = 200,           /* names, titles (characters) */
	LIMIT_TEXT_LONG = 20000,          /* descriptions (characters) */
	LIMIT_BUF_BYTES = 64 << 20,       /* any growable in-memory buffer */
	LIMIT_CSV_FIELD_BYTES = 1 << 16,  /* one CSV or JSONL field */
	LIMIT_CSV_LINE_BYTES = 1 << 20,   /* one CSV record or JSONL line */
	LIMIT_CSV_COLUMNS = 256,          /* columns of an import file */
	LIMIT_AUDIT_JSON_BYTES = 1 << 18, /* before/after image of one audit record */
	LIMIT_SIGNIN_FREE_FAILS = 5,      /* failed sign-ins per (user, address) before delays */
	LIMIT_SIGNIN_DELAY_S = 2,         /* the first delay; doubles with each further failure */
	LIMIT_SIGNIN_DELAY_MAX_S = 900,   /* the longest delay */
	LIMIT_SIGNIN_FORGET_S = 86400,    /* a pair's failures are forgotten after a quiet day */
	LIMIT_HASH_THREADS = 2,           /* password hashing threads of the server */
	LIMIT_HASH_SLOTS = 16,            /* sign-ins hashing or waiting; more get 429 */
	LIMIT_SESSION_IDLE_S = 1800,      /* default: a session unused this long is refused */
	LIMIT_SESSION_IDLE_MAX_S = 86400, /* --session-idle */
	LIMIT_SESSION_TTL_S = 12 * 3600,  /* a login session */
	LIMIT_TOKENS_PER_USER = 50,       /* API tokens a user may hold */
	LIMIT_IDEM_KEY_BYTES = 128,       /* Idempotency-Key header */
	LIMIT_DB_POOL = 8,                /* PostgreSQL connections per process */
	LIMIT_WORKERS_MAX = 64,           /* --workers */
	/* HTTP connections (serve flags; the defaults) */
	LIMIT_CONN_TOTAL = 4096,         /* connections at once */
	LIMIT_CONN_PER_ADDR = 1000,      /* --max-conn-per-addr: from one client address */
	LIMIT_CONN_PER_ADDR_MAX = 65535, /* its largest value */
	LIMIT_HEADER_DEADLINE_S = 10,    /* --header-deadline: request headers complete */
	LIMIT_BODY_DEADLINE_S = 60,      /* --body-deadline: request body complete */
	LIMIT_DEADLINE_MAX_S = 3600,     /* the largest value of either deadline */
	LIMIT_IDLE_TIMEOUT_S = 30,       /* a connection with no traffic */
	LIMIT_DRAIN_S = 8,               /* SIGTERM: in-flight requests finish within */
	LIMIT_STORAGE_FAIL_READY_S = 60, /* /readyz reports a failed write for */
	LIMIT_PASSWORD_MIN = 8,          /* characters */
	LIMIT_PASSWORD_MAX = 128,
	/* gradient cultivation */
	LIMIT_ATTACHMENT_BYTES = 512 << 10, /* one evidence file (decoded) */
	LIMIT_ATTACHMENTS_PER_APP = 20,     /* evidence files per application */
	LIMIT_ATTACHMENT_TOTAL = 8 << 20,   /* all evidence of one application */
	LIMIT_OBJECTIONS_PER_HOUR = 5,      /* objections per client address per hour */
	LIMIT_QUEUE_GRANTS = 8,             /* grants merged into one reviewer queue */
	/* import, modules, caches (structural bounds that fail loudly when outgrown) */
	LIMIT_IMPORT_BATCH = 50000, /* rows per committed and audited import batch */
	LIMIT_IMPORT_FIELDS = 24,   /* columns of one import kind's field table */
	LIMIT_HTTP_FIELDS = 24,     /* declared query parameters or body fields of a route */
	LIMIT_APP_MODULES = 16,     /* modules a build may register */
	LIMIT_APP_CACHE_SLOTS = 8,  /* answers one app_cache keeps */
	/* audit keys and checkpoints */
	LIMIT_AUDIT_KEYS = 8,             /* trusted public keys (after rotations) */
	LIMIT_AUDIT_KEYFILE_BYTES = 4096, /* an audit key file */
	LIMIT_AUDIT_CHECKPOINT_S = 86400, /* TECHBRIDGE_AUDIT_CHECKPOINT_SECONDS */
};

/*
 * Amounts and head counts accepted on input (API and import; 422 naming the
 * field beyond them). 10^15 fen is 10 trillion yuan (10 万亿元), above the
 * yearly revenue of any enterprise in the world; a head count of 10 million
 * is above any employer's. Statistics sum them in floating point, so a sum
 * over any number of enterprises cannot overflow (docs/FACTS.md, "Bounds").
 */
#define LIMIT_FEN_MAX       INT64_C(1000000000000000) /* any amount in fen: facts, prices, budgets */
#define LIMIT_HEADCOUNT_MAX INT64_C(10000000)         /* employees, R&D staff, technical staff */

#endif
