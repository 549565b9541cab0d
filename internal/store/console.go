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
	// Livemode, when set, keeps only live (real money) or only test
	// payments.
	Livemode *bool
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
	if q.Livemode != nil {
		add("livemode = ?", boolInt(*q.Livemode))
	}
	if q.AfterID != "" {
		add("(created_at, id) < (?, ?)", micros(q.AfterCreated), q.AfterID)
	}
	args = append(args, limit+1)
	ps, err := queryAll(ctx, s.r, "console payments", scanPayment, s.q(`SELECT `+paymentColumns+` FROM payments WHERE `+
		strings.Join(where, " AND ")+` ORDER BY created_at DESC, id DESC LIMIT ?`), args...)
	if err != nil {
		return nil, false, err
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
	return s.eventsWithDeliveries(ctx, "find webhook events of payment",
		`SELECT `+eventColumns+` FROM webhook_events WHERE payment_id = ? ORDER BY id`, paymentID)
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
	return s.updateEndpoint(ctx, "set webhook endpoint status", merchantID, id,
		`status = ?, disabled_reason = ?, updated_at = ?`, status, reason, micros(s.now()))
}

// DayFigure is one day (or one day and provider) of the dashboard, of
// live or of test payments: real and test money are never added together.
type DayFigure struct {
	Day      int64 // days since the Unix epoch, in the zone asked for
	Livemode bool
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

// ConsoleStats counts, per day in a zone offsetSeconds east of UTC and per
// mode (live or test), the payments paid (by provider), created and
// refunded since since, for one merchant or ("") all.
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
		scan := func(row scanner) (f DayFigure, err error) {
			var amount sql.NullInt64
			var live int64
			if withProvider {
				err = row.Scan(&f.Day, &live, &f.Provider, &f.Count, &amount)
			} else {
				err = row.Scan(&f.Day, &live, &f.Count, &amount)
			}
			f.Amount, f.Livemode = amount.Int64, live != 0
			return f, err
		}
		var err error
		*dst, err = queryAll(ctx, s.r, "console stats", scan, s.q(query), append([]any{micros(since)}, margs...)...)
		return err
	}
	if err := run(&st.Paid, `SELECT `+day("p.approved_at")+`, p.livemode, p.provider, COUNT(*), SUM(p.amount) FROM payments p
		WHERE p.approved_at >= ?`+merchant+` GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`, true); err != nil {
		return nil, err
	}
	if err := run(&st.Created, `SELECT `+day("p.created_at")+`, p.livemode, COUNT(*), SUM(p.amount) FROM payments p
		WHERE p.created_at >= ?`+merchant+` GROUP BY 1, 2 ORDER BY 1, 2`, false); err != nil {
		return nil, err
	}
	if err := run(&st.Refunded, `SELECT `+day("c.updated_at")+`, p.livemode, COUNT(*), SUM(c.amount) FROM cancellations c
		JOIN payments p ON p.id = c.payment_id WHERE c.status = 'succeeded' AND c.updated_at >= ?`+merchant+
		` GROUP BY 1, 2 ORDER BY 1, 2`, false); err != nil {
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
		return queryAll(ctx, s.r, "console attention", scanPayment, s.q(`SELECT `+paymentColumns+` FROM payments WHERE `+cond+merchant+
			fmt.Sprintf(` ORDER BY updated_at LIMIT %d`, limit)), append(args, margs...)...)
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
