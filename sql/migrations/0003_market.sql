-- 0003: the technology market: listings (supply) and demands. The matcher's
-- index is derived from these rows and rebuilt at will; the rows are the truth.
-- `ref` is the publisher's identifier, unique per kind (re-import updates).
-- Owner organisation is nullable: imported public collections have none.

CREATE TABLE listings (
    id               @ID@,
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
);
CREATE INDEX listings_org ON listings (org_id);
CREATE INDEX listings_status ON listings (status, id);

CREATE TABLE demands (
    id             @ID@,
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
    version        BIGINT NOT NULL DEFAULT 1,
    CHECK (trl_min IS NULL OR trl_max IS NULL OR trl_min <= trl_max),
    CHECK (budget_min_fen IS NULL OR budget_max_fen IS NULL OR budget_min_fen <= budget_max_fen)
);
CREATE INDEX demands_org ON demands (org_id);
CREATE INDEX demands_status ON demands (status, id);
