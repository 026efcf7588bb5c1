-- 0005: the market's workflow and people around it: publication and expiry of
-- listings and demands, the matcher's change counter, brokers (technology
-- managers) and their assignments, expressions of interest and their threads.

ALTER TABLE listings ADD COLUMN published_at TEXT;
ALTER TABLE listings ADD COLUMN expires_at TEXT;
ALTER TABLE demands ADD COLUMN published_at TEXT;
ALTER TABLE demands ADD COLUMN expires_at TEXT;
CREATE INDEX listings_region ON listings (region_code);
CREATE INDEX demands_region ON demands (region_code);

-- One row. `generation` counts changes to listings and demands made by the
-- application (API writes, imports); a server compares it with the
-- generation of its in-memory index and rebuilds when another process moved
-- it. `publish_days` is how long a publication lasts before it expires.
CREATE TABLE market_state (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    generation   BIGINT NOT NULL DEFAULT 0,
    publish_days INTEGER NOT NULL DEFAULT 180 CHECK (publish_days BETWEEN 1 AND 3650)
);
INSERT INTO market_state (id, generation, publish_days) VALUES (1, 0, 180);

CREATE TABLE brokers (
    id            @ID@,
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
    id         @ID@,
    broker_id  BIGINT NOT NULL REFERENCES brokers (id),
    kind       TEXT NOT NULL CHECK (kind IN ('listing', 'demand')),
    item_id    BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (broker_id, kind, item_id)
);
CREATE INDEX broker_assignments_item ON broker_assignments (kind, item_id);

CREATE TABLE interests (
    id             @ID@,
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
    id          @ID@,
    interest_id BIGINT NOT NULL REFERENCES interests (id),
    author_id   BIGINT NOT NULL REFERENCES users (id),
    body        TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
    created_at  TEXT NOT NULL
);
CREATE INDEX interest_messages_interest ON interest_messages (interest_id, id);
