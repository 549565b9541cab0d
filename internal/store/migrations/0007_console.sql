-- The operator console. Operators sign in with an email and a password,
-- kept only as an argon2id hash (PHC string). merchant_id '' means the
-- operator sees every merchant. failed_logins and locked_until are the
-- lock-out, kept here so it holds across instances.
CREATE TABLE operators (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('viewer', 'admin', 'owner')),
    merchant_id   TEXT NOT NULL DEFAULT '',
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until  BIGINT NOT NULL DEFAULT 0,
    disabled_at   BIGINT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

-- Sessions: token_hash is the SHA-256 of the cookie's random token, never
-- the token itself. A session ends at expires_at (absolute) or after a
-- period without activity since last_seen_at (idle).
CREATE TABLE operator_sessions (
    token_hash   TEXT PRIMARY KEY,
    operator_id  TEXT NOT NULL REFERENCES operators (id),
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX operator_sessions_operator ON operator_sessions (operator_id);

-- Every operator action. ids are time-ordered (NewID), so the newest come
-- first by id.
CREATE TABLE audit_log (
    id             TEXT PRIMARY KEY,
    operator_id    TEXT NOT NULL DEFAULT '',
    operator_email TEXT NOT NULL DEFAULT '',
    merchant_id    TEXT NOT NULL DEFAULT '',
    action         TEXT NOT NULL,
    target         TEXT NOT NULL DEFAULT '',
    detail         TEXT NOT NULL DEFAULT '',
    remote_addr    TEXT NOT NULL DEFAULT '',
    created_at     BIGINT NOT NULL
);
CREATE INDEX audit_log_merchant ON audit_log (merchant_id, id);
CREATE INDEX audit_log_target ON audit_log (target, id);

-- The console's lists and dashboard read payments by creation time across
-- merchants, and by approval time.
CREATE INDEX payments_created ON payments (created_at, id);
CREATE INDEX payments_approved ON payments (approved_at);
