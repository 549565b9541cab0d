package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/store"
)

// Ensure a change to a payment that keeps its status writes its audit row
// and a payment.updated event in the same transaction, and only while the
// payment is still in the expected status.
func TestStore_AnnouncePayment(t *testing.T) { forEachStore(t, testStoreAnnouncePayment) }

func testStoreAnnouncePayment(t *testing.T, ctx context.Context, s *store.Store) {
	p := MustCreatePayment(t, s, "o-1")
	if _, err := s.TransitionPayment(ctx, p.ID, payment.StatusCreated, payment.StatusFailed, payment.Update{}, payment.Event{}); err != nil {
		t.Fatal(err)
	}
	n, retry := int64(3), time.Now().Add(time.Hour).UTC().Truncate(time.Microsecond)
	got, err := s.AnnouncePayment(ctx, p.ID, payment.StatusFailed, payment.Update{
		FailureCode: ptr("refund_required"), RefundAttempts: &n, RetryAt: &retry, ReturnTID: ptr("key-1"),
	}, payment.Event{Reason: "refund_required", Message: "m"})
	if err != nil || got.Status != payment.StatusFailed || got.FailureCode != "refund_required" || got.RefundAttempts != 3 ||
		!got.RetryAt.Equal(retry) || got.ReturnTID != "key-1" {
		t.Fatalf("announce = %+v, %v", got, err)
	}
	evs, _ := s.FindEvents(ctx, p.ID)
	if last := evs[len(evs)-1]; last.Reason != "refund_required" || last.FromStatus != payment.StatusFailed || last.ToStatus != payment.StatusFailed {
		t.Fatalf("audit row = %+v", last)
	}
	// Two events (payment.failed, then payment.updated): their ids order
	// them by millisecond only, so the test looks for the one it expects
	// rather than taking the first.
	wevs, _ := s.FindWebhookEvents(ctx, payment.WebhookEventFilter{MerchantID: payment.DefaultMerchantID, Limit: 10})
	updated := slices.IndexFunc(wevs, func(e *payment.WebhookEvent) bool { return e.Type == payment.EventPaymentUpdated })
	if len(wevs) != 2 || updated < 0 || wevs[updated].PaymentID != p.ID {
		for _, e := range wevs {
			t.Logf("outbox: %s %s %s", e.ID, e.Type, e.PaymentID)
		}
		t.Fatalf("outbox has %d events, want payment.failed and payment.updated for %s", len(wevs), p.ID)
	}
	if _, err := s.AnnouncePayment(ctx, p.ID, payment.StatusExpired, payment.Update{}, payment.Event{}); payment.ErrorCode(err) != payment.ECONFLICT {
		t.Fatalf("announce in the wrong status: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

// Ensure leases are extended only for their owner, and the sweep's new
// filters select what they say.
func TestStore_ExtendLeasesAndFilters(t *testing.T) {
	forEachStore(t, testStoreExtendLeasesAndFilters)
}

func testStoreExtendLeasesAndFilters(t *testing.T, ctx context.Context, s *store.Store) {
	a, b := MustCreatePayment(t, s, "o-a"), MustCreatePayment(t, s, "o-b")
	now := time.Now()
	claim := payment.Claim{Owner: "one", Now: now, Lease: time.Second}
	if got, err := s.ClaimPayments(ctx, claim, payment.PaymentFilter{Statuses: []payment.Status{payment.StatusCreated}, Limit: 1}); err != nil || len(got) != 1 {
		t.Fatalf("claim = %v, %v", got, err)
	}
	held, err := s.ExtendLeases(ctx, payment.Claim{Owner: "one", Now: now, Lease: time.Hour}, []string{a.ID, b.ID})
	if err != nil || len(held) != 1 {
		t.Fatalf("extend = %v, %v; want only the claimed one", held, err)
	}
	// Long after the first lease would have run out, the extended one holds.
	later := payment.Claim{Owner: "two", Now: now.Add(time.Minute), Lease: time.Minute}
	got, _ := s.ClaimPayments(ctx, later, payment.PaymentFilter{Statuses: []payment.Status{payment.StatusCreated}, Limit: 10})
	if len(got) != 1 || got[0].ID == held[0] {
		t.Fatalf("second owner claimed %v; the extended lease of %s must hold", got, held[0])
	}
	if held, _ := s.ExtendLeases(ctx, payment.Claim{Owner: "one", Now: now, Lease: time.Hour}, []string{got[0].ID}); len(held) != 0 {
		t.Fatal("extended another owner's lease")
	}

	// Filters: provider, updated after, retry before.
	f := payment.PaymentFilter{Providers: []string{"kakaopay"}, UpdatedAfter: now.Add(-time.Hour)}
	if ps, _ := s.FindPayments(ctx, f); len(ps) != 2 {
		t.Fatalf("provider+updated-after = %d, want 2", len(ps))
	}
	if ps, _ := s.FindPayments(ctx, payment.PaymentFilter{Providers: []string{"toss"}}); len(ps) != 0 {
		t.Fatalf("provider filter ignored: %d", len(ps))
	}
	if ps, _ := s.FindPayments(ctx, payment.PaymentFilter{UpdatedAfter: now.Add(time.Hour)}); len(ps) != 0 {
		t.Fatalf("updated-after filter ignored: %d", len(ps))
	}
	retry := now.Add(time.Hour)
	if _, err := s.UpdatePayment(ctx, a.ID, payment.StatusCreated, payment.Update{RetryAt: &retry}); err != nil {
		t.Fatal(err)
	}
	ps, _ := s.FindPayments(ctx, payment.PaymentFilter{RetryBefore: now})
	if ids := []string{}; len(ps) != 1 || ps[0].ID != b.ID {
		for _, p := range ps {
			ids = append(ids, p.ID)
		}
		t.Fatalf("retry-before = %v, want only %s", ids, b.ID)
	}
}

// Ensure an accepted cancellation keeps its acceptance, and its lease is
// extended like a payment's.
func TestStore_AcceptCancellation(t *testing.T) { forEachStore(t, testStoreAcceptCancellation) }

func testStoreAcceptCancellation(t *testing.T, ctx context.Context, s *store.Store) {
	p := MustPaidPayment(t, ctx, s, "o-1")
	c := &payment.Cancellation{ID: "can_1", PaymentID: p.ID, Amount: 100, Reason: "r"}
	if err := s.CreateCancellation(ctx, c, payment.StatusPaid); err != nil {
		t.Fatal(err)
	}
	c.AcceptedAt = time.Now().UTC().Truncate(time.Microsecond)
	if err := s.AcceptCancellation(ctx, c); err != nil {
		t.Fatal(err)
	}
	cs, _ := s.FindCancellations(ctx, p.ID)
	if !cs[0].AcceptedAt.Equal(c.AcceptedAt) || cs[0].Status != payment.CancellationPending {
		t.Fatalf("cancellation = %+v", cs[0])
	}
	now := time.Now()
	claimed, _ := s.ClaimCancellations(ctx, payment.Claim{Owner: "one", Now: now, Lease: time.Second}, now.Add(time.Minute), 10)
	if len(claimed) != 1 {
		t.Fatalf("claimed %d", len(claimed))
	}
	held, err := s.ExtendCancellationLeases(ctx, payment.Claim{Owner: "one", Now: now, Lease: time.Hour}, []string{"can_1", "can_x"})
	if err != nil || !slices.Equal(held, []string{"can_1"}) {
		t.Fatalf("extend = %v, %v", held, err)
	}
	if got, _ := s.ClaimCancellations(ctx, payment.Claim{Owner: "two", Now: now.Add(time.Minute), Lease: time.Second}, now.Add(time.Hour), 10); len(got) != 0 {
		t.Fatal("re-claimed a cancellation whose lease was extended")
	}
}

// Ensure an absolute refunded total is written only over the totals it was
// computed from: a change built from a read taken before a refund completed
// (service.recordExternalCancel: a provider lookup showing 1,000 + 200
// refunded, read when 1,000 was stored) is refused with ECONFLICT once the
// refund of 500 through paybridge is recorded, instead of erasing it. And
// an update that sets a total without saying what it was computed from is
// refused outright.
func TestStore_RefundedTotalOnlyOverWhatItWasComputedFrom(t *testing.T) {
	forEachStore(t, func(t *testing.T, ctx context.Context, s *store.Store) {
		p := MustPaidPayment(t, ctx, s, "o-stale-total")
		c1 := &payment.Cancellation{ID: "can_r1", PaymentID: p.ID, Amount: 1000, Reason: "r"}
		if err := s.CreateCancellation(ctx, c1, payment.StatusPaid); err != nil {
			t.Fatal(err)
		}
		seen, err := s.CompleteCancellation(ctx, c1, true, payment.Update{}, payment.Event{Reason: "refunded"})
		if err != nil {
			t.Fatal(err)
		}
		c2 := &payment.Cancellation{ID: "can_r2", PaymentID: p.ID, Amount: 500, Reason: "r"}
		if err := s.CreateCancellation(ctx, c2, payment.StatusPartiallyCanceled); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CompleteCancellation(ctx, c2, true, payment.Update{}, payment.Event{Reason: "refunded"}); err != nil {
			t.Fatal(err)
		}
		total := int64(1200)
		got, err := s.TransitionPayment(ctx, p.ID, payment.StatusPartiallyCanceled, payment.StatusPartiallyCanceled,
			payment.Update{CanceledAmount: &total, Seen: seen}, payment.Event{Reason: "provider_canceled"})
		if payment.ErrorCode(err) != payment.ECONFLICT || got == nil || got.CanceledAmount != 1500 {
			t.Fatalf("stale total: %v, payment %+v; want ECONFLICT with the stored total 1500", err, got)
		}
		for _, upd := range []payment.Update{{CanceledAmount: &total}, {CanceledTaxFreeAmount: &total}, {CanceledAmount: &total, Seen: p}} {
			if upd.Seen != nil {
				other := *p
				other.ID = "pay_other"
				upd.Seen = &other
			}
			if _, err := s.UpdatePayment(ctx, p.ID, payment.StatusPartiallyCanceled, upd); payment.ErrorCode(err) != payment.EINVALID {
				t.Errorf("a total without the payment it was computed from: %v, want EINVALID", err)
			}
		}
		cur, err := s.FindPaymentByID(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if cur.CanceledAmount != 1500 {
			t.Fatalf("canceled_amount = %d, want 1500 (the succeeded refunds)", cur.CanceledAmount)
		}
		// The same change against what is stored now goes through.
		total = 1700
		if got, err := s.TransitionPayment(ctx, p.ID, payment.StatusPartiallyCanceled, payment.StatusPartiallyCanceled,
			payment.Update{CanceledAmount: &total, Seen: cur}, payment.Event{Reason: "provider_canceled"}); err != nil || got.CanceledAmount != 1700 {
			t.Fatalf("a total over the stored one: %v, %+v", err, got)
		}
	})
}
