package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/service"
	"github.com/paybridge/paybridge/internal/store"
)

// crashProvider is a provider that keeps one account of what it did, the
// way a real provider outlives paybridge's crash, and can make paybridge
// "crash" right after it acted: crash is called once the money moved, and
// ends the calling goroutine with runtime.Goexit, so nothing after that
// point in paybridge runs, as with kill -9 (deferred calls aside, which the
// dead idempotency store swallows).
type crashProvider struct {
	name     string // default kakaopay
	mu       sync.Mutex
	readies  int
	cancels  int
	lookups  int
	refunded map[string]int64
	crash    atomic.Pointer[func()]
	// crashBefore moves the crash of the next cancel to before it acts.
	crashBefore atomic.Bool
}

func newCrashProvider() *crashProvider { return &crashProvider{refunded: map[string]int64{}} }

func (f *crashProvider) Name() string {
	if f.name != "" {
		return f.name
	}
	return payment.ProviderKakaoPay
}

func (f *crashProvider) crashNow() {
	if c := f.crash.Swap(nil); c != nil {
		(*c)()
		runtime.Goexit()
	}
}

func (f *crashProvider) Ready(ctx context.Context, p *payment.Payment, urls payment.ReturnURLs) (*payment.ReadyResult, error) {
	f.mu.Lock()
	f.readies++
	f.mu.Unlock()
	f.crashNow()
	return &payment.ReadyResult{TID: "T" + p.ID, CID: "TC0ONETIME", RedirectPC: "https://provider.test/" + p.ID,
		RedirectMobile: "https://provider.test/m/" + p.ID, RedirectApp: "https://provider.test/a/" + p.ID, CreatedAt: time.Now()}, nil
}

func (f *crashProvider) ParseReturn(url.Values) payment.Return { return payment.Return{} }

// Finishing: it approves, as KakaoPay does.
func (f *crashProvider) Finishing() payment.Finishing { return payment.Finishing{} }

func (f *crashProvider) Approve(ctx context.Context, p *payment.Payment, _ payment.Return) (*payment.ProviderPayment, error) {
	return f.Lookup(ctx, p)
}

func (f *crashProvider) state(p *payment.Payment) *payment.ProviderPayment {
	refunded := f.refunded[p.ID]
	st := payment.ProviderPaid
	switch {
	case refunded == p.Amount:
		st = payment.ProviderCanceled
	case refunded > 0:
		st = payment.ProviderPartiallyCanceled
	}
	return &payment.ProviderPayment{TID: p.ProviderTID, CID: p.ProviderCID, OrderID: p.ID, CustomerID: p.CustomerID,
		State: st, RawStatus: string(st), Amount: p.Amount, TaxFreeAmount: p.TaxFreeAmount, CanceledAmount: refunded,
		CancelableAmount: p.Amount - refunded, ItemName: p.OrderName, Quantity: p.Quantity}
}

func (f *crashProvider) Lookup(ctx context.Context, p *payment.Payment) (*payment.ProviderPayment, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lookups++
	return f.state(p), nil
}

func (f *crashProvider) Cancel(ctx context.Context, p *payment.Payment, req payment.CancelRequest) (*payment.ProviderPayment, error) {
	if f.crashBefore.Load() {
		f.crashBefore.Store(false)
		f.crashNow() // died with the request on its way: the provider never got it
	}
	f.mu.Lock()
	f.cancels++
	if req.Cancelable != p.Amount-f.refunded[p.ID] || req.Amount > req.Cancelable {
		f.mu.Unlock()
		return nil, payment.Errorf(payment.EINVALID, "cancel_available_amount mismatch")
	}
	f.refunded[p.ID] += req.Amount
	res := f.state(p)
	f.mu.Unlock()
	f.crashNow()
	return res, nil
}

func (f *crashProvider) counts() (readies, cancels int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.readies, f.cancels
}

// dyingStore is the idempotency store as one process sees it: once the
// process is dead, nothing it does reaches the database any more.
type dyingStore struct {
	payment.IdempotencyStore
	dead atomic.Bool
}

var errDead = errors.New("the process is dead")

func (d *dyingStore) FinishIdempotent(ctx context.Context, merchantID, key, token string, status int, ct string, body []byte, now time.Time) error {
	if d.dead.Load() {
		return errDead
	}
	return d.IdempotencyStore.FinishIdempotent(ctx, merchantID, key, token, status, ct, body, now)
}

func (d *dyingStore) AbortIdempotent(ctx context.Context, merchantID, key, token string) (bool, error) {
	if d.dead.Load() {
		return false, errDead
	}
	return d.IdempotencyStore.AbortIdempotent(ctx, merchantID, key, token)
}

// crashFixture is paybridge's merchant API over one database and one
// provider, where a "process" (service, API, idempotency middleware) can
// die and be replaced by a new one, on the same database and provider.
type crashFixture struct {
	t     *testing.T
	store *store.Store
	prov  *crashProvider
	lock  time.Duration
}

func newCrashFixture(t *testing.T) *crashFixture {
	st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "pb.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &crashFixture{t: t, store: st, prov: newCrashProvider(), lock: time.Minute}
}

// process is one paybridge process.
type process struct {
	idem *dyingStore
	h    map[string]http.HandlerFunc
}

// start runs a new process whose clock reads now.
func (f *crashFixture) start(now time.Time) *process {
	svc := service.New(f.store, []payment.Provider{f.prov}, nil, service.Config{PublicURL: "http://pb.test"})
	api := New(svc, slog.New(slog.DiscardHandler), DropInConfig{})
	ds := &dyingStore{IdempotencyStore: f.store}
	m := NewIdempotency(ds, slog.New(slog.DiscardHandler), IdempotencyConfig{Lock: f.lock})
	m.Now = func() time.Time { return now }
	return &process{idem: ds, h: map[string]http.HandlerFunc{
		"create": m.Wrap(api.handlePaymentCreate),
		"cancel": m.Wrap(api.handlePaymentCancel),
	}}
}

// send runs one request in its own goroutine (a crash ends that goroutine)
// and returns what was written, if anything.
func (pr *process) send(op, path, key, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	if op == "cancel" {
		req.SetPathValue("id", strings.Split(path, "/")[3])
	}
	req = req.WithContext(context.WithValue(req.Context(), merchantKey, payment.DefaultMerchantID))
	w := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		defer close(done)
		pr.h[op](w, req)
	}()
	<-done
	return w
}

// crashAfterProvider makes the process die right after the provider's next
// money-moving call.
func (f *crashFixture) crashAfterProvider(pr *process) {
	crash := func() { pr.idem.dead.Store(true) }
	f.prov.crash.Store(&crash)
}

// paid writes a payment paid at the provider.
func (f *crashFixture) paid(orderID string, amount int64) *payment.Payment {
	ctx := context.Background()
	p := &payment.Payment{ID: payment.NewID("pay", time.Now()), MerchantID: payment.DefaultMerchantID,
		Provider: payment.ProviderKakaoPay, Channel: payment.ChannelAPI, OrderID: orderID, OrderName: "Tea",
		CustomerID: "c", Quantity: 1, Amount: amount, Currency: payment.CurrencyKRW, ExpiresAt: time.Now().Add(time.Hour)}
	if err := f.store.CreatePayment(ctx, p); err != nil {
		f.t.Fatal(err)
	}
	steps := []struct {
		to  payment.Status
		upd payment.Update
	}{
		{payment.StatusReady, payment.Update{ProviderTID: ptrTo("T" + p.ID), ProviderCID: ptrTo("TC0ONETIME"), ProviderOrderID: ptrTo(p.ID)}},
		{payment.StatusApproving, payment.Update{}},
		{payment.StatusPaid, payment.Update{ApprovedAt: ptrTo(time.Now())}},
	}
	from := payment.StatusCreated
	for _, s := range steps {
		if _, err := f.store.TransitionPayment(ctx, p.ID, from, s.to, s.upd, payment.Event{Reason: "test"}); err != nil {
			f.t.Fatal(err)
		}
		from = s.to
	}
	return p
}

func ptrTo[T any](v T) *T { return &v }

type crashPaymentJSON struct {
	ID             string `json:"id"`
	Status         string `json:"status"`
	CanceledAmount int64  `json:"canceled_amount"`
	Cancellations  []struct {
		ID     string `json:"id"`
		Amount int64  `json:"amount"`
		Status string `json:"status"`
	} `json:"cancellations"`
}

func decodePayment(t *testing.T, w *httptest.ResponseRecorder) crashPaymentJSON {
	t.Helper()
	var p crashPaymentJSON
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatalf("body %q: %v", w.Body, err)
	}
	return p
}

// Ensure a refund whose process died, once after the provider refunded
// and before paybridge recorded it, once after everything but storing the
// response, is not refunded again by a retry with the same key after the
// key's lock ran out: the provider's cancel is called once, and the retry
// answers with that refund. (Before, the retry refunded a second time.)
func TestIdempotency_RefundSurvivesCrash(t *testing.T) {
	for _, tt := range []struct {
		name  string
		crash func(f *crashFixture, pr *process)
	}{
		// Killed between the provider's refund and paybridge recording
		// it: the cancellation is left pending.
		{"AfterProviderRefunded", func(f *crashFixture, pr *process) { f.crashAfterProvider(pr) }},
		// Killed after the refund was recorded, before the response was
		// stored for replay.
		{"BeforeResponseStored", func(f *crashFixture, pr *process) { pr.idem.dead.Store(true) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newCrashFixture(t)
			p := f.paid("o-refund", 1000)
			path := "/v1/payments/" + p.ID + "/cancel"
			t0 := time.Now()

			first := f.start(t0)
			tt.crash(f, first)
			first.send("cancel", path, "refund-400", `{"amount":400,"reason":"one cup"}`)
			if _, cancels := f.prov.counts(); cancels != 1 {
				t.Fatalf("%d cancels before the crash, want 1", cancels)
			}

			// Within the lock, a retry is told to wait and does nothing.
			soon := f.start(t0.Add(f.lock / 2))
			if w := soon.send("cancel", path, "refund-400", `{"amount":400,"reason":"one cup"}`); w.Code != http.StatusConflict || errorCode(t, w) != payment.EINPROGRESS {
				t.Fatalf("retry within the lock: %d %s", w.Code, w.Body)
			}

			// After the lock, a new process takes the key over.
			second := f.start(t0.Add(f.lock + time.Second))
			w := second.send("cancel", path, "refund-400", `{"amount":400,"reason":"one cup"}`)
			if _, cancels := f.prov.counts(); cancels != 1 {
				t.Fatalf("the provider's cancel was called %d times, want 1", cancels)
			}
			got := decodePayment(t, w)
			if w.Code != http.StatusOK || got.Status != "partially_canceled" || got.CanceledAmount != 400 ||
				len(got.Cancellations) != 1 || got.Cancellations[0].Status != payment.CancellationSucceeded {
				t.Fatalf("retry answered %d %+v, want the one refund of 400, succeeded", w.Code, got)
			}
			// The answer is now stored: a third try replays it.
			third := f.start(t0.Add(2 * f.lock))
			if again := third.send("cancel", path, "refund-400", `{"amount":400,"reason":"one cup"}`); again.Body.String() != w.Body.String() ||
				again.Header().Get("Idempotent-Replayed") != "true" {
				t.Fatalf("third try: %d %s", again.Code, again.Body)
			}
			if _, cancels := f.prov.counts(); cancels != 1 {
				t.Fatalf("the provider's cancel was called %d times, want 1", cancels)
			}
		})
	}
}

// Ensure a retry of a refund whose process died before the cancel reached
// the provider does not send it then either (the first one might still be
// on its way): it answers 202 with the refund pending, for the sweep to
// settle; and that a retry of a refund the provider refused answers that
// refusal rather than trying again.
func TestIdempotency_RefundResumedWithoutCancel(t *testing.T) {
	t.Run("CrashBeforeProvider", func(t *testing.T) {
		f := newCrashFixture(t)
		p := f.paid("o-before", 1000)
		path := "/v1/payments/" + p.ID + "/cancel"
		t0 := time.Now()
		first := f.start(t0)
		f.crashAfterProvider(first)
		f.prov.crashBefore.Store(true)
		first.send("cancel", path, "k", `{"amount":400,"reason":"r"}`)
		w := f.start(t0.Add(f.lock+time.Second)).send("cancel", path, "k", `{"amount":400,"reason":"r"}`)
		got := decodePayment(t, w)
		if _, cancels := f.prov.counts(); cancels != 0 {
			t.Fatalf("%d cancels, want none", cancels)
		}
		if w.Code != http.StatusAccepted || got.CanceledAmount != 0 || len(got.Cancellations) != 1 ||
			got.Cancellations[0].Status != payment.CancellationPending {
			t.Fatalf("retry: %d %+v, want 202 with the refund pending", w.Code, got)
		}
	})
	t.Run("RefusedByProvider", func(t *testing.T) {
		f := newCrashFixture(t)
		p := f.paid("o-refused", 1000)
		f.prov.refunded[p.ID] = 100 // refunded in the provider's console: paybridge's guard no longer matches
		path := "/v1/payments/" + p.ID + "/cancel"
		t0 := time.Now()
		first := f.start(t0)
		first.idem.dead.Store(true)
		if w := first.send("cancel", path, "k", `{"amount":400,"reason":"r"}`); w.Code != http.StatusBadRequest {
			t.Fatalf("first: %d %s", w.Code, w.Body)
		}
		w := f.start(t0.Add(f.lock+time.Second)).send("cancel", path, "k", `{"amount":400,"reason":"r"}`)
		if _, cancels := f.prov.counts(); cancels != 1 {
			t.Fatalf("%d cancels, want 1", cancels)
		}
		if w.Code != http.StatusPaymentRequired || errorCode(t, w) != payment.EDECLINED {
			t.Fatalf("retry: %d %s, want the refusal", w.Code, w.Body)
		}
	})
}

// Ensure a create whose process died, once right after the provider's
// ready and once after everything but storing the response, neither
// prepares at the provider again nor writes a second payment on a retry
// with the same key after the lock.
func TestIdempotency_CreateSurvivesCrash(t *testing.T) {
	const body = `{"provider":"kakaopay","order_id":"o-create","order_name":"Tea","amount":1000,"quantity":1,"customer_id":"c"}`
	count := func(t *testing.T, f *crashFixture) int {
		ps, err := f.store.FindPayments(context.Background(), payment.PaymentFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return len(ps)
	}

	t.Run("BeforeResponseStored", func(t *testing.T) {
		f := newCrashFixture(t)
		t0 := time.Now()
		first := f.start(t0)
		first.idem.dead.Store(true)
		lost := first.send("create", "/v1/payments", "create-1", body)
		if lost.Code != http.StatusCreated {
			t.Fatalf("first: %d %s", lost.Code, lost.Body)
		}
		w := f.start(t0.Add(f.lock+time.Second)).send("create", "/v1/payments", "create-1", body)
		readies, _ := f.prov.counts()
		if w.Code != http.StatusCreated || decodePayment(t, w).ID != decodePayment(t, lost).ID || decodePayment(t, w).Status != "ready" {
			t.Fatalf("retry: %d %s, want the first payment %s", w.Code, w.Body, decodePayment(t, lost).ID)
		}
		if readies != 1 || count(t, f) != 1 {
			t.Fatalf("%d ready calls and %d payments, want 1 and 1", readies, count(t, f))
		}
	})

	t.Run("DuringPrepare", func(t *testing.T) {
		f := newCrashFixture(t)
		t0 := time.Now()
		first := f.start(t0)
		f.crashAfterProvider(first)
		first.send("create", "/v1/payments", "create-2", body)
		w := f.start(t0.Add(f.lock+time.Second)).send("create", "/v1/payments", "create-2", body)
		readies, _ := f.prov.counts()
		if w.Code != http.StatusBadGateway || errorCode(t, w) != payment.EUPSTREAM || !strings.Contains(w.Body.String(), "new Idempotency-Key") {
			t.Fatalf("retry: %d %s", w.Code, w.Body)
		}
		if readies != 1 || count(t, f) != 1 {
			t.Fatalf("%d ready calls and %d payments, want 1 and 1", readies, count(t, f))
		}
		ps, _ := f.store.FindPayments(context.Background(), payment.PaymentFilter{})
		if ps[0].Status != payment.StatusFailed || ps[0].FailureCode != "prepare_interrupted" {
			t.Fatalf("the interrupted payment is %s (%s)", ps[0].Status, ps[0].FailureCode)
		}
		// Its order id was released: the shop creates it again with a new key.
		if w := f.start(t0.Add(f.lock+2*time.Second)).send("create", "/v1/payments", "create-3", body); w.Code != http.StatusCreated {
			t.Fatalf("create again: %d %s", w.Code, w.Body)
		}
	})
}
