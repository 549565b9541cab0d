-- The money core (issue 8). return_tid keeps the provider id the buyer's
-- return claimed (Toss paymentKey) so a confirm the provider provably did
-- not act on can be repeated; finish_attempts and refund_attempts count the
-- sweep's retries of a finishing call and of a closed payment's refund, and
-- retry_at is when the next one may be made (backoff). A cancellation's
-- accepted_at records that the provider accepted it to carry out later
-- (PortOne V2 REQUESTED): it is then never failed for looking not done.
ALTER TABLE payments ADD COLUMN return_tid TEXT NOT NULL DEFAULT '';
ALTER TABLE payments ADD COLUMN finish_attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payments ADD COLUMN refund_attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payments ADD COLUMN retry_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cancellations ADD COLUMN accepted_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX payments_provider_status_updated ON payments (provider, status, updated_at);
