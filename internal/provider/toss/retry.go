package toss

import (
	"net/http"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
)

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
