package toss

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/testutil"
)

// Keys used by the tests. They are long and distinctive so that a test can
// search any output for them.
const (
	testSecretKey = "test_sk_zXLkKEypNArWmo50nX3lmeaxYG5RLEAK"
	testClientKey = "test_ck_D5GePWvyJnrK0W0k6q8gLzN97Eoq"
)

// testAuth is the exact Authorization header Toss expects for testSecretKey:
// base64 of "test_sk_zXLkKEypNArWmo50nX3lmeaxYG5RLEAK:", trailing colon
// included (computed once by hand, not by the code under test).
const testAuth = "Basic dGVzdF9za196WExrS0V5cE5BcldtbzUwblgzbG1lYXhZRzVSTEVBSzo="

// testPrefix is the path prefix every fake server lives under, to check
// that the base URL's path is kept.
const testPrefix = "/sandbox/toss"

// testPaymentKey is the paymentKey of the testdata files.
const testPaymentKey = "5zJ4xY7m0kODnyRpQWGrN2xqGlNvLrKwv1M9ENjbeoPaZdL6"

// MustClient returns a client for baseURL with lookup backoffs shortened so
// that retry tests run fast.
func MustClient(tb testing.TB, baseURL string, mods ...func(*Config)) *Client {
	tb.Helper()
	c := testutil.MustNew(tb, Config{SecretKey: testSecretKey, ClientKey: testClientKey, BaseURL: baseURL}, mods, New)
	c.t.Backoff = testutil.FastBackoff
	return c
}

// testPayment is a payment as the service hands it to the adapter: its id
// is the orderId of the testdata files.
func testPayment() *payment.Payment {
	return testutil.RecordedOrder(payment.ProviderToss, "토스 티셔츠 외 2건", 15000, payment.StatusApproving)
}

// testURLs are the return URLs the service hands to Ready.
var testURLs = testutil.ReturnURLs(testPayment())

var mustTestdata = testutil.MustTestdata

// wireRequest is a request as the fake server received it.
type wireRequest struct {
	Method         string
	Path           string         // after testPrefix, still escaped
	IdempotencyKey string         // "" when absent
	Fields         map[string]any // the JSON body; numbers as json.Number
}

// fakeToss is a fake Toss API (see testutil.FakeProvider) that checks
// every request against Toss's conventions (path under testPrefix, the
// exact Authorization header, JSON for POSTs, no body for GETs) and then
// hands it to handle.
type fakeToss = testutil.FakeProvider[wireRequest]

// newFake starts a fakeToss; it is closed when the test ends.
func newFake(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, req wireRequest)) *fakeToss {
	t.Helper()
	return testutil.NewFakeProvider(t, testPrefix, func(r *http.Request) (wireRequest, bool) { return check(t, r) },
		func(w http.ResponseWriter) {
			testutil.Reply(w, http.StatusTeapot, []byte(`{"code":"FAKE_BAD_REQUEST","message":"fake: bad request"}`))
		}, handle)
}

// check asserts Toss's conventions and decodes the body.
func check(t *testing.T, r *http.Request) (wireRequest, bool) {
	c := testutil.CheckRequest(t)
	path, found := strings.CutPrefix(r.URL.EscapedPath(), testPrefix+"/v1/payments/")
	if !found {
		c.Failf("path = %s, want it under %s/v1/payments/", r.URL.EscapedPath(), testPrefix)
	}
	c.Header(r, "Authorization", testAuth)
	req := wireRequest{Method: r.Method, Path: "/v1/payments/" + path, IdempotencyKey: r.Header.Get("Idempotency-Key")}
	body := c.Body(r)
	switch r.Method {
	case http.MethodGet:
		if len(body) != 0 {
			c.Failf("GET with a body: %s", body)
		}
	case http.MethodPost:
		var good bool
		req.Fields, good = testutil.JSONBody(t, r, body)
		c.And(good)
	default:
		c.Failf("method = %s", r.Method)
	}
	return req, c.OK()
}

// assertFields checks that req's body is exactly want. Integers in want
// must arrive as JSON numbers, strings as strings.
func assertFields(t *testing.T, req wireRequest, want map[string]any) {
	t.Helper()
	testutil.AssertJSONFields(t, req.Method+" "+req.Path, req.Fields, want)
}

// Handlers for newFake: replay answers every call with status and body,
// hangUp closes the connection without answering, recordAndReplay records
// and replays.
var (
	replay          = testutil.Replay[wireRequest]
	hangUp          = testutil.HangUpOn[wireRequest]
	recordAndReplay = testutil.RecordAndReplay[wireRequest]
)

// recorder collects values from server handlers (see testutil.Recorder).
type recorder = testutil.Recorder[wireRequest]

// kstTime is a wall-clock time in KST.
func kstTime(y int, mo time.Month, d, h, mi, s int) time.Time {
	return time.Date(y, mo, d, h, mi, s, 0, kst)
}
