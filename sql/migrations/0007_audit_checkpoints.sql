-- 0007: the audit log becomes verifiable against a key kept outside the
-- database (docs/SECURITY.md, "Audit log and checkpoints").
-- audit_log.sig: Ed25519 signature of the record's seq and hash by the
-- writing process's audit key (NULL when it had none).
-- audit_checkpoints: signed statements "the first seq records end in
-- head_hash", written by `audit checkpoint`, after every writing command and
-- by the server on a timer. Verification needs only the public key.
ALTER TABLE audit_log ADD COLUMN sig TEXT CHECK (length(sig) = 128);

CREATE TABLE audit_checkpoints (
    id        @ID@,
    seq       BIGINT NOT NULL CHECK (seq >= 0),
    head_hash TEXT NOT NULL CHECK (length(head_hash) = 64),
    at        TEXT NOT NULL,
    key_id    TEXT NOT NULL CHECK (length(key_id) = 16),
    signature TEXT NOT NULL CHECK (length(signature) = 128)
);
CREATE INDEX audit_checkpoints_seq ON audit_checkpoints (seq, id);

-- @sqlite
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;
-- @end
-- @postgres
CREATE FUNCTION audit_checkpoints_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_checkpoints is append-only'; END $$;
CREATE TRIGGER audit_checkpoints_no_change BEFORE UPDATE OR DELETE ON audit_checkpoints
FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_append_only();
-- @end
