package toss

import "github.com/paybridge/paybridge/internal/payment"

// Toss Payment statuses (docs/providers.md §4.4).
const (
	statusReady             = "READY"               // created; stays here until the buyer authenticates
	statusInProgress        = "IN_PROGRESS"         // authenticated; waits for confirm
	statusWaitingForDeposit = "WAITING_FOR_DEPOSIT" // virtual account issued, no deposit yet
	statusDone              = "DONE"                // approved
	statusCanceled          = "CANCELED"            // fully cancelled
	statusPartialCanceled   = "PARTIAL_CANCELED"    // partly cancelled
	statusAborted           = "ABORTED"             // approval failed
	statusExpired           = "EXPIRED"             // not confirmed in time
)

// states folds Toss's statuses into what paybridge acts on.
//
// Every status before approval is pending, IN_PROGRESS included: the buyer
// authenticated, but only confirm charges, and confirm (or the expiry) ends
// it. EXPIRED is failed rather than quit because Toss, not the buyer, ended
// the payment.
var states = map[string]payment.ProviderState{
	statusReady:             payment.ProviderPending,
	statusInProgress:        payment.ProviderPending,
	statusWaitingForDeposit: payment.ProviderPending,
	statusDone:              payment.ProviderPaid,
	statusPartialCanceled:   payment.ProviderPartiallyCanceled,
	statusCanceled:          payment.ProviderCanceled,
	statusAborted:           payment.ProviderFailed,
	statusExpired:           payment.ProviderFailed,
}

// stateOf maps a Toss status. A status this adapter does not know is
// ProviderUnknown, never a guess: Toss adds enum values without a new API
// version (§4.1), and the service must not settle a payment on a status
// nobody has read the meaning of. RawStatus keeps the string.
func stateOf(status string) payment.ProviderState {
	if s, ok := states[status]; ok {
		return s
	}
	return payment.ProviderUnknown
}

// approved reports whether a payment in status was ever confirmed: only
// then does its balance mean money that can be refunded.
func approved(status string) bool {
	return status == statusDone || status == statusPartialCanceled || status == statusCanceled
}
