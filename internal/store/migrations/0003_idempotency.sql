-- Idempotency keys (Stripe's contract, Brandur's table): the first response
-- to a merchant's POST with an Idempotency-Key is kept here and replayed to
-- every retry with the same key, for the retention period (24 h by default).
-- status is 'started' while the first request runs: locked_until is when
-- another instance may take the key over, because the one that started it
-- must have died. response_body is the response's bytes exactly as sent (the
-- API only answers JSON, which is text).
CREATE TABLE idempotency_keys (
    merchant_id           TEXT NOT NULL REFERENCES merchants (id),
    idem_key              TEXT NOT NULL,
    fingerprint           TEXT NOT NULL,
    status                TEXT NOT NULL CHECK (status IN ('started', 'finished')),
    response_status       BIGINT NOT NULL DEFAULT 0,
    response_body         TEXT NOT NULL DEFAULT '',
    response_content_type TEXT NOT NULL DEFAULT '',
    locked_until          BIGINT NOT NULL,
    created_at            BIGINT NOT NULL,
    finished_at           BIGINT,
    PRIMARY KEY (merchant_id, idem_key)
);

-- The reaper deletes by age.
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
