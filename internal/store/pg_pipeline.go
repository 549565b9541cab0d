package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/paybridge/paybridge/internal/payment"
)

// pgOutboxTransition is TransitionPayment (to non-nil) and AnnouncePayment
// (to nil) on PostgreSQL when the change is announced by an outbox event
// (typ): the transition, its event, the webhook event and its deliveries
// in one transaction, as writeOutbox does in withTx, but sent in two round
// trips instead of five or more. The first sends BEGIN, the transition's
// statement and the reads the webhook body and deliveries need (the
// payment's cancellations, the merchant's endpoints) together; the second,
// once the body is rendered here, the webhook event, one delivery per
// subscribed endpoint and COMMIT. It returns nil only after the server
// answered that COMMIT: the change, its event and the outbox are durable
// together or not at all. When the compare-and-set matches nothing the
// transaction is rolled back and the payment is returned as it is, with
// ECONFLICT (or ENOTFOUND), as transition does. A serialization failure or
// deadlock is retried as in withTx.
func (s *Store) pgOutboxTransition(ctx context.Context, id string, from payment.Status, to *payment.Status, upd payment.Update, ev *payment.Event, typ string) (p *payment.Payment, err error) {
	start := time.Now()
	defer func() { s.observeTx(start, err) }()
	matched := true
	err = s.retry(ctx, func() error {
		conn, err := s.w.Conn(ctx)
		if err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		defer conn.Close()
		return conn.Raw(func(dc any) error {
			sc, ok := dc.(*stdlib.Conn)
			if !ok {
				return fmt.Errorf("update payment: id=%s: the pool's connection is a %T, not pgx's", id, dc)
			}
			c := sc.Conn()
			defer rollbackIfOpen(ctx, c)
			p, matched, err = s.pgOutboxTransitionOn(ctx, c, id, from, to, upd, ev, typ)
			return err
		})
	})
	if err != nil {
		return nil, err
	}
	if !matched {
		return s.whyNotUpdated(ctx, s.r, id, from)
	}
	s.stats.commits.Add(1)
	s.stats.transactions.Add(1)
	return p, nil
}

// pgOutboxTransitionOn runs pgOutboxTransition's transaction once on c.
// matched is false when the compare-and-set matched nothing (then nothing
// was written, and the transaction is still open for the caller to roll
// back).
func (s *Store) pgOutboxTransitionOn(ctx context.Context, c *pgx.Conn, id string, from payment.Status, to *payment.Status, upd payment.Update, ev *payment.Event, typ string) (p *payment.Payment, matched bool, err error) {
	query, args := s.transitionStatement(id, from, to, upd, ev)
	var b pgx.Batch
	b.Queue(`BEGIN`)
	b.Queue(query, args...)
	if !neverSettled(from) {
		b.Queue(s.q(paymentCancellations), id)
	}
	// The merchant and the mode are the payment's, which the UPDATE cannot
	// change: its endpoints can be read before the payment comes back. Only
	// endpoints of the payment's mode hear of it (outboxSubscribers).
	b.Queue(`SELECT e.id, e.enabled_events FROM webhook_endpoints e, payments p
		WHERE p.id = $1 AND e.merchant_id = p.merchant_id AND e.status = $2 AND e.livemode = p.livemode
		ORDER BY e.created_at, e.id`,
		id, payment.EndpointEnabled)
	br := c.SendBatch(ctx, &b)
	var (
		cs  []*payment.Cancellation
		eps []*payment.WebhookEndpoint
	)
	err = func() error {
		// BEGIN cannot fail on its own: an error on its result is the
		// batch's (pgx reports a failure to prepare the batch's statements
		// there), in practice the transition's.
		if _, err := br.Exec(); err != nil {
			return fmt.Errorf("update payment (pipelined): id=%s: %w", id, err)
		}
		p, err = scanPayment(withExtra{br.QueryRow(), []any{&ev.ID}})
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return fmt.Errorf("update payment: id=%s: %w", id, err)
		}
		if !neverSettled(from) {
			if cs, err = pgRows(br, scanCancellation); err != nil {
				return fmt.Errorf("outbox: payment_id=%s: %w", id, err)
			}
		}
		if eps, err = pgRows(br, scanSubscriber); err != nil {
			return fmt.Errorf("outbox: payment_id=%s: find endpoints: %w", id, err)
		}
		return nil
	}()
	if cerr := br.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("update payment: id=%s: %w", id, cerr)
	}
	if err != nil || p == nil {
		return nil, false, err
	}

	now := p.UpdatedAt.UTC().Truncate(time.Microsecond)
	wev, insert, insertArgs, err := s.outboxEvent(p, typ, cs, now)
	if err != nil {
		return nil, true, err
	}
	b = pgx.Batch{}
	b.Queue(s.q(insert), insertArgs...)
	for _, e := range eps {
		if e.Subscribed(typ) {
			insert, args := deliveryInsert(wev.ID, e.ID, now)
			b.Queue(s.q(insert), args...)
		}
	}
	b.Queue(`COMMIT`)
	br = c.SendBatch(ctx, &b)
	err = func() error {
		if _, err := br.Exec(); err != nil {
			return fmt.Errorf("outbox: insert event: payment_id=%s: %w", id, err)
		}
		for range b.Len() - 2 {
			if _, err := br.Exec(); err != nil {
				return fmt.Errorf("insert delivery: event_id=%s: %w", wev.ID, err)
			}
		}
		tag, err := br.Exec()
		if err != nil {
			return fmt.Errorf("commit: %w", err)
		}
		if tag.String() != "COMMIT" {
			// A transaction that had failed answers COMMIT with ROLLBACK.
			return fmt.Errorf("commit: the server rolled the transaction back (%s)", tag)
		}
		return nil
	}()
	if cerr := br.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("commit: %w", cerr)
	}
	return p, true, err
}

// pgRows reads the next result of a batch to the end with scan.
func pgRows[T any](br pgx.BatchResults, scan func(scanner) (T, error)) ([]T, error) {
	rows, err := br.Query()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// rollbackIfOpen ends a transaction left open on c by an error or a lost
// compare-and-set, before c goes back to the pool: an open transaction
// would hold the payment's row lock until the pool next hands c out. If
// the ROLLBACK fails too, c is closed, which ends the transaction on the
// server at once (the pool then drops c: stdlib's ResetSession refuses a
// closed connection).
func rollbackIfOpen(ctx context.Context, c *pgx.Conn) {
	if c.PgConn().TxStatus() != 'I' && !c.IsClosed() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if _, err := c.Exec(ctx, `ROLLBACK`); err != nil || c.PgConn().TxStatus() != 'I' {
			c.Close(ctx)
		}
	}
}
