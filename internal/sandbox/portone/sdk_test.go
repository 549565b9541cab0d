package portone

import (
	"net/http"
	"testing"
)

// TestSandbox_SDKShapedBodies sends what @portone/server-sdk sends: a JSON
// body through fetch without a Content-Type, so that it arrives as
// text/plain;charset=UTF-8 (or with none at all from other clients). The
// real API serves it; so must the sandbox, on every route with a body and
// on the error paths of cancel.
func TestSandbox_SDKShapedBodies(t *testing.T) {
	for _, ct := range []string{"text/plain;charset=UTF-8", ""} {
		t.Run("ContentType="+ct, func(t *testing.T) {
			h := MustHarness(t, Options{})
			send := func(path string, body any) (int, obj) {
				t.Helper()
				req := h.request(http.MethodPost, path, body)
				if ct == "" {
					req.Header.Del("Content-Type")
				} else {
					req.Header.Set("Content-Type", ct)
				}
				return h.do(req)
			}
			if status, m := send(paymentPath("pay_1", "/pre-register"), map[string]any{"totalAmount": 5000, "currency": "KRW"}); status != 200 {
				t.Fatalf("pre-register: %d %v", status, m)
			}
			h.Page(h.windowURL("pay_1", "5000", nil), nil) // the buyer opens the window: READY
			// Cancel of an unpaid payment: PortOne's own error, not a
			// complaint about the Content-Type.
			status, m := send(paymentPath("pay_1", "/cancel"), map[string]any{"reason": "x"})
			wantError(t, status, m, 409, "PAYMENT_NOT_PAID")
			status, m = send(paymentPath("pay_none", "/cancel"), map[string]any{"reason": "x"})
			wantError(t, status, m, 404, "PAYMENT_NOT_FOUND")

			h.mustPaid("pay_2", 5000, 0)
			status, m = send(paymentPath("pay_2", "/cancel"), map[string]any{"reason": "x", "amount": 6000})
			wantError(t, status, m, 409, "CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT")
			status, m = send(paymentPath("pay_2", "/cancel"), map[string]any{"reason": "x", "amount": 1000, "currentCancellableAmount": 4000})
			wantError(t, status, m, 409, "CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN")
			status, m = send(paymentPath("pay_2", "/cancel"), map[string]any{"reason": "refund"})
			if status != 200 || h.get("pay_2").Str(t, "status") != "CANCELLED" {
				t.Fatalf("cancel: %d %v", status, m)
			}

			// A body that is not JSON is still refused, with PortOne's error.
			status, m = send(paymentPath("pay_3", "/pre-register"), "totalAmount=5000")
			wantError(t, status, m, 400, "INVALID_REQUEST")
		})
	}
}
