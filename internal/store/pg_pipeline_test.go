package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/store"
)

// A transition announced by the outbox commits whole or not at all, also
// when its last write fails (on PostgreSQL that write is in the second of
// its two round trips, after the payment, its event and the webhook event
// were already sent): a delivery that cannot be written leaves the payment,
// its event and the webhook event unwritten, and the store goes on working
// on the same connections.
func TestStore_OutboxTransitionFailingLastWriteWritesNothing(t *testing.T) {
	forEachEngine(t, func(t *testing.T, url string) {
		ctx := context.Background()
		s := MustOpen(t, url)
		MustCreateEndpoint(t, s, payment.DefaultMerchantID, "*")
		p := MustCreatePayment(t, s, "o-lastwrite")
		for _, st := range [][2]payment.Status{{payment.StatusCreated, payment.StatusReady}, {payment.StatusReady, payment.StatusApproving}} {
			if _, err := s.TransitionPayment(ctx, p.ID, st[0], st[1], payment.Update{}, payment.Event{}); err != nil {
				t.Fatal(err)
			}
		}
		refuse, allow := `CREATE TRIGGER refuse_deliveries BEFORE INSERT ON webhook_deliveries BEGIN SELECT RAISE(ABORT, 'refused'); END`,
			`DROP TRIGGER refuse_deliveries`
		if store.IsPostgres(url) {
			refuse = `CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$;
				CREATE TRIGGER refuse_deliveries BEFORE INSERT ON webhook_deliveries FOR EACH ROW EXECUTE FUNCTION refuse()`
			allow = `DROP TRIGGER refuse_deliveries ON webhook_deliveries`
		}
		if err := s.ExecForTest(ctx, refuse); err != nil {
			t.Fatal(err)
		}
		// More attempts than the pool has connections: each must come back clean.
		for range 12 {
			if _, err := s.TransitionPayment(ctx, p.ID, payment.StatusApproving, payment.StatusPaid, payment.Update{}, payment.Event{Reason: "approved"}); err == nil {
				t.Fatal("paid committed although its delivery could not be written")
			}
		}
		if cur, err := s.FindPaymentByID(ctx, p.ID); err != nil || cur.Status != payment.StatusApproving {
			t.Fatalf("payment = %+v, %v; want still approving", cur, err)
		}
		if evs, err := s.FindEvents(ctx, p.ID); err != nil || len(evs) != 3 {
			t.Fatalf("payment events = %d, %v; want created, ready, approving only", len(evs), err)
		}
		if evs := mustEvents(t, s, payment.DefaultMerchantID); len(evs) != 0 {
			t.Fatalf("webhook events = %d, want 0", len(evs))
		}
		if err := s.ExecForTest(ctx, allow); err != nil {
			t.Fatal(err)
		}
		paid, err := s.TransitionPayment(ctx, p.ID, payment.StatusApproving, payment.StatusPaid, payment.Update{}, payment.Event{Reason: "approved"})
		if err != nil || paid.Status != payment.StatusPaid {
			t.Fatalf("paid = %+v, %v", paid, err)
		}
		if evs := mustEvents(t, s, payment.DefaultMerchantID); len(evs) != 1 || len(evs[0].Deliveries) != 1 {
			t.Fatalf("webhook events = %+v, want one with one delivery", evs)
		}
	})
}

// The webhook body of a change announced by the outbox is rendered from
// the payment as the change left it, with its cancellations (on PostgreSQL
// they are read in the same round trip as the change is written).
func TestStore_OutboxRendersThePaymentWithItsCancellations(t *testing.T) {
	forEachStore(t, func(t *testing.T, ctx context.Context, s *store.Store) {
		p := MustPaidPayment(t, ctx, s, "o-render")
		c := &payment.Cancellation{ID: payment.NewID("can", time.Now()), PaymentID: p.ID, Amount: 4000, Reason: "r"}
		if err := s.CreateCancellation(ctx, c, payment.StatusPaid); err != nil {
			t.Fatal(err)
		}
		var (
			rendered *payment.Payment
			cs       []*payment.Cancellation
		)
		s.SetEventRenderer(func(_, _ string, p *payment.Payment, c []*payment.Cancellation, _ time.Time) ([]byte, error) {
			rendered, cs = p, c
			return []byte(`{}`), nil
		})
		code := "noted"
		got, err := s.AnnouncePayment(ctx, p.ID, payment.StatusPaid, payment.Update{FailureCode: &code}, payment.Event{Reason: "note"})
		if err != nil {
			t.Fatal(err)
		}
		if rendered == nil || rendered.FailureCode != "noted" || !rendered.UpdatedAt.Equal(got.UpdatedAt) {
			t.Fatalf("rendered %+v, want the payment as announced (%+v)", rendered, got)
		}
		if len(cs) != 1 || cs[0].ID != c.ID || cs[0].Amount != 4000 || cs[0].Status != payment.CancellationPending {
			t.Fatalf("cancellations rendered = %+v, want the pending one", cs)
		}
	})
}
