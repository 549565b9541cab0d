package toss

import "net/http"

// cancelLocked is POST /v1/payments/{paymentKey}/cancel. cancelReason is
// required; a missing cancelAmount cancels the whole balance. When
// refundableAmount is sent it must equal the balance, the guard that keeps a
// retried or stale partial refund from refunding twice. A refused cancel
// changes nothing.
func (s *Sandbox) cancelLocked(r *http.Request, key string, in fields, decline *Fault) answer {
	reason := in.str("cancelReason", true, 200)
	amt, hasAmt := in.num("cancelAmount", false, 1)
	taxFree, hasTaxFree := in.num("taxFreeAmount", false, 0)
	refundable, hasRefundable := in.num("refundableAmount", false, 0)
	// currency and refundReceiveAccount concern PayPal and virtual
	// accounts; for the sandbox's card payments they are ignored.
	if in.err != nil {
		return failed(in.err)
	}
	p := s.payments[key]
	if p == nil {
		return failed(errNotFoundPayment())
	}
	s.expireIfDue(p)
	switch {
	case p.status == statusCanceled:
		return failed(errAlreadyCanceled())
	case !p.approved():
		return failed(errNotCancelablePayment(p.status))
	case hasRefundable && refundable != p.balance:
		return failed(errNotCancelableAmount("refundableAmount %d differs from the balance %d", refundable, p.balance))
	}
	if !hasAmt {
		amt = p.balance
		if !hasTaxFree {
			taxFree = p.taxFreeBalance
		}
	}
	switch {
	case amt > p.balance:
		return failed(errNotCancelableAmount("cancelAmount %d exceeds the balance %d", amt, p.balance))
	case taxFree > amt || taxFree > p.taxFreeBalance:
		return failed(errNotCancelableAmount("taxFreeAmount %d exceeds the cancel amount or the tax-free balance %d", taxFree, p.taxFreeBalance))
	case p.balance-amt < p.taxFreeBalance-taxFree:
		// What stays must still cover the tax-free part that stays.
		return failed(errNotCancelableAmount("the balance left (%d) would be less than its tax-free part (%d)", p.balance-amt, p.taxFreeBalance-taxFree))
	}
	if decline != nil {
		return failed(declineAnswer(*decline))
	}

	now := s.now()
	c := cancellation{
		amount: amt, taxFree: taxFree, refundable: p.balance - amt,
		reason: reason, at: now, transactionKey: s.newTransactionKeyLocked(),
	}
	p.cancels = append(p.cancels, c)
	p.balance -= amt
	p.taxFreeBalance -= taxFree
	p.lastTxKey = c.transactionKey
	p.status = statusPartialCanceled
	if p.balance == 0 {
		p.status = statusCanceled
	}
	s.log.Info("toss sandbox: canceled", "payment_key", key, "cancel_amount", amt, "balance", p.balance, "status", p.status)
	return answer{http.StatusOK, s.render(p, s.baseURL(r))}
}
