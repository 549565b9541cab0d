package toss

import "net/http"

// getLocked is GET /v1/payments/{paymentKey}: the payment in any status.
func (s *Sandbox) getLocked(r *http.Request, key string) answer {
	p := s.payments[key]
	if p == nil {
		return failed(errNotFoundPayment())
	}
	s.expireIfDue(p)
	return answer{http.StatusOK, s.render(p, s.baseURL(r))}
}

// getByOrderLocked is GET /v1/payments/orders/{orderId}: Toss's reference
// calls it the lookup of the approved payment by orderId, so a payment that
// was only authenticated (or expired, or declined) is 404 NOT_FOUND_PAYMENT
// here, while GET by paymentKey shows it.
func (s *Sandbox) getByOrderLocked(r *http.Request, orderID string) answer {
	for _, key := range s.byOrder[orderID] {
		s.expireIfDue(s.payments[key])
	}
	p := s.approvedForOrderLocked(orderID)
	if p == nil {
		return failed(errNotFoundPayment())
	}
	return answer{http.StatusOK, s.render(p, s.baseURL(r))}
}
