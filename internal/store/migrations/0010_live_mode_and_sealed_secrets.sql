-- Test and live modes. livemode is 1 only for a payment that went to a
-- provider with live credentials (real money); sandbox payments and payments
-- on a provider's test credentials are 0. A key (sk_test_ / sk_live_) sees
-- only the payments of its mode. Rows from before this migration are judged
-- by what they show: a payment whose buyer window was a built-in sandbox
-- (/sandbox/ in its redirect URL) or that used KakaoPay's test CIDs (TC…),
-- or that never reached a provider, is a test payment; the others are live.
ALTER TABLE payments ADD COLUMN livemode BIGINT NOT NULL DEFAULT 0;
UPDATE payments SET livemode = 1
 WHERE redirect_pc <> '' AND redirect_pc NOT LIKE '%/sandbox/%' AND provider_cid NOT LIKE 'TC%';
CREATE INDEX payments_merchant_livemode_created ON payments (merchant_id, livemode, created_at);

-- An event carries its payment's mode, so lists can be kept to a key's mode.
ALTER TABLE webhook_events ADD COLUMN livemode BIGINT NOT NULL DEFAULT 0;
UPDATE webhook_events SET livemode = (SELECT p.livemode FROM payments p WHERE p.id = webhook_events.payment_id)
 WHERE EXISTS (SELECT 1 FROM payments p WHERE p.id = webhook_events.payment_id);

-- Webhook endpoint secrets and replays of responses that carried one are
-- stored sealed (AES-256-GCM, "pbenc:v1:…") from now on; paybridge seals
-- the rows written before this migration when it starts with the key.
