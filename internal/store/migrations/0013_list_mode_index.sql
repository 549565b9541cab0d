-- The merchant API's list. Every list a key makes is kept to the
-- key's mode (livemode = ?) and ordered newest first by (created_at, id).
-- The mode index lacked id, so no planner could walk it in that order:
-- SQLite walked payments_merchant_created_id instead and skipped the other
-- mode's rows one by one (a test key's list on a merchant with a million
-- live payments read all of them). With id, the index serves the list in
-- order in either mode and it stops after a page. It costs no more to
-- write than the index it replaces.
DROP INDEX payments_merchant_livemode_created;
CREATE INDEX payments_merchant_livemode_created_id ON payments (merchant_id, livemode, created_at, id);
