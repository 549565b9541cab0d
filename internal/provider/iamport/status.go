package iamport

import "github.com/paybridge/paybridge/internal/payment"

// PortOne V1 payment statuses (PaymentAnnotation.status; docs/providers.md §2.3).
const (
	statusReady     = "ready"     // not paid (window opened; or virtual account issued)
	statusPaid      = "paid"      // paid, possibly partly refunded
	statusCancelled = "cancelled" // fully refunded
	statusFailed    = "failed"    // the payment failed, or the buyer gave up in the window
)

// rawNotFound is the RawStatus of a payment PortOne does not know (yet).
const rawNotFound = "NOT_FOUND"

// stateOf folds a V1 status into what paybridge acts on. V1 has no
// partial-refund status: a partly refunded payment stays "paid" with
// cancel_amount > 0 (§2.3), so the amount decides. A status this adapter
// does not know is ProviderUnknown, never a guess; RawStatus keeps it.
func stateOf(status string, cancelAmount int64) payment.ProviderState {
	switch status {
	case statusReady:
		return payment.ProviderPending
	case statusPaid:
		if cancelAmount > 0 {
			return payment.ProviderPartiallyCanceled
		}
		return payment.ProviderPaid
	case statusCancelled:
		return payment.ProviderCanceled
	case statusFailed:
		return payment.ProviderFailed
	default:
		return payment.ProviderUnknown
	}
}
