package portone

import (
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
)

func TestStateOf(t *testing.T) {
	for status, want := range map[string]payment.ProviderState{
		"READY":                  payment.ProviderPending,
		"PAY_PENDING":            payment.ProviderPending,
		"PENDING":                payment.ProviderPending, // the filter enum's name (§5.16)
		"VIRTUAL_ACCOUNT_ISSUED": payment.ProviderPending,
		"PAID":                   payment.ProviderPaid,
		"PARTIAL_CANCELLED":      payment.ProviderPartiallyCanceled,
		"CANCELLED":              payment.ProviderCanceled,
		"FAILED":                 payment.ProviderFailed,
		"CANCEL_PENDING":         payment.ProviderUnknown,
		"paid":                   payment.ProviderUnknown,
		"":                       payment.ProviderUnknown,
	} {
		if got := states.Of(status); got != want {
			t.Errorf("states.Of(%q) = %s, want %s", status, got, want)
		}
	}
}

func TestMethodTypeOf(t *testing.T) {
	for in, want := range map[string]string{
		"PaymentMethodCard":             "CARD",
		"PaymentMethodEasyPay":          "EASY_PAY",
		"PaymentMethodVirtualAccount":   "VIRTUAL_ACCOUNT",
		"PaymentMethodGiftCertificate":  "GIFT_CERTIFICATE",
		"PaymentMethodConvenienceStore": "CONVENIENCE_STORE",
		"PaymentMethodTransfer":         "TRANSFER",
		"PaymentMethod":                 "PaymentMethod",
		"CARD":                          "CARD",
		"":                              "",
	} {
		if got := methodTypeOf(in); got != want {
			t.Errorf("methodTypeOf(%q) = %q, want %q", in, got, want)
		}
	}
}
