package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

var _ payment.InboxStore = (*Store)(nil)

const inboxColumns = `id, provider, payment_id, status, deliveries, attempts, next_attempt_at, last_error, created_at, updated_at`

func scanProviderWebhook(row scanner) (*payment.ProviderWebhook, error) {
	var (
		w                      payment.ProviderWebhook
		deliveries, attempts   int64
		next, created, updated int64
	)
	if err := row.Scan(&w.ID, &w.Provider, &w.PaymentID, &w.Status, &deliveries, &attempts, &next, &w.LastError,
		&created, &updated); err != nil {
		return nil, err
	}
	w.Deliveries, w.Attempts = int(deliveries), int(attempts)
	w.NextAttemptAt, w.CreatedAt, w.UpdatedAt = fromMicros(next), fromMicros(created), fromMicros(updated)
	return &w, nil
}

// EnqueueProviderWebhook implements payment.InboxStore. The partial unique
// index on the payment's pending entry makes the join atomic: of concurrent
// deliveries, one inserts and the others update its row.
func (s *Store) EnqueueProviderWebhook(ctx context.Context, provider, paymentID string, now time.Time) (*payment.ProviderWebhook, error) {
	now = now.UTC().Truncate(time.Microsecond)
	var w *payment.ProviderWebhook
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var err error
		w, err = scanProviderWebhook(tx.QueryRowContext(ctx, s.q(`INSERT INTO provider_webhooks
			(id, provider, payment_id, status, deliveries, attempts, next_attempt_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, 1, 0, ?, ?, ?)
			ON CONFLICT (provider, payment_id) WHERE status = 'pending' DO UPDATE SET
				deliveries = provider_webhooks.deliveries + 1,
				next_attempt_at = CASE WHEN provider_webhooks.next_attempt_at > ? THEN ? ELSE provider_webhooks.next_attempt_at END,
				updated_at = ?
			RETURNING `+inboxColumns),
			payment.NewID("pwh", now), provider, paymentID, payment.InboxPending, micros(now), micros(now), micros(now),
			micros(now), micros(now), micros(now)))
		if err != nil {
			return fmt.Errorf("enqueue provider webhook: payment_id=%s: %w", paymentID, err)
		}
		return nil
	})
	return w, err
}

// ClaimProviderWebhooks implements payment.InboxStore, as ClaimPayments
// does for payments: chosen and leased in one statement, skipping rows
// another instance is claiming right now on PostgreSQL.
func (s *Store) ClaimProviderWebhooks(ctx context.Context, c payment.Claim, limit int) ([]*payment.ProviderWebhook, error) {
	now := micros(c.Now)
	query := `UPDATE provider_webhooks SET status = ?, lease_owner = ?, lease_until = ?, attempts = attempts + 1, updated_at = ?
		WHERE id IN (SELECT id FROM provider_webhooks
			WHERE (status = ? AND next_attempt_at <= ?) OR (status = ? AND lease_until < ?)` +
		fmt.Sprintf(" ORDER BY next_attempt_at, id LIMIT %d", max(limit, 1)) + s.dialect.skipLocked + `)
		RETURNING ` + inboxColumns
	var ws []*payment.ProviderWebhook
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var err error
		ws, err = queryAll(ctx, tx, "claim provider webhooks", scanProviderWebhook, s.q(query),
			payment.InboxProcessing, c.Owner, micros(c.Now.Add(c.Lease)), now,
			payment.InboxPending, now, payment.InboxProcessing, now)
		return err
	})
	sort.Slice(ws, func(i, j int) bool { return ws[i].NextAttemptAt.Before(ws[j].NextAttemptAt) })
	return ws, err
}

// FinishProviderWebhook implements payment.InboxStore.
func (s *Store) FinishProviderWebhook(ctx context.Context, id, owner, errMsg string, next time.Time, dead bool, now time.Time) error {
	status := payment.InboxDone
	switch {
	case dead:
		status = payment.InboxDead
	case errMsg != "":
		status = payment.InboxPending
	}
	finish := func(status string) error {
		return s.withTx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, s.q(`UPDATE provider_webhooks SET status = ?, last_error = ?, next_attempt_at = ?,
				lease_owner = '', lease_until = 0, updated_at = ?
				WHERE id = ? AND status = ? AND lease_owner = ?`),
				status, errMsg, micros(next), micros(now), id, payment.InboxProcessing, owner)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				return payment.Errorf(payment.ECONFLICT, "provider webhook %s is not held by %s", id, owner)
			}
			return nil
		})
	}
	err := finish(status)
	if err != nil && status == payment.InboxPending && s.dialect.isUniqueViolation(err) {
		// A newer delivery for the payment is already waiting: its lookup
		// will start after this one failed, so this entry has nothing left.
		err = finish(payment.InboxDone)
	}
	if err != nil && payment.ErrorCode(err) != payment.ECONFLICT {
		return fmt.Errorf("finish provider webhook: id=%s: %w", id, err)
	}
	return err
}

// FindProviderWebhooks implements payment.InboxStore.
func (s *Store) FindProviderWebhooks(ctx context.Context, paymentID string) ([]*payment.ProviderWebhook, error) {
	return queryAll(ctx, s.r, "find provider webhooks", scanProviderWebhook, s.q(`SELECT `+inboxColumns+
		` FROM provider_webhooks WHERE payment_id = ? ORDER BY created_at, id`), paymentID)
}

// ReapProviderWebhooks implements payment.InboxStore.
func (s *Store) ReapProviderWebhooks(ctx context.Context, before time.Time, limit int) (int, error) {
	if limit <= 0 {
		limit = 1000
	}
	var n int64
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM provider_webhooks WHERE id IN (
			SELECT id FROM provider_webhooks WHERE status IN (?, ?) AND updated_at < ?`+
			fmt.Sprintf(" ORDER BY updated_at LIMIT %d", limit)+s.dialect.skipLocked+`)`),
			payment.InboxDone, payment.InboxDead, micros(before))
		if err != nil {
			return fmt.Errorf("reap provider webhooks: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
