package store_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/pgtest"
	"github.com/paybridge/paybridge/internal/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// engines are the databases every store test runs against: this is the
// conformance suite both must pass.
var engines = []struct {
	name string
	url  func(testing.TB) string
}{
	{"sqlite", func(tb testing.TB) string { return "sqlite:" + filepath.Join(tb.TempDir(), "pb.db") }},
	{"postgres", pgtest.NewDatabase},
}

// forEachEngine runs fn once per engine, each with a fresh database URL.
func forEachEngine(t *testing.T, fn func(t *testing.T, url string)) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) { fn(t, e.url(t)) })
	}
}

// MustOpen opens (and migrates) the database at url, closed when the test ends.
func MustOpen(tb testing.TB, url string) *store.Store {
	tb.Helper()
	s, err := store.Open(context.Background(), url, store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func MustCreatePayment(tb testing.TB, s *store.Store, orderID string) *payment.Payment {
	tb.Helper()
	p := &payment.Payment{
		ID: payment.NewID("pay", time.Now()), MerchantID: payment.DefaultMerchantID, Provider: "kakaopay",
		Channel: "api", OrderID: orderID, OrderName: "Tea", CustomerID: "c", Quantity: 1, Amount: 10000,
		TaxFreeAmount: 1000, Currency: "KRW", ExpiresAt: time.Now().Add(15 * time.Minute),
	}
	if err := s.CreatePayment(context.Background(), p); err != nil {
		tb.Fatal(err)
	}
	return p
}

func TestStore_CreatePayment(t *testing.T) { forEachEngine(t, testStoreCreatePayment) }

func testStoreCreatePayment(t *testing.T, url string) {
	ctx := context.Background()
	s := MustOpen(t, url)
	p := MustCreatePayment(t, s, "o-1")
	got, err := s.FindPaymentByID(ctx, p.ID)
	if err != nil || got.Status != payment.StatusCreated || got.Amount != 10000 || got.OrderID != "o-1" {
		t.Fatalf("find = %+v, %v", got, err)
	}
	t.Run("ErrDuplicateOrderID", func(t *testing.T) {
		q := *p
		q.ID = payment.NewID("pay", time.Now())
		if err := s.CreatePayment(ctx, &q); payment.ErrorCode(err) != payment.ECONFLICT {
			t.Fatalf("err = %v, want conflict", err)
		}
	})
	t.Run("ReleasedOrderIDCanBeReused", func(t *testing.T) {
		_, err := s.TransitionPayment(ctx, p.ID, payment.StatusCreated, payment.StatusFailed,
			payment.Update{ReleaseOrderID: true}, payment.Event{Reason: "provider_error"})
		if err != nil {
			t.Fatal(err)
		}
		MustCreatePayment(t, s, "o-1")
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if _, err := s.FindPaymentByID(ctx, "pay_nope"); payment.ErrorCode(err) != payment.ENOTFOUND {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("CheckConstraintsHoldMoney", func(t *testing.T) {
		q := *p
		q.ID, q.OrderID, q.Amount = payment.NewID("pay", time.Now()), "neg", -5
		if err := s.CreatePayment(ctx, &q); err == nil {
			t.Fatal("negative amount stored")
		}
	})
}

func TestStore_TransitionPayment(t *testing.T) { forEachEngine(t, testStoreTransitionPayment) }

func testStoreTransitionPayment(t *testing.T, url string) {
	ctx := context.Background()
	s := MustOpen(t, url)
	p := MustCreatePayment(t, s, "o-1")
	tid := "T1234567890123456789"
	got, err := s.TransitionPayment(ctx, p.ID, payment.StatusCreated, payment.StatusReady,
		payment.Update{ProviderTID: &tid}, payment.Event{Reason: "provider_ready"})
	if err != nil || got.Status != payment.StatusReady || got.ProviderTID != tid {
		t.Fatalf("transition = %+v, %v", got, err)
	}
	if f, err := s.FindPaymentByTID(ctx, "kakaopay", tid); err != nil || f.ID != p.ID {
		t.Fatalf("by tid = %v, %v", f, err)
	}
	t.Run("ErrNotAllowed", func(t *testing.T) {
		if _, err := s.TransitionPayment(ctx, p.ID, payment.StatusReady, payment.StatusPaid, payment.Update{}, payment.Event{}); payment.ErrorCode(err) != payment.EINVALID {
			t.Fatalf("ready → paid: err = %v", err)
		}
	})
	t.Run("ErrStale", func(t *testing.T) {
		if _, err := s.TransitionPayment(ctx, p.ID, payment.StatusCreated, payment.StatusFailed, payment.Update{}, payment.Event{}); payment.ErrorCode(err) != payment.ECONFLICT {
			t.Fatalf("stale from: err = %v", err)
		}
	})
	t.Run("ExactlyOneWinner", func(t *testing.T) {
		var wg sync.WaitGroup
		wins := make(chan int, 50)
		for i := range 50 {
			wg.Go(func() {
				_, err := s.TransitionPayment(ctx, p.ID, payment.StatusReady, payment.StatusApproving, payment.Update{}, payment.Event{Reason: "buyer_returned"})
				if err == nil {
					wins <- i
				} else if payment.ErrorCode(err) != payment.ECONFLICT {
					t.Errorf("err = %v", err)
				}
			})
		}
		wg.Wait()
		close(wins)
		if n := len(wins); n != 1 {
			t.Fatalf("%d winners, want 1", n)
		}
	})
	evs, err := s.FindEvents(ctx, p.ID)
	if err != nil || len(evs) != 3 || evs[2].FromStatus != payment.StatusReady || evs[2].ToStatus != payment.StatusApproving {
		t.Fatalf("events = %v, %v", evs, err)
	}
}

func TestStore_Cancellations(t *testing.T) { forEachEngine(t, testStoreCancellations) }

func testStoreCancellations(t *testing.T, url string) {
	ctx := context.Background()
	s := MustOpen(t, url)
	p := MustCreatePayment(t, s, "o-1")
	for _, step := range [][2]payment.Status{{"created", "ready"}, {"ready", "approving"}, {"approving", "paid"}} {
		if _, err := s.TransitionPayment(ctx, p.ID, step[0], step[1], payment.Update{}, payment.Event{}); err != nil {
			t.Fatal(err)
		}
	}
	c1 := &payment.Cancellation{ID: "can_1", PaymentID: p.ID, Amount: 4000, Reason: "r"}
	if err := s.CreateCancellation(ctx, c1, payment.StatusPaid); err != nil {
		t.Fatal(err)
	}
	t.Run("ErrOnePendingAtATime", func(t *testing.T) {
		c2 := &payment.Cancellation{ID: "can_2", PaymentID: p.ID, Amount: 1000, Reason: "r"}
		if err := s.CreateCancellation(ctx, c2, payment.StatusPaid); payment.ErrorCode(err) != payment.ECONFLICT {
			t.Fatalf("second pending: err = %v", err)
		}
	})
	// The refunded total comes from the stored row plus this refund, never
	// from the caller's (possibly stale) figure.
	stale := int64(1)
	got, err := s.CompleteCancellation(ctx, c1, true, payment.Update{CanceledAmount: &stale}, payment.Event{Reason: "refunded"})
	if err != nil || got.Status != payment.StatusPartiallyCanceled || got.CancelableAmount() != 6000 || got.CanceledAmount != 4000 {
		t.Fatalf("complete = %+v, %v", got, err)
	}
	t.Run("ErrOverRefund", func(t *testing.T) {
		c3 := &payment.Cancellation{ID: "can_3", PaymentID: p.ID, Amount: 6001, Reason: "r"}
		if err := s.CreateCancellation(ctx, c3, payment.StatusPartiallyCanceled); payment.ErrorCode(err) != payment.EINVALID {
			t.Fatalf("over-refund: err = %v", err)
		}
	})
	t.Run("ErrCompleteTwice", func(t *testing.T) {
		if _, err := s.CompleteCancellation(ctx, c1, true, payment.Update{}, payment.Event{}); payment.ErrorCode(err) != payment.ECONFLICT {
			t.Fatalf("complete twice: err = %v", err)
		}
	})
	cs, err := s.FindCancellations(ctx, p.ID)
	if err != nil || len(cs) != 1 || cs[0].Status != payment.CancellationSucceeded {
		t.Fatalf("cancellations = %v, %v", cs, err)
	}
}

func TestStore_APIKeys(t *testing.T) { forEachEngine(t, testStoreAPIKeys) }

func testStoreAPIKeys(t *testing.T, url string) {
	ctx := context.Background()
	s := MustOpen(t, url)
	k := &payment.APIKey{ID: "key_1", MerchantID: payment.DefaultMerchantID, Prefix: "sk_test_abcd", Hash: "h1"}
	if err := s.CreateAPIKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	if got, err := s.FindAPIKeyByHash(ctx, "h1"); err != nil || got.MerchantID != payment.DefaultMerchantID {
		t.Fatalf("find = %v, %v", got, err)
	}
	if _, err := s.FindAPIKeyByHash(ctx, "h2"); payment.ErrorCode(err) != payment.ENOTFOUND {
		t.Fatalf("unknown hash: %v", err)
	}
	if m, err := s.FindMerchantByID(ctx, payment.DefaultMerchantID); err != nil || m.ID != payment.DefaultMerchantID {
		t.Fatalf("default merchant: %v, %v", m, err)
	}
}

func TestStore_Migrations(t *testing.T) { forEachEngine(t, testStoreMigrations) }

func testStoreMigrations(t *testing.T, path string) {
	ctx := context.Background()
	t.Run("ErrNoMigrateOnEmpty", func(t *testing.T) {
		if _, err := store.Open(ctx, path, store.Options{NoMigrate: true}); err == nil {
			t.Fatal("opened an empty database without migrating")
		}
	})
	s, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := s.SchemaVersion(ctx); v != store.LatestVersion() || v < 1 {
		t.Fatalf("version = %d", v)
	}
	if applied, err := s.Migrate(ctx); err != nil || len(applied) != 0 {
		t.Fatalf("second migrate = %v, %v", applied, err)
	}
	// A newer paybridge migrated this database: this one must refuse it.
	if err := s.ExecForTest(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '0999_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, o := range []store.Options{{}, {NoMigrate: true}} {
		if _, err := store.Open(ctx, path, o); err == nil {
			t.Fatalf("opened a newer schema with %+v", o)
		}
	}
}

func TestStore_SQLitePragmas(t *testing.T) {
	s := MustOpen(t, engines[0].url(t))
	for pragma, want := range map[string]string{"journal_mode": "wal", "foreign_keys": "1"} {
		if got, err := s.PragmaForTest(context.Background(), pragma); err != nil || got != want {
			t.Errorf("PRAGMA %s = %q, %v; want %q", pragma, got, err, want)
		}
	}
}
