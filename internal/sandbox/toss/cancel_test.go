package toss

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// cancelBody is a cancel request; a negative amount leaves cancelAmount out.
func cancelBody(amount, taxFree, refundable int64) map[string]any {
	b := map[string]any{"cancelReason": "고객 변심", "taxFreeAmount": taxFree, "refundableAmount": refundable}
	if amount >= 0 {
		b["cancelAmount"] = amount
	}
	return b
}

func TestSandbox_Cancel(t *testing.T) {
	t.Run("PartialThenRest", func(t *testing.T) {
		h := MustHarness(t, Options{})
		_, key := h.MustPaid(10000, url.Values{"taxFreeAmount": {"1000"}})
		path := "/v1/payments/" + key + "/cancel"

		h.Clock.Advance(time.Hour)
		p := h.mustOK(http.MethodPost, path, cancelBody(3000, 0, 10000))
		if p.Str(t, "status") != statusPartialCanceled || p.Int(t, "totalAmount") != 10000 ||
			p.Int(t, "balanceAmount") != 7000 || p.Int(t, "taxFreeAmount") != 1000 ||
			p.Int(t, "vat") != 545 || p.Int(t, "suppliedAmount") != 5455 {
			t.Fatalf("after partial cancel: %v", p)
		}
		c := "cancels.0."
		if p.Int(t, c+"cancelAmount") != 3000 || p.Int(t, c+"taxFreeAmount") != 0 || p.Int(t, c+"refundableAmount") != 7000 ||
			p.Str(t, c+"cancelReason") != "고객 변심" || p.Str(t, c+"cancelStatus") != "DONE" ||
			p.Str(t, c+"canceledAt") != "2025-03-01T11:02:03+09:00" || !txKeyPattern.MatchString(p.Str(t, c+"transactionKey")) ||
			p.Str(t, "lastTransactionKey") != p.Str(t, c+"transactionKey") {
			t.Fatalf("cancels[0] = %v", p)
		}

		p = h.mustOK(http.MethodPost, path, cancelBody(7000, 1000, 7000))
		if p.Str(t, "status") != statusCanceled || p.Int(t, "balanceAmount") != 0 || p.Int(t, "taxFreeAmount") != 0 ||
			p.Int(t, "vat") != 0 || p.Int(t, "cancels.1.cancelAmount") != 7000 || p.Str(t, "card.acquireStatus") != "CANCELED" ||
			p.Str(t, "lastTransactionKey") != p.Str(t, "cancels.1.transactionKey") {
			t.Fatalf("after the final cancel: %v", p)
		}
		status, o := h.call(http.MethodPost, path, cancelBody(1, 0, 0))
		wantError(t, status, o, http.StatusBadRequest, "ALREADY_CANCELED_PAYMENT")
		if h.SB.CallsFor(opCancel, key) != 3 {
			t.Errorf("CallsFor(cancel) = %d, want 3", h.SB.CallsFor(opCancel, key))
		}
	})

	t.Run("FullWithoutAmount", func(t *testing.T) {
		h := MustHarness(t, Options{})
		_, key := h.MustPaid(11000, url.Values{"taxFreeAmount": {"1000"}})
		p := h.mustOK(http.MethodPost, "/v1/payments/"+key+"/cancel", map[string]any{"cancelReason": "전액 취소"})
		if p.Str(t, "status") != statusCanceled || p.Int(t, "cancels.0.cancelAmount") != 11000 || p.Int(t, "cancels.0.taxFreeAmount") != 1000 {
			t.Fatalf("full cancel = %v", p)
		}
	})

	t.Run("Refusals", func(t *testing.T) {
		h := MustHarness(t, Options{})
		_, key := h.MustPaid(10000, url.Values{"taxFreeAmount": {"1000"}})
		path := "/v1/payments/" + key + "/cancel"
		for _, tt := range []struct {
			name   string
			body   map[string]any
			status int
			code   string
		}{
			{"NoReason", map[string]any{"cancelAmount": 1000}, 400, "INVALID_REQUEST"},
			{"ZeroAmount", cancelBody(0, 0, 10000), 400, "INVALID_REQUEST"},
			// The double-refund guard: paybridge believes more (or less) is
			// left than Toss does.
			{"StaleRefundable", cancelBody(3000, 0, 13000), 403, "NOT_CANCELABLE_AMOUNT"},
			{"LowRefundable", cancelBody(3000, 0, 7000), 403, "NOT_CANCELABLE_AMOUNT"},
			{"OverCancel", cancelBody(10001, 0, 10000), 403, "NOT_CANCELABLE_AMOUNT"},
			{"TaxFreeOverAmount", cancelBody(500, 600, 10000), 403, "NOT_CANCELABLE_AMOUNT"},
			{"TaxFreeOverBalance", cancelBody(2000, 1500, 10000), 403, "NOT_CANCELABLE_AMOUNT"},
			{"LeavesTaxFreeUncovered", cancelBody(9500, 0, 10000), 403, "NOT_CANCELABLE_AMOUNT"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				status, o := h.call(http.MethodPost, path, tt.body)
				wantError(t, status, o, tt.status, tt.code)
			})
		}
		// Nothing changed.
		p := h.get(key)
		if p.Str(t, "status") != statusDone || p.Int(t, "balanceAmount") != 10000 || !p.IsNull("cancels") {
			t.Fatalf("after refused cancels: %v", p)
		}
	})

	t.Run("NotConfirmed", func(t *testing.T) {
		h := MustHarness(t, Options{})
		_, key := h.MustAuthenticate(5000, nil)
		status, o := h.call(http.MethodPost, "/v1/payments/"+key+"/cancel", cancelBody(5000, 0, 5000))
		wantError(t, status, o, http.StatusForbidden, "NOT_CANCELABLE_PAYMENT")
		status, o = h.call(http.MethodPost, "/v1/payments/tgen_unknown/cancel", cancelBody(5000, 0, 5000))
		wantError(t, status, o, http.StatusNotFound, "NOT_FOUND_PAYMENT")
	})
}

func TestSandbox_Lookup(t *testing.T) {
	h := MustHarness(t, Options{})
	orderID, key := h.MustPaid(8000, nil)
	byKey := h.get(key)
	byOrder := h.mustOK(http.MethodGet, "/v1/payments/orders/"+orderID, nil)
	if byKey.Str(t, "paymentKey") != key || byOrder.Str(t, "paymentKey") != key || byOrder.Str(t, "status") != statusDone {
		t.Fatalf("lookups: %v / %v", byKey, byOrder)
	}
	h.mustOK(http.MethodPost, "/v1/payments/"+key+"/cancel", cancelBody(-1, 0, 8000))
	if got := h.mustOK(http.MethodGet, "/v1/payments/orders/"+orderID, nil).Str(t, "status"); got != statusCanceled {
		t.Errorf("a cancelled payment is still found by orderId, status %s", got)
	}
	for _, path := range []string{"/v1/payments/tgen_nope", "/v1/payments/orders/pay_never_paid"} {
		status, o := h.call(http.MethodGet, path, nil)
		wantError(t, status, o, http.StatusNotFound, "NOT_FOUND_PAYMENT")
	}
	if h.SB.CallsFor(opGet, key) != 1 || h.SB.CallsFor(opGet, orderID) != 2 || h.SB.Calls(opGet) != 5 {
		t.Errorf("get counts: key %d, order %d, all %d", h.SB.CallsFor(opGet, key), h.SB.CallsFor(opGet, orderID), h.SB.Calls(opGet))
	}
}
