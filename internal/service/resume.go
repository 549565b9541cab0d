// resume.go: a merchant request retried under its Idempotency-Key after
// the process died mid-way: the create (create.go) or refund (refund.go)
// it recorded is finished from the database, never started twice.

package service

import (
	"context"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// One Idempotency-Key, one effect, across crashes. A merchant request with
// an Idempotency-Key records what it creates (the payment, the
// cancellation) under the key in the transaction that creates it. When the
// process dies before the response is stored, a retry with the same key
// takes the key over once its lock runs out and lands here with the id of
// what was created: it finishes that work, by looking at the database and,
// for a refund whose outcome is unknown, at the provider, and answers with
// its result. It never calls the provider's prepare or cancel again.

// LongestRequest bounds how long one merchant API request can run: the
// provider calls it makes one after the other (a refund: the cancel, then a
// lookup when its outcome is unknown), each bounded by ProviderTimeout. An
// Idempotency-Key's lock is derived from it.
func (s *Service) LongestRequest() time.Duration { return 2 * s.cfg.ProviderTimeout }

// resumeCreate answers a create whose earlier run wrote payment id and died.
func (s *Service) resumeCreate(ctx context.Context, merchantID, id string) (*payment.Payment, error) {
	p, err := s.FindPayment(ctx, merchantID, id)
	if err != nil {
		return nil, err
	}
	if p.Status == payment.StatusCreated {
		// It died while the provider's prepare was in flight: whether the
		// provider accepted it is unknown, and no buyer was ever sent to
		// it. Close it as the sweep would (releasing the order id), rather
		// than prepare a second time.
		np, err := s.store.TransitionPayment(ctx, p.ID, payment.StatusCreated, payment.StatusFailed, payment.Update{
			FailureCode: ptr("prepare_interrupted"), FailureMessage: ptr("paybridge stopped before the provider answered"),
			ReleaseOrderID: true,
		}, payment.Event{Reason: "prepare_interrupted", Message: "closed by a retry of the request that created it"})
		if err != nil && payment.ErrorCode(err) != payment.ECONFLICT {
			return nil, err
		}
		if np == nil {
			return nil, err
		}
		p = np // failed now, or ready if the prepare finished after all (a slow request, not a dead one)
	}
	if p.Status == payment.StatusFailed {
		switch p.FailureCode {
		case "prepare_interrupted":
			return nil, payment.Errorf(payment.EUPSTREAM,
				"paybridge stopped before %s answered; payment %s was closed and its order_id released: create it again with a new Idempotency-Key",
				p.Provider, p.ID)
		case "provider_error":
			// The provider refused the prepare: that was the answer.
			return nil, payment.Errorf(payment.EUPSTREAM, "%s", p.FailureMessage)
		}
	}
	return p, nil
}

// resumeRefund answers a refund whose earlier run wrote cancellation id and
// died. A pending cancellation is settled by looking the payment up at the
// provider (the cancel may or may not have reached it); the sweep settles
// it later if the lookup cannot tell yet.
func (s *Service) resumeRefund(ctx context.Context, p *payment.Payment, id string) (*payment.Payment, *payment.Cancellation, error) {
	cs, err := s.store.FindCancellations(ctx, p.ID)
	if err != nil {
		return nil, nil, err
	}
	var c *payment.Cancellation
	for _, x := range cs {
		if x.ID == id {
			c = x
		}
	}
	if c == nil {
		return nil, nil, payment.Errorf(payment.EINTERNAL, "cancellation %s recorded under the Idempotency-Key is not on payment %s", id, p.ID)
	}
	switch c.Status {
	case payment.CancellationPending:
		np, nc, err := s.settleCancellation(ctx, c, false)
		if err != nil {
			return nil, nil, err
		}
		return np, nc, nil
	case payment.CancellationFailed:
		return nil, nil, payment.Errorf(payment.EDECLINED, "the refund was refused: %s", c.FailureMessage)
	}
	return p, c, nil
}
