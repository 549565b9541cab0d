package testutil

import (
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
)

// AssertProviderCode checks a call the provider refused: err is of code
// (payment.EINVALID…) and carries the provider's own code, so the refusal
// is the provider's answer and not one paybridge made up.
func AssertProviderCode(t testing.TB, err error, code, providerCode string) {
	t.Helper()
	AssertCode(t, err, code)
	if pe := payment.AsProviderError(err); pe == nil || pe.Code != providerCode {
		t.Errorf("err = %v, want the provider's code %s", err, providerCode)
	}
}
