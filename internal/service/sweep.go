package service

import (
	"context"
	"fmt"

	"github.com/paybridge/paybridge/internal/payment"
)

// SweepResult counts what one sweep did.
type SweepResult struct {
	Expired  int // ready payments past the provider's window
	Settled  int // approving payments that left approving
	Refunds  int // pending refunds that were settled
	Orphaned int // created payments whose prepare never finished
	Refunded int // closed payments whose refund at the provider was retried and went through
}

// sweepBatch bounds the work of one sweep per kind.
const sweepBatch = 100

// Sweep settles what no request is going to settle: payments whose approve
// outcome was unknown, refunds whose outcome was unknown, ready payments past
// the provider's window, and payments left half-created by a crash. Every
// instance sweeps; each claims its work with a lease first, so no two settle
// the same payment at once, and every change is a compare-and-set anyway.
func (s *Service) Sweep(ctx context.Context) (SweepResult, error) {
	var r SweepResult
	now := s.Now()
	claim := payment.Claim{Owner: s.instance, Now: now, Lease: s.cfg.SweepLease}

	ready, err := s.store.ClaimPayments(ctx, claim, payment.PaymentFilter{Statuses: []payment.Status{payment.StatusReady},
		ExpiresBefore: now, Limit: sweepBatch})
	if err != nil {
		return r, err
	}
	for _, p := range ready {
		np, err := s.expire(ctx, p)
		if err == nil && np.Status == payment.StatusExpired {
			r.Expired++
		}
	}

	approving, err := s.store.ClaimPayments(ctx, claim, payment.PaymentFilter{Statuses: []payment.Status{payment.StatusApproving},
		UpdatedBefore: now.Add(-s.cfg.SettleAfter), Limit: sweepBatch})
	if err != nil {
		return r, err
	}
	for _, p := range approving {
		np, err := s.settle(ctx, p)
		if err == nil && np.Status != payment.StatusApproving {
			r.Settled++
		}
	}

	pending, err := s.store.ClaimCancellations(ctx, claim, now.Add(-s.cfg.SettleAfter), sweepBatch)
	if err != nil {
		return r, err
	}
	for _, c := range pending {
		_, nc, err := s.settleCancellation(ctx, c, now.Sub(c.CreatedAt) > s.cfg.RefundGiveUpAfter)
		if err == nil && nc.Status != payment.CancellationPending {
			r.Refunds++
		}
	}

	owed, err := s.store.ClaimPayments(ctx, claim, payment.PaymentFilter{
		Statuses:    []payment.Status{payment.StatusFailed, payment.StatusExpired, payment.StatusAborted},
		FailureCode: FailureRefundRequired, Limit: sweepBatch})
	if err != nil {
		return r, err
	}
	for _, p := range owed {
		if s.retryRefund(ctx, p) {
			r.Refunded++
		}
	}

	created, err := s.store.ClaimPayments(ctx, claim, payment.PaymentFilter{Statuses: []payment.Status{payment.StatusCreated},
		UpdatedBefore: now.Add(-s.cfg.SettleAfter), Limit: sweepBatch})
	if err != nil {
		return r, err
	}
	for _, p := range created {
		// The process stopped between writing the payment and hearing the
		// provider's answer. No buyer can have been sent to pay it.
		np, err := s.transition(ctx, p, payment.StatusFailed, payment.Update{
			FailureCode: ptr("prepare_interrupted"), FailureMessage: ptr("paybridge stopped before the provider answered"),
			ReleaseOrderID: true,
		}, "prepare_interrupted", "")
		if err == nil && np.Status == payment.StatusFailed {
			r.Orphaned++
		}
	}
	return r, nil
}

// expire closes a ready payment past the provider's window, but asks the
// provider first: some windows (PortOne's) do not expire, and a buyer who
// paid late must get a paid payment, not an expired one with their money
// stuck at the provider.
func (s *Service) expire(ctx context.Context, p *payment.Payment) (*payment.Payment, error) {
	prov, err := s.provider(p.Provider)
	if err != nil {
		return p, err
	}
	pctx, cancel := s.providerCtx(ctx)
	res, err := prov.Lookup(pctx, p)
	cancel()
	if err != nil {
		s.log.Warn("lookup before expiry failed; the sweep will retry", "payment_id", p.ID, "provider", p.Provider, "error", err)
		return p, err
	}
	switch res.State {
	case payment.ProviderPaid, payment.ProviderPartiallyCanceled, payment.ProviderCanceled:
		np, err := s.store.TransitionPayment(ctx, p.ID, payment.StatusReady, payment.StatusApproving,
			payment.Update{}, payment.Event{Reason: "paid_late", Message: "the provider reports a payment at expiry"})
		if err != nil {
			return np, err
		}
		return s.applyResult(ctx, np, res, "settled_by_lookup")
	}
	return s.transition(ctx, p, payment.StatusExpired, payment.Update{ProviderStatus: ptr(res.RawStatus)},
		"expired", "not finished within the provider's window")
}

// FailureRefundRequired marks a closed payment whose money paybridge must
// still give back at the provider: a refund that failed is retried by
// every sweep until it goes through.
const FailureRefundRequired = "refund_required"

// retryRefund retries the refund of a closed payment that still owes one.
// refundOwn asks the provider what is cancelable first, so a refund that
// went through after all is never made twice.
func (s *Service) retryRefund(ctx context.Context, p *payment.Payment) bool {
	refunded, err := s.refundOwn(ctx, p)
	if err != nil {
		s.log.Warn("refund retry failed; the next sweep tries again", "payment_id", p.ID, "provider", p.Provider, "error", err)
		return false
	}
	msg := fmt.Sprintf("%s; %d won refunded at the provider on retry", p.FailureMessage, refunded)
	if _, err := s.store.UpdatePayment(ctx, p.ID, p.Status, payment.Update{
		FailureCode: ptr("refunded_after_retry"), FailureMessage: &msg,
	}); err != nil {
		s.log.Error("record a retried refund", "payment_id", p.ID, "error", err)
		return false
	}
	s.log.Info("refund retried and done", "payment_id", p.ID, "provider", p.Provider, "refunded", refunded)
	return true
}
