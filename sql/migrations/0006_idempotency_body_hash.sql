-- 0006: an Idempotency-Key also binds the request body. body_sha256 is the
-- hex SHA-256 of the raw body of the first request; a repeat with another
-- body is refused (409) instead of replaying a response to a different
-- request. Keys stored before this migration have NULL: they are compared
-- on method and path only, as they were when they were stored.
ALTER TABLE idempotency_keys ADD COLUMN body_sha256 TEXT CHECK (length(body_sha256) = 64);
