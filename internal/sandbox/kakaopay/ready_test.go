package kakaopay

import (
	"net/http"
	"strings"
	"testing"
)

func TestSandbox_Ready(t *testing.T) {
	long := strings.Repeat("가", 101)
	for _, tc := range []struct {
		name string
		over map[string]any
		code int64 // 0: accepted
	}{
		{"ok", nil, 0},
		{"other 10-char cid", map[string]any{"cid": "CAFE123456"}, 0},
		{"numbers as strings", map[string]any{"total_amount": "11000", "quantity": "1"}, 0},
		{"100-char item name", map[string]any{"item_name": strings.Repeat("가", 100)}, 0},
		{"explicit vat", map[string]any{"vat_amount": 0}, 0},
		{"payment method", map[string]any{"payment_method_type": "MONEY"}, 0},
		{"bad cid", map[string]any{"cid": "TC0ONETIME1"}, -731},
		{"missing cid", map[string]any{"cid": nil}, -2},
		{"missing partner_order_id", map[string]any{"partner_order_id": nil}, -2},
		{"missing partner_user_id", map[string]any{"partner_user_id": ""}, -2},
		{"missing item_name", map[string]any{"item_name": nil}, -2},
		{"long item_name", map[string]any{"item_name": long}, -2},
		{"long partner_order_id", map[string]any{"partner_order_id": long}, -2},
		{"zero quantity", map[string]any{"quantity": 0}, -2},
		{"zero total", map[string]any{"total_amount": 0}, -2},
		{"negative total", map[string]any{"total_amount": -1}, -2},
		{"huge total", map[string]any{"total_amount": "99999999999999999999"}, -2},
		{"missing tax_free", map[string]any{"tax_free_amount": nil}, -2},
		{"tax_free over total", map[string]any{"tax_free_amount": 11001}, -2},
		{"vat over taxable", map[string]any{"tax_free_amount": 10000, "vat_amount": 1001}, -2},
		{"missing approval_url", map[string]any{"approval_url": nil}, -2},
		{"relative fail_url", map[string]any{"fail_url": "/fail"}, -2},
		{"long cancel_url", map[string]any{"cancel_url": "https://x.example/" + strings.Repeat("a", 240)}, -2},
		{"bad method", map[string]any{"payment_method_type": "POINT"}, -2},
		{"install_month 13", map[string]any{"install_month": 13}, -2},
	} {
		for _, g := range gens {
			t.Run(g.name+"/"+tc.name, func(t *testing.T) {
				h := MustHarness(t, Options{})
				status, m := h.call(g.gen, opReady, readyBody(tc.over))
				if tc.code == 0 {
					if status != http.StatusOK {
						t.Fatalf("status %d body %v; want 200", status, m)
					}
					return
				}
				wantError(t, g.gen, http.StatusBadRequest, m, status, tc.code)
			})
		}
	}
}

func TestSandbox_ReadyAmounts(t *testing.T) {
	h := MustHarness(t, Options{})
	// (10000 − 1000)/11 = 818.18… → 818
	tid := h.MustReady(current, map[string]any{"total_amount": 10000, "tax_free_amount": 1000})
	wantAmount(t, h.order(current, tid), "amount", 10000, 1000, 818)
	// Half up: 6/11 = 0.545… → 1
	tid = h.MustReady(current, map[string]any{"total_amount": 6})
	wantAmount(t, h.order(current, tid), "amount", 6, 0, 1)
	// Nothing is cancellable before approval.
	wantAmount(t, h.order(current, tid), "cancel_available_amount", 0, 0, 0)
}

func TestSandbox_ReadyUniqueTIDs(t *testing.T) {
	h := MustHarness(t, Options{})
	seen := map[string]bool{}
	for range 50 {
		tid := h.MustReady(legacy, nil)
		if seen[tid] {
			t.Fatalf("tid %s issued twice", tid)
		}
		seen[tid] = true
	}
	if got := h.SB.Calls(opReady); got != 50 {
		t.Fatalf("Calls(ready) = %d, want 50", got)
	}
}
