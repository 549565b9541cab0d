package store_test

import (
	"context"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/store"
)

// A transition writes its event with the change (on PostgreSQL both are one
// statement, without BEGIN and COMMIT): the event carries the reason, the
// message and the payment's new updated_at; a transition that does not
// match (stale status, unknown payment) writes neither.
func TestStore_TransitionWritesItsEventOrNothing(t *testing.T) {
	forEachStore(t, func(t *testing.T, ctx context.Context, s *store.Store) {
		p := MustCreatePayment(t, s, "o-ev")
		tid := "T-ev"
		got, err := s.TransitionPayment(ctx, p.ID, payment.StatusCreated, payment.StatusReady,
			payment.Update{ProviderTID: &tid}, payment.Event{Reason: "provider_ready", Message: "tid T-ev"})
		if err != nil {
			t.Fatal(err)
		}
		// A conflict answers with the payment as it is: callers decide from it.
		cur, err := s.TransitionPayment(ctx, p.ID, payment.StatusCreated, payment.StatusFailed,
			payment.Update{}, payment.Event{Reason: "stale"})
		if payment.ErrorCode(err) != payment.ECONFLICT {
			t.Fatalf("stale: err = %v, want ECONFLICT", err)
		}
		if cur == nil || cur.ID != p.ID || cur.Status != payment.StatusReady || cur.ProviderTID != tid {
			t.Fatalf("stale: payment = %+v, want it as it is (ready)", cur)
		}
		if cur, err := s.AnnouncePayment(ctx, p.ID, payment.StatusPaid, payment.Update{}, payment.Event{Reason: "stale"}); payment.ErrorCode(err) != payment.ECONFLICT ||
			cur == nil || cur.Status != payment.StatusReady {
			t.Fatalf("stale announce: %+v, %v; want the ready payment and ECONFLICT", cur, err)
		}
		if _, err := s.TransitionPayment(ctx, "pay_nope", payment.StatusCreated, payment.StatusReady,
			payment.Update{}, payment.Event{Reason: "nope"}); payment.ErrorCode(err) != payment.ENOTFOUND {
			t.Fatalf("unknown payment: err = %v, want ENOTFOUND", err)
		}
		evs, err := s.FindEvents(ctx, p.ID)
		if err != nil || len(evs) != 2 {
			t.Fatalf("events = %v, %v; want created and ready only", evs, err)
		}
		if evs[0].ToStatus != payment.StatusCreated || evs[0].Reason != "created" {
			t.Errorf("first event = %+v", evs[0])
		}
		e := evs[1]
		if e.FromStatus != payment.StatusCreated || e.ToStatus != payment.StatusReady || e.Reason != "provider_ready" ||
			e.Message != "tid T-ev" || !e.CreatedAt.Equal(got.UpdatedAt) || e.ID <= evs[0].ID {
			t.Errorf("ready event = %+v, payment updated at %v", e, got.UpdatedAt)
		}
		if n, err := s.QueryIntForTest(ctx, `SELECT COUNT(*) FROM payment_events WHERE payment_id = ?`, "pay_nope"); err != nil || n != 0 {
			t.Errorf("events of an unknown payment: %d, %v", n, err)
		}
	})
}
