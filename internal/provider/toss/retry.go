package toss

import (
	"context"
	"net/http"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
)

// lookupWithRetry runs call, a lookup, through provider.RetryLookup: repeated
// after a short jittered pause while retryable says another try may help.
// Only lookups come here; nothing that moves money is ever repeated.
func (c *Client) lookupWithRetry(ctx context.Context, paymentID string, call func() error) error {
	return provider.RetryLookup(ctx, provider.Lookup{Backoff: c.lookupBackoff, Retryable: retryable, Log: c.log,
		Provider: payment.ProviderToss, Op: opGet, PaymentID: paymentID}, call)
}

// codeConsecutive is Toss's "too many requests in a row" refusal.
const codeConsecutive = "FORBIDDEN_CONSECUTIVE_REQUEST"

// retryable is the base rule, plus Toss's throttling answers (429 and
// FORBIDDEN_CONSECUTIVE_REQUEST): a lookup asked again a little later works.
func retryable(err error) bool {
	if provider.Transient(err) {
		return true
	}
	pe := payment.AsProviderError(err)
	return payment.ErrorCode(err) == payment.EUPSTREAM && pe != nil &&
		(pe.HTTPStatus == http.StatusTooManyRequests || pe.Code == codeConsecutive)
}
