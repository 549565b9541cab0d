// refund.go: a shop refunds a paid payment (POST /v1/payments/{id}/cancel):
// checks, the pending cancellation that blocks any other, the provider's
// cancel, and a refund whose outcome is unknown or accepted for later,
// settled by lookup (settleCancellation, also run by the sweep). Money
// owed back on closed payments is in closed.go.

package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/paybridge/paybridge/internal/payment"
)

// RefundInput is a refund request. A nil Amount refunds everything that
// remains. A nil TaxFreeAmount takes the tax-free part from the remainder
// that is not tax-free first: the tax-free share refunded is the smallest
// that keeps the taxable remainder non-negative.
type RefundInput struct {
	Amount        *int64
	TaxFreeAmount *int64
	Reason        string
	// Idempotency is the request's hold on its Idempotency-Key (nil
	// without one): the cancellation is recorded under the key as it is
	// written, and a request resuming the key settles that cancellation.
	Idempotency *payment.IdempotencyClaim
}

// MaxReasonLen bounds a refund reason.
const MaxReasonLen = 200

// Refund refunds part or all of a paid payment. When the provider has not
// confirmed the refund yet, it returns the cancellation still pending and no
// error: the sweep settles it. Only one refund of a payment is in flight at
// a time (a pending cancellation row blocks others, and a refund that lost
// a race to another one gets ECONFLICT, never the provider's refusal), and
// the provider is told the cancelable amount as stored, so a stale or
// repeated request cannot refund twice.
func (s *Service) Refund(ctx context.Context, merchantID, id string, in RefundInput) (*payment.Payment, *payment.Cancellation, error) {
	p, err := s.FindPayment(ctx, merchantID, id)
	if err != nil {
		return nil, nil, err
	}
	if in.Idempotency.Resuming() {
		return s.resumeRefund(ctx, p, in.Idempotency.ResourceID)
	}
	if err := checkText("reason", in.Reason, MaxReasonLen); err != nil {
		return nil, nil, err
	}
	if !p.Status.Settled() || p.Status == payment.StatusCanceled {
		return nil, nil, payment.Errorf(payment.ECONFLICT, "a %s payment cannot be refunded", p.Status)
	}
	cancelable := p.CancelableAmount()
	amount := cancelable
	if in.Amount != nil {
		amount = *in.Amount
	}
	if amount < 1 {
		return nil, nil, payment.Errorf(payment.EINVALID, "amount must be at least 1 won")
	}
	if amount > cancelable {
		return nil, nil, payment.Errorf(payment.EINVALID, "amount %d exceeds the cancelable amount %d", amount, cancelable)
	}
	taxFreeLeft := p.CancelableTaxFreeAmount()
	taxFree := max(0, amount-(cancelable-taxFreeLeft))
	if in.TaxFreeAmount != nil {
		taxFree = *in.TaxFreeAmount
	}
	if taxFree < 0 || taxFree > amount || taxFree > taxFreeLeft || amount-taxFree > cancelable-taxFreeLeft {
		return nil, nil, payment.Errorf(payment.EINVALID, "tax_free_amount %d does not fit: %d of the %d cancelable won are tax-free",
			taxFree, taxFreeLeft, cancelable)
	}
	prov, err := s.provider(p.Provider)
	if err != nil {
		return nil, nil, err
	}
	c := &payment.Cancellation{
		ID: payment.NewID("can", s.Now()), PaymentID: p.ID, Amount: amount, TaxFreeAmount: taxFree, Reason: in.Reason,
		Idempotency: in.Idempotency,
	}
	if err := s.store.CreateCancellation(ctx, c, p.Status); err != nil {
		return nil, nil, err
	}
	log := s.log.With("payment_id", p.ID, "provider", p.Provider, "op", "cancel", "cancellation_id", c.ID)

	// The pending row now blocks every other refund, so the payment as
	// stored cannot change under us. If it changed between the first read
	// and the row (another refund completed), this request was decided on
	// a stale view: it is withdrawn with a conflict before the provider
	// hears of it.
	fresh, err := s.store.FindPaymentByID(ctx, p.ID)
	if err != nil {
		return nil, nil, err
	}
	if fresh.CanceledAmount != p.CanceledAmount || fresh.CanceledTaxFreeAmount != p.CanceledTaxFreeAmount || fresh.Status != p.Status {
		c.FailureCode, c.FailureMessage = "conflict", "another refund of this payment completed first"
		if _, err := s.store.CompleteCancellation(ctx, c, false, payment.Update{}, payment.Event{}); err != nil {
			return nil, nil, err
		}
		return nil, nil, payment.Errorf(payment.ECONFLICT, "another refund of this payment completed meanwhile; read it and try again")
	}
	p = fresh

	pctx, cancel := s.providerCtx(ctx)
	res, err := prov.Cancel(pctx, p, payment.CancelRequest{Amount: amount, TaxFreeAmount: taxFree, Cancelable: p.CancelableAmount(),
		Reason: in.Reason, IdempotencyKey: c.ID})
	cancel()
	if err != nil {
		if errors.Is(err, payment.ErrRefundAccepted) {
			// Accepted, carried out later (PortOne V2 REQUESTED): pending
			// until the provider reports it done or refused.
			log.Info("provider accepted the refund; it completes later", "error", err)
			c.AcceptedAt = s.Now()
			if err := s.store.AcceptCancellation(ctx, c); err != nil {
				return nil, nil, err
			}
			return s.settleCancellation(ctx, c, false) // it may be done already
		}
		if payment.ErrorCode(err) == payment.EUPSTREAM {
			log.Warn("refund outcome unknown; looking the payment up", "error", err)
			// A lost answer: the refund stays pending, and the sweep settles
			// it by lookup. The caller sees the pending cancellation.
			return s.settleCancellation(ctx, c, false)
		}
		log.Info("provider refused the refund", "error", err)
		c.FailureCode, c.FailureMessage = "provider_declined", payment.ErrorMessage(err)
		np, cerr := s.store.CompleteCancellation(ctx, c, false, payment.Update{}, payment.Event{})
		if cerr != nil {
			return nil, nil, cerr
		}
		return np, c, payment.Wrap(payment.ErrorCode(err), err, "%s", payment.ErrorMessage(err))
	}
	if msg := refundNotShown(p, res, p.CanceledAmount, amount); msg != "" {
		// A success that does not show this refund of this payment proves
		// nothing: the refund stays pending and is settled from a lookup.
		log.Warn("refund answer does not show this refund; looking the payment up", "reason", msg)
		return s.settleCancellation(ctx, c, false)
	}
	c.ProviderAID = res.ApprovalID
	np, err := s.completeRefund(ctx, c, res)
	if err != nil {
		return nil, nil, err
	}
	log.Info("payment refunded", "amount", amount, "status", np.Status)
	return np, c, nil
}

// refundNotShown says how res, the provider's success answer to a refund of
// amount on p, fails to show that refund, or "": it must be about p (its
// ids) and its refunded total, which every adapter reports cumulatively,
// must include the amount on top of what was refunded before (canceled).
// The answer of a cancel is checked like any other (rule 3): one about
// another payment, or one that shows nothing refunded, is not this refund.
func refundNotShown(p *payment.Payment, res *payment.ProviderPayment, canceled, amount int64) string {
	if res == nil {
		return "the provider answered without the payment"
	}
	if msg := identityMismatch(p, res); msg != "" {
		return msg
	}
	if res.CanceledAmount < canceled+amount {
		return fmt.Sprintf("provider reports %d refunded in all, expected at least %d", res.CanceledAmount, canceled+amount)
	}
	return ""
}

// completeRefund records a refund the provider confirmed; the store adds it
// to the refunded totals as stored.
func (s *Service) completeRefund(ctx context.Context, c *payment.Cancellation, res *payment.ProviderPayment) (*payment.Payment, error) {
	now := s.Now()
	upd := payment.Update{ProviderStatus: ptr(res.RawStatus), CanceledAt: &now, ProviderAnswer: s.answer(res)}
	return s.store.CompleteCancellation(ctx, c, true, upd, payment.Event{Reason: "refunded", Message: c.Reason})
}

// settleCancellation resolves a pending refund by looking the payment up and
// comparing the provider's cumulative refunded total with paybridge's:
//
//   - it includes this refund: it succeeded (and any excess is a refund
//     made outside paybridge, recorded as such);
//   - the provider holds a refund pending that covers it (accepted to
//     carry out later, whether or not the acceptance reached us): it stays
//     pending, recorded as accepted, however long that takes;
//   - the provider accepted it and holds nothing pending, without having
//     refunded it: the provider refused it;
//   - it does not include it: it did not happen, once old enough (final)
//     for any request in flight to have landed (before that it stays
//     pending); a difference the provider does show is an outside refund.
//
// So every pending refund settles, and none ever blocks later ones forever.
// A failure is announced (payment.updated) with it: the shop was answered
// that the refund is pending.
func (s *Service) settleCancellation(ctx context.Context, c *payment.Cancellation, final bool) (*payment.Payment, *payment.Cancellation, error) {
	p, err := s.store.FindPaymentByID(ctx, c.PaymentID)
	if err != nil {
		return nil, c, err
	}
	prov, res, err := s.lookup(ctx, p)
	if prov == nil {
		return p, c, err
	}
	if err != nil {
		return p, c, nil
	}
	if msg := identityMismatch(p, res); msg != "" {
		s.log.Warn("provider answer is about another payment; refund left pending", "payment_id", p.ID, "reason", msg)
		return p, c, nil
	}
	accepted := !c.AcceptedAt.IsZero()
	switch {
	case res.CanceledAmount >= p.CanceledAmount+c.Amount:
		np, err := s.completeRefund(ctx, c, res)
		if err != nil {
			return p, c, err
		}
		if res.CanceledAmount > np.CanceledAmount {
			np, err = s.recordExternalCancel(ctx, np, res)
		}
		return np, c, err
	case res.PendingCancelAmount >= c.Amount:
		// The provider holds a refund that covers this one to carry out
		// later. Whether or not its acceptance reached us (the answer to a
		// REQUESTED cancel may be lost), failing it now would tell the
		// shop it failed while the money is on its way back: it stays
		// pending, recorded as accepted, until the provider settles it.
		if !accepted {
			c.AcceptedAt = s.Now()
			if err := s.store.AcceptCancellation(ctx, c); err != nil {
				return p, c, err
			}
			s.log.Info("provider holds the refund pending; recorded as accepted", "payment_id", p.ID,
				"cancellation_id", c.ID, "provider_pending", res.PendingCancelAmount)
		}
		return p, c, nil
	case accepted && res.PendingCancelAmount > 0:
		// Accepted, and the provider still holds some refund pending: it
		// may yet be ours.
		return p, c, nil
	case !accepted && !final:
		return p, c, nil
	}
	c.FailureCode, c.FailureMessage = "not_refunded", "the provider reports the refund did not happen"
	if accepted {
		c.FailureCode, c.FailureMessage = "provider_refused", "the provider accepted the refund, then did not carry it out"
	}
	// The shop was answered "pending": the failure is announced with it
	// (payment.updated, the cancellation failed in its body).
	np, err := s.store.CompleteCancellation(ctx, c, false, payment.Update{}, payment.Event{Reason: c.FailureCode,
		Message: fmt.Sprintf("refund %s of %d won failed: %s", c.ID, c.Amount, c.FailureMessage)})
	if err != nil {
		return p, c, err
	}
	if res.CanceledAmount > np.CanceledAmount {
		np, err = s.recordExternalCancel(ctx, np, res)
	} else if res.CanceledAmount < np.CanceledAmount {
		s.log.Error("provider reports less refunded than paybridge recorded: check by hand", "payment_id", p.ID,
			"provider_canceled", res.CanceledAmount, "canceled", np.CanceledAmount)
	}
	return np, c, err
}
