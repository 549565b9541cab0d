package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/client"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// recorder is a fake paybridge: it records every request and answers with
// the next of its answers (the last one repeats).
type recorder struct {
	mu      sync.Mutex
	reqs    []*http.Request
	bodies  []string
	answers []func(w http.ResponseWriter, r *http.Request)
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	n := len(rc.reqs)
	rc.reqs = append(rc.reqs, r)
	rc.bodies = append(rc.bodies, string(b))
	a := rc.answers[min(n, len(rc.answers)-1)]
	rc.mu.Unlock()
	w.Header().Set("X-Request-Id", "req_"+strconv.Itoa(n+1))
	a(w, r)
}

func (rc *recorder) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.reqs)
}

func (rc *recorder) keys() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var ks []string
	for _, r := range rc.reqs {
		ks = append(ks, r.Header.Get("Idempotency-Key"))
	}
	return ks
}

func answer(status int, body string, headers ...string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

func apiError(status int, code, msg string, headers ...string) func(http.ResponseWriter, *http.Request) {
	return answer(status, fmt.Sprintf(`{"error":{"code":%q,"message":%q}}`, code, msg), headers...)
}

const paymentBody = `{"id":"pay_1","object":"payment","provider":"kakaopay","status":"ready","order_id":"o-1",
"order_name":"Americano","customer_id":"c-1","amount":4500,"quantity":1,"tax_free_amount":0,"currency":"KRW",
"canceled_amount":0,"cancelable_amount":0,"redirect_url":"https://pay.example/r","redirect_urls":{"pc":"https://pay.example/r","mobile":"m","app":"a"},
"provider_ids":{"tid":"T1"},"failure":null,"expires_at":"2026-03-01T09:15:00Z","approved_at":null,"canceled_at":null,
"created_at":"2026-03-01T09:00:00Z","updated_at":"2026-03-01T09:00:00Z","a_field_from_the_future":{"x":[1,2]}}`

func start(t *testing.T, answers ...func(http.ResponseWriter, *http.Request)) (*recorder, *client.Client) {
	t.Helper()
	rc := &recorder{answers: answers}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	return rc, client.New(srv.URL+"/", "sk_test_secret", client.WithBackoff(time.Millisecond, 4*time.Millisecond),
		client.WithUserAgent("shop/1.0"))
}

var createParams = client.CreatePaymentParams{Provider: "kakaopay", OrderID: "o-1", OrderName: "Americano",
	Amount: 4500, Quantity: 1, CustomerID: "c-1"}

func TestCreatePayment_RequestShape(t *testing.T) {
	rc, c := start(t, answer(http.StatusCreated, paymentBody))
	p, err := c.CreatePayment(context.Background(), createParams)
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "pay_1" || p.Status != client.StatusReady || p.Amount != 4500 || p.ProviderIDs.TID != "T1" ||
		p.RedirectURLs == nil || p.RedirectURLs.Mobile != "m" || p.ApprovedAt != nil || p.CreatedAt.IsZero() {
		t.Fatalf("payment = %+v", p)
	}
	r := rc.reqs[0]
	if r.Method != "POST" || r.URL.Path != "/v1/payments" {
		t.Fatalf("%s %s", r.Method, r.URL.Path)
	}
	for h, want := range map[string]string{"Authorization": "Bearer sk_test_secret", "Content-Type": "application/json",
		"User-Agent": "shop/1.0", "Accept": "application/json"} {
		if got := r.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if k := r.Header.Get("Idempotency-Key"); !uuidV4.MatchString(k) {
		t.Errorf("Idempotency-Key = %q, want a UUIDv4", k)
	}
	// Exactly the fields the server knows (it refuses unknown ones).
	var body map[string]any
	if err := json.Unmarshal([]byte(rc.bodies[0]), &body); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"provider": "kakaopay", "order_id": "o-1", "order_name": "Americano", "amount": 4500.0,
		"quantity": 1.0, "customer_id": "c-1"}
	if fmt.Sprint(body) != fmt.Sprint(want) {
		t.Fatalf("body = %s", rc.bodies[0])
	}

	// Two calls, two keys; a key in the params is used as is.
	c.CreatePayment(context.Background(), createParams)
	p2 := createParams
	p2.IdempotencyKey = "order-o-1"
	c.CreatePayment(context.Background(), p2)
	ks := rc.keys()
	if ks[0] == ks[1] || ks[2] != "order-o-1" {
		t.Fatalf("keys = %q", ks)
	}
}

func TestGet_NoIdempotencyKeyAndEscapedID(t *testing.T) {
	rc, c := start(t, answer(http.StatusOK, paymentBody))
	if _, err := c.GetPayment(context.Background(), "pay_1/../x"); err != nil {
		t.Fatal(err)
	}
	r := rc.reqs[0]
	if r.Method != "GET" || r.URL.EscapedPath() != "/v1/payments/pay_1%2F..%2Fx" || r.Header.Get("Idempotency-Key") != "" ||
		r.Header.Get("Content-Type") != "" || r.Header.Get("Authorization") != "Bearer sk_test_secret" {
		t.Fatalf("%s %s %v", r.Method, r.URL.EscapedPath(), r.Header)
	}
}

// A POST's 5xx is stored by the server under its idempotency key and would
// only be replayed, so it is returned at once; GETs are retried (see the
// GET test).
func TestRetry_Post5xxNotRetried(t *testing.T) {
	rc, c := start(t, apiError(500, "internal", "Internal error."), answer(http.StatusOK, paymentBody))
	_, err := c.CancelPayment(context.Background(), "pay_1", client.CancelParams{Amount: client.Int64(1000), Reason: "one cup"})
	var e *client.Error
	if !errors.As(err, &e) || e.StatusCode != 500 {
		t.Fatalf("err = %v, want the 500", err)
	}
	if ks := rc.keys(); len(ks) != 1 || ks[0] == "" {
		t.Fatalf("keys = %q, want one attempt with a key", ks)
	}
	if rc.bodies[0] != `{"amount":1000,"reason":"one cup"}` || rc.reqs[0].URL.Path != "/v1/payments/pay_1/cancel" {
		t.Fatalf("request = %s %q", rc.reqs[0].URL.Path, rc.bodies[0])
	}
}

func TestRetry_NetworkErrorReusesKey(t *testing.T) {
	var dropped atomic.Bool
	rc, c := start(t, func(w http.ResponseWriter, r *http.Request) {
		// The first attempt loses its answer: the connection just closes.
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		dropped.Store(true)
		conn.Close()
	}, answer(http.StatusCreated, paymentBody))
	p, err := c.CreatePayment(context.Background(), createParams)
	if err != nil || p.ID != "pay_1" || !dropped.Load() {
		t.Fatal(p, err)
	}
	if ks := rc.keys(); len(ks) != 2 || ks[0] != ks[1] {
		t.Fatalf("keys = %q", ks)
	}
}

func TestRetry_GetRetriedToo(t *testing.T) {
	rc, c := start(t, apiError(502, "upstream", "KakaoPay failed"), answer(http.StatusOK, paymentBody))
	if _, err := c.GetPayment(context.Background(), "pay_1"); err != nil || rc.count() != 2 {
		t.Fatal(err, rc.count())
	}
}

func TestNoRetry_4xx(t *testing.T) {
	for _, tc := range []struct {
		status int
		code   string
		is     error
		check  func(error) bool
	}{
		{400, "invalid", client.ErrInvalid, client.IsInvalid},
		{401, "unauthorized", client.ErrUnauthorized, client.IsUnauthorized},
		{404, "not_found", client.ErrNotFound, client.IsNotFound},
		{409, "conflict", client.ErrConflict, client.IsConflict},
		{402, "declined", client.ErrDeclined, client.IsDeclined},
		{422, "idempotency_key_reused", client.ErrIdempotencyKeyReused, client.IsIdempotencyKeyReused},
	} {
		rc, c := start(t, apiError(tc.status, tc.code, "it went wrong"))
		_, err := c.CreatePayment(context.Background(), createParams)
		var e *client.Error
		if !errors.As(err, &e) || e.StatusCode != tc.status || e.Code != tc.code || e.Message != "it went wrong" || e.RequestID != "req_1" {
			t.Fatalf("%d: err = %#v", tc.status, err)
		}
		if !errors.Is(err, tc.is) || !tc.check(err) || errors.Is(err, client.ErrInternal) {
			t.Errorf("%d: sentinel or helper does not match", tc.status)
		}
		if tc.code != "not_found" && client.IsNotFound(err) {
			t.Errorf("%d is not found", tc.status)
		}
		if rc.count() != 1 {
			t.Errorf("%d: %d attempts, want 1", tc.status, rc.count())
		}
	}
}

func TestError_String(t *testing.T) {
	_, c := start(t, apiError(404, "not_found", "payment not found"))
	_, err := c.GetPayment(context.Background(), "pay_x")
	if err == nil || err.Error() != "paybridge: not_found: payment not found (request req_1)" {
		t.Fatalf("err = %v", err)
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	rc, c := start(t, apiError(429, "rate_limited", "slow down", "Retry-After", "1"), answer(http.StatusOK, paymentBody))
	start := time.Now()
	if _, err := c.GetPayment(context.Background(), "pay_1"); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < time.Second || rc.count() != 2 {
		t.Fatalf("retried after %v (%d attempts), want ≥ 1s", d, rc.count())
	}
}

func TestRetry_InProgress(t *testing.T) {
	rc, c := start(t, apiError(409, "idempotency_in_progress", "still running"), answer(http.StatusCreated, paymentBody))
	if _, err := c.CreatePayment(context.Background(), createParams); err != nil {
		t.Fatal(err)
	}
	if ks := rc.keys(); len(ks) != 2 || ks[0] != ks[1] {
		t.Fatalf("keys = %q", ks)
	}
}

func TestRetriesExhausted(t *testing.T) {
	rc, c := start(t, apiError(503, "unavailable", "down"))
	_, err := c.GetPayment(context.Background(), "pay_1")
	if !errors.Is(err, client.ErrUnavailable) || rc.count() != 1+client.DefaultRetries {
		t.Fatalf("err = %v after %d attempts", err, rc.count())
	}
}

func TestWithRetries(t *testing.T) {
	rc := &recorder{answers: []func(http.ResponseWriter, *http.Request){apiError(500, "internal", "x")}}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	c := client.New(srv.URL, "k", client.WithRetries(0))
	if _, err := c.GetPayment(context.Background(), "p"); err == nil || rc.count() != 1 {
		t.Fatal(err, rc.count())
	}
	c = client.New(srv.URL, "k", client.WithRetries(1), client.WithBackoff(time.Millisecond, time.Millisecond))
	if _, err := c.GetPayment(context.Background(), "p"); err == nil || rc.count() != 3 {
		t.Fatal(err, rc.count())
	}
}

func TestNonAPIErrorBody(t *testing.T) {
	_, c := start(t, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "Bad Gateway", http.StatusBadGateway)
	})
	_, err := c.GetPayment(context.Background(), "pay_1")
	var e *client.Error
	if !errors.As(err, &e) || e.StatusCode != 502 || e.Code != "" || e.Message == "" {
		t.Fatalf("err = %#v", err)
	}
}

func TestNetworkErrorStaysNetworkError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL
	srv.Close()
	c := client.New(u, "k", client.WithBackoff(time.Millisecond, time.Millisecond))
	_, err := c.GetPayment(context.Background(), "pay_1")
	var ue *url.Error
	var e *client.Error
	if err == nil || !errors.As(err, &ue) || errors.As(err, &e) {
		t.Fatalf("err = %#v", err)
	}
}

func TestContextCancelStopsRetrying(t *testing.T) {
	rc := &recorder{answers: []func(http.ResponseWriter, *http.Request){apiError(503, "unavailable", "down")}}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	c := client.New(srv.URL, "k", client.WithBackoff(time.Hour, time.Hour))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.GetPayment(ctx, "p")
	if !errors.Is(err, client.ErrUnavailable) || time.Since(start) > 5*time.Second || rc.count() != 1 {
		t.Fatal(err, time.Since(start), rc.count())
	}
}

func TestListPayments_Query(t *testing.T) {
	rc, c := start(t, answer(200, `{"object":"list","data":[],"has_more":false,"url":"/v1/payments"}`))
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.FixedZone("KST", 9*3600))
	l, err := c.ListPayments(context.Background(), client.ListPaymentsParams{Limit: 20, Statuses: []client.Status{"paid", "canceled"},
		Provider: "kakaopay", CustomerID: "c 1", StartingAfter: "pay_9", CreatedGTE: at})
	if err != nil || l.Data == nil && l.HasMore {
		t.Fatal(l, err)
	}
	q := rc.reqs[0].URL.Query()
	want := url.Values{"limit": {"20"}, "status": {"paid,canceled"}, "provider": {"kakaopay"}, "customer_id": {"c 1"},
		"starting_after": {"pay_9"}, "created[gte]": {"2026-03-01T00:00:00Z"}}
	if q.Encode() != want.Encode() {
		t.Fatalf("query = %s, want %s", q.Encode(), want.Encode())
	}
}

func TestAllPayments_Pages(t *testing.T) {
	ids := []string{"pay_5", "pay_4", "pay_3", "pay_2", "pay_1"}
	rc, c := start(t, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		limit, _ := strconv.Atoi(q.Get("limit"))
		i := 0
		if after := q.Get("starting_after"); after != "" {
			for i < len(ids) && ids[i] != after {
				i++
			}
			i++
		}
		end := min(i+limit, len(ids))
		var data []map[string]any
		for _, id := range ids[i:end] {
			data = append(data, map[string]any{"id": id, "status": "paid", "unknown": true})
		}
		b, _ := json.Marshal(map[string]any{"object": "list", "data": data, "has_more": end < len(ids), "url": "/v1/payments"})
		w.Write(b)
	})
	var got []string
	for p, err := range c.AllPayments(context.Background(), client.ListPaymentsParams{Limit: 2, Statuses: []client.Status{"paid"}}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p.ID)
	}
	if fmt.Sprint(got) != fmt.Sprint(ids) || rc.count() != 3 {
		t.Fatalf("got %v in %d requests", got, rc.count())
	}
	if q := rc.reqs[2].URL.Query(); q.Get("starting_after") != "pay_2" || q.Get("status") != "paid" || q.Get("limit") != "2" {
		t.Fatalf("third page query: %v", q)
	}
	// Stopping early fetches no more pages.
	n := rc.count()
	for range c.AllPayments(context.Background(), client.ListPaymentsParams{Limit: 2}) {
		break
	}
	if rc.count() != n+1 {
		t.Fatalf("%d requests after break", rc.count()-n)
	}
}

func TestAllPayments_Error(t *testing.T) {
	_, c := start(t, apiError(400, "invalid", "limit must be an integer between 1 and 100"))
	n := 0
	for p, err := range c.AllPayments(context.Background(), client.ListPaymentsParams{Limit: 1000}) {
		n++
		if p != nil || !client.IsInvalid(err) {
			t.Fatal(p, err)
		}
	}
	if n != 1 {
		t.Fatalf("%d yields", n)
	}
}

func TestWebhooksAndEvents(t *testing.T) {
	rc, c := start(t,
		answer(201, `{"id":"we_1","object":"webhook_endpoint","url":"https://shop.example/hook","enabled_events":["payment.paid"],"status":"enabled","secret":"whsec_x"}`),
		answer(200, `{"object":"list","data":[{"id":"we_1","url":"https://shop.example/hook"}],"has_more":false}`),
		answer(200, `{"id":"we_1","secret":"whsec_y","previous_secret_expires_at":"2026-03-02T09:00:00Z"}`),
		answer(200, `{"id":"we_1","object":"webhook_endpoint","deleted":true}`),
		answer(200, `{"object":"list","data":[{"id":"evt_1","type":"payment.paid","payment_id":"pay_1","data":{"object":{"id":"pay_1","status":"paid"}},"deliveries":[{"id":"dlv_1","endpoint_id":"we_1","status":"succeeded","attempts":1}]}],"has_more":false}`),
		answer(200, `{"id":"evt_1","type":"payment.paid","data":{"object":{"id":"pay_1"}}}`),
		answer(200, `{"id":"evt_1","deliveries":[{"id":"dlv_2","status":"pending"}]}`),
		answer(200, `{"id":"evt_1","deliveries":[]}`),
	)
	ctx := context.Background()
	we, err := c.CreateWebhookEndpoint(ctx, client.CreateWebhookEndpointParams{URL: "https://shop.example/hook", EnabledEvents: []string{"payment.paid"}})
	if err != nil || we.Secret != "whsec_x" || we.EnabledEvents[0] != "payment.paid" {
		t.Fatal(we, err)
	}
	l, err := c.ListWebhookEndpoints(ctx)
	if err != nil || len(l.Data) != 1 {
		t.Fatal(l, err)
	}
	rot, err := c.RotateWebhookEndpointSecret(ctx, "we_1")
	if err != nil || rot.Secret != "whsec_y" || rot.PreviousSecretExpiresAt == nil {
		t.Fatal(rot, err)
	}
	del, err := c.DeleteWebhookEndpoint(ctx, "we_1")
	if err != nil || !del.Deleted {
		t.Fatal(del, err)
	}
	evs, err := c.ListEvents(ctx, client.ListEventsParams{Limit: 5})
	if err != nil || len(evs.Data) != 1 || evs.Data[0].Deliveries[0].Attempts != 1 {
		t.Fatal(evs, err)
	}
	if p, err := evs.Data[0].Payment(); err != nil || p.Status != client.StatusPaid {
		t.Fatal(p, err)
	}
	if e, err := c.GetEvent(ctx, "evt_1"); err != nil || e.Type != "payment.paid" {
		t.Fatal(e, err)
	}
	if e, err := c.ResendEvent(ctx, "evt_1", client.ResendEventParams{EndpointID: "we_1"}); err != nil || e.Deliveries[0].Status != "pending" {
		t.Fatal(e, err)
	}
	if _, err := c.ResendEvent(ctx, "evt_1", client.ResendEventParams{}); err != nil {
		t.Fatal(err)
	}
	type call struct{ method, path, body string }
	want := []call{
		{"POST", "/v1/webhook_endpoints", `{"url":"https://shop.example/hook","enabled_events":["payment.paid"]}`},
		{"GET", "/v1/webhook_endpoints", ""},
		{"POST", "/v1/webhook_endpoints/we_1/rotate_secret", ""},
		{"DELETE", "/v1/webhook_endpoints/we_1", ""},
		{"GET", "/v1/events", ""},
		{"GET", "/v1/events/evt_1", ""},
		{"POST", "/v1/events/evt_1/resend", `{"endpoint_id":"we_1"}`},
		{"POST", "/v1/events/evt_1/resend", ""},
	}
	for i, w := range want {
		r := rc.reqs[i]
		if r.Method != w.method || r.URL.Path != w.path || rc.bodies[i] != w.body {
			t.Errorf("request %d: %s %s %q, want %v", i, r.Method, r.URL.Path, rc.bodies[i], w)
		}
		if (r.Method == "POST") != (r.Header.Get("Idempotency-Key") != "") {
			t.Errorf("request %d: Idempotency-Key = %q", i, r.Header.Get("Idempotency-Key"))
		}
	}
	if rc.reqs[4].URL.RawQuery != "limit=5" || rc.reqs[7].ContentLength != 0 {
		t.Errorf("events query %q, empty resend length %d", rc.reqs[4].URL.RawQuery, rc.reqs[7].ContentLength)
	}
}
