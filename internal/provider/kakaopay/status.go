package kakaopay

import (
	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
)

// KakaoPay order statuses (docs/providers.md §1.6).
const (
	statusReady             = "READY"               // payment requested
	statusSendTMS           = "SEND_TMS"            // payment message sent to KakaoTalk
	statusOpenPayment       = "OPEN_PAYMENT"        // buyer opened the payment screen
	statusSelectMethod      = "SELECT_METHOD"       // method selected, authenticated
	statusARSWaiting        = "ARS_WAITING"         // ARS authentication in progress
	statusAuthPassword      = "AUTH_PASSWORD"       // password authentication done
	statusIssuedSID         = "ISSUED_SID"          // subscription SID issued
	statusSuccessPayment    = "SUCCESS_PAYMENT"     // paid
	statusPartCancelPayment = "PART_CANCEL_PAYMENT" // partially cancelled
	statusCancelPayment     = "CANCEL_PAYMENT"      // fully cancelled
	statusFailAuthPassword  = "FAIL_AUTH_PASSWORD"  // password authentication failed
	statusQuitPayment       = "QUIT_PAYMENT"        // buyer quit
	statusFailPayment       = "FAIL_PAYMENT"        // approval failed (or the tid expired)
)

// states folds KakaoPay's statuses into what paybridge acts on.
//
// Every status before approval is pending, authenticated ones included: the
// buyer may still finish, and only approve (or the tid's expiry) ends it.
// ISSUED_SID belongs to subscriptions, which this adapter does not make, so
// it is deliberately absent and reads as unknown.
var states = provider.States{
	statusReady:             payment.ProviderPending,
	statusSendTMS:           payment.ProviderPending,
	statusOpenPayment:       payment.ProviderPending,
	statusSelectMethod:      payment.ProviderPending,
	statusARSWaiting:        payment.ProviderPending,
	statusAuthPassword:      payment.ProviderPending,
	statusSuccessPayment:    payment.ProviderPaid,
	statusPartCancelPayment: payment.ProviderPartiallyCanceled,
	statusCancelPayment:     payment.ProviderCanceled,
	statusQuitPayment:       payment.ProviderQuit,
	statusFailAuthPassword:  payment.ProviderFailed,
	statusFailPayment:       payment.ProviderFailed,
}
