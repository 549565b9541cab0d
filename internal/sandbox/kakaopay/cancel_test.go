package kakaopay

import (
	"net/http"
	"strings"
	"testing"
)

func cancelBody(tid string, amt int64, over map[string]any) map[string]any {
	return withOver(map[string]any{"cid": "TC0ONETIME", "tid": tid, "cancel_amount": amt, "cancel_tax_free_amount": 0}, over)
}

func TestSandbox_Cancel(t *testing.T) {
	t.Run("ErrAvailableAmountMismatch", func(t *testing.T) {
		h := MustHarness(t, Options{})
		tid := h.MustPaid(legacy, nil)
		h.mustOK(legacy, opCancel, cancelBody(tid, 1000, nil))
		// A retry of the first cancel still thinks 11000 is left.
		status, m := h.call(legacy, opCancel, cancelBody(tid, 1000, map[string]any{"cancel_available_amount": 11000}))
		wantError(t, legacy, http.StatusBadRequest, m, status, -2)
		if !strings.Contains(m.Str(t, "msg"), "cancel_available_amount") {
			t.Errorf("message %q does not name cancel_available_amount", m.Str(t, "msg"))
		}
		o := h.order(legacy, tid)
		if o.Str(t, "status") != statusPartCancel || o.Int(t, "canceled_amount.total") != 1000 ||
			len(o["payment_action_details"].([]any)) != 2 {
			t.Fatalf("the refused cancel changed the payment: %v", o)
		}
	})
	t.Run("ErrRefused", func(t *testing.T) {
		h := MustHarness(t, Options{})
		tid := h.MustPaid(current, nil)
		unpaid := h.MustReady(current, nil)
		for name, body := range map[string]map[string]any{
			"over the remainder":       cancelBody(tid, 11001, nil),
			"tax-free over the amount": cancelBody(tid, 100, map[string]any{"cancel_tax_free_amount": 200}),
			"vat over the amount":      cancelBody(tid, 100, map[string]any{"cancel_vat_amount": 101}),
			"tax-free amount missing":  cancelBody(tid, 100, map[string]any{"cancel_tax_free_amount": nil}),
			"zero amount":              cancelBody(tid, 0, nil),
			"not paid":                 cancelBody(unpaid, 100, nil),
		} {
			status, m := h.call(current, opCancel, body)
			if status != http.StatusBadRequest || m.Int(t, "error_code") != -2 {
				t.Errorf("%s: status %d body %v; want 400 -2", name, status, m)
			}
		}
		if got := h.order(current, tid).Int(t, "canceled_amount.total"); got != 0 {
			t.Fatalf("refused cancels cancelled %d", got)
		}
	})
	t.Run("ErrAfterFullCancel", func(t *testing.T) {
		h := MustHarness(t, Options{})
		tid := h.MustPaid(current, nil)
		h.mustOK(current, opCancel, cancelBody(tid, 11000, nil))
		status, m := h.call(current, opCancel, cancelBody(tid, 1, nil))
		wantError(t, current, http.StatusBadRequest, m, status, -2)
	})
	t.Run("TaxFreeAndExplicitVAT", func(t *testing.T) {
		h := MustHarness(t, Options{})
		tid := h.MustPaid(current, map[string]any{"tax_free_amount": 1000, "vat_amount": 900})
		c := h.mustOK(current, opCancel, cancelBody(tid, 2000, map[string]any{"cancel_tax_free_amount": 500, "cancel_vat_amount": 100}))
		wantAmount(t, c, "approved_cancel_amount", 2000, 500, 100)
		wantAmount(t, c, "cancel_available_amount", 9000, 500, 800)
	})
	t.Run("GreenDepositOnlyFull", func(t *testing.T) {
		h := MustHarness(t, Options{})
		tid := h.MustPaid(current, map[string]any{"green_deposit": 1000})
		status, m := h.call(current, opCancel, cancelBody(tid, 5000, nil))
		wantError(t, current, http.StatusBadRequest, m, status, -2)
		c := h.mustOK(current, opCancel, cancelBody(tid, 11000, nil))
		if c.Int(t, "approved_cancel_amount.green_deposit") != 1000 || c.Str(t, "status") != statusCancel {
			t.Fatalf("full cancel: %v", c)
		}
	})
}
