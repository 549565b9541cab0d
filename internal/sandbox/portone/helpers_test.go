package portone

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/testutil"
)

// mount is where the tests mount the sandbox, as paybridge serve does.
const mount = "/sandbox/portone"

// testSecret is the API secret the harness configures.
const testSecret = "test-api-secret"

// harness is a sandbox behind a real HTTP server, with a browser that does
// not follow redirects so tests can read them.
type harness struct {
	t       *testing.T
	sb      *Sandbox
	srv     *httptest.Server
	clock   *testutil.Clock
	browser *http.Client
}

// MustHarness starts a sandbox mounted under /sandbox/portone. o.APISecret
// defaults to testSecret, o.PublicURL to the server's and o.Now to a fake
// clock.
func MustHarness(t *testing.T, o Options) *harness {
	t.Helper()
	h := &harness{t: t, clock: testutil.NewClock(time.Date(2025, 3, 1, 1, 2, 3, 0, time.UTC))}
	h.srv = testutil.ServeMounted(t, mount, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.sb.ServeHTTP(w, r)
	}))
	if o.APISecret == "" {
		o.APISecret = testSecret
	}
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

// request builds an API request with the harness's secret; body is JSON
// encoded unless it is a string, which is sent as is.
func (h *harness) request(method, path string, body any) *http.Request {
	h.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		r = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, h.srv.URL+mount+path, r)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Authorization", "PortOne "+testSecret)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

// do sends req and decodes the JSON answer.
func (h *harness) do(req *http.Request) (int, obj) {
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
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		h.t.Fatalf("%s %s: Content-Type %q, body %s", req.Method, req.URL.Path, ct, b)
	}
	return resp.StatusCode, testutil.DecodeJSON(h.t, b)
}

// call sends an API request and decodes the answer.
func (h *harness) call(method, path string, body any) (int, obj) {
	h.t.Helper()
	return h.do(h.request(method, path, body))
}

// mustOK is call that fails the test on anything but 200.
func (h *harness) mustOK(method, path string, body any) obj {
	h.t.Helper()
	status, m := h.call(method, path, body)
	if status != http.StatusOK {
		h.t.Fatalf("%s %s: %d %v", method, path, status, m)
	}
	return m
}

// paymentPath is /payments/{id}{suffix} with id escaped.
func paymentPath(id, suffix string) string { return "/payments/" + url.PathEscape(id) + suffix }

// preRegister registers total for id.
func (h *harness) preRegister(id string, total, taxFree int64) {
	h.t.Helper()
	h.mustOK(http.MethodPost, paymentPath(id, "/pre-register"),
		map[string]any{"totalAmount": total, "taxFreeAmount": taxFree, "currency": "KRW"})
}

// get is GET /payments/{id}.
func (h *harness) get(id string) obj {
	h.t.Helper()
	return h.mustOK(http.MethodGet, paymentPath(id, ""), nil)
}

// windowURL is the window for id with the given amount; extra overrides or
// adds parameters.
func (h *harness) windowURL(id string, total string, extra url.Values) string {
	q := url.Values{
		"paymentId": {id}, "orderName": {"Americano x2"}, "totalAmount": {total}, "currency": {"KRW"},
		"payMethod": {"CARD"}, "customerId": {"cus_42"}, "redirectUrl": {"https://shop.example/return?order=42"},
	}
	for k, v := range extra {
		q[k] = v
	}
	return h.srv.URL + mount + "/checkout?" + q.Encode()
}

// page sends a browser request to a window URL; a non-nil form is POSTed.
func (h *harness) page(u string, form url.Values) (*http.Response, string) {
	h.t.Helper()
	var resp *http.Response
	var err error
	if form == nil {
		resp, err = h.browser.Get(u)
	} else {
		resp, err = h.browser.PostForm(u, form)
	}
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// mustPaid makes id a PAID payment of total (taxFree of it tax-free) through
// pre-registration and the window, and returns the redirect's query.
func (h *harness) mustPaid(id string, total, taxFree int64) url.Values {
	h.t.Helper()
	h.preRegister(id, total, taxFree)
	u := h.windowURL(id, itoa(total), nil)
	if resp, _ := h.page(u, nil); resp.StatusCode != http.StatusOK {
		h.t.Fatalf("GET window: %d", resp.StatusCode)
	}
	resp, _ := h.page(u, url.Values{"action": {"approve"}})
	if resp.StatusCode != http.StatusSeeOther {
		h.t.Fatalf("approve: %d", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		h.t.Fatal(err)
	}
	return loc.Query()
}

// cancel is POST /payments/{id}/cancel.
func (h *harness) cancel(id string, body map[string]any) (int, obj) {
	h.t.Helper()
	return h.call(http.MethodPost, paymentPath(id, "/cancel"), body)
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

// obj is a decoded JSON answer (see testutil.JSON).
type obj = testutil.JSON

// wantError checks an error answer: status and {type, message}.
func wantError(t *testing.T, gotStatus int, m obj, status int, typ string) {
	t.Helper()
	if gotStatus != status || m.Str(t, "type") != typ {
		t.Fatalf("answer %d %v, want %d %s", gotStatus, m, status, typ)
	}
	if m.Str(t, "message") == "" {
		t.Errorf("error without a message: %v", m)
	}
}
