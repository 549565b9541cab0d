package kakaopay

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/sandbox/sandboxtest"
	"github.com/paybridge/paybridge/internal/testutil"
)

// mount is where the tests mount the sandbox, as paybridge serve does.
const mount = "/sandbox/kakaopay"

// harness is a sandbox behind a real HTTP server (see sandboxtest).
type harness struct {
	*sandboxtest.Harness[*Sandbox]
}

// MustHarness starts a sandbox mounted under /sandbox/kakaopay. If o has no
// PublicURL the server's is used; o.Now defaults to a fake clock.
func MustHarness(t *testing.T, o Options) *harness {
	t.Helper()
	return &harness{sandboxtest.Start(t, mount, &o.PublicURL, &o.Now, func() *Sandbox { return New(o) })}
}

// gens lists both API generations for tests that run on each.
var gens = []struct {
	name string
	gen  generation
}{{"legacy", legacy}, {"current", current}}

// request builds an API request for gen with the generation's auth and body
// encoding; values are written with fmt.Sprint (form) or as-is (JSON).
func (h *harness) request(gen generation, op string, body map[string]any) *http.Request {
	h.T.Helper()
	if gen == legacy {
		form := url.Values{}
		for k, v := range body {
			form.Set(k, fmt.Sprint(v))
		}
		return h.Request(http.MethodPost, "/v1/payment/"+op, form,
			"Authorization", "KakaoAK test_admin-key", "Content-Type", "application/x-www-form-urlencoded;charset=utf-8")
	}
	return h.Request(http.MethodPost, "/online/v1/payment/"+op, body, "Authorization", "SECRET_KEY DEV1234abcd")
}

// call sends an API request and decodes the JSON answer.
func (h *harness) call(gen generation, op string, body map[string]any) (int, obj) {
	h.T.Helper()
	return h.do(h.request(gen, op, body))
}

func (h *harness) do(req *http.Request) (int, obj) { h.T.Helper(); return h.SendJSON(req) }

// mustOK is call that fails the test unless the answer is 200.
func (h *harness) mustOK(gen generation, op string, body map[string]any) obj {
	h.T.Helper()
	status, m := h.call(gen, op, body)
	return h.WantOK(op, status, m)
}

// readyBody is a valid ready request; over replaces or (with nil) removes fields.
func readyBody(over map[string]any) map[string]any {
	b := map[string]any{
		"cid":              "TC0ONETIME",
		"partner_order_id": "order-1",
		"partner_user_id":  "user-1",
		"item_name":        "커피 <b>",
		"quantity":         2,
		"total_amount":     11000,
		"tax_free_amount":  0,
		"approval_url":     "https://shop.example/pay/ok?order=42&note=a%20b",
		"cancel_url":       "https://shop.example/pay/cancel",
		"fail_url":         "https://shop.example/pay/fail",
	}
	return withOver(b, over)
}

// withOver is b with over's fields: each replaces b's, or with nil removes it.
func withOver(b, over map[string]any) map[string]any {
	for k, v := range over {
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
	}
	return b
}

// MustReady runs ready and returns the tid.
func (h *harness) MustReady(gen generation, over map[string]any) string {
	h.T.Helper()
	return h.mustOK(gen, opReady, readyBody(over)).Str(h.T, "tid")
}

// page sends the buyer's browser request to the checkout page.
func (h *harness) page(method, tid string, form url.Values) *http.Response {
	h.T.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, h.URL("/checkout/"+tid), body)
	if err != nil {
		h.T.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := h.Browser.Do(req)
	if err != nil {
		h.T.Fatal(err)
	}
	h.T.Cleanup(func() { resp.Body.Close() })
	return resp
}

// MustBuyerApprove approves tid on the buyer page and returns the pg_token
// from the redirect to approval_url.
func (h *harness) MustBuyerApprove(tid, method string) string {
	h.T.Helper()
	loc := h.SeeOther(h.page(http.MethodPost, tid, url.Values{"action": {"approve"}, "method": {method}}))
	tok := loc.Query().Get("pg_token")
	if len(tok) != 20 {
		h.T.Fatalf("pg_token %q: want 20 characters", tok)
	}
	return tok
}

// approveBody is the approve request for tid as a correct client sends it.
func approveBody(tid, token string) map[string]any {
	return map[string]any{
		"cid": "TC0ONETIME", "tid": tid, "partner_order_id": "order-1",
		"partner_user_id": "user-1", "pg_token": token, "total_amount": 11000,
	}
}

// MustAuthorized runs ready (with nothing replaced) and the buyer's approve
// with KakaoPay Money, and returns the tid and the pg_token: the payment
// approve is then called for.
func (h *harness) MustAuthorized(gen generation) (tid, token string) {
	h.T.Helper()
	tid = h.MustReady(gen, nil)
	return tid, h.MustBuyerApprove(tid, methodMoney)
}

// MustPaid runs ready, the buyer's approve and approve, and returns the tid.
func (h *harness) MustPaid(gen generation, over map[string]any) string {
	h.T.Helper()
	tid := h.MustReady(gen, over)
	tok := h.MustBuyerApprove(tid, methodMoney)
	h.mustOK(gen, opApprove, approveBody(tid, tok))
	return tid
}

// order looks tid up.
func (h *harness) order(gen generation, tid string) obj {
	h.T.Helper()
	return h.mustOK(gen, opOrder, map[string]any{"cid": "TC0ONETIME", "tid": tid})
}

// obj is a decoded JSON answer (see testutil.JSON).
type obj = testutil.JSON

func decodeObj(t *testing.T, r io.Reader) obj {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read answer: %v", err)
	}
	return testutil.DecodeJSON(t, b)
}

// wantError checks an error answer of gen's shape.
func wantError(t *testing.T, gen generation, status int, m obj, gotStatus int, code int64) {
	t.Helper()
	codeKey, msgKey, otherKey := "code", "msg", "error_code"
	if gen == current {
		codeKey, msgKey, otherKey = "error_code", "error_message", "code"
	}
	if gotStatus != status || m.Int(t, codeKey) != code {
		t.Fatalf("got status %d body %v; want status %d %s %d", gotStatus, m, status, codeKey, code)
	}
	if m.Str(t, msgKey) == "" {
		t.Fatalf("%s is empty in %v", msgKey, m)
	}
	if _, ok := m[otherKey]; ok {
		t.Fatalf("%v has %s, which belongs to the other generation", m, otherKey)
	}
}
