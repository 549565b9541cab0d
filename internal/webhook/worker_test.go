package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/store"
	"github.com/paybridge/paybridge/internal/testutil"
	"github.com/paybridge/paybridge/internal/webhook"
)

// clock is the tests' settable time (see testutil.Clock).
type clock = testutil.Clock

// signatures checks a Standard Webhooks request the way the spec describes
// it, independently of package stdwebhook: HMAC-SHA256, keyed with the
// base64-decoded secret after "whsec_", over "{id}.{timestamp}.{body}",
// sent as space-separated "v1,<base64>" entries. It returns how many
// entries there are and whether one of them is secret's.
func signatures(t *testing.T, h http.Header, body []byte, secret string) (int, bool) {
	t.Helper()
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		t.Fatalf("secret is not base64: %v", err)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(h.Get("webhook-id") + "." + h.Get("webhook-timestamp") + "."))
	m.Write(body)
	want := "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
	entries := strings.Split(h.Get("webhook-signature"), " ")
	found := false
	for _, e := range entries {
		if hmac.Equal([]byte(e), []byte(want)) {
			found = true
		}
	}
	return len(entries), found
}

// received is one request a receiver got.
type received struct {
	header http.Header
	body   []byte
	at     time.Time
}

// receiver is an httptest server answering with reply and keeping every
// request it gets.
type receiver struct {
	*httptest.Server
	mu    sync.Mutex
	got   []received
	reply func(w http.ResponseWriter, r *http.Request)
}

func newReceiver(t *testing.T, reply func(w http.ResponseWriter, r *http.Request)) *receiver {
	rc := &receiver{reply: reply}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, received{r.Header.Clone(), b, time.Now()})
		reply := rc.reply
		rc.mu.Unlock()
		if reply != nil {
			reply(w, r)
		}
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

func (rc *receiver) setReply(f func(w http.ResponseWriter, r *http.Request)) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.reply = f
}

func status(code int) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(code) }
}

// env is a store on a fake clock and a worker using both.
type env struct {
	t     *testing.T
	s     *store.Store
	clock *clock
	w     *webhook.Worker
}

func newEnv(t *testing.T, o webhook.Options) *env {
	t.Helper()
	s, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "pb.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e := &env{t: t, s: s}
	if o.Now == nil {
		e.clock = testutil.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
		s.Now, o.Now = e.clock.Now, e.clock.Now
	}
	if o.Timeout == 0 {
		o.Timeout = 5 * time.Second
	}
	e.w = webhook.New(s, slog.New(slog.DiscardHandler), o)
	return e
}

func (e *env) endpoint(url string, events ...string) *payment.WebhookEndpoint {
	e.t.Helper()
	ep := &payment.WebhookEndpoint{
		ID: payment.NewID("we", time.Now()), MerchantID: payment.DefaultMerchantID, URL: url,
		EnabledEvents: events, Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
	}
	if err := e.s.CreateWebhookEndpoint(context.Background(), ep); err != nil {
		e.t.Fatal(err)
	}
	return ep
}

var orders int

// pay creates a payment and moves it to paid, which writes a payment.paid
// event to the outbox.
func (e *env) pay() *payment.Payment {
	e.t.Helper()
	ctx := context.Background()
	orders++
	p := &payment.Payment{
		ID: payment.NewID("pay", time.Now()), MerchantID: payment.DefaultMerchantID, Provider: "kakaopay",
		Channel: "api", OrderID: "o-" + strconv.Itoa(orders), OrderName: "Tea", Quantity: 1, Amount: 10000,
		Currency: "KRW", ExpiresAt: time.Now().Add(time.Hour),
	}
	if err := e.s.CreatePayment(ctx, p); err != nil {
		e.t.Fatal(err)
	}
	for _, st := range [][2]payment.Status{
		{payment.StatusCreated, payment.StatusReady}, {payment.StatusReady, payment.StatusApproving},
		{payment.StatusApproving, payment.StatusPaid},
	} {
		var err error
		if p, err = e.s.TransitionPayment(ctx, p.ID, st[0], st[1], payment.Update{}, payment.Event{Reason: "test"}); err != nil {
			e.t.Fatal(err)
		}
	}
	return p
}

func (e *env) deliverDue() int {
	e.t.Helper()
	n, err := e.w.DeliverDue(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// events returns the merchant's events, newest first, with deliveries.
func (e *env) events() []*payment.WebhookEvent {
	e.t.Helper()
	evs, err := e.s.FindWebhookEvents(context.Background(), payment.WebhookEventFilter{MerchantID: payment.DefaultMerchantID, Limit: 100})
	if err != nil {
		e.t.Fatal(err)
	}
	return evs
}

func (e *env) onlyDelivery() *payment.WebhookDelivery {
	e.t.Helper()
	evs := e.events()
	if len(evs) != 1 || len(evs[0].Deliveries) != 1 {
		e.t.Fatalf("want 1 event with 1 delivery, got %d events", len(evs))
	}
	return evs[0].Deliveries[0]
}

func TestWorker_DeliverDue(t *testing.T) {
	e := newEnv(t, webhook.Options{AllowPrivate: true})
	rc := newReceiver(t, status(http.StatusNoContent))
	ep := e.endpoint(rc.URL, "*")
	p := e.pay()
	if n := e.deliverDue(); n != 1 {
		t.Fatalf("attempted %d, want 1", n)
	}
	reqs := rc.requests()
	if len(reqs) != 1 {
		t.Fatalf("receiver got %d requests", len(reqs))
	}
	r := reqs[0]
	ev := e.events()[0]
	if got := r.header.Get("webhook-id"); got != ev.ID {
		t.Errorf("webhook-id = %q, want the event id %q", got, ev.ID)
	}
	if got := r.header.Get("webhook-timestamp"); got != strconv.FormatInt(e.clock.Now().Unix(), 10) {
		t.Errorf("webhook-timestamp = %q, want the attempt time", got)
	}
	if n, ok := signatures(t, r.header, r.body, ep.Secret); n != 1 || !ok {
		t.Errorf("signature %q does not verify (%d entries)", r.header.Get("webhook-signature"), n)
	}
	if n, ok := signatures(t, r.header, r.body, "whsec_"+base64.StdEncoding.EncodeToString([]byte("another secret entirely"))); ok || n != 1 {
		t.Errorf("the signature verifies with a wrong secret")
	}
	if r.header.Get("Content-Type") != "application/json" || r.header.Get("User-Agent") != webhook.UserAgent {
		t.Errorf("headers = %v", r.header)
	}
	if string(r.body) != string(ev.Payload) || !strings.Contains(string(r.body), `"id":"`+p.ID+`"`) {
		t.Errorf("body = %s, want the stored payload %s", r.body, ev.Payload)
	}
	if d := ev.Deliveries[0]; d.Status != payment.DeliverySucceeded || d.Attempts != 1 || d.LastStatusCode != 204 {
		t.Errorf("delivery = %+v", d)
	}
	e.clock.Advance(7 * 24 * time.Hour)
	if n := e.deliverDue(); n != 0 || len(rc.requests()) != 1 {
		t.Fatalf("a delivered event was attempted again")
	}

	t.Run("Deliver", func(t *testing.T) {
		e.pay()
		d := e.events()[0].Deliveries[0]
		if err := e.w.Deliver(context.Background(), d.ID); err != nil {
			t.Fatal(err)
		}
		if len(rc.requests()) != 2 {
			t.Fatalf("receiver got %d requests, want 2", len(rc.requests()))
		}
		if err := e.w.Deliver(context.Background(), d.ID); payment.ErrorCode(err) != payment.ECONFLICT {
			t.Fatalf("delivering a succeeded delivery: err = %v, want conflict", err)
		}
	})
}

func TestWorker_RetrySchedule(t *testing.T) {
	t.Run("DeadAfterThreeDays", func(t *testing.T) {
		e := newEnv(t, webhook.Options{AllowPrivate: true}) // real jitter
		rc := newReceiver(t, status(http.StatusInternalServerError))
		e.endpoint(rc.URL, "*")
		e.pay()
		created := e.onlyDelivery().CreatedAt
		for attempt := 1; ; attempt++ {
			if n := e.deliverDue(); n != 1 {
				t.Fatalf("attempt %d: attempted %d, want 1", attempt, n)
			}
			at := e.clock.Now()
			d := e.onlyDelivery()
			if d.Attempts != attempt || d.LastStatusCode != 500 {
				t.Fatalf("attempt %d: delivery = %+v", attempt, d)
			}
			if d.Status == payment.DeliveryDead {
				if at.Sub(created) < webhook.Window {
					t.Fatalf("dead after %s, want at least 3 days", at.Sub(created))
				}
				if attempt < 8 || attempt > 16 {
					t.Fatalf("dead after %d attempts, want about 10", attempt)
				}
				break
			}
			if at.Sub(created) >= webhook.Window {
				t.Fatalf("still pending after a failed attempt %s after creation", at.Sub(created))
			}
			nominal := webhook.Schedule[min(attempt, len(webhook.Schedule))-1]
			if wait := d.NextAttemptAt.Sub(at); wait < nominal/2 || wait > nominal {
				t.Fatalf("attempt %d: next in %s, want within [%s, %s]", attempt, wait, nominal/2, nominal)
			}
			// Not due a moment before, due at the time.
			e.clock.Set(d.NextAttemptAt.Add(-time.Second))
			if n := e.deliverDue(); n != 0 {
				t.Fatalf("attempt %d: retried before it was due", attempt)
			}
			e.clock.Set(d.NextAttemptAt)
		}
		// Dead is final; a re-send by hand starts over.
		e.clock.Advance(30 * 24 * time.Hour)
		if n := e.deliverDue(); n != 0 {
			t.Fatal("a dead delivery was attempted")
		}
		rc.setReply(status(http.StatusOK))
		if _, err := e.s.ResendWebhookEvent(context.Background(), payment.DefaultMerchantID, e.events()[0].ID, ""); err != nil {
			t.Fatal(err)
		}
		if n := e.deliverDue(); n != 1 {
			t.Fatalf("re-sent delivery: attempted %d", n)
		}
		if ds := e.events()[0].Deliveries; ds[1].Status != payment.DeliverySucceeded {
			t.Fatalf("re-sent delivery = %+v", ds[1])
		}
	})

	t.Run("DeliveredAfterRecovery", func(t *testing.T) {
		e := newEnv(t, webhook.Options{AllowPrivate: true, Rand: func() float64 { return 0.5 }})
		rc := newReceiver(t, status(http.StatusServiceUnavailable))
		e.endpoint(rc.URL, "*")
		e.pay()
		for i := 1; i <= 5; i++ {
			e.deliverDue()
			d := e.onlyDelivery()
			nominal := webhook.Schedule[i-1]
			if got, want := d.NextAttemptAt.Sub(e.clock.Now()), nominal/2+nominal/4; got != want {
				t.Fatalf("failure %d: next in %s, want %s (jitter 0.5)", i, got, want)
			}
			e.clock.Set(d.NextAttemptAt)
		}
		rc.setReply(status(http.StatusOK))
		e.deliverDue()
		if d := e.onlyDelivery(); d.Status != payment.DeliverySucceeded || d.Attempts != 6 {
			t.Fatalf("delivery = %+v", d)
		}
		reqs := rc.requests()
		for _, r := range reqs[1:] {
			if r.header.Get("webhook-id") != reqs[0].header.Get("webhook-id") {
				t.Fatal("webhook-id changed between retries")
			}
		}
		if reqs[0].header.Get("webhook-timestamp") == reqs[5].header.Get("webhook-timestamp") {
			t.Fatal("webhook-timestamp is not set per attempt")
		}
	})
}

func TestWorker_Gone(t *testing.T) {
	e := newEnv(t, webhook.Options{AllowPrivate: true})
	rc := newReceiver(t, status(http.StatusGone))
	ep := e.endpoint(rc.URL, "*")
	e.pay()
	e.pay()
	evs := e.events()
	if err := e.w.Deliver(context.Background(), evs[0].Deliveries[0].ID); err != nil {
		t.Fatal(err)
	}
	got, err := e.s.FindWebhookEndpointByID(context.Background(), payment.DefaultMerchantID, ep.ID)
	if err != nil || got.Status != payment.EndpointDisabled {
		t.Fatalf("endpoint after 410 = %+v, %v", got, err)
	}
	for _, ev := range e.events() {
		if d := ev.Deliveries[0]; d.Status != payment.DeliveryDead {
			t.Fatalf("delivery = %+v, want dead (the endpoint is gone)", d)
		}
	}
	third := e.pay()
	e.clock.Advance(4 * 24 * time.Hour)
	if n := e.deliverDue(); n != 0 || len(rc.requests()) != 1 {
		t.Fatalf("after a 410: %d more attempts, %d requests; want none", n, len(rc.requests()))
	}
	for _, ev := range e.events() {
		if ev.PaymentID == third.ID && len(ev.Deliveries) != 0 {
			t.Fatalf("a disabled endpoint got a new delivery: %+v", ev.Deliveries[0])
		}
	}
}

func TestWorker_RetryAfter(t *testing.T) {
	for _, c := range []struct {
		name   string
		code   int
		header func(now time.Time) string
		want   time.Duration
	}{
		{"Seconds429", 429, func(time.Time) string { return "120" }, 120 * time.Second},
		{"Date503", 503, func(now time.Time) string { return now.Add(time.Hour).Format(http.TimeFormat) }, time.Hour},
		{"Capped", 429, func(time.Time) string { return strconv.Itoa(10 * 24 * 3600) }, 24 * time.Hour},
		{"ShorterThanBackoff", 429, func(time.Time) string { return "1" }, 15 * time.Second}, // backoff 30s × 0.5
		{"IgnoredOn500", 500, func(time.Time) string { return "3600" }, 15 * time.Second},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, webhook.Options{AllowPrivate: true, Rand: func() float64 { return 0 }})
			rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", c.header(e.clock.Now()))
				w.WriteHeader(c.code)
			})
			e.endpoint(rc.URL, "*")
			e.pay()
			e.deliverDue()
			d := e.onlyDelivery()
			if got := d.NextAttemptAt.Sub(e.clock.Now()); d.Status != payment.DeliveryPending || got != c.want {
				t.Fatalf("next attempt in %s (%s), want %s", got, d.Status, c.want)
			}
		})
	}
}

func TestWorker_RedirectNotFollowed(t *testing.T) {
	e := newEnv(t, webhook.Options{AllowPrivate: true})
	target := newReceiver(t, status(http.StatusOK))
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL, http.StatusTemporaryRedirect)
	})
	e.endpoint(rc.URL, "*")
	e.pay()
	e.deliverDue()
	if d := e.onlyDelivery(); d.Status != payment.DeliveryPending || d.LastStatusCode != 307 {
		t.Fatalf("delivery = %+v, want a failure with 307", d)
	}
	if n := len(target.requests()); n != 0 {
		t.Fatalf("the redirect was followed (%d requests)", n)
	}
}

func TestWorker_Timeout(t *testing.T) {
	e := newEnv(t, webhook.Options{AllowPrivate: true, Timeout: 300 * time.Millisecond})
	release := make(chan struct{})
	defer close(release)
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	e.endpoint(rc.URL, "*")
	e.pay()
	start := time.Now()
	e.deliverDue()
	if el := time.Since(start); el > 3*time.Second {
		t.Fatalf("attempt took %s with a 300ms timeout", el)
	}
	if d := e.onlyDelivery(); d.Status != payment.DeliveryPending || d.LastError == "" {
		t.Fatalf("delivery = %+v, want a failure", d)
	}
}

func TestWorker_Rotation(t *testing.T) {
	e := newEnv(t, webhook.Options{AllowPrivate: true})
	rc := newReceiver(t, status(http.StatusOK))
	ep := e.endpoint(rc.URL, "*")
	const newSecret = "whsec_" + "bmV3IHNlY3JldCBvZiB0aGlydHktdHdvIGJ5dGVzISE="
	if _, err := e.s.RotateWebhookSecret(context.Background(), payment.DefaultMerchantID, ep.ID, newSecret,
		e.clock.Now().Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	e.pay()
	e.deliverDue()
	r := rc.requests()[0]
	nNew, okNew := signatures(t, r.header, r.body, newSecret)
	_, okOld := signatures(t, r.header, r.body, ep.Secret)
	if nNew != 2 || !okNew || !okOld {
		t.Fatalf("during the overlap: %d signatures, new ok %v, old ok %v; want both", nNew, okNew, okOld)
	}

	e.clock.Advance(24*time.Hour + time.Second)
	if _, err := e.s.ResendWebhookEvent(context.Background(), payment.DefaultMerchantID, e.events()[0].ID, ""); err != nil {
		t.Fatal(err)
	}
	e.deliverDue()
	r = rc.requests()[1]
	nNew, okNew = signatures(t, r.header, r.body, newSecret)
	_, okOld = signatures(t, r.header, r.body, ep.Secret)
	if nNew != 1 || !okNew || okOld {
		t.Fatalf("after the overlap: %d signatures, new ok %v, old ok %v; want only the new", nNew, okNew, okOld)
	}
}

// TestWorker_SlowEndpoint runs the real loop: an endpoint that hangs until
// the timeout holds one slot, and another endpoint's events still arrive
// at once.
func TestWorker_SlowEndpoint(t *testing.T) {
	e := newEnv(t, webhook.Options{AllowPrivate: true, Now: time.Now, Timeout: 5 * time.Second,
		Concurrency: 4, PollInterval: 20 * time.Millisecond})
	release := make(chan struct{})
	slow := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	fast := newReceiver(t, status(http.StatusOK))
	e.endpoint(slow.URL, "*")
	e.endpoint(fast.URL, "*")
	// A backlog: 6 events for each endpoint before the worker starts. The
	// slow endpoint may hold only PerEndpoint (2) of the 4 slots.
	const backlog = 6
	for range backlog {
		e.pay()
	}
	start := time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.w.Run(ctx); close(done) }()
	defer func() {
		cancel()
		close(release)
		<-done
	}()

	const bound = 1500 * time.Millisecond
	for len(fast.requests()) < backlog {
		if time.Since(start) > bound {
			t.Fatalf("the fast endpoint got %d of its %d events within %s while the slow one hangs", len(fast.requests()), backlog, bound)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if n := len(slow.requests()); n > 2 {
		t.Fatalf("the slow endpoint has %d attempts in flight, want at most 2", n)
	}
	for i := backlog + 1; i <= backlog+3; i++ {
		start := time.Now()
		e.pay()
		for len(fast.requests()) < i {
			if time.Since(start) > bound {
				t.Fatalf("event %d reached the fast endpoint only after %s while the slow one hangs", i, bound)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	if n := len(slow.requests()); n == 0 {
		t.Fatal("the slow endpoint was never called")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("Run did not stop on cancel while an attempt hung")
	}
}
