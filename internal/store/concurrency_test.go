package store_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/store"
)

// Ensure two processes' worth of stores on one SQLite file (each with its own
// writer connection, so they really contend for the file lock) let 200
// goroutines create and move payments without an error reaching them:
// BEGIN IMMEDIATE plus busy_timeout turn contention into waiting.
func TestSQLite_ConcurrentWritersOnOneFile(t *testing.T) {
	ctx := context.Background()
	url := "sqlite:" + filepath.Join(t.TempDir(), "pb.db")
	stores := []*store.Store{MustOpen(t, url), MustOpen(t, url)}
	var errs atomic.Int64
	raceOn(stores, 200, func(i int, s *store.Store) {
		p := &payment.Payment{
			ID: payment.NewID("pay", time.Now()), MerchantID: payment.DefaultMerchantID, Provider: "kakaopay",
			Channel: "api", OrderID: "o-" + strconv.Itoa(i), OrderName: "Tea", CustomerID: "c", Quantity: 1,
			Amount: 1000, Currency: "KRW", ExpiresAt: time.Now().Add(time.Minute),
		}
		if err := s.CreatePayment(ctx, p); err != nil {
			errs.Add(1)
			t.Errorf("create: %v", err)
			return
		}
		for _, step := range [][2]payment.Status{{"created", "ready"}, {"ready", "approving"}, {"approving", "paid"}} {
			if _, err := s.TransitionPayment(ctx, p.ID, step[0], step[1], payment.Update{}, payment.Event{}); err != nil {
				errs.Add(1)
				t.Errorf("transition: %v", err)
				return
			}
		}
	})
	if errs.Load() > 0 {
		t.Fatalf("%d errors reached callers", errs.Load())
	}
	paid, err := stores[0].FindPayments(ctx, payment.PaymentFilter{Statuses: []payment.Status{payment.StatusPaid}})
	if err != nil || len(paid) != 200 {
		t.Fatalf("paid = %d, %v", len(paid), err)
	}
}

// Ensure serialization failures and deadlocks are retried, and that the
// retries are bounded.
func TestStore_RetriesSerializationFailures(t *testing.T) {
	s := MustOpen(t, engines[1].url(t)) // PostgreSQL: the only dialect that retries
	ctx := context.Background()
	for _, code := range []string{"40001", "40P01"} {
		calls := 0
		err := s.WithTxForTest(ctx, func(*sql.Tx) error {
			calls++
			if calls < 3 {
				return &pgconn.PgError{Code: code}
			}
			return nil
		})
		if err != nil || calls != 3 {
			t.Fatalf("%s: err = %v after %d calls, want success on the 3rd", code, err, calls)
		}
	}
	calls := 0
	err := s.WithTxForTest(ctx, func(*sql.Tx) error { calls++; return &pgconn.PgError{Code: "40001"} })
	if calls != 6 || pgCode(err) != "40001" {
		t.Fatalf("persistent failure: %d calls, err %v; want 6 bounded attempts", calls, err)
	}
	calls = 0
	s.WithTxForTest(ctx, func(*sql.Tx) error { calls++; return &pgconn.PgError{Code: "23505"} })
	if calls != 1 {
		t.Fatalf("a unique violation was retried %d times", calls)
	}
}

// Ensure a real deadlock between two transactions is resolved by PostgreSQL
// and the retry, without either caller seeing an error.
func TestStore_DeadlockIsRetried(t *testing.T) {
	url := engines[1].url(t)
	s := MustOpen(t, url)
	ctx := context.Background()
	a, b := MustCreatePayment(t, s, "o-a"), MustCreatePayment(t, s, "o-b")
	var (
		wg      sync.WaitGroup
		started = make(chan struct{}, 2)
		proceed = make(chan struct{})
		once    sync.Once
	)
	lockBoth := func(first, second string) error {
		return s.WithTxForTest(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `UPDATE payments SET order_name = order_name WHERE id = $1`, first); err != nil {
				return err
			}
			started <- struct{}{}
			once.Do(func() { go func() { <-started; <-started; close(proceed) }() })
			select {
			case <-proceed:
			case <-time.After(3 * time.Second):
			}
			_, err := tx.ExecContext(ctx, `UPDATE payments SET order_name = order_name WHERE id = $1`, second)
			return err
		})
	}
	errs := make([]error, 2)
	wg.Go(func() { errs[0] = lockBoth(a.ID, b.ID) })
	wg.Go(func() { errs[1] = lockBoth(b.ID, a.ID) })
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("errors reached callers: %v / %v", errs[0], errs[1])
	}
}

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}
