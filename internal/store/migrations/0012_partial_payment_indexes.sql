-- Fewer index writes per checkout (issue 11). The status indexes serve the
-- sweeper's and the console's due lists, which never ask for paid payments:
-- they now leave paid ones out, so a checkout's last transition deletes its
-- entries instead of writing new ones, and the indexes hold only the
-- payments still in play (or closed other than paid). Queries that may use
-- them state the same condition literally (store.statusIn), as a planner
-- requires for a partial index. payments_approved holds only approved
-- payments: an unapproved one no longer costs an index entry at creation.
DROP INDEX payments_status_updated;
CREATE INDEX payments_status_updated ON payments (status, updated_at) WHERE status <> 'paid';
DROP INDEX payments_provider_status_updated;
CREATE INDEX payments_provider_status_updated ON payments (provider, status, updated_at) WHERE status <> 'paid';
DROP INDEX payments_approved;
CREATE INDEX payments_approved ON payments (approved_at) WHERE approved_at IS NOT NULL;
-- A payment has no provider id until the provider accepted it, and a lookup
-- by an empty one finds nothing (FindPaymentByTID): the index holds only
-- payments with one, so creating a payment no longer writes an entry the
-- ready transition would move.
DROP INDEX payments_provider_tid;
CREATE INDEX payments_provider_tid ON payments (provider, provider_tid) WHERE provider_tid <> '';
