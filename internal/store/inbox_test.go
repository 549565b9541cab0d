package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/store"
)

// Ensure the inbox keeps one waiting entry per payment (deliveries before
// its lookup starts join it), gives a delivery arriving during a lookup an
// entry of its own, leases entries to one owner at a time, retries with the
// given schedule, and reaps processed entries after retention.
func TestStore_Inbox(t *testing.T) { forEachStore(t, testStoreInbox) }

func testStoreInbox(t *testing.T, ctx context.Context, s *store.Store) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	enqueue := func(pid string, at time.Time) *payment.ProviderWebhook {
		t.Helper()
		w, err := s.EnqueueProviderWebhook(ctx, payment.ProviderToss, pid, at)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	claim := func(owner string, at time.Time) []*payment.ProviderWebhook {
		t.Helper()
		ws, err := s.ClaimProviderWebhooks(ctx, payment.Claim{Owner: owner, Now: at, Lease: time.Minute}, 10)
		if err != nil {
			t.Fatal(err)
		}
		return ws
	}
	entries := func(pid string) []*payment.ProviderWebhook {
		t.Helper()
		ws, err := s.FindProviderWebhooks(ctx, pid)
		if err != nil {
			t.Fatal(err)
		}
		return ws
	}

	first := enqueue("pay_a", t0)
	if again := enqueue("pay_a", t0.Add(time.Second)); again.ID != first.ID || again.Deliveries != 2 {
		t.Fatalf("a second delivery before the lookup = %+v, want it joined to %s", again, first.ID)
	}
	got := claim("ins-1", t0.Add(2*time.Second))
	if len(got) != 1 || got[0].ID != first.ID || got[0].Status != payment.InboxProcessing || got[0].Attempts != 1 {
		t.Fatalf("claim = %+v", got)
	}
	if more := claim("ins-2", t0.Add(3*time.Second)); len(more) != 0 {
		t.Fatalf("a leased entry was claimed again: %+v", more)
	}

	// A delivery during the lookup waits in an entry of its own.
	during := enqueue("pay_a", t0.Add(3*time.Second))
	if during.ID == first.ID {
		t.Fatal("a delivery during the lookup joined the entry being processed")
	}

	t.Run("FailedEntrySupersededByWaitingOne", func(t *testing.T) {
		if err := s.FinishProviderWebhook(ctx, first.ID, "ins-1", "boom", t0.Add(time.Hour), false, t0.Add(4*time.Second)); err != nil {
			t.Fatal(err)
		}
		ws := entries("pay_a")
		if len(ws) != 2 || ws[0].Status != payment.InboxDone || ws[0].LastError != "boom" || ws[1].Status != payment.InboxPending {
			t.Fatalf("entries = %+v %+v", ws[0], ws[1])
		}
	})
	t.Run("ErrNotTheOwner", func(t *testing.T) {
		got := claim("ins-1", t0.Add(5*time.Second))
		if len(got) != 1 || got[0].ID != during.ID {
			t.Fatalf("claim = %+v", got)
		}
		err := s.FinishProviderWebhook(ctx, during.ID, "ins-2", "", t0, false, t0.Add(5*time.Second))
		if payment.ErrorCode(err) != payment.ECONFLICT {
			t.Fatalf("finish by another owner: %v", err)
		}
	})
	t.Run("RetryAtNextAttempt", func(t *testing.T) {
		next := t0.Add(time.Minute)
		if err := s.FinishProviderWebhook(ctx, during.ID, "ins-1", "lookup failed", next, false, t0.Add(6*time.Second)); err != nil {
			t.Fatal(err)
		}
		if got := claim("ins-1", next.Add(-time.Second)); len(got) != 0 {
			t.Fatalf("claimed before its next attempt: %+v", got)
		}
		got := claim("ins-2", next)
		if len(got) != 1 || got[0].Attempts != 2 || got[0].LastError != "lookup failed" {
			t.Fatalf("claim at next attempt = %+v", got)
		}
	})
	t.Run("DeadOwnersLeaseRunsOut", func(t *testing.T) {
		// ins-2 dies holding it; after the lease another instance takes it.
		if got := claim("ins-3", t0.Add(time.Minute+30*time.Second)); len(got) != 0 {
			t.Fatalf("claimed under a live lease: %+v", got)
		}
		got := claim("ins-3", t0.Add(2*time.Minute+time.Second))
		if len(got) != 1 || got[0].ID != during.ID || got[0].Attempts != 3 {
			t.Fatalf("claim after the lease = %+v", got)
		}
		if err := s.FinishProviderWebhook(ctx, during.ID, "ins-3", "", t0, false, t0.Add(3*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if ws := entries("pay_a"); ws[1].Status != payment.InboxDone {
			t.Fatalf("entry = %+v", ws[1])
		}
	})
	t.Run("NewDeliveryMakesABackedOffEntryDue", func(t *testing.T) {
		e := enqueue("pay_b", t0)
		claim("ins-1", t0)
		if err := s.FinishProviderWebhook(ctx, e.ID, "ins-1", "x", t0.Add(time.Hour), false, t0); err != nil {
			t.Fatal(err)
		}
		if j := enqueue("pay_b", t0.Add(time.Minute)); j.ID != e.ID || !j.NextAttemptAt.Equal(t0.Add(time.Minute)) {
			t.Fatalf("joined entry = %+v", j)
		}
	})
	t.Run("Reap", func(t *testing.T) {
		n, err := s.ReapProviderWebhooks(ctx, t0.Add(time.Hour), 100)
		if err != nil || n != 2 {
			t.Fatalf("reaped %d (%v), want the two done entries", n, err)
		}
		if ws := entries("pay_b"); len(ws) != 1 {
			t.Fatalf("a pending entry was reaped: %+v", ws)
		}
	})
}

// Ensure 20 concurrent deliveries for one payment, through two store
// handles, leave exactly one waiting entry that counts them all.
func TestStore_InboxConcurrentDeliveries(t *testing.T) {
	forEachEngine(t, func(t *testing.T, url string) {
		stores := []*store.Store{MustOpen(t, url), MustOpen(t, url)}
		raceOn(stores, 20, func(_ int, s *store.Store) {
			if _, err := s.EnqueueProviderWebhook(context.Background(), payment.ProviderPortOne, "pay_c", time.Now()); err != nil {
				t.Error(err)
			}
		})
		ws, err := stores[0].FindProviderWebhooks(context.Background(), "pay_c")
		if err != nil || len(ws) != 1 || ws[0].Deliveries != 20 {
			t.Fatalf("entries = %v (%v), want one counting 20 deliveries", ws, err)
		}
	})
}
