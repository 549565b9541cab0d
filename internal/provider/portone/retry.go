package portone

import (
	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
)

// retryable is the base rule, plus a 2xx whose body could not be read
// (status, id or amount missing): reading a missing total as 0 would look
// like an amount mismatch and could refund a good payment.
func retryable(err error) bool {
	if provider.Transient(err) {
		return true
	}
	pe := payment.AsProviderError(err)
	return payment.ErrorCode(err) == payment.EUPSTREAM && pe != nil && pe.HTTPStatus >= 200 && pe.HTTPStatus <= 299
}
