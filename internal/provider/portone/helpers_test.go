package portone

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/testutil"
)

// testSecret is long and distinctive so that a test can search any output
// for it.
const testSecret = "PORTONEtestSecret0123456789abcdefLEAK"

// testStoreID is the store the tests configure.
const testStoreID = "store-4ff4af41-85e3-4559-8eb8-0d08a2c6ceec"

// testPrefix is the path prefix every fake server lives under, to check that
// the base URL's path is kept.
const testPrefix = "/sandbox/portone"

// MustClient returns a client for baseURL with lookup backoffs shortened so
// that retry tests run fast.
func MustClient(tb testing.TB, baseURL string, mods ...func(*Config)) *Client {
	tb.Helper()
	// The recorded answers and the sandbox are on a test channel.
	c := testutil.MustNew(tb, Config{APISecret: testSecret, StoreID: testStoreID, BaseURL: baseURL, AcceptTestPayments: true}, mods, New)
	c.t.Backoff = testutil.FastBackoff
	return c
}

// testPayment is a payment as the service hands it to the adapter after
// Ready: the fields match the testdata files.
func testPayment() *payment.Payment {
	p := testutil.RecordedOrder(payment.ProviderPortOne, "초코파이", 2200, payment.StatusReady)
	p.ProviderTID = "pay_01hzx3k4m5n6p7q8r9s0t1v2w3"
	return p
}

// testURLs are the return URLs given to Ready.
var testURLs = testutil.ReturnURLs(testPayment())

var mustTestdata = testutil.MustTestdata

// wireRequest is a request as the fake server received it.
type wireRequest struct {
	Method  string
	Path    string // escaped, without testPrefix
	Query   map[string][]string
	Fields  map[string]any // JSON body, numbers as json.Number
	HasBody bool
}

// path is what testutil.RecordPathAndReplay records of a request.
func (r wireRequest) path() string { return r.Path }

// fakePortOne is a fake PortOne API (see testutil.FakeProvider) that
// checks every request against PortOne's conventions (path under
// testPrefix, Authorization, JSON bodies) and then hands it to handle.
type fakePortOne = testutil.FakeProvider[wireRequest]

// newFake starts a fakePortOne; it is closed when the test ends.
func newFake(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, req wireRequest)) *fakePortOne {
	t.Helper()
	return testutil.NewFakeProvider(t, testPrefix, func(r *http.Request) (wireRequest, bool) { return check(t, r) },
		func(w http.ResponseWriter) {
			http.Error(w, `{"type":"FAKE","message":"fake: bad request"}`, http.StatusTeapot)
		}, handle)
}

// check asserts the conventions and decodes the request.
func check(t *testing.T, r *http.Request) (wireRequest, bool) {
	c := testutil.CheckRequest(t)
	path, found := strings.CutPrefix(r.URL.EscapedPath(), testPrefix+"/")
	if !found {
		c.Failf("path %s is not under %s", r.URL.EscapedPath(), testPrefix)
	}
	c.Header(r, "Authorization", "PortOne "+testSecret)
	req := wireRequest{Method: r.Method, Path: "/" + path, Query: r.URL.Query(), Fields: map[string]any{}}
	if body := c.Body(r); len(body) > 0 {
		req.HasBody = true
		fields, good := testutil.JSONBody(t, r, body)
		if fields != nil {
			req.Fields = fields
		}
		c.And(good)
	}
	return req, c.OK()
}

// assertFields checks that req's body carries exactly want; integers must
// be JSON numbers and strings JSON strings.
func assertFields(t *testing.T, req wireRequest, want map[string]any) {
	t.Helper()
	testutil.AssertJSONFields(t, req.Method+" "+req.Path, req.Fields, want)
}

// Handlers for newFake: replay answers every call with status and body,
// hangUp closes the connection without answering.
var (
	replay = testutil.Replay[wireRequest]
	hangUp = testutil.HangUpOn[wireRequest]
)

// recorder collects values from server handlers (see testutil.Recorder).
type recorder = testutil.Recorder[string]

// syncBuffer is a log destination that handlers and the test may share.
type syncBuffer = testutil.LogBuffer

// newTestLogger is a debug-level text logger writing to buf.
func newTestLogger(buf *syncBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
