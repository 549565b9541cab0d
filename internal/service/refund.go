package service

import (
	"context"
	"time"

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
// error: the sweep settles it. Only one refund of a payment
// is in flight at a time (a pending cancellation row blocks others), and the
// provider is told the cancelable amount we expect, so a stale or repeated
// request cannot refund twice.
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

	pctx, cancel := s.providerCtx(ctx)
	res, err := prov.Cancel(pctx, p, payment.CancelRequest{Amount: amount, TaxFreeAmount: taxFree, Cancelable: cancelable,
		Reason: in.Reason, IdempotencyKey: c.ID})
	cancel()
	if err != nil {
		if payment.ErrorCode(err) == payment.EUPSTREAM {
			log.Warn("refund outcome unknown; looking the payment up", "error", err)
			// Asynchronous refunds (PortOne V2's REQUESTED) and lost answers
			// both land here: the refund stays pending, and the sweep settles
			// it by lookup. The caller sees the pending cancellation.
			return s.settleCancellation(ctx, c, false)
		}
		log.Info("provider refused the refund", "error", err)
		c.FailureCode, c.FailureMessage = "provider_declined", payment.ErrorMessage(err)
		np, cerr := s.store.CompleteCancellation(ctx, c, false, "", payment.Update{}, payment.Event{})
		if cerr != nil {
			return nil, nil, cerr
		}
		return np, c, payment.Wrap(payment.ErrorCode(err), err, "%s", payment.ErrorMessage(err))
	}
	c.ProviderAID = res.ApprovalID
	np, err := s.completeRefund(ctx, p, c, res.RawStatus)
	if err != nil {
		return nil, nil, err
	}
	log.Info("payment refunded", "amount", amount, "status", np.Status)
	return np, c, nil
}

// completeRefund records a refund the provider confirmed.
func (s *Service) completeRefund(ctx context.Context, p *payment.Payment, c *payment.Cancellation, rawStatus string) (*payment.Payment, error) {
	canceled := p.CanceledAmount + c.Amount
	to := payment.StatusPartiallyCanceled
	if canceled == p.Amount {
		to = payment.StatusCanceled
	}
	now := s.Now()
	upd := payment.Update{
		CanceledAmount:        ptr(canceled),
		CanceledTaxFreeAmount: ptr(p.CanceledTaxFreeAmount + c.TaxFreeAmount),
		ProviderStatus:        ptr(rawStatus),
		CanceledAt:            &now,
	}
	return s.store.CompleteCancellation(ctx, c, true, to, upd, payment.Event{Reason: "refunded", Message: c.Reason})
}

// settleCancellation resolves a pending refund by looking the payment up: if
// the provider's cumulative refunded total includes this refund, it
// succeeded; if it still shows the total from before, it did not happen
// (once old enough, or when final is set, it is failed; before that it stays
// pending in case the request is still on its way).
func (s *Service) settleCancellation(ctx context.Context, c *payment.Cancellation, final bool) (*payment.Payment, *payment.Cancellation, error) {
	p, err := s.store.FindPaymentByID(ctx, c.PaymentID)
	if err != nil {
		return nil, c, err
	}
	prov, err := s.provider(p.Provider)
	if err != nil {
		return p, c, err
	}
	pctx, cancel := s.providerCtx(ctx)
	res, err := prov.Lookup(pctx, p)
	cancel()
	if err != nil {
		return p, c, nil
	}
	switch res.CanceledAmount {
	case p.CanceledAmount + c.Amount:
		np, err := s.completeRefund(ctx, p, c, res.RawStatus)
		return np, c, err
	case p.CanceledAmount:
		if !final {
			return p, c, nil
		}
		c.FailureCode, c.FailureMessage = "not_refunded", "the provider reports the refund did not happen"
		np, err := s.store.CompleteCancellation(ctx, c, false, "", payment.Update{}, payment.Event{})
		return np, c, err
	default:
		s.log.Error("provider's refunded total matches no refund paybridge knows: check by hand",
			"payment_id", p.ID, "cancellation_id", c.ID, "provider_canceled", res.CanceledAmount, "canceled", p.CanceledAmount)
		return p, c, nil
	}
}

// pendingRefundGiveUp is how old a pending refund must be before a lookup
// showing no refund fails it: long enough for any request in flight to land.
const pendingRefundGiveUp = 2 * time.Minute
