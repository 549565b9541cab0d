package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/store"
)

// The pipelined outbox transition is PostgreSQL's alone: these tests run
// on PostgreSQL only (engines[1]).

// mustApproving opens a store on a fresh PostgreSQL database with one
// endpoint subscribed to everything and one payment moved to approving.
func mustApproving(t *testing.T, orderID string) (ctx context.Context, url string, s *store.Store, p *payment.Payment) {
	t.Helper()
	ctx, url = context.Background(), engines[1].url(t)
	s = MustOpen(t, url)
	MustCreateEndpoint(t, s, payment.DefaultMerchantID, "*")
	p = MustCreatePayment(t, s, orderID)
	for _, st := range [][2]payment.Status{{payment.StatusCreated, payment.StatusReady}, {payment.StatusReady, payment.StatusApproving}} {
		if _, err := s.TransitionPayment(ctx, p.ID, st[0], st[1], payment.Update{}, payment.Event{}); err != nil {
			t.Fatal(err)
		}
	}
	return ctx, url, s, p
}

// A pipelined transition that fails leaves no transaction open behind it:
// another instance on the same database sees no session idle in a
// transaction and can lock the payment's row at once (the failed attempt's
// connection is rolled back before it goes back to the pool, not when the
// pool next hands it out). Two failures: a delivery the database refuses
// in the second round trip (the transaction is aborted on the server), and
// a webhook body that cannot be rendered between the two (the transaction
// is still alive, holding the payment's row lock).
func TestStore_PipelinedTransitionFailureLeavesNoTransactionOpen(t *testing.T) {
	for _, tc := range []struct {
		name string
		fail func(ctx context.Context, s *store.Store) error
	}{
		{"RefusedDelivery", func(ctx context.Context, s *store.Store) error {
			return s.ExecForTest(ctx, `CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$;
				CREATE TRIGGER refuse_deliveries BEFORE INSERT ON webhook_deliveries FOR EACH ROW EXECUTE FUNCTION refuse()`)
		}},
		{"RenderFails", func(ctx context.Context, s *store.Store) error {
			s.SetEventRenderer(func(_, _ string, _ *payment.Payment, _ []*payment.Cancellation, _ time.Time) ([]byte, error) {
				return nil, errors.New("cannot render")
			})
			return nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, url, s, p := mustApproving(t, "o-pipe-open")
			if err := tc.fail(ctx, s); err != nil {
				t.Fatal(err)
			}
			if _, err := s.TransitionPayment(ctx, p.ID, payment.StatusApproving, payment.StatusPaid, payment.Update{}, payment.Event{Reason: "approved"}); err == nil {
				t.Fatal("paid committed although its outbox could not be written")
			}

			other := MustOpen(t, url)
			n, err := other.QueryIntForTest(ctx, `SELECT count(*) FROM pg_stat_activity
				WHERE datname = current_database() AND state LIKE 'idle in transaction%'`)
			if err != nil || n != 0 {
				t.Errorf("sessions idle in a transaction = %d, %v; want 0", n, err)
			}
			// A bounded wait, not a timing assertion: a held row lock fails it.
			if err := other.ExecForTest(ctx, `SET lock_timeout = '200ms';
				UPDATE payments SET updated_at = updated_at WHERE id = '`+p.ID+`'`); err != nil {
				t.Fatalf("update of the payment's row from another store: %v (is its lock still held?)", err)
			}
			if cur, err := other.FindPaymentByID(ctx, p.ID); err != nil || cur.Status != payment.StatusApproving {
				t.Fatalf("payment = %+v, %v; want still approving", cur, err)
			}
		})
	}
}

// A serialization failure on the pipelined path, whether raised by the
// transition's statement in the first round trip or at COMMIT in the
// second, is retried like withTx's: the transition then commits once, with
// exactly one event and one webhook event. Each trigger fails its first
// call only, gated by a sequence (nextval is not rolled back with the
// transaction that failed).
func TestStore_PipelinedTransitionRetriesSerializationFailures(t *testing.T) {
	for _, tc := range []struct {
		name, create, drop string
	}{
		{"FirstBatch", `CREATE TRIGGER fail_once BEFORE UPDATE ON payments FOR EACH ROW EXECUTE FUNCTION fail_once()`,
			`DROP TRIGGER fail_once ON payments`},
		{"Commit", `CREATE CONSTRAINT TRIGGER fail_once AFTER UPDATE ON payments
			DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fail_once()`,
			`DROP TRIGGER fail_once ON payments`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, _, s, p := mustApproving(t, "o-pipe-40001")
			if err := s.ExecForTest(ctx, `CREATE SEQUENCE fail_once_calls;
				CREATE FUNCTION fail_once() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN
					IF nextval('fail_once_calls') = 1 THEN
						RAISE EXCEPTION 'could not serialize (test)' USING ERRCODE = '40001';
					END IF;
					RETURN NEW;
				END $$;
				`+tc.create); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if err := s.ExecForTest(context.Background(), tc.drop+`; DROP FUNCTION fail_once(); DROP SEQUENCE fail_once_calls`); err != nil {
					t.Error(err)
				}
			})

			paid, err := s.TransitionPayment(ctx, p.ID, payment.StatusApproving, payment.StatusPaid, payment.Update{}, payment.Event{Reason: "approved"})
			if err != nil || paid.Status != payment.StatusPaid {
				t.Fatalf("paid = %+v, %v; want paid after a retry", paid, err)
			}
			// The trigger ran twice: it failed the first attempt, so the
			// retry, not a trigger that never fired, made this pass.
			if calls, err := s.QueryIntForTest(ctx, `SELECT last_value FROM fail_once_calls`); err != nil || calls != 2 {
				t.Fatalf("trigger calls = %d, %v; want 2 (one failed, one committed)", calls, err)
			}
			if evs, err := s.FindEvents(ctx, p.ID); err != nil || len(evs) != 4 || evs[3].ToStatus != payment.StatusPaid {
				t.Fatalf("payment events = %+v, %v; want created, ready, approving and one paid", evs, err)
			}
			if evs := mustEvents(t, s, payment.DefaultMerchantID); len(evs) != 1 || evs[0].Type != payment.EventPaymentPaid || len(evs[0].Deliveries) != 1 {
				t.Fatalf("webhook events = %+v, want one paid with one delivery", evs)
			}
		})
	}
}

// On the pipelined path an unknown payment is ENOTFOUND, for a transition
// and for an announcement alike (as withTx's path answers).
func TestStore_PipelinedTransitionUnknownPaymentIsNotFound(t *testing.T) {
	ctx, _, s, _ := mustApproving(t, "o-pipe-unknown")
	code := "noted"
	if _, err := s.AnnouncePayment(ctx, "pay_unknown", payment.StatusPaid, payment.Update{FailureCode: &code}, payment.Event{Reason: "note"}); payment.ErrorCode(err) != payment.ENOTFOUND {
		t.Fatalf("announce: err = %v, want ENOTFOUND", err)
	}
	if _, err := s.TransitionPayment(ctx, "pay_unknown", payment.StatusApproving, payment.StatusPaid, payment.Update{}, payment.Event{Reason: "approved"}); payment.ErrorCode(err) != payment.ENOTFOUND {
		t.Fatalf("paid: err = %v, want ENOTFOUND", err)
	}
	if evs := mustEvents(t, s, payment.DefaultMerchantID); len(evs) != 0 {
		t.Fatalf("webhook events = %d, want 0", len(evs))
	}
}
