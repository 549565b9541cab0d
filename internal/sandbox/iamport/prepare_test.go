package iamport

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestSandbox_Prepare(t *testing.T) {
	t.Run("RegisterAndRead", func(t *testing.T) {
		h := MustHarness(t, Options{})
		got := h.mustOK(http.MethodPost, "/payments/prepare", map[string]any{"merchant_uid": "pay_1", "amount": 2200})
		if got.Str(t, "merchant_uid") != "pay_1" || got.Int(t, "amount") != 2200 || got["currency"] != nil {
			t.Errorf("prepare = %v, want pay_1, 2200, currency null", got)
		}
		read := h.mustOK(http.MethodGet, "/payments/prepare/pay_1", nil)
		if read.Int(t, "amount") != 2200 {
			t.Errorf("GET prepare = %v", read)
		}
		withCurrency := h.mustOK(http.MethodPost, "/payments/prepare", url.Values{"merchant_uid": {"pay_2"}, "amount": {"1000"}, "currency": {"KRW"}})
		if withCurrency.Str(t, "currency") != "KRW" || withCurrency.Int(t, "amount") != 1000 {
			t.Errorf("form prepare = %v", withCurrency)
		}
		if n := h.SB.CallsFor(opPrepare, "pay_1"); n != 2 {
			t.Errorf("CallsFor(prepare, pay_1) = %d, want 2", n)
		}
	})
	t.Run("SecondPrepareRefused", func(t *testing.T) {
		// PortOne refuses a merchant_uid registered already, same amount or
		// not: HTTP 200, code 1. The first registration stays.
		h := MustHarness(t, Options{})
		h.mustOK(http.MethodPost, "/payments/prepare", map[string]any{"merchant_uid": "pay_1", "amount": 2200})
		for _, amount := range []int{2200, 100} {
			a := h.call(http.MethodPost, "/payments/prepare", map[string]any{"merchant_uid": "pay_1", "amount": amount})
			a.wantError(t, http.StatusOK, 1)
			if msg, _ := a.message.(string); !strings.Contains(msg, "이미 등록된 merchant_uid") {
				t.Errorf("message = %q", msg)
			}
		}
		if got := h.mustOK(http.MethodGet, "/payments/prepare/pay_1", nil).Int(t, "amount"); got != 2200 {
			t.Errorf("amount after refused prepares = %d, want 2200", got)
		}
	})
	t.Run("ErrUnknown", func(t *testing.T) {
		h := MustHarness(t, Options{})
		h.call(http.MethodGet, "/payments/prepare/pay_none", nil).wantError(t, http.StatusNotFound, -1)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		h := MustHarness(t, Options{})
		for name, body := range map[string]any{
			"no merchant_uid":    map[string]any{"amount": 1000},
			"merchant_uid 41":    map[string]any{"merchant_uid": strings.Repeat("m", 41), "amount": 1000},
			"no amount":          map[string]any{"merchant_uid": "m"},
			"zero amount":        map[string]any{"merchant_uid": "m", "amount": 0},
			"fraction of a won":  map[string]any{"merchant_uid": "m", "amount": 1000.5},
			"amount as a bool":   map[string]any{"merchant_uid": "m", "amount": true},
			"merchant_uid array": map[string]any{"merchant_uid": []string{"m"}, "amount": 1000},
		} {
			t.Run(name, func(t *testing.T) {
				h.call(http.MethodPost, "/payments/prepare", body).wantError(t, http.StatusBadRequest, -1)
			})
		}
		t.Run("integral decimal accepted", func(t *testing.T) {
			if got := h.mustOK(http.MethodPost, "/payments/prepare", map[string]any{"merchant_uid": "m40" + strings.Repeat("x", 37), "amount": 1000.0}); got.Int(t, "amount") != 1000 {
				t.Errorf("amount = %v", got["amount"])
			}
		})
		t.Run("text body", func(t *testing.T) {
			req := h.request(http.MethodPost, "/payments/prepare", nil, "Bearer "+h.token())
			req.Header.Set("Content-Type", "text/plain")
			h.send(req).wantError(t, http.StatusBadRequest, -1)
		})
	})
}
