-- 0004: gradient cultivation: enterprise facts per fiscal year, self-evaluations,
-- applications with their review trail and attachments, public notices and
-- objections, numbered batches, titles, notifications and the e-mail outbox.
-- States and events are named by the workflow table in src/core/gradient.c.

-- The enterprise-level facts of spec/facts.md (ip, honors, quality, digital_level,
-- lead_product, market, status, local_points, niche_since, dev_scores) as JSON
-- text checked by core/facts before it is stored.
CREATE TABLE org_facts (
    org_id     BIGINT PRIMARY KEY REFERENCES organisations (id) ON DELETE CASCADE,
    facts      TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version    BIGINT NOT NULL DEFAULT 1
);

-- One fiscal year of an enterprise: the facts.md year fields as columns, so the
-- statistics can aggregate them. NULL = unknown.
CREATE TABLE org_fact_years (
    org_id                  BIGINT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    fiscal_year             INTEGER NOT NULL CHECK (fiscal_year BETWEEN 1990 AND 2100),
    revenue_fen             BIGINT,
    main_revenue_fen        BIGINT,
    rd_expense_fen          BIGINT,
    rd_expense_domestic_fen BIGINT,
    total_cost_fen          BIGINT,
    net_profit_fen          BIGINT,
    total_assets_fen        BIGINT,
    total_liabilities_fen   BIGINT,
    employees               BIGINT,
    rd_staff                BIGINT,
    tech_staff              BIGINT,
    equity_financing_fen    BIGINT,
    hightech_revenue_fen    BIGINT,
    PRIMARY KEY (org_id, fiscal_year)
);
CREATE INDEX org_fact_years_year ON org_fact_years (fiscal_year);

CREATE TABLE evaluations (
    id             @ID@,
    org_id         BIGINT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    application_id BIGINT,
    tier           TEXT NOT NULL,
    as_of          TEXT NOT NULL,
    ruleset        TEXT,
    outcome        TEXT NOT NULL CHECK (outcome IN ('qualified', 'not_qualified', 'needs_review')),
    score          DOUBLE PRECISION,
    result         TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    created_by     TEXT NOT NULL
);
CREATE INDEX evaluations_org ON evaluations (org_id, id);

CREATE TABLE applications (
    id             @ID@,
    org_id         BIGINT NOT NULL REFERENCES organisations (id),
    tier           TEXT NOT NULL CHECK (tier IN ('innovative_sme', 'specialized_sme', 'little_giant')),
    review         INTEGER NOT NULL DEFAULT 0 CHECK (review IN (0, 1)),
    title_id       BIGINT,
    state          TEXT NOT NULL CHECK (state IN ('draft', 'under_review', 'returned', 'rejected',
                                                  'notice', 'objected', 'granted', 'withdrawn')),
    region_code    TEXT NOT NULL REFERENCES regions (code),
    step           INTEGER NOT NULL DEFAULT 0,
    step_level     TEXT CHECK (step_level IN ('county', 'city', 'province', 'national')),
    step_due       TEXT,
    final_level    TEXT NOT NULL CHECK (final_level IN ('county', 'city', 'province', 'national')),
    statement      TEXT,
    contact        TEXT,
    evaluation_id  BIGINT REFERENCES evaluations (id),
    notice_from    TEXT,
    notice_until   TEXT,
    batch_id       BIGINT,
    submitted_at   TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    version        BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX applications_org ON applications (org_id, id);
-- the reviewer's queue: pending steps by level, then region range, oldest first
CREATE INDEX applications_queue ON applications (state, step_level, region_code, id);
CREATE INDEX applications_notice ON applications (state, tier, id);

-- The review trail: every transition with its actor, level and written reason.
CREATE TABLE application_events (
    id             @ID@,
    application_id BIGINT NOT NULL REFERENCES applications (id),
    at             TEXT NOT NULL,
    actor          TEXT NOT NULL,
    event          TEXT NOT NULL,
    from_state     TEXT NOT NULL,
    to_state       TEXT NOT NULL,
    level          TEXT,
    reason         TEXT
);
CREATE INDEX application_events_app ON application_events (application_id, id);

-- Evidence files, base64 text (the same on both stores), bounded by LIMIT_ATTACHMENT_*.
CREATE TABLE attachments (
    id             @ID@,
    application_id BIGINT NOT NULL REFERENCES applications (id),
    name           TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    content_type   TEXT NOT NULL,
    size           BIGINT NOT NULL CHECK (size > 0),
    sha256         TEXT NOT NULL,
    data           TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX attachments_app ON attachments (application_id, id);

CREATE TABLE objections (
    id             @ID@,
    application_id BIGINT NOT NULL REFERENCES applications (id),
    contact        TEXT NOT NULL,
    text           TEXT NOT NULL,
    client_addr    TEXT,
    state          TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'upheld', 'dismissed')),
    resolution     TEXT,
    created_at     TEXT NOT NULL,
    resolved_at    TEXT
);
CREATE INDEX objections_app ON objections (application_id, id);
CREATE INDEX objections_addr ON objections (client_addr, created_at);

CREATE TABLE batches (
    id           @ID@,
    number       TEXT NOT NULL UNIQUE,
    tier         TEXT NOT NULL,
    level        TEXT NOT NULL,
    region_code  TEXT NOT NULL,
    published_on TEXT NOT NULL,
    created_by   TEXT NOT NULL
);

CREATE TABLE titles (
    id             @ID@,
    org_id         BIGINT NOT NULL REFERENCES organisations (id),
    tier           TEXT NOT NULL,
    since          TEXT NOT NULL,
    until          TEXT NOT NULL CHECK (until > since),
    ruleset        TEXT,
    batch_id       BIGINT REFERENCES batches (id),
    application_id BIGINT REFERENCES applications (id),
    province_code  TEXT NOT NULL,
    state          TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'revoked')),
    revoked_reason TEXT,
    revoked_at     TEXT,
    ban_until      TEXT,
    version        BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX titles_org ON titles (org_id, tier);
CREATE INDEX titles_stats ON titles (tier, province_code, state);

CREATE TABLE notifications (
    id         @ID@,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    at         TEXT NOT NULL,
    kind       TEXT NOT NULL,
    text       TEXT NOT NULL,
    link       TEXT,
    read_at    TEXT
);
CREATE INDEX notifications_user ON notifications (user_id, id);

-- Mail waiting for `techbridge mail drain` to hand it to the SMTP relay.
CREATE TABLE mail_outbox (
    id         @ID@,
    to_addr    TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at    TEXT,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX mail_outbox_pending ON mail_outbox (sent_at, id);
