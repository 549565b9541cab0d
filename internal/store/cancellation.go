package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/paybridge/paybridge/internal/payment"
)

const cancellationColumns = `id, payment_id, amount, tax_free_amount, reason, status, failure_code, failure_message,
	provider_aid, created_at, updated_at, accepted_at`

func scanCancellation(row scanner) (*payment.Cancellation, error) {
	var (
		c                payment.Cancellation
		created, updated int64
		accepted         int64
	)
	if err := row.Scan(&c.ID, &c.PaymentID, &c.Amount, &c.TaxFreeAmount, &c.Reason, &c.Status, &c.FailureCode,
		&c.FailureMessage, &c.ProviderAID, &created, &updated, &accepted); err != nil {
		return nil, err
	}
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	if accepted != 0 {
		c.AcceptedAt = fromMicros(accepted)
	}
	return &c, nil
}

// CreateCancellation implements payment.Store. The checks and the insert
// share one write transaction, and a partial unique index allows only one
// pending cancellation per payment, so two refunds can never both pass.
func (s *Store) CreateCancellation(ctx context.Context, c *payment.Cancellation, expect payment.Status) error {
	now := s.now()
	c.CreatedAt, c.UpdatedAt, c.Status = now, now, payment.CancellationPending
	return s.withTx(ctx, func(tx *sql.Tx) error {
		p, err := scanPayment(tx.QueryRowContext(ctx, s.q(`SELECT `+paymentColumns+` FROM payments WHERE id = ?`+s.dialect.forUpdate), c.PaymentID))
		if err != nil {
			return notFound(err, "payment")
		}
		if p.Status != expect {
			return payment.Errorf(payment.ECONFLICT, "payment is %s, not %s", p.Status, expect)
		}
		if !p.Status.Settled() {
			// Also what lets the outbox skip looking for the cancellations
			// of a payment that was never paid (neverSettled).
			return payment.Errorf(payment.ECONFLICT, "payment is %s: only a paid payment can be refunded", p.Status)
		}
		if c.Amount > p.CancelableAmount() {
			return payment.Errorf(payment.EINVALID, "amount %d exceeds the cancelable amount %d", c.Amount, p.CancelableAmount())
		}
		if c.TaxFreeAmount > p.CancelableTaxFreeAmount() {
			return payment.Errorf(payment.EINVALID, "tax_free_amount %d exceeds the cancelable tax-free amount %d",
				c.TaxFreeAmount, p.CancelableTaxFreeAmount())
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO cancellations (`+cancellationColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			c.ID, c.PaymentID, c.Amount, c.TaxFreeAmount, c.Reason, c.Status, c.FailureCode, c.FailureMessage,
			c.ProviderAID, micros(c.CreatedAt), micros(c.UpdatedAt), retryMicros(c.AcceptedAt))
		if err != nil {
			if s.dialect.isUniqueViolation(err) {
				return payment.Errorf(payment.ECONFLICT, "another refund of this payment is in progress")
			}
			return fmt.Errorf("insert cancellation: payment_id=%s: %w", c.PaymentID, err)
		}
		return s.recordIdempotentResource(ctx, tx, c.Idempotency, c.ID)
	})
}

// CompleteCancellation implements payment.Store.
func (s *Store) CompleteCancellation(ctx context.Context, c *payment.Cancellation, succeeded bool, upd payment.Update, ev payment.Event) (*payment.Payment, error) {
	var (
		p        *payment.Payment
		from, to payment.Status // the payment's move, for the metrics
	)
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		status := payment.CancellationFailed
		if succeeded {
			status = payment.CancellationSucceeded
		}
		res, err := tx.ExecContext(ctx, s.q(`UPDATE cancellations SET status = ?, failure_code = ?, failure_message = ?,
			provider_aid = ?, updated_at = ? WHERE id = ? AND status = ?`),
			status, c.FailureCode, c.FailureMessage, c.ProviderAID, micros(now), c.ID, payment.CancellationPending)
		if err != nil {
			return fmt.Errorf("complete cancellation: id=%s: %w", c.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return payment.Errorf(payment.ECONFLICT, "cancellation %s is no longer pending", c.ID)
		}
		c.Status, c.UpdatedAt = status, now
		cur, err := scanPayment(tx.QueryRowContext(ctx, s.q(`SELECT `+paymentColumns+` FROM payments WHERE id = ?`+s.dialect.forUpdate), c.PaymentID))
		if err != nil {
			return notFound(err, "payment")
		}
		if !succeeded {
			if ev.Reason == "" {
				p = cur // answered to the shop at once: nothing to announce
				return nil
			}
			// A pending refund that ended failed: the payment keeps its
			// status, and the shop, answered "pending", hears of it here.
			upd.Seen = cur // read under the row lock: no read-back
			if p, err = s.transition(ctx, tx, c.PaymentID, cur.Status, nil, upd, &ev); err != nil {
				return err
			}
			return s.writeOutbox(ctx, tx, p, cur.Status, payment.EventPaymentUpdated, p.UpdatedAt)
		}
		// The refunded totals are the stored ones plus this refund, read
		// under the row lock in this transaction: never a copy read
		// before the provider was called.
		canceled, canceledTaxFree := cur.CanceledAmount+c.Amount, cur.CanceledTaxFreeAmount+c.TaxFreeAmount
		if canceled > cur.Amount || canceledTaxFree > cur.TaxFreeAmount {
			return payment.Errorf(payment.ECONFLICT, "refund %s does not fit what remains of payment %s", c.ID, c.PaymentID)
		}
		upd.CanceledAmount, upd.CanceledTaxFreeAmount = &canceled, &canceledTaxFree
		upd.Seen = cur // the totals were computed from cur, read under the row lock
		to = payment.StatusPartiallyCanceled
		if canceled == cur.Amount {
			to = payment.StatusCanceled
		}
		if !payment.CanTransition(cur.Status, to) {
			return payment.Errorf(payment.ECONFLICT, "a payment cannot move from %s to %s", cur.Status, to)
		}
		p, err = s.updatePayment(ctx, tx, c.PaymentID, cur.Status, &to, upd)
		if err != nil {
			return err
		}
		ev.PaymentID, ev.FromStatus, ev.ToStatus, ev.CreatedAt = c.PaymentID, cur.Status, to, now
		from = cur.Status
		if err := s.insertEvent(ctx, tx, &ev); err != nil {
			return err
		}
		return s.writeOutbox(ctx, tx, p, from, payment.EventTypeFor(to), now)
	})
	if succeeded {
		s.observeTransition(p, from, to, err)
	}
	return committed(p, err)
}

// AcceptCancellation implements payment.Store.
func (s *Store) AcceptCancellation(ctx context.Context, c *payment.Cancellation) error {
	return s.withTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`UPDATE cancellations SET accepted_at = ?, updated_at = ? WHERE id = ? AND status = ?`),
			retryMicros(c.AcceptedAt), micros(s.now()), c.ID, payment.CancellationPending)
		if err != nil {
			return fmt.Errorf("accept cancellation: id=%s: %w", c.ID, err)
		}
		return nil
	})
}

// FindCancellations implements payment.Store.
func (s *Store) FindCancellations(ctx context.Context, paymentID string) ([]*payment.Cancellation, error) {
	return s.findCancellations(ctx, `SELECT `+cancellationColumns+` FROM cancellations WHERE payment_id = ? ORDER BY created_at, id`, paymentID)
}

func (s *Store) findCancellations(ctx context.Context, query string, args ...any) ([]*payment.Cancellation, error) {
	return queryAll(ctx, s.r, "find cancellations", scanCancellation, s.q(query), args...)
}
