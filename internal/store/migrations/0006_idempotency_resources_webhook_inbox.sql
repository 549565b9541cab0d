-- One Idempotency-Key, one effect, across crashes. lock_token is new on
-- every begin and takeover of a key: only its holder may record a resource,
-- finish or abort it. resource_id is the payment or cancellation the request
-- created, written in the same transaction as that row, so a request taking
-- over the key of one that died finishes that work instead of repeating it.
ALTER TABLE idempotency_keys ADD COLUMN lock_token TEXT NOT NULL DEFAULT '';
ALTER TABLE idempotency_keys ADD COLUMN resource_id TEXT NOT NULL DEFAULT '';

-- The inbox of provider webhooks (PortOne, Toss): a delivery is written here
-- before paybridge answers 200, then a worker claims it with a lease (as the
-- sweep claims payments) and looks the payment up at the provider. At most
-- one row per payment waits (status 'pending'): deliveries arriving before
-- its lookup starts add nothing to it. One arriving while a lookup runs
-- ('processing') waits in a row of its own, so every delivery is followed
-- by a lookup that started after it. Processed rows ('done', 'dead') are kept
-- for a while, then reaped.
CREATE TABLE provider_webhooks (
    id              TEXT PRIMARY KEY,
    provider        TEXT NOT NULL,
    payment_id      TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'done', 'dead')),
    deliveries      BIGINT NOT NULL DEFAULT 1,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    lease_owner     TEXT NOT NULL DEFAULT '',
    lease_until     BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX provider_webhooks_one_pending ON provider_webhooks (provider, payment_id) WHERE status = 'pending';
CREATE INDEX provider_webhooks_due ON provider_webhooks (status, next_attempt_at);
CREATE INDEX provider_webhooks_updated ON provider_webhooks (updated_at);
