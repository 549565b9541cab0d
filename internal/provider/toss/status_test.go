package toss

import (
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
)

func TestStateOf(t *testing.T) {
	for status, want := range map[string]payment.ProviderState{
		"READY":               payment.ProviderPending,
		"IN_PROGRESS":         payment.ProviderPending,
		"WAITING_FOR_DEPOSIT": payment.ProviderPending,
		"DONE":                payment.ProviderPaid,
		"PARTIAL_CANCELED":    payment.ProviderPartiallyCanceled,
		"CANCELED":            payment.ProviderCanceled,
		"ABORTED":             payment.ProviderFailed,
		"EXPIRED":             payment.ProviderFailed,
		"REFUNDED":            payment.ProviderUnknown, // not a Toss status: never guessed
		"done":                payment.ProviderUnknown,
		"":                    payment.ProviderUnknown,
	} {
		if got := states.Of(status); got != want {
			t.Errorf("states.Of(%q) = %s, want %s", status, got, want)
		}
	}
}
