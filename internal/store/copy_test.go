package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/store"
)

// path is a sequence of transitions from created.
var statePaths = map[payment.Status][]payment.Status{
	payment.StatusCreated:           {},
	payment.StatusReady:             {"ready"},
	payment.StatusApproving:         {"ready", "approving"},
	payment.StatusPaid:              {"ready", "approving", "paid"},
	payment.StatusPartiallyCanceled: {"ready", "approving", "paid", "partially_canceled"},
	payment.StatusCanceled:          {"ready", "approving", "paid", "canceled"},
	payment.StatusAborted:           {"ready", "aborted"},
	payment.StatusFailed:            {"ready", "approving", "failed"},
	payment.StatusExpired:           {"ready", "expired"},
}

// MustFill puts a payment in every state (with events, a refund, a released
// order id, Korean text and NULL times), a second merchant and a key into s.
func MustFill(t *testing.T, s *store.Store) {
	t.Helper()
	ctx := context.Background()
	if err := s.ExecForTest(ctx, `INSERT INTO merchants (id, name, created_at) VALUES ('mer_two', '둘째 상점', 1)`); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateAPIKey(ctx, &payment.APIKey{ID: "key_1", MerchantID: "mer_two", Prefix: "sk_test_abcd", Hash: "h"}); err != nil {
		t.Fatal(err)
	}
	for _, st := range payment.Statuses {
		p := MustCreatePayment(t, s, "order-"+string(st))
		from, cur := payment.StatusCreated, p
		for _, to := range statePaths[st] {
			upd := payment.Update{Seen: cur} // a refunded total is set against the payment it was computed from
			if to == payment.StatusPartiallyCanceled {
				amt := int64(2500)
				upd.CanceledAmount = &amt
			}
			if to == payment.StatusFailed {
				code, msg := "provider_declined", "승인 실패 (-780)"
				upd.FailureCode, upd.FailureMessage = &code, &msg
			}
			next, err := s.TransitionPayment(ctx, p.ID, from, to, upd, payment.Event{Reason: "test", Message: "→ " + string(to)})
			if err != nil {
				t.Fatal(err)
			}
			from, cur = to, next
		}
		if st == payment.StatusPaid {
			c := &payment.Cancellation{ID: "can_" + p.ID, PaymentID: p.ID, Amount: 1000, Reason: "부분 환불"}
			if err := s.CreateCancellation(ctx, c, payment.StatusPaid); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestCopy_RoundTrip(t *testing.T) {
	ctx := context.Background()
	sqlite1 := MustOpen(t, "sqlite:"+filepath.Join(t.TempDir(), "a.db"))
	MustFill(t, sqlite1)
	pg := MustOpen(t, engines[1].url(t))
	sqlite2 := MustOpen(t, "sqlite:"+filepath.Join(t.TempDir(), "b.db"))

	first, err := store.Copy(ctx, sqlite1, pg)
	if err != nil {
		t.Fatalf("sqlite → postgres: %v", err)
	}
	second, err := store.Copy(ctx, pg, sqlite2)
	if err != nil {
		t.Fatalf("postgres → sqlite: %v", err)
	}
	want := map[string]int64{"merchants": 2, "api_keys": 1, "payments": 9, "cancellations": 1}
	for i, r := range first {
		if r.SourceRows != r.DestRows || r.SourceHash != r.DestHash || r.SourceHash == "" {
			t.Errorf("%s: %+v", r.Table, r)
		}
		if n, ok := want[r.Table]; ok && r.SourceRows != n {
			t.Errorf("%s: %d rows, want %d", r.Table, r.SourceRows, n)
		}
		if second[i].DestHash != r.SourceHash {
			t.Errorf("%s did not round-trip: %s vs %s", r.Table, second[i].DestHash, r.SourceHash)
		}
	}
	// The copy is a working database: every payment reads back, and new
	// events continue the id sequence after the copied ones.
	for _, st := range payment.Statuses {
		ps, err := pg.FindPayments(ctx, payment.PaymentFilter{Statuses: []payment.Status{st}})
		if err != nil || len(ps) != 1 {
			t.Fatalf("%s payments in the copy: %d, %v", st, len(ps), err)
		}
	}
	ready, _ := pg.FindPayments(ctx, payment.PaymentFilter{Statuses: []payment.Status{payment.StatusReady}})
	if _, err := pg.TransitionPayment(ctx, ready[0].ID, "ready", "expired", payment.Update{}, payment.Event{Reason: "after copy"}); err != nil {
		t.Fatalf("write after copy: %v", err)
	}
	evs, _ := pg.FindEvents(ctx, ready[0].ID)
	if last := evs[len(evs)-1]; last.Reason != "after copy" || last.ID <= evs[len(evs)-2].ID {
		t.Fatalf("events after copy = %+v", evs)
	}
}

func TestCopy_RefusesNonEmptyDestination(t *testing.T) {
	ctx := context.Background()
	src := MustOpen(t, "sqlite:"+filepath.Join(t.TempDir(), "a.db"))
	MustFill(t, src)
	dst := MustOpen(t, "sqlite:"+filepath.Join(t.TempDir(), "b.db"))
	MustCreatePayment(t, dst, "already-here")
	if _, err := store.Copy(ctx, src, dst); payment.ErrorCode(err) != payment.ECONFLICT {
		t.Fatalf("err = %v, want conflict", err)
	}
	if ps, _ := dst.FindPayments(ctx, payment.PaymentFilter{}); len(ps) != 1 {
		t.Fatalf("destination changed: %d payments", len(ps))
	}
}

// Ensure the source keeps serving writes during a copy and the copy is one
// snapshot: rows written meanwhile are either all in or all out.
func TestCopy_WhileSourceIsWritten(t *testing.T) {
	ctx := context.Background()
	src := MustOpen(t, "sqlite:"+filepath.Join(t.TempDir(), "a.db"))
	MustFill(t, src)
	dst := MustOpen(t, engines[1].url(t))
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 50 {
			MustCreatePayment(t, src, "live-"+time.Now().Format("150405.000000")+string(rune('a'+i%26)))
		}
	}()
	report, err := store.Copy(ctx, src, dst)
	<-done
	if err != nil {
		t.Fatal(err)
	}
	var payments, events int64
	for _, r := range report {
		switch r.Table {
		case "payments":
			payments = r.DestRows
		case "payment_events":
			events = r.DestRows
		}
	}
	// Every payment is created with exactly one event besides its transitions;
	// a torn snapshot would break this count.
	ps, _ := dst.FindPayments(ctx, payment.PaymentFilter{})
	var want int64
	for _, p := range ps {
		evs, _ := dst.FindEvents(ctx, p.ID)
		want += int64(len(evs))
		if len(evs) == 0 {
			t.Fatalf("payment %s copied without its events", p.ID)
		}
	}
	if int64(len(ps)) != payments || want != events {
		t.Fatalf("copied %d payments / %d events, but they reference %d / %d", payments, events, len(ps), want)
	}
}
