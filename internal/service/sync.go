// sync.go: provider webhooks. A delivery only names a payment (its body is
// never trusted for state): it is stored in the inbox, and Sync looks the
// payment up and applies what the provider reports (answer.go), settling
// an unknown outcome (settle.go) or refunding a closed payment charged late
// (closed.go). service.go lists the other flows.

package service

import (
	"context"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// ReceiveProviderWebhook durably records a provider webhook naming payment
// id, before the provider is answered: the inbox worker then runs Sync for
// it (a delivery for a payment whose entry still waits joins that entry).
// now is the wall clock, which the worker uses to tell what is due.
func (s *Service) ReceiveProviderWebhook(ctx context.Context, provider, id string, now time.Time) (*payment.ProviderWebhook, error) {
	return s.store.EnqueueProviderWebhook(ctx, provider, id, now)
}

// Sync brings a payment in line with the provider: a provider webhook (whose
// body is never trusted) triggers it. It looks the payment up by paybridge's
// own ids and applies what the provider reports, through the same
// compare-and-set transitions as everything else, so duplicate, concurrent
// and out-of-order webhooks, or a webhook racing the buyer's return, leave
// exactly one state change.
func (s *Service) Sync(ctx context.Context, id string) (*payment.Payment, error) {
	p, err := s.store.FindPaymentByID(ctx, id)
	if err != nil {
		return nil, err
	}
	switch p.Status {
	case payment.StatusApproving:
		return s.settle(ctx, p, false)
	case payment.StatusAborted, payment.StatusFailed, payment.StatusExpired:
		return s.refundLate(ctx, p)
	case payment.StatusReady, payment.StatusPaid, payment.StatusPartiallyCanceled:
	default:
		return p, nil // created or canceled: nothing a webhook can change
	}
	prov, res, err := s.lookup(ctx, p)
	if prov == nil {
		return nil, err
	}
	if err != nil {
		return p, err
	}
	if msg := notAbout(p, res); msg != "" {
		s.log.Warn("provider answer decides nothing for this payment; ignored", "payment_id", p.ID, "reason", msg)
		return p, nil
	}
	if p.Status != payment.StatusReady {
		// Paid: the only news can be a refund made outside paybridge.
		if res.State == payment.ProviderCanceled || res.State == payment.ProviderPartiallyCanceled {
			return s.recordExternalCancel(ctx, p, res)
		}
		return p, nil
	}
	switch res.State {
	case payment.ProviderPaid, payment.ProviderPartiallyCanceled, payment.ProviderCanceled:
		// The buyer paid in the provider's window but the browser never came
		// back (PortOne's webhook arrives first, or instead). Claim the
		// payment as a return would, then apply the lookup's answer.
		np, err := s.store.TransitionPayment(ctx, p.ID, payment.StatusReady, payment.StatusApproving,
			payment.Update{}, payment.Event{Reason: "provider_webhook"})
		if payment.ErrorCode(err) == payment.ECONFLICT {
			return s.awaitApproval(ctx, np)
		}
		if err != nil {
			return nil, err
		}
		return s.applyResult(ctx, np, res, "settled_by_webhook")
	case payment.ProviderQuit:
		return s.transition(ctx, p, payment.StatusAborted, s.providerReason(res, payment.Return{}),
			"buyer_quit", "the provider reports "+res.RawStatus)
	case payment.ProviderFailed:
		if res.BuyerCanceled {
			return s.transition(ctx, p, payment.StatusAborted, s.providerReason(res, payment.Return{}),
				"buyer_quit", "the buyer cancelled; the provider reports "+res.RawStatus)
		}
		return s.failFromProvider(ctx, p, res, payment.Return{}, "provider_failed")
	}
	return p, nil
}
