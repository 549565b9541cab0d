package iamport

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/testutil"
)

// Credentials used by the tests. The secret is long and distinctive so that
// a test can search any output for it.
const (
	testKey    = "imp_apikey_1234567890"
	testSecret = "SECRETtestsecret0123456789abcdefLEAK"
	// testToken is the access_token of testdata/token.json.
	testToken = "a9ace025c90c0da2161075da6ddd3492a2fca776"
)

// testPrefix is the path prefix every fake server lives under, to check that
// the base URL's path is kept.
const testPrefix = "/sandbox/iamport"

// testID is the payment id of the testdata files: paybridge's id, PortOne's
// merchant_uid.
const testID = testutil.RecordedPaymentID

// testImpUID is the imp_uid of the testdata files.
const testImpUID = "imp_448280090638"

// MustClient returns a client for baseURL with lookup backoffs shortened so
// that retry tests run fast. It accepts test-channel payments, as paybridge
// does against its own sandbox (the fixtures and the sandbox are test-channel
// payments).
func MustClient(tb testing.TB, baseURL string, mods ...func(*Config)) *Client {
	tb.Helper()
	c := testutil.MustNew(tb, Config{APIKey: testKey, APISecret: testSecret, BaseURL: baseURL, AcceptTestPayments: true}, mods, New)
	c.t.Backoff = testutil.FastBackoff
	return c
}

// testPayment is a payment as the service hands it to the adapter once the
// buyer has paid: the fields match the testdata files.
func testPayment() *payment.Payment {
	p := testutil.RecordedOrder(payment.ProviderIamport, "초코파이", 2200, payment.StatusPaid)
	p.ProviderTID = testImpUID
	return p
}

// testURLs are the return URLs the service passes to Ready.
var testURLs = testutil.ReturnURLs(testPayment())

var mustTestdata = testutil.MustTestdata

// wireRequest is an API request as the fake server received it.
type wireRequest struct {
	Method string
	Path   string // escaped, without testPrefix: "/payments/imp_1"
	Query  url.Values
	Fields map[string]string // JSON body fields, numbers as their JSON text
	Kinds  map[string]string // "number" or "string" per field
}

// path is what testutil.RecordPathAndReplay records of a request.
func (r wireRequest) path() string { return r.Path }

// fakePortOne is an httptest server that plays PortOne's token endpoint
// itself (counting the calls) and checks every other request's conventions
// (path under testPrefix, Bearer token, JSON body) before handing it to
// handle.
type fakePortOne struct {
	*httptest.Server
	t          *testing.T
	apiCalls   atomic.Int32
	tokenCalls atomic.Int32
	// token answers getToken; replaced by tests of the token cache.
	token  func(w http.ResponseWriter, n int32)
	handle func(w http.ResponseWriter, r *http.Request, req wireRequest)
	// tokens the API accepts; any token getToken handed out by default.
	mu       sync.Mutex
	accepted map[string]bool
}

// newFake starts a fakePortOne; it is closed when the test ends.
func newFake(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, req wireRequest)) *fakePortOne {
	t.Helper()
	f := &fakePortOne{t: t, handle: handle, accepted: map[string]bool{testToken: true}}
	f.token = func(w http.ResponseWriter, _ int32) { testutil.Reply(w, http.StatusOK, mustTestdata(t, "token.json")) }
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

// BaseURL is the base URL for a client: the server's address plus testPrefix.
func (f *fakePortOne) BaseURL() string { return f.Server.URL + testPrefix }

// Calls is the number of API requests, getToken excluded.
func (f *fakePortOne) Calls() int { return int(f.apiCalls.Load()) }

// TokenCalls is the number of getToken requests.
func (f *fakePortOne) TokenCalls() int { return int(f.tokenCalls.Load()) }

// accept makes the API accept tok.
func (f *fakePortOne) accept(tok string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.accepted[tok] = true
}

func (f *fakePortOne) serve(w http.ResponseWriter, r *http.Request) {
	t := f.t
	path, ok := strings.CutPrefix(r.URL.EscapedPath(), testPrefix)
	if !ok {
		t.Errorf("path %s is not under %s", r.URL.EscapedPath(), testPrefix)
		testutil.Reply(w, http.StatusTeapot, []byte(`{"code":-999,"message":"fake: bad path"}`))
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.Errorf("read body: %v", err)
	}
	if path == "/users/getToken" {
		n := f.tokenCalls.Add(1)
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("getToken: %s with Content-Type %q, want a JSON POST", r.Method, r.Header.Get("Content-Type"))
		}
		if r.Header.Get("Authorization") != "" {
			t.Errorf("getToken sent an Authorization header")
		}
		var creds map[string]any
		if err := json.Unmarshal(body, &creds); err != nil || len(creds) != 2 ||
			creds["imp_key"] != testKey || creds["imp_secret"] != testSecret {
			t.Errorf("getToken body = %s, want exactly imp_key and imp_secret", body)
		}
		f.token(w, n)
		return
	}
	f.apiCalls.Add(1)
	tok, hasBearer := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	f.mu.Lock()
	known := f.accepted[tok]
	f.mu.Unlock()
	if !hasBearer || !known {
		t.Errorf("%s %s: Authorization = %q, want Bearer and a token getToken issued", r.Method, path, r.Header.Get("Authorization"))
	}
	req := wireRequest{Method: r.Method, Path: path, Query: r.URL.Query(), Fields: map[string]string{}, Kinds: map[string]string{}}
	if r.Method == http.MethodPost {
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: Content-Type = %q, want application/json", path, ct)
		}
		req.Fields, req.Kinds, _ = testutil.FlatJSON(t, path, body)
	} else if len(body) != 0 {
		t.Errorf("%s %s has a body", r.Method, path)
	}
	f.handle(w, r, req)
}

// assertFields checks that req carries exactly want; ints must arrive as
// JSON numbers, strings as JSON strings.
func assertFields(t *testing.T, req wireRequest, want map[string]any) {
	t.Helper()
	testutil.AssertTextFields(t, req.Path, req.Fields, req.Kinds, want)
}

// Handlers for newFake: replay answers every API call with status and
// body, hangUp closes the connection without answering.
var (
	replay = testutil.Replay[wireRequest]
	hangUp = testutil.HangUpOn[wireRequest]
)

// replayFile is replay of a testdata file with 200.
func replayFile(t *testing.T, name string) func(http.ResponseWriter, *http.Request, wireRequest) {
	return replay(http.StatusOK, mustTestdata(t, name))
}

// envelopeError is a V1 error body.
func envelopeError(code int, msg string) []byte {
	b, _ := json.Marshal(map[string]any{"code": code, "message": msg, "response": nil})
	return b
}

// recorder collects values from server handlers (see testutil.Recorder).
type recorder = testutil.Recorder[string]
