-- Every update of a payment adds one to its version (payment.Version). A
-- caller that holds the payment as the store last returned it passes it
-- along (payment.Update.Seen); while the version still matches, the store
-- knows the changed row without reading it back. The read-back of a
-- 45-column row was most of the cost of a transition on SQLite's single
-- writer. Existing rows start at 0, as new ones do.
ALTER TABLE payments ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
