package toss

import (
	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
)

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
// the payment. Toss adds enum values without a new API version (§4.1);
// they read as unknown (provider.States.Of).
var states = provider.States{
	statusReady:             payment.ProviderPending,
	statusInProgress:        payment.ProviderPending,
	statusWaitingForDeposit: payment.ProviderPending,
	statusDone:              payment.ProviderPaid,
	statusPartialCanceled:   payment.ProviderPartiallyCanceled,
	statusCanceled:          payment.ProviderCanceled,
	statusAborted:           payment.ProviderFailed,
	statusExpired:           payment.ProviderFailed,
}

// approved reports whether a payment in status was ever confirmed: only
// then does its balance mean money that can be refunded.
func approved(status string) bool {
	return status == statusDone || status == statusPartialCanceled || status == statusCanceled
}
