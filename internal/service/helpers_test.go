package service_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/payment/paymenttest"
	"github.com/paybridge/paybridge/internal/service"
	"github.com/paybridge/paybridge/internal/store"
	"github.com/paybridge/paybridge/internal/testutil"
)

// Provider names of the two fakes every test has.
const (
	approver = "approver" // approves (KakaoPay, Toss)
	verifier = "verifier" // verifies (PortOne V1, V2)
)

// clock is the tests' time, shared by the service and the store (see
// testutil.Clock).
type clock = testutil.Clock

// env is one service over a real SQLite store with two scripted fakes.
type env struct {
	t     testing.TB
	ctx   context.Context
	st    *store.Store
	db    service.Store // what the service is given (st, or a wrapper)
	clock *clock
	appr  *paymenttest.Provider
	ver   *paymenttest.Provider
	svc   *service.Service
	logs  *testutil.LogBuffer
	cfg   service.Config
	seq   int
}

// testConfig has short, round durations so tests can step over them.
var testConfig = service.Config{
	PublicURL: "http://paybridge.test", ProviderTimeout: 2 * time.Second, ApproveWait: 2 * time.Second,
	Expiry: 15 * time.Minute, SettleAfter: 30 * time.Second, GiveUpAfter: 5 * time.Minute, SweepLease: time.Minute,
}

func newEnv(t testing.TB) *env {
	t.Helper()
	st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "pb.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{
		t: t, ctx: context.Background(), st: st, db: st,
		clock: testutil.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)),
		appr:  paymenttest.New(approver, false), ver: paymenttest.New(verifier, true),
		logs: &testutil.LogBuffer{}, cfg: testConfig,
	}
	st.Now = e.clock.Now
	e.restart()
	return e
}

// restart replaces the service by a new one over the same store and
// providers: a crash and restart of paybridge.
func (e *env) restart() {
	log := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.svc = service.New(e.db, []payment.Provider{e.appr, e.ver}, log, e.cfg)
	e.svc.SetNow(e.clock.Now)
}

func (e *env) fake(provider string) *paymenttest.Provider {
	if provider == verifier {
		return e.ver
	}
	return e.appr
}

// create makes a ready payment.
func (e *env) create(provider string, amount, taxFree int64) *payment.Payment {
	e.t.Helper()
	e.seq++
	p, err := e.svc.CreatePayment(e.ctx, payment.DefaultMerchantID, service.CreateInput{
		Provider: provider, OrderID: fmt.Sprintf("order-%d", e.seq), OrderName: "Tea", CustomerID: "buyer-1",
		Amount: amount, Quantity: 1, TaxFreeAmount: taxFree,
	})
	if err != nil {
		e.t.Fatalf("create: %v", err)
	}
	return p
}

// pay is the buyer finishing in the provider's window: an approving
// provider's buyer authenticates, a verifying provider's buyer pays.
func (e *env) pay(p *payment.Payment) {
	if p.Provider == verifier {
		e.ver.Pay(p.ID, -1, -1)
	} else {
		e.appr.Authorize(p.ID)
	}
}

// returnOK is the buyer's browser coming back with the provider's success.
func (e *env) returnOK(p *payment.Payment) (*payment.Payment, error) {
	return e.svc.Return(e.ctx, p.ID, service.ReturnApprove, e.fake(p.Provider).ReturnQuery(p.ID))
}

func (e *env) mustReturnOK(p *payment.Payment) *payment.Payment {
	e.t.Helper()
	np, err := e.returnOK(p)
	if err != nil {
		e.t.Fatalf("return: %v", err)
	}
	return np
}

// mustSync runs a provider webhook's lookup of payment id.
func (e *env) mustSync(id string) *payment.Payment {
	e.t.Helper()
	np, err := e.svc.Sync(e.ctx, id)
	if err != nil {
		e.t.Fatalf("sync: %v", err)
	}
	return np
}

// mustReturn brings the buyer back to payment id's return URL of kind
// with the provider's query q.
func (e *env) mustReturn(id, kind string, q url.Values) *payment.Payment {
	e.t.Helper()
	np, err := e.svc.Return(e.ctx, id, kind, q)
	if err != nil {
		e.t.Fatalf("return %s: %v", kind, err)
	}
	return np
}

func (e *env) get(id string) *payment.Payment {
	e.t.Helper()
	p, err := e.st.FindPaymentByID(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

func (e *env) sweep() service.SweepResult {
	e.t.Helper()
	r, err := e.svc.Sweep(e.ctx)
	if err != nil {
		e.t.Fatalf("sweep: %v", err)
	}
	return r
}

// advanceAndSweep steps the clock by d and sweeps.
func (e *env) advanceAndSweep(d time.Duration) service.SweepResult {
	e.t.Helper()
	e.clock.Advance(d)
	return e.sweep()
}

func (e *env) refund(id string, amount int64) (*payment.Payment, *payment.Cancellation, error) {
	in := service.RefundInput{Reason: "test"}
	if amount > 0 {
		in.Amount = &amount
	}
	return e.svc.Refund(e.ctx, payment.DefaultMerchantID, id, in)
}

func (e *env) cancellations(id string) []*payment.Cancellation {
	e.t.Helper()
	cs, err := e.st.FindCancellations(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return cs
}

// outbox lists the types of the webhook events written for a payment,
// oldest first.
func (e *env) outbox(id string) []string {
	e.t.Helper()
	evs, err := e.st.FindWebhookEvents(e.ctx, payment.WebhookEventFilter{MerchantID: payment.DefaultMerchantID, Limit: 100})
	if err != nil {
		e.t.Fatal(err)
	}
	var types []string
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].PaymentID == id {
			types = append(types, evs[i].Type)
		}
	}
	return types
}

// reasons lists the reasons of a payment's audit trail, oldest first.
func (e *env) reasons(id string) []string {
	e.t.Helper()
	evs, err := e.st.FindEvents(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	var rs []string
	for _, ev := range evs {
		rs = append(rs, ev.Reason)
	}
	return rs
}

func wantStatus(t testing.TB, p *payment.Payment, want payment.Status) {
	t.Helper()
	if p.Status != want {
		t.Fatalf("payment %s is %s (failure %q: %s), want %s", p.ID, p.Status, p.FailureCode, p.FailureMessage, want)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func hasLog(logs *testutil.LogBuffer, level, msg string) bool {
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, "level="+level) && strings.Contains(line, msg) {
			return true
		}
	}
	return false
}
