package portone

import "net/http"

// getPayment answers GET /payments/{paymentId} with the Payment union member
// of its status. A paymentId that is not a payment yet (unknown, or only
// pre-registered) is 404 PAYMENT_NOT_FOUND, as is one of another store.
//
// With Options.AsyncCancel, this is also where REQUESTED cancellations
// complete: the GET that follows a refund sees it done.
func (s *Sandbox) getPayment(r *http.Request, id string, _ *Fault) (any, []event, *apiError) {
	requested := r.URL.Query().Get("storeId")
	if _, ok := s.storeFor(requested); !ok {
		return nil, nil, errForbiddenStore()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.payments[id]
	if p == nil || !p.exists() || (requested != "" && requested != p.storeID) {
		return nil, nil, errPaymentNotFound()
	}
	events := s.completeCancellationsLocked(p)
	return p.render(), events, nil
}

// completeCancellationsLocked turns p's REQUESTED cancellations into
// SUCCEEDED ones and returns the webhooks that announce it.
func (s *Sandbox) completeCancellationsLocked(p *payment) []event {
	var events []event
	now := s.now()
	for _, c := range p.cancellations {
		if c.status != cancelRequested {
			continue
		}
		c.status = cancelSucceeded
		c.cancelledAt = now
		p.settleCancellations(now)
		s.log.Info("portone sandbox: requested cancellation completed", "payment_id", p.id, "cancellation_id", c.id)
		if !c.skipWebhook {
			events = append(events, s.eventLocked(p, cancelEventType(p), c.id))
		}
	}
	return events
}

// cancelEventType is the webhook type for p's status after a refund.
func cancelEventType(p *payment) string {
	if p.status == statusCancelled {
		return eventCancelled
	}
	return eventPartialCancelled
}
