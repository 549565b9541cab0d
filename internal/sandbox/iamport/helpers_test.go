package iamport

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/sandbox/sandboxtest"
	"github.com/paybridge/paybridge/internal/testutil"
)

// mount is where the tests mount the sandbox, as paybridge serve does.
const mount = "/sandbox/iamport"

// Credentials the harness's sandbox accepts.
const (
	testKey    = "imp_apikey_1234567890"
	testSecret = "imp_secret_abcdefghij"
)

// shopReturn is the m_redirect_url the tests' windows use; it carries a
// query of its own, which the window must keep.
const shopReturn = "https://shop.example/iamport/return?payment_id=pay_1"

// harness is a sandbox behind a real HTTP server (see sandboxtest).
type harness struct {
	*sandboxtest.Harness[*Sandbox]
	tok string
}

// MustHarness starts a sandbox mounted under /sandbox/iamport. o.APIKey
// defaults to the test credentials, o.PublicURL to the server's, o.Now to
// a fake clock.
func MustHarness(t *testing.T, o Options) *harness {
	t.Helper()
	if o.APIKey == "" {
		o.APIKey, o.APISecret = testKey, testSecret
	}
	return &harness{Harness: sandboxtest.Start(t, mount, &o.PublicURL, &o.Now, func() *Sandbox { return New(o) })}
}

// answer is a decoded PortOne envelope, response kept generic: the tests
// check field names against the schema, not against a Go struct.
type answer struct {
	status   int
	header   http.Header
	code     float64
	message  any // string or nil
	response any // object or nil
	raw      map[string]json.RawMessage
}

// request sends method path with body: url.Values as a form, anything
// else non-nil as JSON. auth is the whole Authorization header ("" for
// none).
func (h *harness) request(method, path string, body any, auth string) *http.Request {
	h.T.Helper()
	if auth == "" {
		return h.Request(method, path, body)
	}
	return h.Request(method, path, body, "Authorization", auth)
}

// send makes a request and decodes the envelope, checking its shape: code,
// message and response are always there, response null on errors.
func (h *harness) send(req *http.Request) answer {
	h.T.Helper()
	resp, b := h.Send(req)
	a := answer{status: resp.StatusCode, header: resp.Header}
	if err := json.Unmarshal(b, &a.raw); err != nil {
		h.T.Fatalf("%s %s: not a JSON object: %s", req.Method, req.URL.Path, b)
	}
	for _, k := range []string{"code", "message", "response"} {
		if _, ok := a.raw[k]; !ok {
			h.T.Fatalf("%s %s: envelope without %s: %s", req.Method, req.URL.Path, k, b)
		}
	}
	_ = json.Unmarshal(a.raw["code"], &a.code)
	_ = json.Unmarshal(a.raw["message"], &a.message)
	dec := json.NewDecoder(bytes.NewReader(a.raw["response"]))
	dec.UseNumber() // numbers as testutil.JSON reads them
	_ = dec.Decode(&a.response)
	if a.code != 0 && a.response != nil {
		h.T.Fatalf("%s %s: error with a response: %s", req.Method, req.URL.Path, b)
	}
	return a
}

// token returns a valid access token (fetched once per harness).
func (h *harness) token() string {
	h.T.Helper()
	if h.tok == "" {
		a := h.send(h.request(http.MethodPost, "/users/getToken", map[string]any{"imp_key": testKey, "imp_secret": testSecret}, ""))
		h.tok = a.obj(h.T).Str(h.T, "access_token")
	}
	return h.tok
}

// call is an authorised API call.
func (h *harness) call(method, path string, body any) answer {
	h.T.Helper()
	return h.send(h.request(method, path, body, "Bearer "+h.token()))
}

// mustOK is call expecting success; it returns the response object.
func (h *harness) mustOK(method, path string, body any) obj {
	h.T.Helper()
	a := h.call(method, path, body)
	if a.status != http.StatusOK || a.code != 0 || string(a.raw["message"]) != "null" {
		h.T.Fatalf("%s %s = %d %v %v, want 200 with code 0 and message null", method, path, a.status, a.code, a.message)
	}
	return a.obj(h.T)
}

// wantError checks a refusal's HTTP status and code.
func (a answer) wantError(t *testing.T, status int, code float64) {
	t.Helper()
	if a.status != status || a.code != code {
		t.Fatalf("answer = %d code %v (%v), want %d code %v", a.status, a.code, a.message, status, code)
	}
	if msg, ok := a.message.(string); !ok || msg == "" {
		t.Fatalf("refusal without a message: %v", a.message)
	}
}

// obj is a decoded JSON object (see testutil.JSON).
type obj = testutil.JSON

func (a answer) obj(t *testing.T) obj {
	t.Helper()
	m, ok := a.response.(map[string]any)
	if !ok {
		t.Fatalf("response is %T, want an object (code %v, message %v)", a.response, a.code, a.message)
	}
	return m
}

// payment looks a payment up by imp_uid, test channel included.
func (h *harness) payment(impUID string) obj {
	h.T.Helper()
	return h.mustOK(http.MethodGet, "/payments/"+impUID+"?include_sandbox=true", nil)
}

// window is the window URL for merchantUID and amount.
func (h *harness) window(merchantUID string, amount int64, extra ...string) string {
	q := url.Values{
		"merchant_uid": {merchantUID}, "amount": {itoa(amount)}, "name": {"Americano x2"},
		"buyer_name": {"cus_42"}, "pay_method": {"card"}, "m_redirect_url": {shopReturn},
	}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return h.URL("/checkout?" + q.Encode())
}

// open GETs a window and returns its status, page and imp_uid.
func (h *harness) open(windowURL string) (int, string, string) {
	h.T.Helper()
	resp, b := h.Page(windowURL, nil)
	imp := ""
	if _, after, ok := strings.Cut(b, `name="imp_uid" value="`); ok {
		imp, _, _ = strings.Cut(after, `"`)
	}
	return resp.StatusCode, b, imp
}

// press POSTs a button of a window and returns the response (body closed).
func (h *harness) press(windowURL, impUID, action string) *http.Response {
	h.T.Helper()
	form := url.Values{"action": {action}}
	if impUID != "" {
		form.Set("imp_uid", impUID)
	}
	resp, _ := h.Page(windowURL, form)
	return resp
}

// returned is the query of a 303 back to shopReturn.
func (h *harness) returned(resp *http.Response) url.Values {
	h.T.Helper()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, shopReturn+"&") {
		h.T.Fatalf("answer %d to %q, want 303 to %s with its query kept", resp.StatusCode, loc, shopReturn)
	}
	u, err := url.Parse(loc)
	if err != nil {
		h.T.Fatal(err)
	}
	q := u.Query()
	if q.Get("payment_id") != "pay_1" {
		h.T.Fatalf("the return URL's own query was lost: %s", loc)
	}
	q.Del("payment_id")
	return q
}

// MustPaid opens a window for merchantUID and pays amount; it returns the
// imp_uid.
func (h *harness) MustPaid(merchantUID string, amount int64) string {
	h.T.Helper()
	w := h.window(merchantUID, amount)
	_, _, imp := h.open(w)
	if imp == "" {
		h.T.Fatalf("window for %s did not open", merchantUID)
	}
	q := h.returned(h.press(w, imp, actionApprove))
	if q.Get("imp_success") != "true" {
		h.T.Fatalf("approve returned %v", q)
	}
	return imp
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// sink is a webhook receiver for NoticeURL.
type sink struct{ *sandboxtest.Receiver }

func newSink(t *testing.T) *sink { return &sink{sandboxtest.NewReceiver(t, nil)} }

// next waits for a webhook, which must be a JSON POST.
func (s *sink) next(t *testing.T) map[string]any {
	t.Helper()
	w := s.Next(t)
	if ty := w.Method + " " + w.Header.Get("Content-Type"); ty != "POST application/json" {
		t.Errorf("webhook sent as %s, want a JSON POST", ty)
	}
	var m map[string]any
	if err := json.Unmarshal(w.Body, &m); err != nil {
		t.Errorf("webhook body: %v", err)
	}
	return m
}

// none checks that no webhook arrives for a while.
func (s *sink) none(t *testing.T) { t.Helper(); s.None(t, 150*time.Millisecond) }
