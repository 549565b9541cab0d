package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// seedBatch is the rows of one INSERT and seedTx the rows of one transaction
// when seeding: big enough to be fast, far below both engines' limits on
// bound parameters.
const (
	seedBatch = 8
	seedTx    = 10000
)

// seedColumns are the columns SeedPayments fills, named here rather than
// taken from paymentColumns so that columns added later (with defaults)
// leave it working.
const seedColumns = `id, merchant_id, provider, channel, order_id, order_name, customer_id,
	quantity, amount, tax_free_amount, currency, status, canceled_amount, canceled_tax_free_amount,
	provider_tid, provider_cid, provider_status, provider_method_type, provider_approval_id, provider_order_id,
	provider_user_id, provider_error_code, provider_error_message, pg_token,
	redirect_pc, redirect_mobile, redirect_app, success_url, fail_url, cancel_url,
	failure_code, failure_message, expires_at, approved_at, canceled_at, created_at, updated_at, order_key`

const seedColumnCount = 38

// SeedPayments inserts n paid KakaoPay payments of merchantID straight into
// the database, many rows per statement and transaction, for paybridge
// bench's lookups over large tables. They are created a millisecond apart,
// ending now. It writes no events and no webhooks: never use it on a
// database that serves a shop. It returns up to sample of the new ids,
// spread evenly.
func (s *Store) SeedPayments(ctx context.Context, merchantID string, n, sample int) ([]string, error) {
	now := s.now()
	start := now.Add(-time.Duration(n) * time.Millisecond)
	every := max(n/max(sample, 1), 1)
	var ids []string
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", seedColumnCount), ", ") + ")"
	for done := 0; done < n; {
		inTx := min(seedTx, n-done)
		err := s.withTx(ctx, func(tx *sql.Tx) error {
			for i := 0; i < inTx; {
				rows := min(seedBatch, inTx-i)
				args := make([]any, 0, rows*seedColumnCount)
				for j := range rows {
					k := done + i + j
					at := start.Add(time.Duration(k) * time.Millisecond)
					id := payment.NewID("pay", at)
					if k%every == 0 && len(ids) < sample {
						ids = append(ids, id)
					}
					order := fmt.Sprintf("seed-%d-%d", now.UnixMilli(), k)
					args = append(args, id, merchantID, payment.ProviderKakaoPay, payment.ChannelAPI, order, "Tea", "buyer",
						1, 1000, 0, payment.CurrencyKRW, string(payment.StatusPaid), 0, 0,
						fmt.Sprintf("T%019d", k), "TC0ONETIME", "SUCCESS_PAYMENT", "MONEY", "", id,
						"buyer", "", "", "", "", "", "", "", "", "",
						"", "", micros(at.Add(15*time.Minute)), micros(at), nil, micros(at), micros(at), order)
				}
				_, err := tx.ExecContext(ctx, s.q(`INSERT INTO payments (`+seedColumns+`) VALUES `+
					strings.TrimSuffix(strings.Repeat(row+", ", rows), ", ")), args...)
				if err != nil {
					return fmt.Errorf("seed payments: %w", err)
				}
				i += rows
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		done += inTx
	}
	return ids, nil
}

// CountPayments counts every payment stored.
func (s *Store) CountPayments(ctx context.Context) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM payments`).Scan(&n)
	return n, err
}
