package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

var _ payment.PaymentLister = (*Store)(nil)

// ListPayments implements payment.PaymentLister. Pages are cut by keyset on
// (created_at, id), which is unique because id is: the page after a cursor is
// "every row below the cursor's key", a set that inserts never reorder, so a
// client walking the list sees each payment that existed when it started
// exactly once, however many payments are created meanwhile. Both engines run
// the same SQL: row-value comparison is standard and SQLite has it since 3.15.
func (s *Store) ListPayments(ctx context.Context, q payment.ListQuery) ([]*payment.Payment, bool, error) {
	if err := q.Validate(); err != nil {
		return nil, false, err
	}
	limit := q.Limit
	if limit == 0 {
		limit = payment.DefaultListLimit
	}
	where := []string{"merchant_id = ?"}
	args := []any{q.MerchantID}
	add := func(cond string, v ...any) { where, args = append(where, cond), append(args, v...) }
	where, args = statusIn(q.Statuses, where, args)
	if q.Livemode != nil {
		add("livemode = ?", boolInt(*q.Livemode))
	}
	if q.Provider != "" {
		add("provider = ?", q.Provider)
	}
	if q.OrderID != "" {
		add("order_id = ?", q.OrderID)
	}
	if q.CustomerID != "" {
		add("customer_id = ?", q.CustomerID)
	}
	// Stored times are whole microseconds; rounding each bound the way that
	// keeps its meaning makes a sub-microsecond bound behave exactly.
	if !q.CreatedGTE.IsZero() {
		add("created_at >= ?", ceilMicros(q.CreatedGTE))
	}
	if !q.CreatedGT.IsZero() {
		add("created_at > ?", micros(q.CreatedGT))
	}
	if !q.CreatedLTE.IsZero() {
		add("created_at <= ?", micros(q.CreatedLTE))
	}
	if !q.CreatedLT.IsZero() {
		add("created_at < ?", ceilMicros(q.CreatedLT))
	}
	// Newest first; a page before a cursor is read oldest first from the
	// cursor up (so LIMIT keeps the rows nearest to it) and reversed below.
	// An order or customer filter selects few rows: on SQLite "+created_at"
	// (the same value, but not a column an index can be walked by) makes
	// the planner find them by their index (payments_merchant_order,
	// payments_merchant_customer) and sort them, rather than walk every
	// payment of the merchant in order looking for them. PostgreSQL picks
	// those indexes itself, and walks the customer index in created_at
	// order and stops after a page: the "+" would make it read and sort
	// every payment of a customer id that has very many (a shared "guest").
	created := "created_at"
	if s.dialect.name == "sqlite" && (q.OrderID != "" || q.CustomerID != "") {
		created = "+created_at"
	}
	order := created + " DESC, id DESC"
	backwards := false
	switch {
	case q.StartingAfter != "":
		at, err := s.listCursor(ctx, q.MerchantID, q.StartingAfter)
		if err != nil {
			return nil, false, err
		}
		add("(created_at, id) < (?, ?)", at, q.StartingAfter)
	case q.EndingBefore != "":
		at, err := s.listCursor(ctx, q.MerchantID, q.EndingBefore)
		if err != nil {
			return nil, false, err
		}
		add("(created_at, id) > (?, ?)", at, q.EndingBefore)
		order, backwards = created+", id", true
	}
	// One row more than the page says whether there is more.
	args = append(args, limit+1)
	query := `SELECT ` + paymentColumns + ` FROM payments WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY ` + order + ` LIMIT ?`
	rows, err := s.r.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, false, fmt.Errorf("list payments: merchant_id=%s: %w", q.MerchantID, err)
	}
	defer rows.Close()
	ps := make([]*payment.Payment, 0, limit+1)
	for rows.Next() {
		p, err := scanPayment(rows)
		if err != nil {
			return nil, false, fmt.Errorf("list payments: merchant_id=%s: %w", q.MerchantID, err)
		}
		ps = append(ps, p)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("list payments: merchant_id=%s: %w", q.MerchantID, err)
	}
	more := len(ps) > limit
	if more {
		ps = ps[:limit]
	}
	if backwards {
		slices.Reverse(ps)
	}
	return ps, more, nil
}

// listCursor returns the created_at (stored microseconds) of the merchant's
// payment id. Another merchant's payment gets the same answer as an id that
// does not exist, so cursors cannot be used to probe ids.
func (s *Store) listCursor(ctx context.Context, merchantID, id string) (int64, error) {
	var at int64
	err := s.r.QueryRowContext(ctx, s.q(`SELECT created_at FROM payments WHERE id = ? AND merchant_id = ?`),
		id, merchantID).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, payment.Errorf(payment.EINVALID, "no such payment: %s", id)
	}
	if err != nil {
		return 0, fmt.Errorf("list cursor: id=%s: %w", id, err)
	}
	return at, nil
}

// ceilMicros is micros rounded up instead of down.
func ceilMicros(t time.Time) int64 {
	m := micros(t)
	if t.Nanosecond()%1000 != 0 {
		m++
	}
	return m
}

// cancellationsBatch bounds the ids of one FindCancellationsOf query, far
// below SQLite's and PostgreSQL's limits on bound parameters. A list page
// (at most payment.MaxListLimit payments) always takes one query.
const cancellationsBatch = 500

// FindCancellationsOf implements payment.PaymentLister: the cancellations of
// a whole page in one query instead of one query per payment.
func (s *Store) FindCancellationsOf(ctx context.Context, paymentIDs []string) (map[string][]*payment.Cancellation, error) {
	out := make(map[string][]*payment.Cancellation)
	// Each id once, so no cancellation can be listed twice across batches.
	paymentIDs = slices.Compact(slices.Sorted(slices.Values(paymentIDs)))
	for ids := range slices.Chunk(paymentIDs, cancellationsBatch) {
		ph := strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")
		args := make([]any, len(ids))
		for i, id := range ids {
			args[i] = id
		}
		cs, err := s.findCancellations(ctx, `SELECT `+cancellationColumns+` FROM cancellations
			WHERE payment_id IN (`+ph+`) ORDER BY created_at, id`, args...)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			out[c.PaymentID] = append(out[c.PaymentID], c)
		}
	}
	return out, nil
}
