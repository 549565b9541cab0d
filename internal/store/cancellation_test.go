package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/store"
)

// Ensure a failed cancellation is announced exactly when the caller gives
// it an event: a pending refund that ended failed writes its audit row and
// a payment.updated webhook in the transaction that fails it, the payment
// keeping its status and totals; one refused at once (answered to the shop
// with the refusal) changes only the cancellation.
func TestStore_FailedCancellationAnnounced(t *testing.T) {
	forEachStore(t, testStoreFailedCancellationAnnounced)
}

func testStoreFailedCancellationAnnounced(t *testing.T, ctx context.Context, s *store.Store) {
	p := MustPaidPayment(t, ctx, s, "o-1")
	webhooks := func() int { return len(mustEvents(t, s, payment.DefaultMerchantID)) }
	before, audit := webhooks(), len(mustAudit(t, s, p.ID))

	quiet := &payment.Cancellation{ID: "can_quiet", PaymentID: p.ID, Amount: 1000, Reason: "r"}
	if err := s.CreateCancellation(ctx, quiet, payment.StatusPaid); err != nil {
		t.Fatal(err)
	}
	quiet.FailureCode = "provider_declined"
	if _, err := s.CompleteCancellation(ctx, quiet, false, payment.Update{}, payment.Event{}); err != nil {
		t.Fatal(err)
	}
	if n, m := webhooks(), len(mustAudit(t, s, p.ID)); n != before || m != audit {
		t.Fatalf("a failure without an event wrote %d webhooks and %d audit rows", n-before, m-audit)
	}

	c := &payment.Cancellation{ID: "can_announced", PaymentID: p.ID, Amount: 1000, Reason: "r"}
	if err := s.CreateCancellation(ctx, c, payment.StatusPaid); err != nil {
		t.Fatal(err)
	}
	c.FailureCode, c.FailureMessage = "not_refunded", "gone"
	got, err := s.CompleteCancellation(ctx, c, false, payment.Update{}, payment.Event{Reason: "not_refunded", Message: "m"})
	if err != nil || got.Status != payment.StatusPaid || got.CanceledAmount != 0 || c.Status != payment.CancellationFailed {
		t.Fatalf("complete = %+v, %v; cancellation %s", got, err, c.Status)
	}
	evs := mustAudit(t, s, p.ID)
	if last := evs[len(evs)-1]; len(evs) != audit+1 || last.Reason != "not_refunded" ||
		last.FromStatus != payment.StatusPaid || last.ToStatus != payment.StatusPaid {
		t.Fatalf("audit rows %d (want %d), last %+v", len(evs), audit+1, last)
	}
	// Event ids order events by millisecond only: look for the one wanted.
	wevs := mustEvents(t, s, payment.DefaultMerchantID)
	updated := slices.IndexFunc(wevs, func(e *payment.WebhookEvent) bool { return e.Type == payment.EventPaymentUpdated })
	if len(wevs) != before+1 || updated < 0 || wevs[updated].PaymentID != p.ID {
		t.Fatalf("webhooks %d (want %d), payment.updated at %d", len(wevs), before+1, updated)
	}
	cs, err := s.FindCancellations(ctx, p.ID)
	if err != nil || len(cs) != 2 || cs[1].Status != payment.CancellationFailed || cs[1].FailureCode != "not_refunded" {
		t.Fatalf("cancellations = %+v, %v", cs, err)
	}
	// A later refund is not blocked by either.
	next := &payment.Cancellation{ID: payment.NewID("can", time.Now()), PaymentID: p.ID, Amount: 1000, Reason: "r"}
	if err := s.CreateCancellation(ctx, next, payment.StatusPaid); err != nil {
		t.Fatal(err)
	}
}

func mustAudit(tb testing.TB, s *store.Store, paymentID string) []*payment.Event {
	tb.Helper()
	evs, err := s.FindEvents(context.Background(), paymentID)
	if err != nil {
		tb.Fatal(err)
	}
	return evs
}
