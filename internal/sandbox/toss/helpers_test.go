package toss

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/testutil"
)

// mount is where the tests mount the sandbox, as paybridge serve does.
const mount = "/sandbox/toss"

// Keys the tests use.
const (
	testSecretKey = "test_sk_sandboxTestKey0123456789"
	testClientKey = "test_ck_sandboxTestKey0123456789"
)

// harness is a sandbox behind a real HTTP server, with a browser that does
// not follow redirects so tests can read them.
type harness struct {
	t       *testing.T
	sb      *Sandbox
	srv     *httptest.Server
	clock   *testutil.Clock
	browser *http.Client
	orders  int
}

// MustHarness starts a sandbox mounted under /sandbox/toss. If o has no
// PublicURL the server's is used; o.Now defaults to a fake clock.
func MustHarness(t *testing.T, o Options) *harness {
	t.Helper()
	h := &harness{t: t, clock: testutil.NewClock(time.Date(2025, 3, 1, 1, 2, 3, 0, time.UTC))}
	h.srv = testutil.ServeMounted(t, mount, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.sb.ServeHTTP(w, r)
	}))
	if o.PublicURL == "" {
		o.PublicURL = h.srv.URL + mount
	}
	if o.Now == nil {
		o.Now = h.clock.Now
	}
	h.sb = New(o)
	h.browser = testutil.Browser()
	return h
}

// basic is the Authorization value for key, colon included.
func basic(key string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(key+":"))
}

// request builds an API request with the test key; a nil body sends none.
func (h *harness) request(method, path string, body any) *http.Request {
	h.t.Helper()
	var rd io.Reader
	if body != nil {
		b, ok := body.([]byte)
		if !ok {
			var err error
			if b, err = json.Marshal(body); err != nil {
				h.t.Fatal(err)
			}
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, h.srv.URL+mount+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Authorization", basic(testSecretKey))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		// Otherwise net/http silently resends a POST with an
		// Idempotency-Key when a reused connection drops, and the
		// "lost" fault tests would see the replay instead of the drop.
		req.GetBody = nil
	}
	return req
}

// do sends req and returns the status and the raw body.
func (h *harness) do(req *http.Request) (int, []byte) {
	h.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp.StatusCode, b
}

// call sends an API request and decodes the JSON answer.
func (h *harness) call(method, path string, body any) (int, obj) {
	h.t.Helper()
	status, b := h.do(h.request(method, path, body))
	return status, testutil.DecodeJSON(h.t, b)
}

// mustOK is call that fails the test unless the answer is 200.
func (h *harness) mustOK(method, path string, body any) obj {
	h.t.Helper()
	status, o := h.call(method, path, body)
	if status != http.StatusOK {
		h.t.Fatalf("%s %s = %d %v, want 200", method, path, status, o)
	}
	return o
}

// confirmBody is a confirm request.
func confirmBody(key, orderID string, amount int64) map[string]any {
	return map[string]any{"paymentKey": key, "orderId": orderID, "amount": amount}
}

// get looks a payment up by paymentKey.
func (h *harness) get(key string) obj {
	h.t.Helper()
	return h.mustOK(http.MethodGet, "/v1/payments/"+key, nil)
}

// checkoutURL is the window URL for an order with the test client key.
func (h *harness) checkoutURL(orderID string, amount int64, extra url.Values) string {
	q := url.Values{
		"clientKey": {testClientKey}, "orderId": {orderID}, "orderName": {"토스 티셔츠 외 2건"},
		"amount": {strconv.FormatInt(amount, 10)}, "customerKey": {"cus_42"}, "method": {"CARD"},
		"successUrl": {"https://shop.example/toss/success?payment_id=" + orderID},
		"failUrl":    {"https://shop.example/toss/fail?payment_id=" + orderID},
	}
	for k, v := range extra {
		q[k] = v
	}
	return h.srv.URL + mount + "/checkout?" + q.Encode()
}

// buyer submits action on the window at checkoutURL and returns the 303's
// Location.
func (h *harness) buyer(checkoutURL, action string) *url.URL {
	h.t.Helper()
	resp, err := h.browser.PostForm(checkoutURL, url.Values{"action": {action}})
	if err != nil {
		h.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		h.t.Fatalf("POST checkout (%s) = %s, want 303", action, resp.Status)
	}
	u, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		h.t.Fatal(err)
	}
	return u
}

// newOrderID returns a fresh valid orderId.
func (h *harness) newOrderID() string {
	h.orders++
	return "pay_test_order_" + strconv.Itoa(h.orders)
}

// MustAuthenticate plays the buyer approving a fresh order of amount and
// returns the orderId and paymentKey from the success redirect.
func (h *harness) MustAuthenticate(amount int64, extra url.Values) (orderID, key string) {
	h.t.Helper()
	orderID = h.newOrderID()
	loc := h.buyer(h.checkoutURL(orderID, amount, extra), "approve")
	key = loc.Query().Get("paymentKey")
	if key == "" {
		h.t.Fatalf("no paymentKey in %s", loc)
	}
	return orderID, key
}

// MustPaid authenticates and confirms an order of amount.
func (h *harness) MustPaid(amount int64, extra url.Values) (orderID, key string) {
	h.t.Helper()
	orderID, key = h.MustAuthenticate(amount, extra)
	h.mustOK(http.MethodPost, "/v1/payments/confirm", confirmBody(key, orderID, amount))
	return orderID, key
}

// obj is a decoded JSON answer (see testutil.JSON).
type obj = testutil.JSON

// wantError fails the test unless the answer is status with code.
func wantError(t *testing.T, status int, o obj, wantStatus int, wantCode string) {
	t.Helper()
	if status != wantStatus || o.Str(t, "code") != wantCode {
		t.Fatalf("answer %d %v, want %d %s", status, o, wantStatus, wantCode)
	}
	if o.Str(t, "message") == "" {
		t.Fatalf("error %s has no message", wantCode)
	}
	if len(o) != 2 {
		t.Fatalf("error body %v has fields beyond code and message", o)
	}
}
