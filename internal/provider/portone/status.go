package portone

import (
	"strings"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
)

// PortOne V2 payment statuses (docs/providers.md §3.2). The Payment object says
// PAY_PENDING; the search filter's PaymentStatus enum says PENDING for the
// same thing (§5.16), so both are read.
const (
	statusReady                = "READY"
	statusPayPending           = "PAY_PENDING"
	statusPending              = "PENDING"
	statusVirtualAccountIssued = "VIRTUAL_ACCOUNT_ISSUED"
	statusPaid                 = "PAID"
	statusFailed               = "FAILED"
	statusPartialCancelled     = "PARTIAL_CANCELLED"
	statusCancelled            = "CANCELLED"
)

// rawNotFound is RawStatus of a payment PortOne does not know (yet).
const rawNotFound = "NOT_FOUND"

// states folds PortOne's statuses into what paybridge acts on. A virtual
// account that was issued but not yet deposited is pending: the buyer may
// still pay. New union members appear without notice (§5.16); they read as
// unknown (provider.States.Of).
var states = provider.States{
	statusReady:                payment.ProviderPending,
	statusPayPending:           payment.ProviderPending,
	statusPending:              payment.ProviderPending,
	statusVirtualAccountIssued: payment.ProviderPending,
	statusPaid:                 payment.ProviderPaid,
	statusPartialCancelled:     payment.ProviderPartiallyCanceled,
	statusCancelled:            payment.ProviderCanceled,
	statusFailed:               payment.ProviderFailed,
}

// settled reports whether a status is one where money was taken, so that
// something can still be cancelable.
func settled(status string) bool {
	return status == statusPaid || status == statusPartialCancelled
}

// methodTypeOf turns the discriminator of the Payment's method union
// ("PaymentMethodCard", "PaymentMethodEasyPay", …) into the payMethod
// names of PortOne's browser SDK ("CARD", "EASY_PAY", …), which is how
// paybridge records a method. A value without the prefix is kept as is.
func methodTypeOf(t string) string {
	rest, ok := strings.CutPrefix(t, "PaymentMethod")
	if !ok || rest == "" {
		return t
	}
	var b strings.Builder
	for i, r := range rest {
		if i > 0 && r >= 'A' && r <= 'Z' {
			b.WriteByte('_')
		}
		b.WriteRune(r)
	}
	return strings.ToUpper(b.String())
}
