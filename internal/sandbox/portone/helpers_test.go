package portone

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/paybridge/paybridge/internal/sandbox/sandboxtest"
	"github.com/paybridge/paybridge/internal/testutil"
)

// mount is where the tests mount the sandbox, as paybridge serve does.
const mount = "/sandbox/portone"

// testSecret is the API secret the harness configures.
const testSecret = "test-api-secret"

// harness is a sandbox behind a real HTTP server (see sandboxtest).
type harness struct {
	*sandboxtest.Harness[*Sandbox]
}

// MustHarness starts a sandbox mounted under /sandbox/portone. o.APISecret
// defaults to testSecret, o.PublicURL to the server's and o.Now to a fake
// clock.
func MustHarness(t *testing.T, o Options) *harness {
	t.Helper()
	if o.APISecret == "" {
		o.APISecret = testSecret
	}
	return &harness{sandboxtest.Start(t, mount, &o.PublicURL, &o.Now, func() *Sandbox { return New(o) })}
}

// request builds an API request with the harness's secret; body is JSON
// encoded unless it is a string, which is sent as is.
func (h *harness) request(method, path string, body any) *http.Request {
	h.T.Helper()
	return h.Request(method, path, body, "Authorization", "PortOne "+testSecret)
}

// do sends req and decodes the JSON answer, which must say it is JSON.
func (h *harness) do(req *http.Request) (int, obj) {
	h.T.Helper()
	resp, b := h.Send(req)
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		h.T.Fatalf("%s %s: Content-Type %q, body %s", req.Method, req.URL.Path, ct, b)
	}
	return resp.StatusCode, testutil.DecodeJSON(h.T, b)
}

// call sends an API request and decodes the answer.
func (h *harness) call(method, path string, body any) (int, obj) {
	h.T.Helper()
	return h.do(h.request(method, path, body))
}

// mustOK is call that fails the test on anything but 200.
func (h *harness) mustOK(method, path string, body any) obj {
	h.T.Helper()
	status, o := h.call(method, path, body)
	return h.WantOK(method+" "+path, status, o)
}

// paymentPath is /payments/{id}{suffix} with id escaped.
func paymentPath(id, suffix string) string { return "/payments/" + url.PathEscape(id) + suffix }

// preRegister registers total for id.
func (h *harness) preRegister(id string, total, taxFree int64) {
	h.T.Helper()
	h.mustOK(http.MethodPost, paymentPath(id, "/pre-register"),
		map[string]any{"totalAmount": total, "taxFreeAmount": taxFree, "currency": "KRW"})
}

// get is GET /payments/{id}.
func (h *harness) get(id string) obj {
	h.T.Helper()
	return h.mustOK(http.MethodGet, paymentPath(id, ""), nil)
}

// windowURL is the window for id with the given amount; extra overrides or
// adds parameters.
func (h *harness) windowURL(id string, total string, extra url.Values) string {
	q := url.Values{
		"paymentId": {id}, "orderName": {"Americano x2"}, "totalAmount": {total}, "currency": {"KRW"},
		"payMethod": {"CARD"}, "customerId": {"cus_42"}, "redirectUrl": {"https://shop.example/return?order=42"},
	}
	return h.WithQuery("/checkout", q, extra)
}

// mustPaid makes id a PAID payment of total (taxFree of it tax-free) through
// pre-registration and the window, and returns the redirect's query.
func (h *harness) mustPaid(id string, total, taxFree int64) url.Values {
	h.T.Helper()
	h.preRegister(id, total, taxFree)
	u := h.windowURL(id, itoa(total), nil)
	if resp, _ := h.Page(u, nil); resp.StatusCode != http.StatusOK {
		h.T.Fatalf("GET window: %d", resp.StatusCode)
	}
	resp, _ := h.Page(u, url.Values{"action": {"approve"}})
	return h.SeeOther(resp).Query()
}

// cancel is POST /payments/{id}/cancel.
func (h *harness) cancel(id string, body map[string]any) (int, obj) {
	h.T.Helper()
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
