package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// paymentColumns are the columns of a payment.Payment. Every UPDATE that
// changes one of them must add one to version (paymentUpdate does; see
// payment.Update.Seen); TestSeen_EveryPaymentUpdateCountsAVersion fails on
// another UPDATE of payments.
const paymentColumns = `id, merchant_id, provider, channel, order_id, order_name, customer_id,
	quantity, amount, tax_free_amount, currency, status, canceled_amount, canceled_tax_free_amount,
	provider_tid, provider_cid, provider_status, provider_method_type, provider_approval_id, provider_order_id,
	provider_user_id, provider_error_code, provider_error_message, pg_token,
	redirect_pc, redirect_mobile, redirect_app, success_url, fail_url, cancel_url,
	failure_code, failure_message, expires_at, approved_at, canceled_at, created_at, updated_at,
	return_tid, finish_attempts, refund_attempts, retry_at, livemode,
	provider_last_answer, provider_last_answer_at, version`

type scanner interface{ Scan(dest ...any) error }

func scanPayment(row scanner) (*payment.Payment, error) {
	var (
		p                         payment.Payment
		status                    string
		expires, created, updated int64
		retry                     int64
		approved, canceled        sql.NullInt64
		livemode                  int64
		lastAnswer                string
		lastAnswerAt              sql.NullInt64
	)
	err := row.Scan(&p.ID, &p.MerchantID, &p.Provider, &p.Channel, &p.OrderID, &p.OrderName, &p.CustomerID,
		&p.Quantity, &p.Amount, &p.TaxFreeAmount, &p.Currency, &status, &p.CanceledAmount, &p.CanceledTaxFreeAmount,
		&p.ProviderTID, &p.ProviderCID, &p.ProviderStatus, &p.ProviderMethodType, &p.ProviderApprovalID, &p.ProviderOrderID,
		&p.ProviderUserID, &p.ProviderErrorCode, &p.ProviderErrorMessage, &p.PGToken,
		&p.RedirectPC, &p.RedirectMobile, &p.RedirectApp, &p.SuccessURL, &p.FailURL, &p.CancelURL,
		&p.FailureCode, &p.FailureMessage, &expires, &approved, &canceled, &created, &updated,
		&p.ReturnTID, &p.FinishAttempts, &p.RefundAttempts, &retry, &livemode,
		&lastAnswer, &lastAnswerAt, &p.Version)
	if err != nil {
		return nil, err
	}
	p.Status = payment.Status(status)
	p.Livemode = livemode != 0
	p.ExpiresAt = fromMicros(expires)
	p.ApprovedAt = fromNullMicros(approved)
	p.CanceledAt = fromNullMicros(canceled)
	p.CreatedAt = fromMicros(created)
	p.UpdatedAt = fromMicros(updated)
	p.RetryAt = fromRetryMicros(retry)
	p.ProviderLastAnswer = answerBytes(lastAnswer)
	p.ProviderLastAnswerAt = fromNullMicros(lastAnswerAt)
	return &p, nil
}

// CreatePayment implements payment.Store.
func (s *Store) CreatePayment(ctx context.Context, p *payment.Payment) error {
	now := s.now()
	p.CreatedAt, p.UpdatedAt = now, now
	if p.Status == "" {
		p.Status = payment.StatusCreated
	}
	p.Version = 0
	insert := `INSERT INTO payments (` + paymentColumns + `, order_key) VALUES
		(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	args := []any{p.ID, p.MerchantID, p.Provider, p.Channel, p.OrderID, p.OrderName, p.CustomerID,
		p.Quantity, p.Amount, p.TaxFreeAmount, p.Currency, string(p.Status), p.CanceledAmount, p.CanceledTaxFreeAmount,
		p.ProviderTID, p.ProviderCID, p.ProviderStatus, p.ProviderMethodType, p.ProviderApprovalID, p.ProviderOrderID,
		p.ProviderUserID, p.ProviderErrorCode, p.ProviderErrorMessage, p.PGToken,
		p.RedirectPC, p.RedirectMobile, p.RedirectApp, p.SuccessURL, p.FailURL, p.CancelURL,
		p.FailureCode, p.FailureMessage, micros(p.ExpiresAt), nullMicros(p.ApprovedAt), nullMicros(p.CanceledAt),
		micros(p.CreatedAt), micros(p.UpdatedAt), p.ReturnTID, p.FinishAttempts, p.RefundAttempts, retryMicros(p.RetryAt),
		boolInt(p.Livemode), string(p.ProviderLastAnswer), nullMicros(p.ProviderLastAnswerAt), p.Version, p.OrderID}
	ev := &payment.Event{PaymentID: p.ID, ToStatus: p.Status, Reason: "created", CreatedAt: now}
	inserted := func(err error) error {
		if err == nil {
			return nil
		}
		if s.dialect.isUniqueViolation(err) {
			return payment.Errorf(payment.ECONFLICT, "order_id %q already has a payment", p.OrderID)
		}
		return fmt.Errorf("insert payment: id=%s: %w", p.ID, err)
	}
	var err error
	if s.dialect.oneStatement && p.Idempotency == nil {
		// The payment and its event in one statement: atomic without a
		// BEGIN and a COMMIT, one round trip instead of four.
		err = s.withStatement(ctx, func() error {
			return inserted(s.w.QueryRowContext(ctx, s.q(`WITH p AS (`+insert+` RETURNING id)
				INSERT INTO payment_events (payment_id, from_status, to_status, reason, message, created_at)
				SELECT id, ?, ?, ?, ?, ? FROM p RETURNING id`),
				append(args, string(ev.FromStatus), string(ev.ToStatus), ev.Reason, ev.Message, micros(ev.CreatedAt))...).Scan(&ev.ID))
		})
	} else {
		err = s.withTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, s.q(insert), args...); err != nil {
				return inserted(err)
			}
			if err := s.recordIdempotentResource(ctx, tx, p.Idempotency, p.ID); err != nil {
				return err
			}
			return s.insertEvent(ctx, tx, ev)
		})
	}
	s.observeTransition(p, "", p.Status, err)
	return err
}

// FindPaymentByID implements payment.Store.
func (s *Store) FindPaymentByID(ctx context.Context, id string) (*payment.Payment, error) {
	p, err := scanPayment(s.r.QueryRowContext(ctx, s.q(`SELECT `+paymentColumns+` FROM payments WHERE id = ?`), id))
	if err != nil {
		return nil, notFound(err, "payment")
	}
	return p, nil
}

// FindPaymentByTID implements payment.Store.
func (s *Store) FindPaymentByTID(ctx context.Context, provider, tid string) (*payment.Payment, error) {
	if tid == "" {
		return nil, payment.Errorf(payment.ENOTFOUND, "payment not found")
	}
	// The literal "provider_tid <> ''" is the condition of the partial
	// index payments_provider_tid: without it the planner would not use it.
	p, err := scanPayment(s.r.QueryRowContext(ctx,
		s.q(`SELECT `+paymentColumns+` FROM payments WHERE provider = ? AND provider_tid = ? AND provider_tid <> ''`), provider, tid))
	if err != nil {
		return nil, notFound(err, "payment")
	}
	return p, nil
}

// FindPayments implements payment.Store.
func (s *Store) FindPayments(ctx context.Context, f payment.PaymentFilter) ([]*payment.Payment, error) {
	var (
		where []string
		args  []any
	)
	if f.MerchantID != "" {
		where, args = append(where, "merchant_id = ?"), append(args, f.MerchantID)
	}
	where, args = statusIn(f.Statuses, where, args)
	if !f.UpdatedBefore.IsZero() {
		where, args = append(where, "updated_at < ?"), append(args, micros(f.UpdatedBefore))
	}
	if !f.CreatedBefore.IsZero() {
		where, args = append(where, "created_at < ?"), append(args, micros(f.CreatedBefore))
	}
	if !f.ExpiresBefore.IsZero() {
		where, args = append(where, "expires_at < ?"), append(args, micros(f.ExpiresBefore))
	}
	if f.FailureCode != "" {
		where, args = append(where, "failure_code = ?"), append(args, f.FailureCode)
	}
	where, args = extraFilters(f, where, args)
	query := `SELECT ` + paymentColumns + ` FROM payments`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY created_at, id"
	if f.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := s.r.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("find payments: %w", err)
	}
	defer rows.Close()
	var ps []*payment.Payment
	for rows.Next() {
		p, err := scanPayment(rows)
		if err != nil {
			return nil, fmt.Errorf("find payments: %w", err)
		}
		ps = append(ps, p)
	}
	return ps, rows.Err()
}

// TransitionPayment implements payment.Store.
func (s *Store) TransitionPayment(ctx context.Context, id string, from, to payment.Status, upd payment.Update, ev payment.Event) (*payment.Payment, error) {
	if !payment.CanTransition(from, to) {
		return nil, payment.Errorf(payment.EINVALID, "a payment cannot move from %s to %s", from, to)
	}
	if err := totalsFromSeen(id, upd); err != nil {
		return nil, err
	}
	var p *payment.Payment
	typ := payment.EventTypeFor(to)
	var err error
	if typ == "" && s.dialect.oneStatement {
		// The change and its event are one statement: atomic without a
		// BEGIN and a COMMIT, one round trip instead of four.
		err = s.withStatement(ctx, func() error {
			var err error
			p, err = s.transition(ctx, s.w, id, from, &to, upd, &ev)
			return err
		})
	} else if s.dialect.oneStatement {
		// With its outbox: two round trips (pg_pipeline.go).
		p, err = s.pgOutboxTransition(ctx, id, from, &to, upd, &ev, typ)
	} else {
		err = s.withTx(ctx, func(tx *sql.Tx) error {
			var err error
			if p, err = s.transition(ctx, tx, id, from, &to, upd, &ev); err != nil {
				return err
			}
			return s.writeOutbox(ctx, tx, p, from, typ, p.UpdatedAt)
		})
	}
	s.observeTransition(p, from, to, err)
	return committed(p, err)
}

// transition changes the payment (the compare-and-set of updatePayment)
// and records ev, filled in here, for the change: on PostgreSQL in one
// statement (a data-modifying WITH, one round trip), elsewhere as an
// UPDATE and an INSERT. to is nil for a change that keeps the status.
func (s *Store) transition(ctx context.Context, q rowQuerier, id string, from payment.Status, to *payment.Status, upd payment.Update, ev *payment.Event) (*payment.Payment, error) {
	toStatus := from
	if to != nil {
		toStatus = *to
	}
	if !s.dialect.oneStatement {
		tx := q.(*sql.Tx)
		p, err := s.updatePayment(ctx, tx, id, from, to, upd)
		if err != nil {
			return p, err // the payment as it is, on a conflict
		}
		ev.PaymentID, ev.FromStatus, ev.ToStatus, ev.CreatedAt = id, from, toStatus, p.UpdatedAt
		return p, s.insertEvent(ctx, tx, ev)
	}
	query, args := s.transitionStatement(id, from, to, upd, ev)
	p, err := scanPayment(withExtra{q.QueryRowContext(ctx, query, args...), []any{&ev.ID}})
	if err == nil {
		return p, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("update payment: id=%s: %w", id, err)
	}
	return s.whyNotUpdated(ctx, q, id, from)
}

// transitionStatement is transition's one statement on PostgreSQL (a
// data-modifying WITH: the compare-and-set UPDATE and, only if it matched,
// the event), rebound, with its arguments; it fills in ev but its id. The
// statement returns the payment's columns and the event's id.
func (s *Store) transitionStatement(id string, from payment.Status, to *payment.Status, upd payment.Update, ev *payment.Event) (string, []any) {
	toStatus := from
	if to != nil {
		toStatus = *to
	}
	now, update, args := s.paymentUpdate(id, from, to, upd, false)
	ev.PaymentID, ev.FromStatus, ev.ToStatus, ev.CreatedAt = id, from, toStatus, now
	// The event is inserted only if the UPDATE matched (SELECT … FROM u).
	query := `WITH u AS (` + update + ` RETURNING ` + paymentColumns + `),
		e AS (INSERT INTO payment_events (payment_id, from_status, to_status, reason, message, created_at)
			SELECT id, ?, ?, ?, ?, ? FROM u RETURNING id)
		SELECT u.*, (SELECT id FROM e) FROM u`
	return s.q(query), append(args, string(ev.FromStatus), string(ev.ToStatus), ev.Reason, ev.Message, micros(now))
}

// rowQuerier runs a statement: the pool (a statement that commits alone)
// or a transaction.
type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// withExtra scans a row's leading columns into what the caller asks for
// and its last ones into extra.
type withExtra struct {
	row   scanner
	extra []any
}

func (w withExtra) Scan(dest ...any) error { return w.row.Scan(append(dest, w.extra...)...) }

// AnnouncePayment implements payment.Store.
func (s *Store) AnnouncePayment(ctx context.Context, id string, expect payment.Status, upd payment.Update, ev payment.Event) (*payment.Payment, error) {
	if s.dialect.oneStatement {
		return s.pgOutboxTransition(ctx, id, expect, nil, upd, &ev, payment.EventPaymentUpdated)
	}
	var p *payment.Payment
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var err error
		if p, err = s.transition(ctx, tx, id, expect, nil, upd, &ev); err != nil {
			return err
		}
		return s.writeOutbox(ctx, tx, p, expect, payment.EventPaymentUpdated, p.UpdatedAt)
	})
	return committed(p, err)
}

// extraFilters adds the filters that FindPayments and ClaimPayments share
// beyond the basic ones.
func extraFilters(f payment.PaymentFilter, where []string, args []any) ([]string, []any) {
	if len(f.Providers) > 0 {
		where = append(where, "provider IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(f.Providers)), ", ")+")")
		for _, p := range f.Providers {
			args = append(args, p)
		}
	}
	if !f.UpdatedAfter.IsZero() {
		where, args = append(where, "updated_at > ?"), append(args, micros(f.UpdatedAfter))
	}
	if !f.RetryBefore.IsZero() {
		where, args = append(where, "retry_at < ?"), append(args, micros(f.RetryBefore))
	}
	return where, args
}

// retryMicros stores a zero RetryAt as 0 (due at once).
func retryMicros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return micros(t)
}

// UpdatePayment implements payment.Store.
func (s *Store) UpdatePayment(ctx context.Context, id string, expect payment.Status, upd payment.Update) (*payment.Payment, error) {
	if err := totalsFromSeen(id, upd); err != nil {
		return nil, err
	}
	var p *payment.Payment
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var err error
		p, err = s.updatePayment(ctx, tx, id, expect, nil, upd)
		return err
	})
	return committed(p, err)
}

// updatePayment is the compare-and-set: it changes the row only while its
// status is still from, and reports ECONFLICT otherwise.
func (s *Store) updatePayment(ctx context.Context, tx *sql.Tx, id string, from payment.Status, to *payment.Status, upd payment.Update) (*payment.Payment, error) {
	if s.dialect.updateReturning {
		// One statement writes the row and returns it.
		_, update, args := s.paymentUpdate(id, from, to, upd, false)
		p, err := scanPayment(tx.QueryRowContext(ctx, s.q(update+` RETURNING `+paymentColumns), args...))
		if err == nil {
			return p, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("update payment: id=%s: %w", id, err)
		}
		return s.whyNotUpdated(ctx, tx, id, from)
	}
	if seen := upd.Seen; seen != nil && seen.ID == id && seen.Status == from {
		// The row is still the version the caller holds: the changed
		// payment is seen with upd applied, no read-back (seen.go).
		now, update, args := s.paymentUpdate(id, from, to, upd, true)
		n, err := execCount(ctx, tx, s.q(update), args...)
		if err != nil {
			return nil, fmt.Errorf("update payment: id=%s: %w", id, err)
		}
		if n == 1 {
			return s.checkSeen(ctx, tx, applied(seen, to, upd, now))
		}
		// Changed since the caller read it: decide on the status alone,
		// as without Seen.
	}
	_, update, args := s.paymentUpdate(id, from, to, upd, false)
	n, err := execCount(ctx, tx, s.q(update), args...)
	if err != nil {
		return nil, fmt.Errorf("update payment: id=%s: %w", id, err)
	}
	if n == 1 {
		s.stats.readBacks.Add(1)
		p, err := scanPayment(tx.QueryRowContext(ctx, s.q(`SELECT `+paymentColumns+` FROM payments WHERE id = ?`), id))
		if err != nil {
			return nil, fmt.Errorf("update payment: read back: id=%s: %w", id, err)
		}
		return p, nil
	}
	return s.whyNotUpdated(ctx, tx, id, from)
}

// execCount runs a write and returns how many rows it changed.
func execCount(ctx context.Context, tx *sql.Tx, query string, args ...any) (int64, error) {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// whyNotUpdated says why the compare-and-set of payment id matched nothing:
// ENOTFOUND, or ECONFLICT with the payment as it is (callers decide from it).
func (s *Store) whyNotUpdated(ctx context.Context, q rowQuerier, id string, from payment.Status) (*payment.Payment, error) {
	p, err := scanPayment(q.QueryRowContext(ctx, s.q(`SELECT `+paymentColumns+` FROM payments WHERE id = ?`), id))
	if err != nil {
		return nil, notFound(err, "payment")
	}
	if p.Status == from { // the status matched: the refunded totals did not
		return p, payment.Errorf(payment.ECONFLICT, "payment %s's refunded total changed since it was read (now %d)", id, p.CanceledAmount)
	}
	return p, payment.Errorf(payment.ECONFLICT, "payment is %s, not %s", p.Status, from)
}

// totalsFromSeen refuses an update that sets a refunded total without the
// payment it was computed from. A total is absolute (what the provider
// reports refunded, or the stored total plus one refund): written over a
// refund recorded meanwhile it would erase it, so the UPDATE also compares
// the stored totals with Seen's (paymentUpdate) and reports ECONFLICT when
// they moved.
func totalsFromSeen(id string, upd payment.Update) error {
	if (upd.CanceledAmount != nil || upd.CanceledTaxFreeAmount != nil) && (upd.Seen == nil || upd.Seen.ID != id) {
		return payment.Errorf(payment.EINVALID, "payment %s: a refunded total can only be set against the payment it was computed from (Update.Seen)", id)
	}
	return nil
}

// textUpdate is one text column an Update may set: its name, the new value
// (nil: unchanged) and, for applied, the field of a payment it lands in.
type textUpdate struct {
	col string
	v   *string
	dst *string
}

// textUpdates are upd's text columns, in a fixed order so the statement
// text is the same on every call (and prepared once); dst points into p
// (nil p: no destinations). One list for the UPDATE and for applied, so
// the two cannot disagree about a column.
func textUpdates(upd *payment.Update, p *payment.Payment) [16]textUpdate {
	if p == nil {
		p = &noDestination // only its fields' addresses are taken, never written
	}
	return [...]textUpdate{
		{"failure_code", upd.FailureCode, &p.FailureCode}, {"failure_message", upd.FailureMessage, &p.FailureMessage},
		{"pg_token", upd.PGToken, &p.PGToken}, {"provider_approval_id", upd.ProviderApprovalID, &p.ProviderApprovalID},
		{"provider_cid", upd.ProviderCID, &p.ProviderCID}, {"provider_error_code", upd.ProviderErrorCode, &p.ProviderErrorCode},
		{"provider_error_message", upd.ProviderErrorMessage, &p.ProviderErrorMessage},
		{"provider_method_type", upd.ProviderMethodType, &p.ProviderMethodType},
		{"provider_order_id", upd.ProviderOrderID, &p.ProviderOrderID}, {"provider_status", upd.ProviderStatus, &p.ProviderStatus},
		{"provider_tid", upd.ProviderTID, &p.ProviderTID}, {"provider_user_id", upd.ProviderUserID, &p.ProviderUserID},
		{"redirect_app", upd.RedirectApp, &p.RedirectApp}, {"redirect_mobile", upd.RedirectMobile, &p.RedirectMobile},
		{"redirect_pc", upd.RedirectPC, &p.RedirectPC}, {"return_tid", upd.ReturnTID, &p.ReturnTID},
	}
}

// noDestination stands in for the payment of textUpdates when the caller
// wants only the columns: no allocation on every update.
var noDestination payment.Payment

// paymentUpdate is the UPDATE (with ? placeholders) of updatePayment, its
// arguments, and the time it stamps as updated_at. Every update adds one to
// the version; withVersion also requires the row to be upd.Seen's version.
func (s *Store) paymentUpdate(id string, from payment.Status, to *payment.Status, upd payment.Update, withVersion bool) (now time.Time, update string, args []any) {
	now = s.now()
	set := []string{"updated_at = ?", "version = version + 1"}
	args = []any{micros(now)}
	add := func(col string, v any) { set, args = append(set, col+" = ?"), append(args, v) }
	if to != nil {
		add("status", string(*to))
	}
	// A slice, not a map, because this runs on SQLite's one writer for
	// every payment update.
	for _, c := range textUpdates(&upd, nil) {
		if c.v != nil {
			add(c.col, *c.v)
		}
	}
	if upd.ExpiresAt != nil {
		add("expires_at", micros(*upd.ExpiresAt))
	}
	if upd.ApprovedAt != nil {
		add("approved_at", nullMicros(*upd.ApprovedAt))
	}
	if upd.CanceledAt != nil {
		add("canceled_at", nullMicros(*upd.CanceledAt))
	}
	if upd.CanceledAmount != nil {
		add("canceled_amount", *upd.CanceledAmount)
	}
	if upd.CanceledTaxFreeAmount != nil {
		add("canceled_tax_free_amount", *upd.CanceledTaxFreeAmount)
	}
	if upd.FinishAttempts != nil {
		add("finish_attempts", *upd.FinishAttempts)
	}
	if upd.RefundAttempts != nil {
		add("refund_attempts", *upd.RefundAttempts)
	}
	if upd.RetryAt != nil {
		add("retry_at", retryMicros(*upd.RetryAt))
	}
	if upd.ProviderAnswer != nil {
		add("provider_last_answer", string(upd.ProviderAnswer.Body))
		add("provider_last_answer_at", nullMicros(upd.ProviderAnswer.At))
	}
	if upd.ReleaseOrderID {
		set = append(set, "order_key = NULL")
	}
	args = append(args, id, string(from))
	where := ` WHERE id = ? AND status = ?`
	if upd.CanceledAmount != nil || upd.CanceledTaxFreeAmount != nil {
		// Refunded totals are absolute: right only against the totals
		// they were computed from (totalsFromSeen).
		where += ` AND canceled_amount = ? AND canceled_tax_free_amount = ?`
		args = append(args, upd.Seen.CanceledAmount, upd.Seen.CanceledTaxFreeAmount)
	}
	if withVersion {
		where += ` AND version = ?`
		args = append(args, upd.Seen.Version)
	}
	return now, `UPDATE payments SET ` + strings.Join(set, ", ") + where, args
}

func (s *Store) insertEvent(ctx context.Context, tx *sql.Tx, ev *payment.Event) error {
	const insert = `INSERT INTO payment_events (payment_id, from_status, to_status, reason, message, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`
	args := []any{ev.PaymentID, string(ev.FromStatus), string(ev.ToStatus), ev.Reason, ev.Message, micros(ev.CreatedAt)}
	var err error
	if s.dialect.lastInsertID {
		// An Exec, not a query with RETURNING: no result rows to set up
		// and tear down for one id, on the writer every transition waits for.
		var res sql.Result
		if res, err = tx.ExecContext(ctx, insert, args...); err == nil {
			ev.ID, err = res.LastInsertId()
		}
	} else {
		err = tx.QueryRowContext(ctx, s.q(insert+` RETURNING id`), args...).Scan(&ev.ID)
	}
	if err != nil {
		return fmt.Errorf("insert event: payment_id=%s: %w", ev.PaymentID, err)
	}
	return nil
}

// FindEvents implements payment.Store.
func (s *Store) FindEvents(ctx context.Context, paymentID string) ([]*payment.Event, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT id, payment_id, from_status, to_status, reason, message, created_at
		FROM payment_events WHERE payment_id = ? ORDER BY id`), paymentID)
	if err != nil {
		return nil, fmt.Errorf("find events: %w", err)
	}
	defer rows.Close()
	var evs []*payment.Event
	for rows.Next() {
		var (
			e        payment.Event
			from, to string
			at       int64
		)
		if err := rows.Scan(&e.ID, &e.PaymentID, &from, &to, &e.Reason, &e.Message, &at); err != nil {
			return nil, fmt.Errorf("find events: %w", err)
		}
		e.FromStatus, e.ToStatus, e.CreatedAt = payment.Status(from), payment.Status(to), fromMicros(at)
		evs = append(evs, &e)
	}
	return evs, rows.Err()
}

// boolInt stores a bool as 0 or 1 (BIGINT in both engines).
func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
