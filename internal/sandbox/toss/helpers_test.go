package toss

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/paybridge/paybridge/internal/sandbox/sandboxtest"
	"github.com/paybridge/paybridge/internal/testutil"
)

// mount is where the tests mount the sandbox, as paybridge serve does.
const mount = "/sandbox/toss"

// Keys the tests use.
const (
	testSecretKey = "test_sk_sandboxTestKey0123456789"
	testClientKey = "test_ck_sandboxTestKey0123456789"
)

// harness is a sandbox behind a real HTTP server (see sandboxtest).
type harness struct {
	*sandboxtest.Harness[*Sandbox]
	orders int
}

// MustHarness starts a sandbox mounted under /sandbox/toss. If o has no
// PublicURL the server's is used; o.Now defaults to a fake clock.
func MustHarness(t *testing.T, o Options) *harness {
	t.Helper()
	return &harness{Harness: sandboxtest.Start(t, mount, &o.PublicURL, &o.Now, func() *Sandbox { return New(o) })}
}

// basic is the Authorization value for key, colon included.
func basic(key string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(key+":"))
}

// request builds an API request with the test key; a nil body sends none,
// []byte is sent as is, anything else as JSON.
func (h *harness) request(method, path string, body any) *http.Request {
	h.T.Helper()
	return h.Request(method, path, body, "Authorization", basic(testSecretKey))
}

// do sends req and returns the status and the raw body.
func (h *harness) do(req *http.Request) (int, []byte) {
	h.T.Helper()
	resp, b := h.Send(req)
	return resp.StatusCode, b
}

// call sends an API request and decodes the JSON answer.
func (h *harness) call(method, path string, body any) (int, obj) {
	h.T.Helper()
	return h.SendJSON(h.request(method, path, body))
}

// mustOK is call that fails the test unless the answer is 200.
func (h *harness) mustOK(method, path string, body any) obj {
	h.T.Helper()
	status, o := h.call(method, path, body)
	return h.WantOK(method+" "+path, status, o)
}

// confirmBody is a confirm request.
func confirmBody(key, orderID string, amount int64) map[string]any {
	return map[string]any{"paymentKey": key, "orderId": orderID, "amount": amount}
}

// get looks a payment up by paymentKey.
func (h *harness) get(key string) obj {
	h.T.Helper()
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
	return h.WithQuery("/checkout", q, extra)
}

// buyer submits action on the window at checkoutURL and returns the 303's
// Location.
func (h *harness) buyer(checkoutURL, action string) *url.URL {
	h.T.Helper()
	resp, _ := h.Page(checkoutURL, url.Values{"action": {action}})
	return h.SeeOther(resp)
}

// newOrderID returns a fresh valid orderId.
func (h *harness) newOrderID() string {
	h.orders++
	return "pay_test_order_" + strconv.Itoa(h.orders)
}

// MustAuthenticate plays the buyer approving a fresh order of amount and
// returns the orderId and paymentKey from the success redirect.
func (h *harness) MustAuthenticate(amount int64, extra url.Values) (orderID, key string) {
	h.T.Helper()
	orderID = h.newOrderID()
	loc := h.buyer(h.checkoutURL(orderID, amount, extra), "approve")
	key = loc.Query().Get("paymentKey")
	if key == "" {
		h.T.Fatalf("no paymentKey in %s", loc)
	}
	return orderID, key
}

// MustPaid authenticates and confirms an order of amount.
func (h *harness) MustPaid(amount int64, extra url.Values) (orderID, key string) {
	h.T.Helper()
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
