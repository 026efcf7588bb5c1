-- 0008: sign-in hardening and the separated administrator roles.
--
-- login_delays replaces login_failures (a hard lock per account and per
-- address): one row per (username, address) pair, counting failed attempts;
-- past the free ones every attempt must wait until next_at, and the wait
-- doubles with each failure up to a cap (app_account.c). Times are unix
-- seconds so the check-and-count is one UPDATE on both stores.
DROP TABLE login_failures;
CREATE TABLE login_delays (
    pair_key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    delay_s  BIGINT NOT NULL,
    next_at  BIGINT NOT NULL,
    last_at  BIGINT NOT NULL
);
CREATE INDEX login_delays_last ON login_delays (last_at);

-- Two-factor sign-in (TOTP, RFC 6238): the shared secret (base32), whether
-- it was confirmed, and the last time step accepted (a code is used once).
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_enabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;

-- The system, security and audit administrators (sysadmin, secadmin,
-- auditadmin) join the roles a grant may name.
-- @sqlite
CREATE TABLE user_roles_0008 (
    id          @ID@,
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
INSERT INTO user_roles_0008 (id, user_id, role, region_code, level, org_id, created_at)
SELECT id, user_id, role, region_code, level, org_id, created_at FROM user_roles;
DROP TABLE user_roles;
ALTER TABLE user_roles_0008 RENAME TO user_roles;
CREATE INDEX user_roles_user ON user_roles (user_id);
CREATE INDEX user_roles_org ON user_roles (org_id);
CREATE UNIQUE INDEX user_roles_unique ON user_roles (user_id, role, COALESCE(region_code, ''),
                                                     COALESCE(org_id, 0));
-- @end
-- @postgres
ALTER TABLE user_roles DROP CONSTRAINT user_roles_role_check;
ALTER TABLE user_roles ADD CONSTRAINT user_roles_role_check
    CHECK (role = 'admin' OR role = 'operator' OR role = 'reviewer' OR role = 'expert'
           OR role = 'org_admin' OR role = 'org_member' OR role = 'broker'
           OR role = 'sysadmin' OR role = 'secadmin' OR role = 'auditadmin');
-- @end
