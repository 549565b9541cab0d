-- The provider's last answer paybridge applied to a payment, as the adapter
-- kept it (JSON, secrets and full card numbers removed, at most 16 KiB), and
-- when it was received (microseconds since the epoch, NULL until one was).
-- Shown to operators in the console; never sent to the shop.
ALTER TABLE payments ADD COLUMN provider_last_answer TEXT NOT NULL DEFAULT '';
ALTER TABLE payments ADD COLUMN provider_last_answer_at BIGINT;
