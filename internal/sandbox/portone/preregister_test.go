package portone

import (
	"net/http"
	"net/url"
	"testing"
)

func TestSandbox_PreRegister(t *testing.T) {
	t.Run("AnswersEmptyObject", func(t *testing.T) {
		h := MustHarness(t, Options{})
		m := h.mustOK(http.MethodPost, paymentPath("pay_1", "/pre-register"), map[string]any{"totalAmount": 1000})
		if len(m) != 0 {
			t.Errorf("answer %v, want {}", m)
		}
		// Pre-registering does not make a payment.
		status, e := h.call(http.MethodGet, paymentPath("pay_1", ""), nil)
		wantError(t, status, e, 404, "PAYMENT_NOT_FOUND")
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		h := MustHarness(t, Options{StoreID: "store-a"})
		for name, body := range map[string]any{
			"no total":         map[string]any{"taxFreeAmount": 0},
			"zero total":       map[string]any{"totalAmount": 0},
			"negative total":   map[string]any{"totalAmount": -5},
			"fractional total": `{"totalAmount": 10.5}`,
			"string total":     `{"totalAmount": "1000"}`,
			"tax-free > total": map[string]any{"totalAmount": 100, "taxFreeAmount": 101},
			"USD":              map[string]any{"totalAmount": 100, "currency": "USD"},
			"unknown field":    map[string]any{"totalAmount": 100, "amount": 100},
			"not JSON":         `totalAmount=100`,
			"two objects":      `{"totalAmount":100}{}`,
		} {
			status, m := h.call(http.MethodPost, paymentPath("pay_1", "/pre-register"), body)
			if status != 400 || m.Str(t, "type") != "INVALID_REQUEST" {
				t.Errorf("%s: %d %v, want 400 INVALID_REQUEST", name, status, m)
			}
		}
		// Not JSON is refused whatever the Content-Type claims.
		req := h.request(http.MethodPost, paymentPath("pay_1", "/pre-register"), `totalAmount=100`)
		req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
		status, m := h.do(req)
		wantError(t, status, m, 400, "INVALID_REQUEST")
		status, m = h.call(http.MethodPost, paymentPath("pay_1", "/pre-register"), map[string]any{"totalAmount": 100, "storeId": "store-b"})
		wantError(t, status, m, 403, "FORBIDDEN")
	})
	t.Run("ReplacedBeforePayment", func(t *testing.T) {
		h := MustHarness(t, Options{})
		h.preRegister("pay_1", 5000, 0)
		h.preRegister("pay_1", 7000, 0)
		if resp, _ := h.Page(h.windowURL("pay_1", "5000", nil), nil); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("window with the old amount: %d, want 400", resp.StatusCode)
		}
		if resp, _ := h.Page(h.windowURL("pay_1", "7000", nil), nil); resp.StatusCode != http.StatusOK {
			t.Errorf("window with the new amount: %d, want 200", resp.StatusCode)
		}
	})
	t.Run("ErrAlreadyPaid", func(t *testing.T) {
		h := MustHarness(t, Options{})
		h.mustPaid("pay_1", 5000, 0)
		status, m := h.call(http.MethodPost, paymentPath("pay_1", "/pre-register"), map[string]any{"totalAmount": 1})
		wantError(t, status, m, 409, "ALREADY_PAID")
		if got := h.get("pay_1").Int(t, "amount.total"); got != 5000 {
			t.Errorf("amount.total = %d after a refused pre-register", got)
		}
	})
	t.Run("PathIDDecoded", func(t *testing.T) {
		h := MustHarness(t, Options{})
		id := "pay/1 2?x=%"
		h.preRegister(id, 3000, 0)
		resp, _ := h.Page(h.windowURL(id, "3000", nil), url.Values{"action": {"approve"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("approve: %d", resp.StatusCode)
		}
		if got := h.get(id).Str(t, "id"); got != id {
			t.Errorf("id = %q, want %q", got, id)
		}
		if n := h.SB.CallsFor(opPreRegister, id); n != 1 {
			t.Errorf("CallsFor(preRegister, %q) = %d", id, n)
		}
	})
}
