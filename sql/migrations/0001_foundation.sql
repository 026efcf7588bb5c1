-- 0001: the foundation: regions, industries, organisations, accounts, audit.
-- Portable SQL for SQLite and PostgreSQL. Enumerations are checked with OR
-- chains, not IN lists: SQLite builds a temporary b-tree for an IN list of
-- more than two constants on every statement run, which made each insert
-- several times slower. @ID@ is the auto-increment primary
-- key of each dialect; `-- @sqlite` / `-- @postgres` ... `-- @end` blocks are
-- kept only for their dialect. Instants are RFC 3339 UTC text, dates ISO text,
-- money integer fen, booleans 0/1 integers: the same values in both stores.

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
    id            @ID@,
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
-- Indexes, not constraints: a first bulk load drops and rebuilds them (app_import.c).
-- SQLite ends every index entry with the rowid (id) already: naming id again
-- would store it twice.
CREATE UNIQUE INDEX organisations_credit_code ON organisations (credit_code);
-- @sqlite
CREATE INDEX organisations_region ON organisations (region_code);
CREATE INDEX organisations_industry ON organisations (industry_code);
-- @end
-- @postgres
CREATE INDEX organisations_region ON organisations (region_code, id);
CREATE INDEX organisations_industry ON organisations (industry_code, id);
-- @end

CREATE TABLE users (
    id            @ID@,
    username      TEXT NOT NULL UNIQUE CHECK (length(username) BETWEEN 3 AND 64),
    display_name  TEXT,
    email         TEXT,
    password_hash TEXT NOT NULL,
    locale        TEXT NOT NULL DEFAULT 'zh-CN' CHECK (locale IN ('zh-CN', 'en')),
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1
);

-- A role grant. Memberships are the org_admin / org_member grants; operators
-- (and optionally reviewers and experts) are scoped to a region and a level.
CREATE TABLE user_roles (
    id          @ID@,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        TEXT NOT NULL CHECK (role = 'admin' OR role = 'operator' OR role = 'reviewer'
                                     OR role = 'expert' OR role = 'org_admin'
                                     OR role = 'org_member' OR role = 'broker'),
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

-- Login sessions and API tokens: only the SHA-256 of the secret is stored.
CREATE TABLE tokens (
    id           @ID@,
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

-- Failed logins per account ("user:NAME") and per address ("addr:IP").
CREATE TABLE login_failures (
    key          TEXT PRIMARY KEY,
    window_start TEXT NOT NULL,
    failures     BIGINT NOT NULL
);

-- The first response to a POST carrying an Idempotency-Key, replayed on repeats.
CREATE TABLE idempotency_keys (
    user_id    BIGINT NOT NULL,
    idem_key   TEXT NOT NULL,
    method     TEXT NOT NULL,
    path       TEXT NOT NULL,
    status     INTEGER NOT NULL,
    location   TEXT,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);

-- Append-only, hash-chained: hash = SHA-256 over the record's fields and the
-- previous record's hash. audit_head holds the chain's tip; updating it in
-- the writing transaction serialises writers on both stores.
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
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, seq);

CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- @sqlite
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
-- @end
-- @postgres
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
-- @end
