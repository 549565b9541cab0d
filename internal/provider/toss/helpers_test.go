package toss

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
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
	cfg := Config{SecretKey: testSecretKey, ClientKey: testClientKey, BaseURL: baseURL}
	for _, m := range mods {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	c.lookupBackoff = []time.Duration{time.Millisecond, 2 * time.Millisecond}
	return c
}

// testPayment is a payment as the service hands it to the adapter: its id
// is the orderId of the testdata files.
func testPayment() *payment.Payment {
	return &payment.Payment{
		ID:         "pay_01hzx3k4m5n6p7q8r9s0t1v2w3",
		MerchantID: payment.DefaultMerchantID,
		Provider:   payment.ProviderToss,
		OrderID:    "order-1",
		OrderName:  "토스 티셔츠 외 2건",
		CustomerID: "cus_1001",
		Quantity:   1,
		Amount:     15000,
		Currency:   payment.CurrencyKRW,
		Status:     payment.StatusApproving,
	}
}

// testURLs are the return URLs the service hands to Ready.
var testURLs = payment.ReturnURLs{
	Approval: "https://shop.example/toss/success?payment_id=pay_1",
	Cancel:   "https://shop.example/toss/cancel?payment_id=pay_1",
	Fail:     "https://shop.example/toss/fail?payment_id=pay_1",
}

// mustTestdata reads testdata/name.
func mustTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// wireRequest is a request as the fake server received it.
type wireRequest struct {
	Method         string
	Path           string         // after testPrefix, still escaped
	IdempotencyKey string         // "" when absent
	Fields         map[string]any // the JSON body; numbers as json.Number
}

// fakeToss is an httptest server that checks every request against Toss's
// conventions (path under testPrefix, the exact Authorization header, JSON
// for POSTs, no body for GETs) and then hands it to handle.
type fakeToss struct {
	*httptest.Server
	calls  atomic.Int32
	handle func(w http.ResponseWriter, r *http.Request, req wireRequest)
}

// newFake starts a fakeToss; it is closed when the test ends.
func newFake(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, req wireRequest)) *fakeToss {
	t.Helper()
	f := &fakeToss{handle: handle}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.calls.Add(1)
		req, ok := check(t, r)
		if !ok {
			testutil.Reply(w, http.StatusTeapot, []byte(`{"code":"FAKE_BAD_REQUEST","message":"fake: bad request"}`))
			return
		}
		f.handle(w, r, req)
	}))
	t.Cleanup(f.Close)
	return f
}

// BaseURL is the base URL for a client: the server's address plus testPrefix.
func (f *fakeToss) BaseURL() string { return f.Server.URL + testPrefix }

// Calls is the number of requests the server received.
func (f *fakeToss) Calls() int { return int(f.calls.Load()) }

// check asserts Toss's conventions and decodes the body.
func check(t *testing.T, r *http.Request) (wireRequest, bool) {
	ok := true
	fail := func(format string, args ...any) {
		t.Errorf(format, args...)
		ok = false
	}
	path, found := strings.CutPrefix(r.URL.EscapedPath(), testPrefix+"/v1/payments/")
	if !found {
		fail("path = %s, want it under %s/v1/payments/", r.URL.EscapedPath(), testPrefix)
	}
	if got := r.Header.Get("Authorization"); got != testAuth {
		fail("Authorization = %q, want %q", got, testAuth)
	}
	req := wireRequest{Method: r.Method, Path: "/v1/payments/" + path, IdempotencyKey: r.Header.Get("Idempotency-Key")}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		fail("read body: %v", err)
	}
	switch r.Method {
	case http.MethodGet:
		if len(body) != 0 {
			fail("GET with a body: %s", body)
		}
	case http.MethodPost:
		if got := r.Header.Get("Content-Type"); got != "application/json" {
			fail("Content-Type = %q, want application/json", got)
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&req.Fields); err != nil {
			fail("body is not a JSON object: %v", err)
		}
	default:
		fail("method = %s", r.Method)
	}
	return req, ok
}

// assertFields checks that req's body is exactly want. Integers in want
// must arrive as JSON numbers, strings as strings.
func assertFields(t *testing.T, req wireRequest, want map[string]any) {
	t.Helper()
	for k, v := range want {
		got, ok := req.Fields[k]
		if !ok {
			t.Errorf("field %s missing", k)
			continue
		}
		switch v := v.(type) {
		case string:
			if s, isStr := got.(string); !isStr || s != v {
				t.Errorf("%s = %v (%T), want the string %q", k, got, got, v)
			}
		case int, int64:
			n, isNum := got.(json.Number)
			if !isNum || n.String() != jsonString(v) {
				t.Errorf("%s = %v (%T), want the number %v", k, got, got, v)
			}
		default:
			t.Fatalf("assertFields: unsupported %T", v)
		}
	}
	for k := range req.Fields {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected field %s = %v", k, req.Fields[k])
		}
	}
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// replay is a handler that answers every call with status and body.
func replay(status int, body []byte) func(http.ResponseWriter, *http.Request, wireRequest) {
	return func(w http.ResponseWriter, _ *http.Request, _ wireRequest) { testutil.Reply(w, status, body) }
}

// hangUp is a handler that closes the connection without answering, as a
// crashed server or a dropped network does.
func hangUp(t *testing.T) func(http.ResponseWriter, *http.Request, wireRequest) {
	return func(w http.ResponseWriter, _ *http.Request, _ wireRequest) {
		testutil.HangUp(t, w)
	}
}

// recorder collects values from server handlers (see testutil.Recorder).
type recorder = testutil.Recorder[wireRequest]

// recordAndReplay records every request and answers status and body.
func recordAndReplay(rec *recorder, status int, body []byte) func(http.ResponseWriter, *http.Request, wireRequest) {
	return func(w http.ResponseWriter, _ *http.Request, req wireRequest) {
		rec.Add(req)
		testutil.Reply(w, status, body)
	}
}

// kstTime is a wall-clock time in KST.
func kstTime(y int, mo time.Month, d, h, mi, s int) time.Time {
	return time.Date(y, mo, d, h, mi, s, 0, kst)
}
