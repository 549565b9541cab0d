package provider

import "github.com/paybridge/paybridge/internal/payment"

// CheckCancel refuses, before anything is sent, a refund no provider
// should see: an amount that is not positive (PortOne and Toss read a zero
// or missing amount as "refund everything", so a zero is a bug upstream,
// never a full refund), a tax-free part outside 0 to the amount, or more
// than the cancelable balance. label names the provider in the message.
// PortOne V1 and Toss apply it; PortOne V2 refuses only a non-positive
// amount itself and leaves the balance guard to PortOne, whose refusal its
// tests rely on.
func CheckCancel(label string, req payment.CancelRequest) error {
	switch {
	case req.Amount <= 0:
		return payment.Errorf(payment.EINVALID, "a %s refund needs a positive amount", label)
	case req.TaxFreeAmount < 0 || req.TaxFreeAmount > req.Amount:
		return payment.Errorf(payment.EINVALID, "the tax-free part %d of a refund must be between 0 and its amount %d", req.TaxFreeAmount, req.Amount)
	case req.Cancelable < req.Amount:
		return payment.Errorf(payment.EINVALID, "the refund amount %d exceeds the cancelable balance %d", req.Amount, req.Cancelable)
	}
	return nil
}

// CancelNotShown is the error of a refund whose success answer is not the
// refund asked for (another payment, another amount; why says how): the
// provider refunded something, but what is unknown until the payment is
// looked up, so it is EUPSTREAM and the service settles the refund from a
// lookup of the refunded total, never from this answer. pe is the
// provider's side of it (its name, status and code); why becomes its
// Detail. label names the provider in the message.
func CancelNotShown(label string, pe *payment.ProviderError, why string) error {
	pe.Detail = Truncate(why, MaxProviderText)
	return payment.Wrap(payment.EUPSTREAM, pe,
		"%s's answer to the refund does not match it; the outcome is settled by looking the payment up", label)
}
