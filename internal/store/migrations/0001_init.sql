-- paybridge schema, version 1.
-- Times are BIGINT microseconds since the Unix epoch (UTC) in both engines, so
-- the queries are the same on SQLite and PostgreSQL. Money is BIGINT won.
-- {{ID}} is replaced per dialect by an auto-increment primary key.

CREATE TABLE merchants (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

INSERT INTO merchants (id, name, created_at) VALUES ('mer_default', 'Default merchant', 0);

CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    name        TEXT NOT NULL DEFAULT '',
    prefix      TEXT NOT NULL,
    hash        TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);

CREATE TABLE payments (
    id                       TEXT PRIMARY KEY,
    merchant_id              TEXT NOT NULL REFERENCES merchants (id),
    provider                 TEXT NOT NULL,
    channel                  TEXT NOT NULL,
    order_id                 TEXT NOT NULL,
    -- order_key equals order_id while the payment claims that order id; it is
    -- set to NULL when the provider never accepted the payment, so the shop
    -- can retry the same order. NULLs never collide in a UNIQUE constraint.
    order_key                TEXT,
    order_name               TEXT NOT NULL,
    customer_id              TEXT NOT NULL,
    quantity                 BIGINT NOT NULL CHECK (quantity >= 1),
    amount                   BIGINT NOT NULL CHECK (amount >= 1),
    tax_free_amount          BIGINT NOT NULL CHECK (tax_free_amount >= 0 AND tax_free_amount <= amount),
    currency                 TEXT NOT NULL,
    status                   TEXT NOT NULL,
    canceled_amount          BIGINT NOT NULL DEFAULT 0 CHECK (canceled_amount >= 0 AND canceled_amount <= amount),
    canceled_tax_free_amount BIGINT NOT NULL DEFAULT 0 CHECK (canceled_tax_free_amount >= 0 AND canceled_tax_free_amount <= tax_free_amount),
    provider_tid             TEXT NOT NULL DEFAULT '',
    provider_cid             TEXT NOT NULL DEFAULT '',
    provider_status          TEXT NOT NULL DEFAULT '',
    provider_method_type     TEXT NOT NULL DEFAULT '',
    provider_approval_id     TEXT NOT NULL DEFAULT '',
    provider_order_id        TEXT NOT NULL DEFAULT '',
    provider_user_id         TEXT NOT NULL DEFAULT '',
    provider_error_code      TEXT NOT NULL DEFAULT '',
    provider_error_message   TEXT NOT NULL DEFAULT '',
    pg_token                 TEXT NOT NULL DEFAULT '',
    redirect_pc              TEXT NOT NULL DEFAULT '',
    redirect_mobile          TEXT NOT NULL DEFAULT '',
    redirect_app             TEXT NOT NULL DEFAULT '',
    success_url              TEXT NOT NULL DEFAULT '',
    fail_url                 TEXT NOT NULL DEFAULT '',
    cancel_url               TEXT NOT NULL DEFAULT '',
    failure_code             TEXT NOT NULL DEFAULT '',
    failure_message          TEXT NOT NULL DEFAULT '',
    expires_at               BIGINT NOT NULL,
    approved_at              BIGINT,
    canceled_at              BIGINT,
    created_at               BIGINT NOT NULL,
    updated_at               BIGINT NOT NULL,
    UNIQUE (merchant_id, order_key)
);

CREATE INDEX payments_status_updated ON payments (status, updated_at);
CREATE INDEX payments_provider_tid ON payments (provider, provider_tid);
CREATE INDEX payments_merchant_created ON payments (merchant_id, created_at);

CREATE TABLE payment_events (
    id          {{ID}},
    payment_id  TEXT NOT NULL REFERENCES payments (id),
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    reason      TEXT NOT NULL,
    message     TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);

CREATE INDEX payment_events_payment ON payment_events (payment_id, id);

CREATE TABLE cancellations (
    id              TEXT PRIMARY KEY,
    payment_id      TEXT NOT NULL REFERENCES payments (id),
    amount          BIGINT NOT NULL CHECK (amount >= 1),
    tax_free_amount BIGINT NOT NULL CHECK (tax_free_amount >= 0 AND tax_free_amount <= amount),
    reason          TEXT NOT NULL,
    status          TEXT NOT NULL,
    failure_code    TEXT NOT NULL DEFAULT '',
    failure_message TEXT NOT NULL DEFAULT '',
    provider_aid    TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

CREATE INDEX cancellations_payment ON cancellations (payment_id, created_at);
-- At most one refund in flight per payment: two refunds can never race at the provider.
CREATE UNIQUE INDEX cancellations_one_pending ON cancellations (payment_id) WHERE status = 'pending';
