package portone

import (
	"context"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
)

// lookupWithRetry runs call, a lookup, through provider.RetryLookup: repeated
// after a short jittered pause while retryable says another try may help.
// Only lookups come here; nothing that moves money is ever repeated.
func (c *Client) lookupWithRetry(ctx context.Context, paymentID string, call func() error) error {
	return provider.RetryLookup(ctx, provider.Lookup{Backoff: c.lookupBackoff, Retryable: retryable, Log: c.log,
		Provider: payment.ProviderPortOne, Op: opGetPayment, PaymentID: paymentID}, call)
}

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
