package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
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

// TestSeen_WithoutAStatusChange: an update that keeps the status (UpdatePayment,
// AnnouncePayment) builds its result from Seen too; what is not stored
// (Idempotency) is not in the result, and the result shares no bytes with
// the update or with Seen.
func TestSeen_WithoutAStatusChange(t *testing.T) {
	defer store.CheckSeenRowsForTest(false)()
	forEachStore(t, func(t *testing.T, ctx context.Context, s *store.Store) {
		p := MustCreatePayment(t, s, "seen-keep")
		p.Idempotency = &payment.IdempotencyClaim{}
		body := []byte(`{"tid":"T1"}`)
		before := s.Stats().ReadBacks
		got, err := s.UpdatePayment(ctx, p.ID, payment.StatusCreated, payment.Update{
			Seen: p, FinishAttempts: ptrTo(int64(2)), ProviderAnswer: &payment.ProviderAnswer{Body: body, At: time.Now()},
		})
		if err != nil {
			t.Fatal(err)
		}
		body[2] = 'X'
		got2, err := s.AnnouncePayment(ctx, p.ID, payment.StatusCreated, payment.Update{Seen: got, FailureMessage: ptrTo("m")},
			payment.Event{Reason: "test"})
		if err != nil {
			t.Fatal(err)
		}
		if n := s.Stats().ReadBacks - before; n != 0 {
			t.Errorf("%d read-backs, want 0", n)
		}
		row, err := s.FindPaymentByID(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got2, row) || got2.Version != 2 || got2.Idempotency != nil || string(got.ProviderLastAnswer) != `{"tid":"T1"}` {
			t.Fatalf("got %+v (first %+v)\nthe row %+v", got2, got, row)
		}
	})
}

// TestSeen_FailedChangeReturnsNothing: a change that rolled back returns no
// payment. One built inside it was never stored, and its version number is
// the next change's: handed back as Seen it would pass the version check.
func TestSeen_FailedChangeReturnsNothing(t *testing.T) {
	forEachStore(t, func(t *testing.T, ctx context.Context, s *store.Store) {
		p := MustCreatePayment(t, s, "seen-ghost")
		var err error
		for _, st := range [][2]payment.Status{{payment.StatusCreated, payment.StatusReady}, {payment.StatusReady, payment.StatusApproving}} {
			if p, err = s.TransitionPayment(ctx, p.ID, st[0], st[1], payment.Update{Seen: p}, payment.Event{Reason: "test"}); err != nil {
				t.Fatal(err)
			}
		}
		s.SetEventRenderer(func(string, string, *payment.Payment, []*payment.Cancellation, time.Time) ([]byte, error) {
			return nil, errors.New("render failed")
		})
		ghost, err := s.TransitionPayment(ctx, p.ID, payment.StatusApproving, payment.StatusPaid,
			payment.Update{Seen: p, FailureMessage: ptrTo("rolled back")}, payment.Event{Reason: "test"})
		if err == nil || ghost != nil {
			t.Fatalf("failed transition returned %+v, %v; want no payment and the error", ghost, err)
		}
		// A conflict still returns the payment as it is.
		s.SetEventRenderer(nil)
		cur, err := s.TransitionPayment(ctx, p.ID, payment.StatusReady, payment.StatusApproving, payment.Update{Seen: p}, payment.Event{})
		if payment.ErrorCode(err) != payment.ECONFLICT || cur == nil || cur.Status != payment.StatusApproving {
			t.Fatalf("conflict returned %+v, %v", cur, err)
		}
	})
}

// TestSeen_EveryPaymentUpdateCountsAVersion: Seen is safe only while every
// UPDATE of a payment's columns adds one to its version. The store's only
// UPDATEs of payments are paymentUpdate's, which does, and the sweep's
// lease (claim.go), which changes no column of a payment.Payment. A new
// UPDATE of payments elsewhere fails here until it is looked at.
func TestSeen_EveryPaymentUpdateCountsAVersion(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]string{} // file → the text after its UPDATE payments
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for rest := string(src); ; {
			i := strings.Index(strings.ToUpper(rest), "UPDATE PAYMENTS")
			if i < 0 {
				break
			}
			if _, dup := found[f]; dup {
				t.Errorf("%s: a second UPDATE of payments", f)
			}
			rest = rest[i+len("UPDATE PAYMENTS"):]
			found[f] = rest[:min(len(rest), 200)]
		}
	}
	if len(found) != 2 {
		t.Errorf("UPDATEs of payments in %v, want exactly payment.go and claim.go", found)
	}
	if set, _, _ := strings.Cut(found["claim.go"], "WHERE"); strings.Join(strings.Fields(set), " ") != "SET lease_owner = ?, lease_until = ?" {
		t.Errorf("claim.go's UPDATE of payments sets %q, want only the lease", set)
	}
	src, err := os.ReadFile("payment.go")
	if err != nil {
		t.Fatal(err)
	}
	_, fn, _ := strings.Cut(string(src), "func (s *Store) paymentUpdate(")
	if fn, _, _ = strings.Cut(fn, "\n}\n"); !strings.Contains(fn, `"version = version + 1"`) || !strings.Contains(fn, "`UPDATE payments SET `") {
		t.Error("paymentUpdate no longer adds one to the version in its UPDATE")
	}
}
