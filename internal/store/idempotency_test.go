package store_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/store"
)

const (
	idemLock      = 2 * time.Minute
	idemRetention = 24 * time.Hour
)

// MustBeginIdempotent begins key for the default merchant and fails unless
// the call began (want true) or found an existing record (want false).
func MustBeginIdempotent(tb testing.TB, s *store.Store, key, fp string, now time.Time, want bool) *payment.IdempotentRecord {
	tb.Helper()
	rec, began, err := s.BeginIdempotent(context.Background(), payment.DefaultMerchantID, key, fp, now, idemLock, idemRetention)
	if err != nil {
		tb.Fatalf("begin %s: %v", key, err)
	}
	if began != want {
		tb.Fatalf("begin %s: began = %v, want %v (record %+v)", key, began, want, rec)
	}
	return rec
}

func TestStore_BeginIdempotent(t *testing.T) { forEachStore(t, testStoreBeginIdempotent) }

func testStoreBeginIdempotent(t *testing.T, ctx context.Context, s *store.Store) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)

	rec := MustBeginIdempotent(t, s, "k-1", "fp-1", t0, true)
	if rec.Status != payment.IdempotencyStarted || rec.Fingerprint != "fp-1" || !rec.LockedUntil.Equal(t0.Add(idemLock).Truncate(time.Microsecond)) {
		t.Fatalf("began record = %+v", rec)
	}

	t.Run("StartedIsReturnedNotBegun", func(t *testing.T) {
		rec := MustBeginIdempotent(t, s, "k-1", "fp-1", t0.Add(time.Second), false)
		if rec.Status != payment.IdempotencyStarted || rec.Fingerprint != "fp-1" {
			t.Fatalf("record = %+v", rec)
		}
	})
	t.Run("FingerprintIsKept", func(t *testing.T) {
		rec := MustBeginIdempotent(t, s, "k-1", "fp-other", t0.Add(time.Second), false)
		if rec.Fingerprint != "fp-1" {
			t.Fatalf("fingerprint = %q, want the first request's", rec.Fingerprint)
		}
	})

	// A 500 with non-ASCII JSON, stored and read back byte for byte.
	body := []byte("{\"error\":{\"code\":\"internal\",\"message\":\"내부 오류 \\u003c\"}}\n")
	if err := s.FinishIdempotent(ctx, payment.DefaultMerchantID, "k-1", rec.Token, 500, "application/json; charset=utf-8", body, t0.Add(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	rec = MustBeginIdempotent(t, s, "k-1", "fp-1", t0.Add(time.Hour), false)
	if rec.Status != payment.IdempotencyFinished || rec.ResponseStatus != 500 || string(rec.ResponseBody) != string(body) ||
		rec.ResponseContentType != "application/json; charset=utf-8" || rec.Fingerprint != "fp-1" ||
		!rec.FinishedAt.Equal(t0.Add(2*time.Second).Truncate(time.Microsecond)) || !rec.CreatedAt.Equal(t0.Truncate(time.Microsecond)) {
		t.Fatalf("finished record = %+v (body %q)", rec, rec.ResponseBody)
	}

	t.Run("ErrFinishTwice", func(t *testing.T) {
		err := s.FinishIdempotent(ctx, payment.DefaultMerchantID, "k-1", rec.Token, 200, "application/json", []byte(`{}`), t0.Add(time.Hour))
		if payment.ErrorCode(err) != payment.ECONFLICT {
			t.Fatalf("err = %v, want conflict", err)
		}
		if rec := MustBeginIdempotent(t, s, "k-1", "fp-1", t0.Add(time.Hour), false); rec.ResponseStatus != 500 {
			t.Fatalf("the first response was replaced: %+v", rec)
		}
	})
	t.Run("ErrFinishUnknown", func(t *testing.T) {
		err := s.FinishIdempotent(ctx, payment.DefaultMerchantID, "k-none", "", 200, "application/json", []byte(`{}`), t0)
		if payment.ErrorCode(err) != payment.ECONFLICT {
			t.Fatalf("err = %v, want conflict", err)
		}
	})
	t.Run("ErrBodyNotText", func(t *testing.T) {
		bin := MustBeginIdempotent(t, s, "k-bin", "fp", t0, true)
		for _, b := range [][]byte{{0xff, 0xfe}, []byte("a\x00b")} {
			err := s.FinishIdempotent(ctx, payment.DefaultMerchantID, "k-bin", bin.Token, 200, "application/octet-stream", b, t0)
			if payment.ErrorCode(err) != payment.EINVALID {
				t.Fatalf("body %q: err = %v, want invalid", b, err)
			}
		}
	})
	t.Run("ExpiredCountsAsUnknown", func(t *testing.T) {
		later := t0.Add(idemRetention + time.Second)
		rec := MustBeginIdempotent(t, s, "k-1", "fp-new", later, true)
		if rec.Status != payment.IdempotencyStarted || rec.Fingerprint != "fp-new" || rec.ResponseStatus != 0 ||
			len(rec.ResponseBody) != 0 || !rec.CreatedAt.Equal(later.Truncate(time.Microsecond)) || !rec.FinishedAt.IsZero() {
			t.Fatalf("record after expiry = %+v", rec)
		}
	})
	t.Run("KeysArePerMerchant", func(t *testing.T) {
		if err := s.CreateMerchant(ctx, &payment.Merchant{ID: "mer_b", Name: "B"}); err != nil {
			t.Fatal(err)
		}
		MustBeginIdempotent(t, s, "k-shared", "fp-a", t0, true)
		rec, began, err := s.BeginIdempotent(ctx, "mer_b", "k-shared", "fp-b", t0, idemLock, idemRetention)
		if err != nil || !began || rec.MerchantID != "mer_b" || rec.Fingerprint != "fp-b" {
			t.Fatalf("other merchant's begin = %+v, %v, %v", rec, began, err)
		}
	})
}

func TestStore_AbortIdempotent(t *testing.T) { forEachStore(t, testStoreAbortIdempotent) }

func testStoreAbortIdempotent(t *testing.T, ctx context.Context, s *store.Store) {
	t0 := time.Now()
	bad := MustBeginIdempotent(t, s, "k-1", "fp-bad", t0, true)
	if aborted, err := s.AbortIdempotent(ctx, payment.DefaultMerchantID, "k-1", bad.Token); err != nil || !aborted {
		t.Fatal(aborted, err)
	}
	// The key is free again, for another request.
	good := MustBeginIdempotent(t, s, "k-1", "fp-good", t0, true)
	if err := s.FinishIdempotent(ctx, payment.DefaultMerchantID, "k-1", good.Token, 201, "application/json", []byte(`{"id":"pay_1"}`), t0); err != nil {
		t.Fatal(err)
	}
	t.Run("FinishedIsKept", func(t *testing.T) {
		if aborted, err := s.AbortIdempotent(ctx, payment.DefaultMerchantID, "k-1", good.Token); err != nil || aborted {
			t.Fatal(aborted, err)
		}
		if rec := MustBeginIdempotent(t, s, "k-1", "fp-good", t0, false); rec.Status != payment.IdempotencyFinished || rec.ResponseStatus != 201 {
			t.Fatalf("record = %+v", rec)
		}
	})
	t.Run("UnknownIsNoError", func(t *testing.T) {
		if _, err := s.AbortIdempotent(ctx, payment.DefaultMerchantID, "k-none", ""); err != nil {
			t.Fatal(err)
		}
	})
}

// Ensure that of 20 concurrent first requests with one key, on two store
// handles (two instances' worth of connections), exactly one begins.
func TestStore_BeginIdempotentConcurrently(t *testing.T) {
	forEachEngine(t, testStoreBeginIdempotentConcurrently)
}

func testStoreBeginIdempotentConcurrently(t *testing.T, url string) {
	stores := []*store.Store{MustOpen(t, url), MustOpen(t, url)}
	t0 := time.Now()
	race := func(key, fp string, now time.Time) int64 {
		var began atomic.Int64
		raceOn(stores, 20, func(_ int, s *store.Store) {
			rec, ok, err := s.BeginIdempotent(context.Background(), payment.DefaultMerchantID, key, fp, now, idemLock, idemRetention)
			if err != nil {
				t.Errorf("begin: %v", err)
				return
			}
			if ok {
				began.Add(1)
			} else if rec.Status != payment.IdempotencyStarted || rec.Fingerprint != fp {
				t.Errorf("loser saw %+v", rec)
			}
		})
		return began.Load()
	}
	for i := range 5 {
		if n := race("k-"+strconv.Itoa(i), "fp", t0); n != 1 {
			t.Fatalf("round %d: %d began, want exactly 1", i, n)
		}
	}

	t.Run("StaleLockTakenOverOnce", func(t *testing.T) {
		MustBeginIdempotent(t, stores[0], "k-stale", "fp", t0, true)
		// Still locked: nobody takes it.
		if n := race("k-stale", "fp", t0.Add(idemLock-time.Second)); n != 0 {
			t.Fatalf("%d took over a live lock", n)
		}
		// The instance that began it died: after the lock, exactly one retry takes it over.
		after := t0.Add(idemLock + time.Second)
		if n := race("k-stale", "fp", after); n != 1 {
			t.Fatalf("%d took over the stale lock, want exactly 1", n)
		}
		rec := MustBeginIdempotent(t, stores[1], "k-stale", "fp", after, false)
		if want := after.Add(idemLock).Truncate(time.Microsecond); !rec.LockedUntil.Equal(want) {
			t.Fatalf("lock = %v, want renewed to %v", rec.LockedUntil, want)
		}
	})
	t.Run("StaleLockNotTakenByAnotherRequest", func(t *testing.T) {
		MustBeginIdempotent(t, stores[0], "k-stale-2", "fp-1", t0, true)
		rec := MustBeginIdempotent(t, stores[1], "k-stale-2", "fp-2", t0.Add(idemLock+time.Second), false)
		if rec.Fingerprint != "fp-1" {
			t.Fatalf("record = %+v", rec)
		}
	})
}

func TestStore_ReapIdempotent(t *testing.T) { forEachStore(t, testStoreReapIdempotent) }

func testStoreReapIdempotent(t *testing.T, ctx context.Context, s *store.Store) {
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	finish := func(key string, at time.Time) {
		t.Helper()
		rec := MustBeginIdempotent(t, s, key, "fp", at, true)
		if err := s.FinishIdempotent(ctx, payment.DefaultMerchantID, key, rec.Token, 200, "application/json", []byte(`{}`), at); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 5 {
		finish("old-"+strconv.Itoa(i), t0.Add(time.Duration(i)*time.Minute))
	}
	finish("young", t0.Add(30*time.Hour))
	MustBeginIdempotent(t, s, "abandoned", "fp", t0, true)                             // started, its lock long gone
	MustBeginIdempotent(t, s, "running", "fp", t0.Add(26*time.Hour-time.Minute), true) // started, locked past the cut-off

	before := t0.Add(26 * time.Hour)
	if n, err := s.ReapIdempotent(ctx, before, 4); err != nil || n != 4 {
		t.Fatalf("first reap = %d, %v; want 4 (the limit)", n, err)
	}
	if n, err := s.ReapIdempotent(ctx, before, 100); err != nil || n != 2 {
		t.Fatalf("second reap = %d, %v; want the 2 left", n, err)
	}
	if n, err := s.ReapIdempotent(ctx, before, 100); err != nil || n != 0 {
		t.Fatalf("third reap = %d, %v", n, err)
	}
	now := t0.Add(26 * time.Hour)
	for key, want := range map[string]bool{"old-0": true, "old-4": true, "abandoned": true, "young": false, "running": false} {
		rec, began, err := s.BeginIdempotent(ctx, payment.DefaultMerchantID, key, "fp-later", now, idemLock, 0)
		if err != nil || began != want {
			t.Errorf("%s after reaping: began = %v (%+v), %v; want reaped = %v", key, began, rec, err, want)
		}
	}
}

// Ensure the payment or cancellation a request creates is recorded under its
// key in the same transaction, that a takeover after the lock keeps it (to
// resume) while one after retention forgets it, and that a request whose key
// was taken over can no longer create, finish or abort anything.
func TestStore_IdempotentResource(t *testing.T) { forEachStore(t, testStoreIdempotentResource) }

func testStoreIdempotentResource(t *testing.T, ctx context.Context, s *store.Store) {
	t0 := time.Now()
	claimOf := func(rec *payment.IdempotentRecord) *payment.IdempotencyClaim {
		return &payment.IdempotencyClaim{MerchantID: rec.MerchantID, Key: rec.Key, Token: rec.Token, ResourceID: rec.ResourceID}
	}
	first := MustBeginIdempotent(t, s, "k-pay", "fp", t0, true)
	if first.Token == "" || first.ResourceID != "" {
		t.Fatalf("begun record = %+v", first)
	}
	p := &payment.Payment{
		ID: payment.NewID("pay", t0), MerchantID: payment.DefaultMerchantID, Provider: "kakaopay", Channel: "api",
		OrderID: "o-idem", OrderName: "Tea", CustomerID: "c", Quantity: 1, Amount: 10000, Currency: "KRW",
		ExpiresAt: t0.Add(15 * time.Minute), Idempotency: claimOf(first),
	}
	if err := s.CreatePayment(ctx, p); err != nil {
		t.Fatal(err)
	}

	// The request dies. After its lock, a retry takes the key over with a
	// new token and finds the payment to resume.
	retry := MustBeginIdempotent(t, s, "k-pay", "fp", t0.Add(idemLock+time.Second), true)
	if retry.ResourceID != p.ID || retry.Token == first.Token {
		t.Fatalf("takeover = %+v, want resource %s and a new token", retry, p.ID)
	}

	t.Run("ErrStaleHolderCreates", func(t *testing.T) {
		q := *p
		q.ID, q.OrderID = payment.NewID("pay", t0), "o-idem-2"
		if err := s.CreatePayment(ctx, &q); payment.ErrorCode(err) != payment.EINPROGRESS {
			t.Fatalf("err = %v, want idempotency_in_progress", err)
		}
		if _, err := s.FindPaymentByID(ctx, q.ID); payment.ErrorCode(err) != payment.ENOTFOUND {
			t.Fatalf("the refused payment was written: %v", err)
		}
	})
	t.Run("ErrStaleHolderFinishesOrAborts", func(t *testing.T) {
		if err := s.FinishIdempotent(ctx, payment.DefaultMerchantID, "k-pay", first.Token, 201, "application/json", []byte(`{}`), t0); payment.ErrorCode(err) != payment.ECONFLICT {
			t.Fatalf("finish with the old token: %v, want conflict", err)
		}
		if aborted, err := s.AbortIdempotent(ctx, payment.DefaultMerchantID, "k-pay", first.Token); err != nil || aborted {
			t.Fatalf("abort with the old token: %v %v", aborted, err)
		}
	})
	t.Run("AbortKeepsAKeyThatCreatedSomething", func(t *testing.T) {
		if aborted, err := s.AbortIdempotent(ctx, payment.DefaultMerchantID, "k-pay", retry.Token); err != nil || aborted {
			t.Fatalf("abort = %v %v, want the key kept", aborted, err)
		}
	})
	t.Run("CancellationRecorded", func(t *testing.T) {
		for _, st := range []payment.Status{payment.StatusReady, payment.StatusApproving, payment.StatusPaid} {
			cur, err := s.FindPaymentByID(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.TransitionPayment(ctx, p.ID, cur.Status, st, payment.Update{}, payment.Event{Reason: "test"}); err != nil {
				t.Fatal(err)
			}
		}
		rec := MustBeginIdempotent(t, s, "k-refund", "fp", t0, true)
		c := &payment.Cancellation{ID: payment.NewID("can", t0), PaymentID: p.ID, Amount: 400, Reason: "r", Idempotency: claimOf(rec)}
		if err := s.CreateCancellation(ctx, c, payment.StatusPaid); err != nil {
			t.Fatal(err)
		}
		again := MustBeginIdempotent(t, s, "k-refund", "fp", t0.Add(idemLock+time.Second), true)
		if again.ResourceID != c.ID {
			t.Fatalf("takeover resource = %q, want %s", again.ResourceID, c.ID)
		}
	})
	t.Run("RetentionForgetsTheResource", func(t *testing.T) {
		rec := MustBeginIdempotent(t, s, "k-pay", "fp-new", t0.Add(idemRetention+time.Hour), true)
		if rec.ResourceID != "" {
			t.Fatalf("a key past retention still names %q", rec.ResourceID)
		}
	})
}
