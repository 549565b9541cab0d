-- Sweep leases: an instance claims an approving payment (or a pending
-- refund, an expired ready payment…) before settling it, so several
-- instances never work on the same one at once. A lease simply runs out if
-- its instance dies; then another instance claims the work.
ALTER TABLE payments ADD COLUMN lease_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE payments ADD COLUMN lease_until BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cancellations ADD COLUMN lease_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE cancellations ADD COLUMN lease_until BIGINT NOT NULL DEFAULT 0;
