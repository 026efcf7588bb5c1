CREATE TABLE schema_migrations ( version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);

CREATE TABLE regions (
    code        TEXT PRIMARY KEY CHECK (length(code) = 6),
    name        TEXT NOT NULL CHECK (name <> ''),
    name_en     TEXT,
    level       TEXT NOT NULL CHECK (level = 'province' OR level = 'prefecture' OR level = 'county'),
    parent_code TEXT REFERENCES regions (code),
    version     BIGINT NOT NULL DEFAULT 1
);

CREATE INDEX regions_parent ON regions (parent_code, code);

CREATE TABLE industries (
    code        TEXT PRIMARY KEY CHECK (length(code) BETWEEN 1 AND 5),
    name        TEXT NOT NULL CHECK (name <> ''),
    name_en     TEXT,
    level       INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
    parent_code TEXT REFERENCES industries (code),
    description TEXT,
    version     BIGINT NOT NULL DEFAULT 1
);

CREATE INDEX industries_parent ON industries (parent_code, code);

CREATE TABLE organisations (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind = 'enterprise' OR kind = 'university'
                                       OR kind = 'research_institute'
                                       OR kind = 'platform_operator'
                                       OR kind = 'service_institution'),
    credit_code   TEXT CHECK (credit_code IS NULL OR length(credit_code) = 18),
    name          TEXT NOT NULL CHECK (name <> ''),
    name_en       TEXT,
    region_code   TEXT REFERENCES regions (code),
    industry_code TEXT REFERENCES industries (code),
    registered_on TEXT,
    size_class    TEXT CHECK (size_class = 'large' OR size_class = 'medium'
                              OR size_class = 'small' OR size_class = 'micro'),
    address       TEXT,
    website       TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1,
    CHECK (kind <> 'enterprise' OR credit_code IS NOT NULL)
);

CREATE UNIQUE INDEX organisations_credit_code ON organisations (credit_code);

CREATE INDEX organisations_region ON organisations (region_code);

CREATE INDEX organisations_industry ON organisations (industry_code);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE CHECK (length(username) BETWEEN 3 AND 64),
    display_name  TEXT,
    email         TEXT,
    password_hash TEXT NOT NULL,
    locale        TEXT NOT NULL DEFAULT 'zh-CN' CHECK (locale IN ('zh-CN', 'en')),
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1
, totp_secret TEXT, totp_enabled INTEGER NOT NULL DEFAULT 0, totp_last_step BIGINT NOT NULL DEFAULT 0);

CREATE TABLE tokens (
    id           INTEGER PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('session', 'api')),
    name         TEXT,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    expires_at   TEXT,
    last_used_at TEXT,
    revoked_at   TEXT
);

CREATE INDEX tokens_user ON tokens (user_id, kind);

CREATE TABLE idempotency_keys (
    user_id    BIGINT NOT NULL,
    idem_key   TEXT NOT NULL,
    method     TEXT NOT NULL,
    path       TEXT NOT NULL,
    status     INTEGER NOT NULL,
    location   TEXT,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL, body_sha256 TEXT CHECK (length(body_sha256) = 64),
    PRIMARY KEY (user_id, idem_key)
);

CREATE TABLE audit_log (
    seq         BIGINT PRIMARY KEY,
    at          TEXT NOT NULL,
    actor_id    BIGINT,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    before_json TEXT,
    after_json  TEXT,
    request_id  TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
, sig TEXT CHECK (length(sig) = 128));

CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, seq);

CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE listings (
    id               INTEGER PRIMARY KEY,
    ref              TEXT NOT NULL UNIQUE CHECK (length(ref) BETWEEN 1 AND 64),
    org_id           BIGINT REFERENCES organisations (id),
    title            TEXT NOT NULL CHECK (title <> ''),
    title_en         TEXT,
    description      TEXT,
    description_en   TEXT,
    field            TEXT CHECK (field IN ('electronic_information', 'advanced_manufacturing',
                                           'new_energy', 'aerospace', 'modern_transport',
                                           'biomedicine', 'new_materials', 'agriculture',
                                           'nuclear', 'urban_social', 'environment')),
    industry_code    TEXT REFERENCES industries (code),
    region_code      TEXT REFERENCES regions (code),
    modes            TEXT,
    status           TEXT NOT NULL DEFAULT 'published'
                     CHECK (status IN ('draft', 'under_review', 'published', 'expired', 'withdrawn')),
    trl              INTEGER CHECK (trl BETWEEN 1 AND 9),
    ip               TEXT,
    advantage        TEXT,
    commercial_route TEXT,
    asking_fen       BIGINT CHECK (asking_fen >= 0),
    contact          TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1
, published_at TEXT, expires_at TEXT);

CREATE INDEX listings_org ON listings (org_id);

CREATE INDEX listings_status ON listings (status, id);

CREATE TABLE demands (
    id             INTEGER PRIMARY KEY,
    ref            TEXT NOT NULL UNIQUE CHECK (length(ref) BETWEEN 1 AND 64),
    org_id         BIGINT REFERENCES organisations (id),
    title          TEXT NOT NULL CHECK (title <> ''),
    title_en       TEXT,
    description    TEXT,
    description_en TEXT,
    field          TEXT CHECK (field IN ('electronic_information', 'advanced_manufacturing',
                                         'new_energy', 'aerospace', 'modern_transport',
                                         'biomedicine', 'new_materials', 'agriculture',
                                         'nuclear', 'urban_social', 'environment')),
    industry_code  TEXT REFERENCES industries (code),
    region_code    TEXT REFERENCES regions (code),
    modes          TEXT,
    status         TEXT NOT NULL DEFAULT 'published'
                   CHECK (status IN ('draft', 'under_review', 'published', 'expired', 'withdrawn')),
    type           TEXT CHECK (type IN ('need', 'scenario', 'challenge')),
    trl_min        INTEGER CHECK (trl_min BETWEEN 1 AND 9),
    trl_max        INTEGER CHECK (trl_max BETWEEN 1 AND 9),
    budget_min_fen BIGINT CHECK (budget_min_fen >= 0),
    budget_max_fen BIGINT CHECK (budget_max_fen >= 0),
    deadline       TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    version        BIGINT NOT NULL DEFAULT 1, published_at TEXT, expires_at TEXT,
    CHECK (trl_min IS NULL OR trl_max IS NULL OR trl_min <= trl_max),
    CHECK (budget_min_fen IS NULL OR budget_max_fen IS NULL OR budget_min_fen <= budget_max_fen)
);

CREATE INDEX demands_org ON demands (org_id);

CREATE INDEX demands_status ON demands (status, id);

CREATE TABLE org_facts (
    org_id     BIGINT PRIMARY KEY REFERENCES organisations (id) ON DELETE CASCADE,
    facts      TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version    BIGINT NOT NULL DEFAULT 1
);

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
    id             INTEGER PRIMARY KEY,
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
    id             INTEGER PRIMARY KEY,
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

CREATE INDEX applications_queue ON applications (state, step_level, region_code, id);

CREATE INDEX applications_notice ON applications (state, tier, id);

CREATE TABLE application_events (
    id             INTEGER PRIMARY KEY,
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

CREATE TABLE attachments (
    id             INTEGER PRIMARY KEY,
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
    id             INTEGER PRIMARY KEY,
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
    id           INTEGER PRIMARY KEY,
    number       TEXT NOT NULL UNIQUE,
    tier         TEXT NOT NULL,
    level        TEXT NOT NULL,
    region_code  TEXT NOT NULL,
    published_on TEXT NOT NULL,
    created_by   TEXT NOT NULL
);

CREATE TABLE titles (
    id             INTEGER PRIMARY KEY,
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
    id         INTEGER PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    at         TEXT NOT NULL,
    kind       TEXT NOT NULL,
    text       TEXT NOT NULL,
    link       TEXT,
    read_at    TEXT
);

CREATE INDEX notifications_user ON notifications (user_id, id);

CREATE TABLE mail_outbox (
    id         INTEGER PRIMARY KEY,
    to_addr    TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at    TEXT,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);

CREATE INDEX mail_outbox_pending ON mail_outbox (sent_at, id);

CREATE INDEX listings_region ON listings (region_code);

CREATE INDEX demands_region ON demands (region_code);

CREATE TABLE market_state (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    generation   BIGINT NOT NULL DEFAULT 0,
    publish_days INTEGER NOT NULL DEFAULT 180 CHECK (publish_days BETWEEN 1 AND 3650)
);

CREATE TABLE brokers (
    id            INTEGER PRIMARY KEY,
    user_id       BIGINT NOT NULL UNIQUE REFERENCES users (id),
    grade         TEXT NOT NULL CHECK (grade IN ('junior', 'intermediate', 'senior')),
    certification TEXT CHECK (length(certification) BETWEEN 1 AND 64),
    regions       TEXT,
    fields        TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE broker_assignments (
    id         INTEGER PRIMARY KEY,
    broker_id  BIGINT NOT NULL REFERENCES brokers (id),
    kind       TEXT NOT NULL CHECK (kind IN ('listing', 'demand')),
    item_id    BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (broker_id, kind, item_id)
);

CREATE INDEX broker_assignments_item ON broker_assignments (kind, item_id);

CREATE TABLE interests (
    id             INTEGER PRIMARY KEY,
    listing_id     BIGINT NOT NULL REFERENCES listings (id),
    demand_id      BIGINT NOT NULL REFERENCES demands (id),
    direction      TEXT NOT NULL CHECK (direction IN ('to_listing', 'to_demand')),
    from_org_id    BIGINT REFERENCES organisations (id),
    to_org_id      BIGINT REFERENCES organisations (id),
    created_by     BIGINT NOT NULL REFERENCES users (id),
    status         TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'declined')),
    decline_reason TEXT CHECK (decline_reason IN ('too_early', 'benefit_unclear', 'route_unclear',
                                                  'price', 'ip_unclear', 'other')),
    note           TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    version        BIGINT NOT NULL DEFAULT 1,
    UNIQUE (listing_id, demand_id),
    CHECK ((status = 'declined') = (decline_reason IS NOT NULL))
);

CREATE INDEX interests_demand ON interests (demand_id);

CREATE INDEX interests_from ON interests (from_org_id);

CREATE INDEX interests_to ON interests (to_org_id);

CREATE TABLE interest_messages (
    id          INTEGER PRIMARY KEY,
    interest_id BIGINT NOT NULL REFERENCES interests (id),
    author_id   BIGINT NOT NULL REFERENCES users (id),
    body        TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
    created_at  TEXT NOT NULL
);

CREATE INDEX interest_messages_interest ON interest_messages (interest_id, id);

CREATE TABLE audit_checkpoints (
    id        INTEGER PRIMARY KEY,
    seq       BIGINT NOT NULL CHECK (seq >= 0),
    head_hash TEXT NOT NULL CHECK (length(head_hash) = 64),
    at        TEXT NOT NULL,
    key_id    TEXT NOT NULL CHECK (length(key_id) = 16),
    signature TEXT NOT NULL CHECK (length(signature) = 128)
);

CREATE INDEX audit_checkpoints_seq ON audit_checkpoints (seq, id);

CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;

CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;

CREATE TABLE login_delays (
    pair_key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    delay_s  BIGINT NOT NULL,
    next_at  BIGINT NOT NULL,
    last_at  BIGINT NOT NULL
);

CREATE INDEX login_delays_last ON login_delays (last_at);

CREATE TABLE "user_roles" (
    id          INTEGER PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        TEXT NOT NULL CHECK (role = 'admin' OR role = 'operator' OR role = 'reviewer'
                                     OR role = 'expert' OR role = 'org_admin'
                                     OR role = 'org_member' OR role = 'broker'
                                     OR role = 'sysadmin' OR role = 'secadmin'
                                     OR role = 'auditadmin'),
    region_code TEXT REFERENCES regions (code),
    level       TEXT CHECK (level = 'county' OR level = 'city' OR level = 'province'
                            OR level = 'national'),
    org_id      BIGINT REFERENCES organisations (id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    CHECK ((role IN ('org_admin', 'org_member')) = (org_id IS NOT NULL)),
    CHECK (role <> 'operator' OR level IS NOT NULL),
    CHECK (level IS NULL OR level = 'national' OR region_code IS NOT NULL)
);

CREATE INDEX user_roles_user ON user_roles (user_id);

CREATE INDEX user_roles_org ON user_roles (org_id);

CREATE UNIQUE INDEX user_roles_unique ON user_roles (user_id, role, COALESCE(region_code, ''),
                                                     COALESCE(org_id, 0));

