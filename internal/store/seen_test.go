package store_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/store"
)

// seenUpdates is one Update per field of payment.Update (found by
// reflection, so a field added later is covered without editing this
// test), each set to an awkward value: times with nanoseconds in another
// zone, and for each pointer also its empty value (an empty text, the
// zero time, an empty answer).
func seenUpdates(t *testing.T) map[string]payment.Update {
	kst := time.FixedZone("KST", 9*3600)
	at := time.Date(2026, 1, 2, 3, 4, 5, 123456789, kst)
	values := map[reflect.Type][2]any{
		reflect.TypeFor[*string]():                 {ptrTo("v"), ptrTo("")},
		reflect.TypeFor[*int64]():                  {ptrTo(int64(7)), ptrTo(int64(0))},
		reflect.TypeFor[*time.Time]():              {ptrTo(at), ptrTo(time.Time{})},
		reflect.TypeFor[bool]():                    {true, false},
		reflect.TypeFor[*payment.ProviderAnswer](): {&payment.ProviderAnswer{Body: []byte(`{"tid":"T1"}`), At: at}, &payment.ProviderAnswer{}},
	}
	ups := map[string]payment.Update{}
	typ := reflect.TypeFor[payment.Update]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		if f.Name == "Seen" {
			continue
		}
		vs, ok := values[f.Type]
		if !ok {
			t.Fatalf("payment.Update.%s has a type (%s) this test has no value for: add one", f.Name, f.Type)
		}
		for j, v := range vs {
			var u payment.Update
			reflect.ValueOf(&u).Elem().Field(i).Set(reflect.ValueOf(v))
			ups[f.Name+[]string{"", "/Empty"}[j]] = u
		}
	}
	return ups
}

func ptrTo[T any](v T) *T { return &v }

// TestSeen_BuildsWhatTheRowHolds: given the payment as the store returned it
// (Update.Seen), a transition returns exactly what the row then holds, for
// every field an Update can set, and on SQLite without reading the row back
// (two statements: the UPDATE and the event). Twice in a row: from the
// payment CreatePayment was handed (times with nanoseconds, not UTC), then
// from the one the transition returned.
func TestSeen_BuildsWhatTheRowHolds(t *testing.T) {
	defer store.CheckSeenRowsForTest(false)() // the real path, checked here
	forEachEngine(t, func(t *testing.T, url string) {
		ctx, s := context.Background(), MustOpen(t, url)
		for name, upd := range seenUpdates(t) {
			t.Run(name, func(t *testing.T) {
				p := MustCreatePayment(t, s, "seen-"+name)
				p.ExpiresAt = p.ExpiresAt.In(time.FixedZone("X", 3600)) // as a caller may hold it
				var last *payment.Payment
				for i, step := range [][2]payment.Status{{"created", "ready"}, {"ready", "approving"}} {
					seen := p
					if last != nil {
						seen = last
					}
					upd.Seen = seen
					before := s.Stats().Statements
					got, err := s.TransitionPayment(ctx, p.ID, step[0], step[1], upd, payment.Event{Reason: "test"})
					if err != nil {
						t.Fatal(err)
					}
					ran := s.Stats().Statements - before
					row, err := s.FindPaymentByID(ctx, p.ID)
					if err != nil {
						t.Fatal(err)
					}
					if !reflect.DeepEqual(got, row) {
						t.Fatalf("step %d: built from Seen:\n%+v\nthe row:\n%+v", i, got, row)
					}
					if got.Version != int64(i+1) {
						t.Errorf("step %d: version %d, want %d", i, got.Version, i+1)
					}
					if strings.HasPrefix(url, "sqlite:") && ran != 2 {
						t.Errorf("step %d: %d statements, want 2 (the UPDATE and the event: no read-back)", i, ran)
					}
					last = got
				}
			})
		}
	})
}

// TestSeen_ChangedSinceReadsTheRow: when the payment changed after the
// caller read it (an update that kept its status), the transition still
// happens — the compare-and-set is on the status, as without Seen — and
// returns the row as it is, with the other change, not the caller's copy.
func TestSeen_ChangedSinceReadsTheRow(t *testing.T) {
	defer store.CheckSeenRowsForTest(false)()
	forEachStore(t, func(t *testing.T, ctx context.Context, s *store.Store) {
		p := MustCreatePayment(t, s, "seen-stale")
		if _, err := s.UpdatePayment(ctx, p.ID, payment.StatusCreated, payment.Update{FinishAttempts: ptrTo(int64(3))}); err != nil {
			t.Fatal(err)
		}
		got, err := s.TransitionPayment(ctx, p.ID, payment.StatusCreated, payment.StatusReady,
			payment.Update{Seen: p, ProviderTID: ptrTo("T1")}, payment.Event{Reason: "test"})
		if err != nil {
			t.Fatal(err)
		}
		row, err := s.FindPaymentByID(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, row) || got.FinishAttempts != 3 || got.ProviderTID != "T1" || got.Status != payment.StatusReady || got.Version != 2 {
			t.Fatalf("got %+v\nthe row %+v", got, row)
		}
		// A stale Seen never wins a compare-and-set the status forbids.
		_, err = s.TransitionPayment(ctx, p.ID, payment.StatusCreated, payment.StatusFailed,
			payment.Update{Seen: p}, payment.Event{Reason: "test"})
		if payment.ErrorCode(err) != payment.ECONFLICT {
			t.Fatalf("err = %v, want conflict", err)
		}
	})
}

// TestSeen_CheckedInTests: in a test binary the store reads the row back
// after building the payment from Seen and refuses a difference, so a
// caller that hands in a payment it changed is found by its tests.
func TestSeen_CheckedInTests(t *testing.T) {
	forEachEngine(t, func(t *testing.T, url string) {
		ctx, s := context.Background(), MustOpen(t, url)
		p := MustCreatePayment(t, s, "seen-changed")
		changed := *p
		changed.Amount = 1 // not what is stored
		_, err := s.TransitionPayment(ctx, p.ID, payment.StatusCreated, payment.StatusReady,
			payment.Update{Seen: &changed}, payment.Event{Reason: "test"})
		if !strings.HasPrefix(url, "sqlite:") {
			// One statement returns the row there: Seen is not needed.
			if err != nil {
				t.Fatal(err)
			}
			return
		}
		if err == nil || !strings.Contains(err.Error(), "[Amount]") {
			t.Fatalf("err = %v, want the difference in Amount", err)
		}
		// Refused as a whole: the payment did not move.
		if row, _ := s.FindPaymentByID(ctx, p.ID); row.Status != payment.StatusCreated {
			t.Fatalf("status %s after a refused transition", row.Status)
		}
	})
}
