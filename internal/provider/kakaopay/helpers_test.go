package kakaopay

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/testutil"
)

// Keys used by the tests. They are long and distinctive so that a test can
// search any output for them.
const (
	testSecretKey = "DEVSECRETtestkey0123456789abcdefLEAK"
	testAdminKey  = "ADMINtestkey9876543210fedcbaLEAK"
)

// testPrefix is the path prefix every fake server lives under, to check that
// the base URL's path is kept.
const testPrefix = "/sandbox/kakaopay"

// generations lists both API generations; most tests run once per generation.
var generations = []string{GenerationCurrent, GenerationLegacy}

// testConfig is a valid Config of generation gen against baseURL.
func testConfig(gen, baseURL string) Config {
	c := Config{CID: DefaultCID, BaseURL: baseURL}
	if gen == GenerationCurrent {
		c.SecretKey = testSecretKey
	} else {
		c.AdminKey = testAdminKey
	}
	return c
}

// MustClient returns a client of generation gen for baseURL with lookup
// backoffs shortened so that retry tests run fast.
func MustClient(tb testing.TB, gen, baseURL string, mods ...func(*Config)) *Client {
	tb.Helper()
	c := testutil.MustNew(tb, testConfig(gen, baseURL), mods, New)
	c.t.Backoff = testutil.FastBackoff
	return c
}

// testPayment is a payment as the service would hand it to the adapter after
// ready: the fields match the testdata files.
func testPayment() *payment.Payment {
	p := testutil.RecordedOrder(payment.ProviderKakaoPay, "초코파이", 2200, payment.StatusReady)
	p.ProviderTID = "T1234567890123456789"
	p.ProviderCID = DefaultCID
	return p
}

// testURLs are the return URLs sent at ready.
var testURLs = testutil.ReturnURLs(testPayment())

var mustTestdata = testutil.MustTestdata

// wireRequest is a request as the fake server received it, decoded the way
// its generation encodes it.
type wireRequest struct {
	Op     string
	Fields map[string]string // every field, integers as decimal strings
	Kinds  map[string]string // JSON only: "number" or "string" per field
}

// fakeKakao is a fake KakaoPay API (see testutil.FakeProvider) that
// checks every request against the conventions of one generation (method,
// path under testPrefix, Authorization, Content-Type, body encoding) and
// then hands it to handle.
type fakeKakao = testutil.FakeProvider[wireRequest]

// newFake starts a fakeKakao for gen; it is closed when the test ends.
func newFake(t *testing.T, gen string, handle func(w http.ResponseWriter, r *http.Request, req wireRequest)) *fakeKakao {
	t.Helper()
	return testutil.NewFakeProvider(t, testPrefix, func(r *http.Request) (wireRequest, bool) { return check(t, gen, r) },
		func(w http.ResponseWriter) {
			http.Error(w, `{"code":-999,"msg":"fake: bad request"}`, http.StatusTeapot)
		}, handle)
}

// check asserts the generation's conventions and decodes the body.
func check(t *testing.T, gen string, r *http.Request) (wireRequest, bool) {
	c := testutil.CheckRequest(t)
	if r.Method != http.MethodPost {
		c.Failf("method = %s, want POST", r.Method)
	}
	apiPath, wantAuth, wantType := testPrefix+"/v1/payment/", "KakaoAK "+testAdminKey, contentTypeForm
	if gen == GenerationCurrent {
		apiPath, wantAuth, wantType = testPrefix+"/online/v1/payment/", "SECRET_KEY "+testSecretKey, contentTypeJSON
	}
	op, found := strings.CutPrefix(r.URL.Path, apiPath)
	if !found || (op != opReady && op != opApprove && op != opOrder && op != opCancel) {
		c.Failf("path = %s, want %s{ready,approve,order,cancel}", r.URL.Path, apiPath)
	}
	c.Header(r, "Authorization", wantAuth)
	c.Header(r, "Content-Type", wantType)
	body := c.Body(r)
	req := wireRequest{Op: op, Fields: map[string]string{}, Kinds: map[string]string{}}
	if gen == GenerationCurrent {
		var decoded bool
		req.Fields, req.Kinds, decoded = testutil.FlatJSON(t, op, body)
		c.And(decoded)
	} else {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			c.Failf("body is not a form: %v", err)
		}
		for k, v := range form {
			if len(v) != 1 {
				c.Failf("form field %s sent %d times", k, len(v))
			}
			req.Fields[k] = v[0]
		}
	}
	return req, c.OK()
}

// assertFields checks that req carries exactly want. Integer values in want
// must arrive as JSON numbers (current) or decimal strings (legacy).
func assertFields(t *testing.T, req wireRequest, want map[string]any) {
	t.Helper()
	testutil.AssertTextFields(t, req.Op, req.Fields, req.Kinds, want)
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// Handlers for newFake: replay answers every call with status and body,
// hangUp closes the connection without answering.
var (
	replay = testutil.Replay[wireRequest]
	hangUp = testutil.HangUpOn[wireRequest]
)

// kstTime is a wall-clock time in KST.
func kstTime(y int, mo time.Month, d, h, mi, s int) time.Time {
	return time.Date(y, mo, d, h, mi, s, 0, kst)
}

// recorder collects values from server handlers (see testutil.Recorder).
type recorder = testutil.Recorder[string]
