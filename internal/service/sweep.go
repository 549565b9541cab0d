package service

import (
	"context"

	"github.com/paybridge/paybridge/internal/payment"
)

// SweepResult counts what one sweep did.
type SweepResult struct {
	Expired  int // ready payments past the provider's window
	Settled  int // approving payments that left approving
	Refunds  int // pending refunds that were settled
	Orphaned int // created payments whose prepare never finished
}

// sweepBatch bounds the work of one sweep per kind.
const sweepBatch = 100

// Sweep settles what no request is going to settle: payments whose approve
// outcome was unknown, refunds whose outcome was unknown, ready payments past
// the provider's window, and payments left half-created by a crash. It is
// safe to run concurrently with requests and with itself: every change is a
// compare-and-set.
func (s *Service) Sweep(ctx context.Context) (SweepResult, error) {
	var r SweepResult
	now := s.Now()

	ready, err := s.store.FindPayments(ctx, payment.PaymentFilter{Statuses: []payment.Status{payment.StatusReady}, Limit: sweepBatch,
		CreatedBefore: now.Add(-s.cfg.Expiry)})
	if err != nil {
		return r, err
	}
	for _, p := range ready {
		if now.Before(p.ExpiresAt) {
			continue
		}
		np, err := s.transition(ctx, p, payment.StatusExpired, payment.Update{}, "expired", "not finished within the provider's window")
		if err == nil && np.Status == payment.StatusExpired {
			r.Expired++
		}
	}

	approving, err := s.store.FindPayments(ctx, payment.PaymentFilter{Statuses: []payment.Status{payment.StatusApproving},
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

	pending, err := s.store.FindPendingCancellations(ctx, now.Add(-s.cfg.SettleAfter), sweepBatch)
	if err != nil {
		return r, err
	}
	for _, c := range pending {
		_, nc, err := s.settleCancellation(ctx, c, now.Sub(c.CreatedAt) > pendingRefundGiveUp)
		if err == nil && nc.Status != payment.CancellationPending {
			r.Refunds++
		}
	}

	created, err := s.store.FindPayments(ctx, payment.PaymentFilter{Statuses: []payment.Status{payment.StatusCreated},
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
