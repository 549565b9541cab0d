-- Outbound webhooks (Standard Webhooks). webhook_events is the outbox: a
-- payment transition inserts its event, and one pending delivery per
-- subscribed endpoint, in its own transaction. payload is the JSON body
-- exactly as sent on every attempt. Endpoint secrets must be stored as they
-- are, to sign; they are shown to the merchant only when created or rotated.
CREATE TABLE webhook_endpoints (
    id                         TEXT PRIMARY KEY,
    merchant_id                TEXT NOT NULL REFERENCES merchants (id),
    url                        TEXT NOT NULL,
    description                TEXT NOT NULL DEFAULT '',
    enabled_events             TEXT NOT NULL,
    secret                     TEXT NOT NULL,
    previous_secret            TEXT NOT NULL DEFAULT '',
    previous_secret_expires_at BIGINT NOT NULL DEFAULT 0,
    status                     TEXT NOT NULL CHECK (status IN ('enabled', 'disabled')),
    disabled_reason            TEXT NOT NULL DEFAULT '',
    created_at                 BIGINT NOT NULL,
    updated_at                 BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_merchant ON webhook_endpoints (merchant_id, id);

CREATE TABLE webhook_events (
    id          TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    type        TEXT NOT NULL,
    payment_id  TEXT NOT NULL,
    payload     TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX webhook_events_merchant ON webhook_events (merchant_id, id);

-- endpoint_id has no foreign key: a deleted endpoint's deliveries stay as
-- its history.
CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY,
    event_id         TEXT NOT NULL REFERENCES webhook_events (id),
    endpoint_id      TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'dead')),
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    last_status_code BIGINT NOT NULL DEFAULT 0,
    last_error       TEXT NOT NULL DEFAULT '',
    lease_owner      TEXT NOT NULL DEFAULT '',
    lease_until      BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, status);
