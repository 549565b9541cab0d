package provider

import (
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
