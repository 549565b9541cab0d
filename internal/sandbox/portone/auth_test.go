package portone

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/sandbox/sandboxtest"
)

func TestSandbox_Auth(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   Options
		header string // "" sends none
		status int
	}{
		{"missing", Options{}, "", 401},
		{"bearer", Options{}, "Bearer " + testSecret, 401},
		{"lowercase scheme", Options{}, "portone " + testSecret, 401},
		{"other scheme", Options{}, "Basic " + testSecret, 401},
		{"scheme only", Options{}, "PortOne", 401},
		{"scheme and space", Options{}, "PortOne ", 401},
		{"two secrets", Options{}, "PortOne a b", 401},
		{"wrong secret", Options{}, "PortOne wrong", 401},
		{"right secret", Options{}, "PortOne " + testSecret, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := MustHarness(t, tc.opts)
			req := h.request(http.MethodPost, paymentPath("pay_1", "/pre-register"), map[string]any{"totalAmount": 1000})
			status, m := h.do(sandboxtest.WithAuthorization(req, tc.header))
			if tc.status == http.StatusOK {
				if status != http.StatusOK {
					t.Fatalf("%d %v; want 200", status, m)
				}
				if n := h.SB.Calls(opPreRegister); n != 1 {
					t.Errorf("Calls = %d, want 1", n)
				}
				return
			}
			wantError(t, status, m, tc.status, "UNAUTHORIZED")
			if n := h.SB.Calls(opPreRegister); n != 0 {
				t.Errorf("an unauthorised call was counted: %d", n)
			}
		})
	}
	t.Run("AnySecretWhenNoneConfigured", func(t *testing.T) {
		sb := New(Options{})
		req := httptest.NewRequest(http.MethodGet, "/payments/pay_1", nil)
		req.Header.Set("Authorization", "PortOne whatever-secret")
		w := httptest.NewRecorder()
		sb.ServeHTTP(w, req)
		// Authorised: it got as far as the lookup.
		if w.Code != 404 || !strings.Contains(w.Body.String(), `"PAYMENT_NOT_FOUND"`) || sb.Calls(opGetPayment) != 1 {
			t.Errorf("%d %s", w.Code, w.Body)
		}
	})
	t.Run("EveryAPIChecks", func(t *testing.T) {
		h := MustHarness(t, Options{})
		for _, r := range []struct{ method, path string }{
			{http.MethodPost, paymentPath("p", "/pre-register")},
			{http.MethodGet, paymentPath("p", "")},
			{http.MethodPost, paymentPath("p", "/cancel")},
		} {
			status, m := h.do(sandboxtest.WithAuthorization(h.request(r.method, r.path, nil), ""))
			wantError(t, status, m, 401, "UNAUTHORIZED")
		}
	})
}

func TestSandbox_Routes(t *testing.T) {
	h := MustHarness(t, Options{})
	for _, tc := range []struct {
		method, path string
		status       int
		typ          string
	}{
		{http.MethodGet, "/v1/payments/p", 404, "NOT_FOUND"},
		{http.MethodGet, "/payments/", 404, "NOT_FOUND"},
		{http.MethodGet, "/payments/p/refund", 404, "NOT_FOUND"},
		{http.MethodGet, "/payments/p/cancel/x", 404, "NOT_FOUND"},
		{http.MethodPost, "/payments/p", 405, "METHOD_NOT_ALLOWED"},
		{http.MethodGet, "/payments/p/cancel", 405, "METHOD_NOT_ALLOWED"},
		{http.MethodPut, "/payments/p/pre-register", 405, "METHOD_NOT_ALLOWED"},
	} {
		status, m := h.call(tc.method, tc.path, nil)
		wantError(t, status, m, tc.status, tc.typ)
	}
	if n := h.SB.Calls(opGetPayment) + h.SB.Calls(opCancel) + h.SB.Calls(opPreRegister); n != 0 {
		t.Errorf("unrouted calls were counted: %d", n)
	}
}
