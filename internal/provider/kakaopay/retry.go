package kakaopay

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
		Provider: payment.ProviderKakaoPay, Op: opOrder, PaymentID: paymentID}, call)
}

// retryable is the base rule: no answer, or a KakaoPay 5xx.
func retryable(err error) bool { return provider.Transient(err) }
