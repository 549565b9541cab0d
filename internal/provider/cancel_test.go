package provider

import (
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
)

// TestCheckCancel: the refunds every adapter refuses before sending, and
// the edges it lets through.
func TestCheckCancel(t *testing.T) {
	for _, tt := range []struct {
		name string
		req  payment.CancelRequest
		ok   bool
	}{
		{"Full", payment.CancelRequest{Amount: 1000, Cancelable: 1000}, true},
		{"PartWithTaxFree", payment.CancelRequest{Amount: 1000, TaxFreeAmount: 1000, Cancelable: 5000}, true},
		{"ZeroAmount", payment.CancelRequest{Amount: 0, Cancelable: 1000}, false},
		{"NegativeAmount", payment.CancelRequest{Amount: -1, Cancelable: 1000}, false},
		{"NegativeTaxFree", payment.CancelRequest{Amount: 1000, TaxFreeAmount: -1, Cancelable: 1000}, false},
		{"TaxFreeOverAmount", payment.CancelRequest{Amount: 1000, TaxFreeAmount: 1001, Cancelable: 5000}, false},
		{"OverCancelable", payment.CancelRequest{Amount: 1001, Cancelable: 1000}, false},
	} {
		err := CheckCancel("Demo", tt.req)
		if (err == nil) != tt.ok || err != nil && payment.ErrorCode(err) != payment.EINVALID {
			t.Errorf("%s: err = %v, want ok=%v or EINVALID", tt.name, err, tt.ok)
		}
	}
}

// Ensure a refund answer that is not the refund asked for is an unknown
// outcome (EUPSTREAM: the service settles it by lookup, never books it),
// keeps the provider's side of it, and carries why as its detail, cut to
// the length provider texts are kept at.
func TestCancelNotShown(t *testing.T) {
	pe := &payment.ProviderError{Provider: "kakaopay", HTTPStatus: 200, Message: "cancel answer does not match the refund"}
	err := CancelNotShown("KakaoPay", pe, "refunded 400, not 1000"+strings.Repeat("x", MaxProviderText))
	if payment.ErrorCode(err) != payment.EUPSTREAM {
		t.Fatalf("code = %s, want EUPSTREAM: %v", payment.ErrorCode(err), err)
	}
	got := payment.AsProviderError(err)
	if got != pe || !strings.HasPrefix(got.Detail, "refunded 400, not 1000") || len(got.Detail) > MaxProviderText+len("…") {
		t.Fatalf("provider error = %+v", got)
	}
	if !strings.Contains(err.Error(), "KakaoPay") {
		t.Fatalf("message names no provider: %v", err)
	}
}
