package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/pgtest"
	"github.com/paybridge/paybridge/internal/store"
)

// BenchmarkCheckoutWrites runs the store's part of a KakaoPay checkout —
// the four write transactions (created, ready, approving, paid with its
// outbox) and the read at the buyer's return — from many goroutines at once,
// without HTTP or a provider: what the store costs per checkout, and how
// many commits and how much of the writer's time a checkout takes.
// Run: go test -run x -bench CheckoutWrites -cpuprofile cpu.prof ./internal/store
func BenchmarkCheckoutWrites(b *testing.B) {
	s := MustOpen(b, "sqlite:"+filepath.Join(b.TempDir(), "pb.db"))
	answer := []byte(`{"aid":"A` + strings.Repeat("1", 19) + `","tid":"T1","cid":"TC0ONETIME","partner_order_id":"pay_x",` +
		`"partner_user_id":"buyer","payment_method_type":"MONEY","item_name":"Tea","quantity":1,` +
		`"amount":{"total":1000,"tax_free":0,"vat":91,"point":0,"discount":0,"green_deposit":0},` +
		`"created_at":"2026-01-01T00:00:00","approved_at":"2026-01-01T00:00:01"}`)
	before, st := runCheckouts(b, s, answer)
	n := float64(b.N)
	b.ReportMetric(float64(st.Commits-before.Commits)/n, "commits/checkout")
	b.ReportMetric(float64(st.Statements-before.Statements)/n, "sql/checkout")
	b.ReportMetric(float64(st.Prepares-before.Prepares)/n, "prepares/checkout")
	b.ReportMetric(float64((st.WriterBusy-before.WriterBusy).Microseconds())/n, "writer-µs/checkout")
	b.ReportMetric(float64((st.CommitTime-before.CommitTime).Microseconds())/n, "commit-µs/checkout")
}

// BenchmarkCheckoutWritesPostgres is BenchmarkCheckoutWrites on PostgreSQL
// (pgtest's server, whose fsync is off, unless PAYBRIDGE_TEST_POSTGRES_URL
// names a durable one), with a pool of 32: paybridge's CPU per checkout,
// which the round trips of its statements dominate.
// Run: go test -run '^$' -bench CheckoutWritesPostgres ./internal/store
func BenchmarkCheckoutWritesPostgres(b *testing.B) {
	s, err := store.Open(context.Background(), pgtest.NewDatabase(b), store.Options{MaxConns: 32})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	answer := []byte(`{"aid":"A1","tid":"T1","amount":{"total":1000}}`)
	before, st := runCheckouts(b, s, answer)
	n := float64(b.N)
	b.ReportMetric(float64(st.Transactions-before.Transactions)/n, "tx/checkout")
}

// runCheckouts runs b.N checkouts (checkoutWrites) from 16 goroutines per
// CPU, reports the CPU time per checkout and the rate, and returns the
// store's counters before and after for the caller's own figures.
func runCheckouts(b *testing.B, s *store.Store, answer []byte) (before, after store.Stats) {
	ctx := context.Background()
	var seq atomic.Int64
	defer store.CheckSeenRowsForTest(false)()
	before, cpu0 := s.Stats(), cpuTime()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := checkoutWrites(ctx, s, seq.Add(1), answer); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	after, cpu := s.Stats(), cpuTime()-cpu0
	n := float64(b.N)
	b.ReportMetric(float64(cpu.Microseconds())/n, "cpu-µs/checkout")
	b.ReportMetric(n/b.Elapsed().Seconds(), "checkouts/s")
	return before, after
}

// cpuTime is the CPU time this process used so far (user and system): per
// checkout, it is what the store costs whatever else the machine runs.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func checkoutWrites(ctx context.Context, s *store.Store, n int64, answer []byte) error {
	now := time.Now()
	p := &payment.Payment{
		ID: payment.NewID("pay", now), MerchantID: payment.DefaultMerchantID, Provider: "kakaopay",
		Channel: "api", OrderID: fmt.Sprintf("bench-%d", n), OrderName: "Tea", CustomerID: "buyer", Quantity: 1,
		Amount: 1000, Currency: "KRW", Status: payment.StatusCreated, ExpiresAt: now.Add(15 * time.Minute),
	}
	if err := s.CreatePayment(ctx, p); err != nil {
		return err
	}
	tid := "T" + p.ID
	window := "http://127.0.0.1:1/online/v1/payment/window/" + tid
	str := func(v string) *string { return &v }
	exp := now.Add(15 * time.Minute)
	// Each transition hands the store the payment as it last returned it
	// (Update.Seen), as the service does.
	if _, err := s.TransitionPayment(ctx, p.ID, payment.StatusCreated, payment.StatusReady, payment.Update{
		Seen: p, ProviderTID: str(tid), ProviderCID: str("TC0ONETIME"), ProviderOrderID: str(p.ID), ProviderUserID: str("buyer"),
		ProviderStatus: str("READY"), ProviderErrorCode: str(""), RedirectPC: str(window), RedirectMobile: str(window),
		RedirectApp: str(window), ExpiresAt: &exp,
	}, payment.Event{Reason: "provider_ready", Message: "tid " + tid}); err != nil {
		return err
	}
	found, err := s.FindPaymentByID(ctx, p.ID)
	if err != nil {
		return err
	}
	approving, err := s.TransitionPayment(ctx, p.ID, payment.StatusReady, payment.StatusApproving,
		payment.Update{Seen: found, PGToken: str("pgtoken"), ReturnTID: str("")}, payment.Event{Reason: "buyer_returned"})
	if err != nil {
		return err
	}
	approved := time.Now()
	_, err = s.TransitionPayment(ctx, p.ID, payment.StatusApproving, payment.StatusPaid, payment.Update{
		Seen: approving, ProviderStatus: str("SUCCESS_PAYMENT"), ProviderMethodType: str("MONEY"), ProviderApprovalID: str("A123"),
		ApprovedAt: &approved, ProviderAnswer: &payment.ProviderAnswer{Body: answer, At: approved},
	}, payment.Event{Reason: "approved"})
	return err
}

// BenchmarkCheckoutPages runs checkouts one at a time, each transaction
// committed alone, and reports the WAL pages a checkout writes: what each
// COMMIT's fsync costs in proportion to (tables and indexes a checkout
// touches). Automatic checkpoints are off so the WAL only grows.
// Run: go test -run '^$' -bench CheckoutPages -benchtime 500x ./internal/store
func BenchmarkCheckoutPages(b *testing.B) {
	path := filepath.Join(b.TempDir(), "pb.db")
	s := MustOpen(b, "sqlite:"+path)
	ctx := context.Background()
	answer := []byte(`{"aid":"A1","tid":"T1","amount":{"total":1000}}`)
	// Some payments already stored, so the indexes have more than one page.
	for i := int64(0); i < 2000; i++ {
		if err := checkoutWrites(ctx, s, -i-1, answer); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.ExecForTest(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		b.Fatal(err)
	}
	if err := s.ExecForTest(ctx, "PRAGMA wal_autocheckpoint=0"); err != nil {
		b.Fatal(err)
	}
	pageSize, err := s.PragmaForTest(ctx, "page_size")
	if err != nil {
		b.Fatal(err)
	}
	var ps int64
	fmt.Sscan(pageSize, &ps)
	walSize := func() int64 {
		fi, err := os.Stat(path + "-wal")
		if err != nil {
			return 0
		}
		return fi.Size()
	}
	w0 := walSize()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := checkoutWrites(ctx, s, int64(i), answer); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(walSize()-w0)/float64(ps+24)/float64(b.N), "wal-pages/checkout")
}
