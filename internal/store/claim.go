package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// ClaimPayments implements payment.Store. The rows are chosen and leased in
// one statement; on PostgreSQL the choice skips rows another instance is
// claiming right now (FOR UPDATE SKIP LOCKED), and on SQLite the single
// writer makes the statement atomic by itself.
func (s *Store) ClaimPayments(ctx context.Context, c payment.Claim, f payment.PaymentFilter) ([]*payment.Payment, error) {
	now := c.Now
	where := []string{"lease_until < ?"}
	args := []any{micros(now)}
	where, args = statusIn(f.Statuses, where, args)
	if !f.UpdatedBefore.IsZero() {
		where, args = append(where, "updated_at < ?"), append(args, micros(f.UpdatedBefore))
	}
	if !f.ExpiresBefore.IsZero() {
		where, args = append(where, "expires_at < ?"), append(args, micros(f.ExpiresBefore))
	}
	if f.FailureCode != "" {
		where, args = append(where, "failure_code = ?"), append(args, f.FailureCode)
	}
	where, args = extraFilters(f, where, args)
	limit := max(f.Limit, 1)
	query := `UPDATE payments SET lease_owner = ?, lease_until = ?
		WHERE id IN (SELECT id FROM payments WHERE ` + strings.Join(where, " AND ") +
		fmt.Sprintf(" ORDER BY updated_at, id LIMIT %d", limit) + s.dialect.skipLocked + `)
		RETURNING ` + paymentColumns
	args = append([]any{c.Owner, micros(now.Add(c.Lease))}, args...)
	var ps []*payment.Payment
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var err error
		ps, err = queryAll(ctx, tx, "claim payments", scanPayment, s.q(query), args...)
		return err
	})
	sort.Slice(ps, func(i, j int) bool { return ps[i].UpdatedAt.Before(ps[j].UpdatedAt) })
	return ps, err
}

// ClaimCancellations implements payment.Store.
func (s *Store) ClaimCancellations(ctx context.Context, c payment.Claim, createdBefore time.Time, limit int) ([]*payment.Cancellation, error) {
	now := c.Now
	query := `UPDATE cancellations SET lease_owner = ?, lease_until = ?
		WHERE id IN (SELECT id FROM cancellations WHERE status = ? AND created_at < ? AND lease_until < ?` +
		fmt.Sprintf(" ORDER BY created_at, id LIMIT %d", max(limit, 1)) + s.dialect.skipLocked + `)
		RETURNING ` + cancellationColumns
	var cs []*payment.Cancellation
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var err error
		cs, err = queryAll(ctx, tx, "claim cancellations", scanCancellation, s.q(query), c.Owner, micros(now.Add(c.Lease)),
			payment.CancellationPending, micros(createdBefore), micros(now))
		return err
	})
	sort.Slice(cs, func(i, j int) bool { return cs[i].CreatedAt.Before(cs[j].CreatedAt) })
	return cs, err
}

// ExtendLeases implements payment.Store.
func (s *Store) ExtendLeases(ctx context.Context, c payment.Claim, paymentIDs []string) ([]string, error) {
	return s.extendLeases(ctx, "payments", c, paymentIDs)
}

// ExtendCancellationLeases implements payment.Store.
func (s *Store) ExtendCancellationLeases(ctx context.Context, c payment.Claim, cancellationIDs []string) ([]string, error) {
	return s.extendLeases(ctx, "cancellations", c, cancellationIDs)
}

// extendLeases extends c.Owner's leases on rows of table (a constant).
func (s *Store) extendLeases(ctx context.Context, table string, c payment.Claim, ids []string) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := []any{micros(c.Now.Add(c.Lease)), c.Owner}
	for _, id := range ids {
		args = append(args, id)
	}
	var held []string
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var err error
		held, err = queryAll(ctx, tx, "extend leases", scanString, s.q(`UPDATE `+table+` SET lease_until = ? WHERE lease_owner = ? AND id IN (`+
			strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")+`) RETURNING id`), args...)
		return err
	})
	return held, err
}
