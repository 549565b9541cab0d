package toss

import "net/http"

// confirmLocked is POST /v1/payments/confirm. Only an IN_PROGRESS payment
// is confirmed, and only with the orderId and amount the buyer
// authenticated in the window, within the confirm window. A refused confirm
// changes nothing (a decline fault aside), so a client may correct a
// mistake and try again.
func (s *Sandbox) confirmLocked(r *http.Request, in fields, decline *Fault) answer {
	key := in.str("paymentKey", true, 200)
	orderID := in.str("orderId", true, 64)
	amount, _ := in.num("amount", true, 1)
	if in.err != nil {
		return failed(in.err)
	}
	if !orderIDPattern.MatchString(orderID) {
		return failed(errInvalid("orderId must be 6-64 of A-Z a-z 0-9 _ -"))
	}
	p := s.payments[key]
	if p == nil {
		return failed(errNotFoundPayment())
	}
	s.expireIfDue(p)
	switch {
	case p.approved(), p.status == statusAborted:
		// A refreshed success page lands here (§4.6).
		return failed(errAlreadyProcessed())
	case p.status == statusExpired:
		return failed(errSessionExpired("not confirmed within the confirm window"))
	case orderID != p.orderID:
		// Toss answers a confirm whose orderId differs from the window's
		// as an unknown session (§5 item 22).
		return failed(errSessionExpired("orderId differs from the one the buyer authenticated"))
	case amount != p.amount:
		return failed(errAmountMismatch(amount, p.amount))
	case s.approvedForOrderLocked(orderID) != nil:
		// The buyer authenticated twice and the other one was confirmed:
		// an order is paid once.
		return failed(errDuplicatedOrder())
	}
	if decline != nil {
		e := declineAnswer(*decline)
		p.status = statusAborted
		p.failure = &failure{Code: e.Code, Message: e.Message}
		s.log.Info("toss sandbox: confirm declined", "payment_key", key, "order_id", orderID, "code", e.Code)
		return failed(e)
	}

	p.status = statusDone
	p.approvedAt = s.now()
	p.lastTxKey = s.newTransactionKeyLocked()
	p.approveNo = randomDigits(8)
	p.balance, p.taxFreeBalance = p.amount, p.taxFree
	s.log.Info("toss sandbox: confirmed", "payment_key", key, "order_id", orderID, "amount", p.amount)
	return answer{http.StatusOK, s.render(p, s.baseURL(r))}
}
