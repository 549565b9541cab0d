-- The merchant API's list. Every list a key makes is kept to the
-- key's mode (livemode = ?) and ordered newest first by (created_at, id).
-- The mode index lacked id, so no planner could walk it in that order:
-- SQLite walked payments_merchant_created_id instead and skipped the other
-- mode's rows one by one (a test key's list on a merchant with a million
-- live payments read all of them). With id, the index serves the list in
-- order in either mode and it stops after a page. It costs about as much
-- to write as the index it replaces (one more column, a short text).
-- The new index is built before the old one is dropped: on PostgreSQL a
-- DROP INDEX locks the table against reads until the migration commits,
-- and dropped first it would hold that lock for the whole build.
CREATE INDEX payments_merchant_livemode_created_id ON payments (merchant_id, livemode, created_at, id);
DROP INDEX payments_merchant_livemode_created;
