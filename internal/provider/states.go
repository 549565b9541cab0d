package provider

import "github.com/paybridge/paybridge/internal/payment"

// States folds a provider's statuses into what paybridge acts on; each
// adapter lists its own.
type States map[string]payment.ProviderState

// Of maps status. A status the adapter does not know is ProviderUnknown,
// never a guess: providers add statuses without a new API version, and the
// service must not settle a payment on a status nobody has read the meaning
// of. The adapter keeps the string in RawStatus for the operator.
func (s States) Of(status string) payment.ProviderState {
	if st, ok := s[status]; ok {
		return st
	}
	return payment.ProviderUnknown
}
