package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// This file holds the operator console's read queries: payments across
// merchants with free-text search, a payment's webhook events, and the
// dashboard's figures. The merchant API's queries stay in list.go.

// ConsoleQuery selects payments for the console, newest first. Zero fields
// do not filter; unlike payment.ListQuery the merchant is optional (an
// operator who sees every merchant).
type ConsoleQuery struct {
	MerchantID string
	Statuses   []payment.Status
	Provider   string
	// Text matches the payment id, the provider's ids (KakaoPay tid,
	// PortOne V1 imp_uid, Toss paymentKey, kept as provider_tid; PortOne
	// V2's paymentId is paybridge's id) and approval id exactly, and the
	// order id, customer id and order name as a substring, ignoring ASCII
	// case.
	Text       string
	CreatedGTE time.Time
	CreatedLT  time.Time
	AmountMin  int64 // 0: no minimum
	AmountMax  int64 // 0: no maximum
	// After is the keyset cursor: the (created_at, id) of the last payment
	// of the previous page; only older payments are listed.
	AfterCreated time.Time
	AfterID      string
	Limit        int
}

// ConsolePayments returns one page of payments matching q, newest first,
// and whether more follow.
func (s *Store) ConsolePayments(ctx context.Context, q ConsoleQuery) ([]*payment.Payment, bool, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	where := []string{"1 = 1"}
	var args []any
	add := func(cond string, v ...any) { where, args = append(where, cond), append(args, v...) }
	if q.MerchantID != "" {
		add("merchant_id = ?", q.MerchantID)
	}
	where, args = statusIn(q.Statuses, where, args)
	if q.Provider != "" {
		add("provider = ?", q.Provider)
	}
	if t := strings.TrimSpace(q.Text); t != "" {
		like := "%" + escapeLike(strings.ToLower(t)) + "%"
		add(`(id = ? OR provider_tid = ? OR provider_approval_id = ? OR LOWER(order_id) LIKE ? ESCAPE '\'
			OR LOWER(customer_id) LIKE ? ESCAPE '\' OR LOWER(order_name) LIKE ? ESCAPE '\')`, t, t, t, like, like, like)
	}
	if !q.CreatedGTE.IsZero() {
		add("created_at >= ?", micros(q.CreatedGTE))
	}
	if !q.CreatedLT.IsZero() {
		add("created_at < ?", micros(q.CreatedLT))
	}
	if q.AmountMin > 0 {
		add("amount >= ?", q.AmountMin)
	}
	if q.AmountMax > 0 {
		add("amount <= ?", q.AmountMax)
	}
	if q.AfterID != "" {
		add("(created_at, id) < (?, ?)", micros(q.AfterCreated), q.AfterID)
	}
	args = append(args, limit+1)
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT `+paymentColumns+` FROM payments WHERE `+strings.Join(where, " AND ")+
		` ORDER BY created_at DESC, id DESC LIMIT ?`), args...)
	if err != nil {
		return nil, false, fmt.Errorf("console payments: %w", err)
	}
	defer rows.Close()
	var ps []*payment.Payment
	for rows.Next() {
		p, err := scanPayment(rows)
		if err != nil {
			return nil, false, fmt.Errorf("console payments: %w", err)
		}
		ps = append(ps, p)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("console payments: %w", err)
	}
	more := len(ps) > limit
	if more {
		ps = ps[:limit]
	}
	return ps, more, nil
}

// escapeLike escapes LIKE's wildcards so that searched text is literal.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// FindWebhookEventsOfPayment lists the events announced for a payment, with
// their deliveries, oldest first.
func (s *Store) FindWebhookEventsOfPayment(ctx context.Context, paymentID string) ([]*payment.WebhookEvent, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT `+eventColumns+` FROM webhook_events WHERE payment_id = ? ORDER BY id`), paymentID)
	if err != nil {
		return nil, fmt.Errorf("find webhook events of payment: %w", err)
	}
	var evs []*payment.WebhookEvent
	for rows.Next() {
		e, err := scanWebhookEvent(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("find webhook events of payment: %w", err)
		}
		evs = append(evs, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find webhook events of payment: %w", err)
	}
	for _, e := range evs {
		if e.Deliveries, err = s.deliveries(ctx, s.r, e.ID); err != nil {
			return nil, err
		}
	}
	return evs, nil
}

// SetWebhookEndpointStatus enables or disables one of a merchant's
// endpoints. The worker gives up on a disabled endpoint's pending
// deliveries when it reaches them; an operator can resend them later.
func (s *Store) SetWebhookEndpointStatus(ctx context.Context, merchantID, id, status, reason string) (*payment.WebhookEndpoint, error) {
	if status != payment.EndpointEnabled && status != payment.EndpointDisabled {
		return nil, payment.Errorf(payment.EINVALID, "endpoint status must be enabled or disabled")
	}
	if status == payment.EndpointEnabled {
		reason = ""
	}
	now := s.now()
	var e *payment.WebhookEndpoint
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE webhook_endpoints SET status = ?, disabled_reason = ?, updated_at = ?
			WHERE id = ? AND merchant_id = ?`), status, reason, micros(now), id, merchantID)
		if err != nil {
			return fmt.Errorf("set webhook endpoint status: id=%s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return payment.Errorf(payment.ENOTFOUND, "webhook endpoint not found")
		}
		e, err = s.scanEndpoint(tx.QueryRowContext(ctx, s.q(`SELECT `+endpointColumns+` FROM webhook_endpoints WHERE id = ?`), id))
		return err
	})
	return e, err
}

// DayFigure is one day (or one day and provider) of the dashboard.
type DayFigure struct {
	Day      int64 // days since the Unix epoch, in the zone asked for
	Provider string
	Count    int64
	Amount   int64
}

// ConsoleStats are the dashboard's raw figures since a time.
type ConsoleStats struct {
	Paid     []DayFigure // by approval day and provider
	Created  []DayFigure // by creation day
	Refunded []DayFigure // succeeded refunds by day
}

// ConsoleStats counts, per day in a zone offsetSeconds east of UTC, the
// payments paid (by provider), created and refunded since since, for one
// merchant or ("") all.
func (s *Store) ConsoleStats(ctx context.Context, merchantID string, since time.Time, offsetSeconds int) (*ConsoleStats, error) {
	const dayMicros = int64(24 * time.Hour / time.Microsecond)
	off := int64(offsetSeconds) * 1_000_000
	day := func(col string) string { return fmt.Sprintf("(%s + %d) / %d", col, off, dayMicros) }
	merchant, margs := "", []any{}
	if merchantID != "" {
		merchant, margs = " AND p.merchant_id = ?", []any{merchantID}
	}
	st := &ConsoleStats{}
	run := func(dst *[]DayFigure, query string, withProvider bool) error {
		args := append([]any{micros(since)}, margs...)
		rows, err := s.r.QueryContext(ctx, s.q(query), args...)
		if err != nil {
			return fmt.Errorf("console stats: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var f DayFigure
			var amount sql.NullInt64
			if withProvider {
				err = rows.Scan(&f.Day, &f.Provider, &f.Count, &amount)
			} else {
				err = rows.Scan(&f.Day, &f.Count, &amount)
			}
			if err != nil {
				return fmt.Errorf("console stats: %w", err)
			}
			f.Amount = amount.Int64
			*dst = append(*dst, f)
		}
		return rows.Err()
	}
	if err := run(&st.Paid, `SELECT `+day("p.approved_at")+`, p.provider, COUNT(*), SUM(p.amount) FROM payments p
		WHERE p.approved_at >= ?`+merchant+` GROUP BY 1, 2 ORDER BY 1, 2`, true); err != nil {
		return nil, err
	}
	if err := run(&st.Created, `SELECT `+day("p.created_at")+`, COUNT(*), SUM(p.amount) FROM payments p
		WHERE p.created_at >= ?`+merchant+` GROUP BY 1 ORDER BY 1`, false); err != nil {
		return nil, err
	}
	if err := run(&st.Refunded, `SELECT `+day("c.updated_at")+`, COUNT(*), SUM(c.amount) FROM cancellations c
		JOIN payments p ON p.id = c.payment_id WHERE c.status = 'succeeded' AND c.updated_at >= ?`+merchant+
		` GROUP BY 1 ORDER BY 1`, false); err != nil {
		return nil, err
	}
	return st, nil
}

// Attention is what needs an operator: payments whose outcome is still
// unknown past the settle window, refunds the sweep keeps retrying, and
// webhook deliveries given up on.
type Attention struct {
	StuckApproving []*payment.Payment
	RefundRequired []*payment.Payment
	PendingRefunds int64
	DeadDeliveries int64
}

// ConsoleAttention gathers Attention for one merchant or ("") all; a
// payment approving since before stuckBefore counts as stuck.
func (s *Store) ConsoleAttention(ctx context.Context, merchantID string, stuckBefore time.Time, limit int) (*Attention, error) {
	merchant, margs := "", []any{}
	if merchantID != "" {
		merchant, margs = " AND merchant_id = ?", []any{merchantID}
	}
	a := &Attention{}
	list := func(cond string, args ...any) ([]*payment.Payment, error) {
		rows, err := s.r.QueryContext(ctx, s.q(`SELECT `+paymentColumns+` FROM payments WHERE `+cond+merchant+
			fmt.Sprintf(` ORDER BY updated_at LIMIT %d`, limit)), append(args, margs...)...)
		if err != nil {
			return nil, fmt.Errorf("console attention: %w", err)
		}
		defer rows.Close()
		var ps []*payment.Payment
		for rows.Next() {
			p, err := scanPayment(rows)
			if err != nil {
				return nil, fmt.Errorf("console attention: %w", err)
			}
			ps = append(ps, p)
		}
		return ps, rows.Err()
	}
	var err error
	if a.StuckApproving, err = list(`status = ? AND `+notPaid+` AND updated_at < ?`, string(payment.StatusApproving), micros(stuckBefore)); err != nil {
		return nil, err
	}
	if a.RefundRequired, err = list(`failure_code = ?`, "refund_required"); err != nil {
		return nil, err
	}
	q := `SELECT COUNT(*) FROM cancellations c JOIN payments p ON p.id = c.payment_id WHERE c.status = 'pending'`
	if merchantID != "" {
		q += ` AND p.merchant_id = ?`
	}
	if err := s.r.QueryRowContext(ctx, s.q(q), margs...).Scan(&a.PendingRefunds); err != nil {
		return nil, fmt.Errorf("console attention: %w", err)
	}
	q = `SELECT COUNT(*) FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id WHERE d.status = 'dead'`
	if merchantID != "" {
		q += ` AND e.merchant_id = ?`
	}
	if err := s.r.QueryRowContext(ctx, s.q(q), margs...).Scan(&a.DeadDeliveries); err != nil {
		return nil, fmt.Errorf("console attention: %w", err)
	}
	return a, nil
}
