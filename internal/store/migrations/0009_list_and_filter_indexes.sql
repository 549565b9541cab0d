-- Indexes for every lookup path of the merchant API. The list is ordered by
-- (created_at, id) newest first: with id in the index both engines walk it
-- and stop after a page, however many payments the merchant has, instead of
-- sorting every row of the merchant. Orders and customers are looked up by
-- the list's order_id and customer_id filters.
DROP INDEX payments_merchant_created;
CREATE INDEX payments_merchant_created_id ON payments (merchant_id, created_at, id);
CREATE INDEX payments_merchant_order ON payments (merchant_id, order_id);
CREATE INDEX payments_merchant_customer ON payments (merchant_id, customer_id, created_at);
