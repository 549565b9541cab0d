// sweep.go: the background pass that settles what no request will: ready
// payments past their window (expire), approving ones (settle.go), pending
// refunds (refund.go), refunds owed and late charges on closed payments
// (closed.go), and payments half-created by a crash. Each item is leased
// first, and each provider's items run with their own concurrency.

package service

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// SweepResult counts what one sweep did.
type SweepResult struct {
	Expired  int // ready payments past the provider's window
	Settled  int // approving payments that left approving
	Refunds  int // pending refunds that were settled
	Orphaned int // created payments whose prepare never finished
	Refunded int // closed payments whose refund at the provider was retried and went through
	Late     int // closed payments found charged late and refunded
}

// sweepBatch bounds the work of one sweep per kind.
const sweepBatch = 100

// itemLease is how long the sweep holds one item it is working on: long
// enough for the few provider calls one item makes (each bounded by
// ProviderTimeout), so another instance never re-claims it in progress.
func (s *Service) itemLease() time.Duration {
	return max(s.cfg.SweepLease, 4*s.cfg.ProviderTimeout)
}

// Sweep settles what no request is going to settle: payments whose approve
// outcome was unknown, refunds whose outcome was unknown, ready payments past
// the provider's window, closed payments that owe or may owe a refund, and
// payments left half-created by a crash. Every instance sweeps; each claims
// its work with a lease first, and extends the lease of each item as it
// starts on it, so no two settle the same payment at once, and every change
// is a compare-and-set anyway.
//
// Each provider's items are worked on with their own bounded concurrency
// (SweepConcurrency), so one slow provider cannot stall the others. The
// sweep checks ctx between items: once it is done, no new item is started,
// and Sweep returns when the items in progress finish (each within a few
// ProviderTimeouts), with ctx's error.
func (s *Service) Sweep(ctx context.Context) (SweepResult, error) {
	var r SweepResult
	now := s.Now()
	claim := payment.Claim{Owner: s.instance, Now: now, Lease: s.cfg.SweepLease}

	ready, err := s.store.ClaimPayments(ctx, claim, payment.PaymentFilter{Statuses: []payment.Status{payment.StatusReady},
		ExpiresBefore: now, Limit: sweepBatch})
	if err != nil {
		return r, err
	}
	r.Expired = s.work(ctx, ready, s.itemLease(), func(p *payment.Payment) bool {
		np, err := s.expire(ctx, p)
		return err == nil && np.Status == payment.StatusExpired
	})

	approving, err := s.store.ClaimPayments(ctx, claim, payment.PaymentFilter{Statuses: []payment.Status{payment.StatusApproving},
		UpdatedBefore: now.Add(-s.cfg.SettleAfter), Limit: sweepBatch})
	if err != nil {
		return r, err
	}
	r.Settled = s.work(ctx, approving, s.itemLease(), func(p *payment.Payment) bool {
		np, err := s.settle(ctx, p, true)
		if err != nil || np == nil {
			return false
		}
		if np.Status == payment.StatusApproving {
			if _, err := s.surfaceUnknown(ctx, np); err != nil {
				s.log.Error("surface an unknown outcome", "payment_id", p.ID, "error", err)
			}
			return false
		}
		return true
	})

	if err := ctx.Err(); err != nil {
		return r, err
	}
	pending, err := s.store.ClaimCancellations(ctx, claim, now.Add(-s.cfg.SettleAfter), sweepBatch)
	if err != nil {
		return r, err
	}
	r.Refunds = s.workCancellations(ctx, pending, func(c *payment.Cancellation) bool {
		_, nc, err := s.settleCancellation(ctx, c, now.Sub(c.CreatedAt) > s.cfg.RefundGiveUpAfter)
		return err == nil && nc.Status != payment.CancellationPending
	})

	if err := ctx.Err(); err != nil {
		return r, err
	}
	owed, err := s.store.ClaimPayments(ctx, claim, payment.PaymentFilter{
		Statuses:    []payment.Status{payment.StatusFailed, payment.StatusExpired, payment.StatusAborted},
		FailureCode: FailureRefundRequired, RetryBefore: now, Limit: sweepBatch})
	if err != nil {
		return r, err
	}
	r.Refunded = s.work(ctx, owed, s.itemLease(), func(p *payment.Payment) bool { return s.retryRefund(ctx, p) })

	// Closed payments of providers whose window outlives ours: a buyer may
	// still pay in it. Each is looked up every LateCheckEvery (its lease)
	// for LateCheckFor after it was closed, and a late charge refunded.
	if late := s.outlivingProviders(); len(late) > 0 {
		every := max(s.cfg.LateCheckEvery, s.itemLease())
		closedPs, err := s.store.ClaimPayments(ctx, payment.Claim{Owner: s.instance, Now: now, Lease: every},
			payment.PaymentFilter{Statuses: []payment.Status{payment.StatusFailed, payment.StatusExpired, payment.StatusAborted},
				Providers: late, UpdatedAfter: now.Add(-s.cfg.LateCheckFor), Limit: sweepBatch})
		if err != nil {
			return r, err
		}
		r.Late = s.work(ctx, closedPs, every, func(p *payment.Payment) bool {
			if p.FailureCode == FailureRefundRequired {
				// The refund retry above owns it, on its own schedule:
				// the lease goes back, or this claim would hold the
				// retry off for LateCheckEvery.
				s.releaseLease(ctx, p.ID)
				return false
			}
			np, err := s.refundLate(ctx, p)
			return err == nil && np.UpdatedAt.After(p.UpdatedAt)
		})
	}

	if err := ctx.Err(); err != nil {
		return r, err
	}
	created, err := s.store.ClaimPayments(ctx, claim, payment.PaymentFilter{Statuses: []payment.Status{payment.StatusCreated},
		UpdatedBefore: now.Add(-s.cfg.SettleAfter), Limit: sweepBatch})
	if err != nil {
		return r, err
	}
	r.Orphaned = s.work(ctx, created, s.itemLease(), func(p *payment.Payment) bool {
		// The process stopped between writing the payment and hearing the
		// provider's answer. No buyer can have been sent to pay it.
		np, err := s.transition(ctx, p, payment.StatusFailed, payment.Update{
			FailureCode: ptr("prepare_interrupted"), FailureMessage: ptr("paybridge stopped before the provider answered"),
			ReleaseOrderID: true,
		}, "prepare_interrupted", "")
		return err == nil && np.Status == payment.StatusFailed
	})
	return r, ctx.Err()
}

// outlivingProviders names the providers whose window outlives paybridge's
// expiry.
func (s *Service) outlivingProviders() []string {
	var names []string
	for name, p := range s.providers {
		if p.Finishing().WindowOutlivesExpiry {
			names = append(names, name)
		}
	}
	return names
}

// releaseLease hands back this instance's lease on payment id, so that the
// next sweep may claim it for other work.
func (s *Service) releaseLease(ctx context.Context, id string) {
	if _, err := s.store.ExtendLeases(ctx, payment.Claim{Owner: s.instance, Now: s.Now()}, []string{id}); err != nil {
		s.log.Warn("release a lease", "payment_id", id, "error", err)
	}
}

// work runs fn on the claimed payments (see workBy), holding each one's
// lease for lease (at least itemLease) from when it starts on it.
func (s *Service) work(ctx context.Context, ps []*payment.Payment, lease time.Duration, fn func(*payment.Payment) bool) int {
	return workBy(ctx, s.cfg.SweepConcurrency, ps,
		func(p *payment.Payment) string { return p.Provider },
		func(p *payment.Payment) bool {
			held, err := s.store.ExtendLeases(ctx, payment.Claim{Owner: s.instance, Now: s.Now(), Lease: lease}, []string{p.ID})
			return err == nil && len(held) == 1
		}, fn)
}

// workCancellations runs fn on claimed cancellations (see workBy), grouped
// by their payment's provider.
func (s *Service) workCancellations(ctx context.Context, cs []*payment.Cancellation, fn func(*payment.Cancellation) bool) int {
	providers := make(map[string]string, len(cs))
	for _, c := range cs {
		if p, err := s.store.FindPaymentByID(ctx, c.PaymentID); err == nil {
			providers[c.ID] = p.Provider
		}
	}
	return workBy(ctx, s.cfg.SweepConcurrency, cs,
		func(c *payment.Cancellation) string { return providers[c.ID] },
		func(c *payment.Cancellation) bool {
			held, err := s.store.ExtendCancellationLeases(ctx, payment.Claim{Owner: s.instance, Now: s.Now(), Lease: s.itemLease()}, []string{c.ID})
			return err == nil && len(held) == 1
		}, fn)
}

// workBy runs fn on items, each provider's with at most limit at once and
// all providers side by side, and returns how many fn counted. Before each
// item it checks ctx (once done, nothing new starts) and extends the
// item's lease (an item another instance took meanwhile is skipped). It
// returns when every started item finished.
func workBy[T any](ctx context.Context, limit int, items []T, provider func(T) string, extend func(T) bool, fn func(T) bool) int {
	groups := map[string][]T{}
	for _, it := range items {
		groups[provider(it)] = append(groups[provider(it)], it)
	}
	var n atomic.Int64
	var wg sync.WaitGroup
	for _, group := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem := make(chan struct{}, limit)
			var iwg sync.WaitGroup
			defer iwg.Wait()
			for _, it := range group {
				select {
				case <-ctx.Done():
					return
				case sem <- struct{}{}:
				}
				if ctx.Err() != nil || !extend(it) {
					<-sem
					if ctx.Err() != nil {
						return
					}
					continue
				}
				iwg.Add(1)
				go func() {
					defer iwg.Done()
					defer func() { <-sem }()
					if fn(it) {
						n.Add(1)
					}
				}()
			}
		}()
	}
	wg.Wait()
	return int(n.Load())
}

// expire closes a ready payment past the provider's window, but asks the
// provider first: some windows (PortOne's) do not expire, and a buyer who
// paid late must get a paid payment, not an expired one with their money
// stuck at the provider.
func (s *Service) expire(ctx context.Context, p *payment.Payment) (*payment.Payment, error) {
	prov, res, err := s.lookup(ctx, p)
	if prov == nil {
		return p, err
	}
	if err != nil {
		s.log.Warn("lookup before expiry failed; the sweep will retry", "payment_id", p.ID, "provider", p.Provider, "error", err)
		return p, err
	}
	if msg := identityMismatch(p, res); msg != "" {
		s.log.Warn("provider answer is about another payment; expiry postponed", "payment_id", p.ID, "reason", msg)
		return p, nil
	}
	// (An unpaid attempt for another amount does not postpone the expiry:
	// nothing was charged for this payment either way.)
	switch res.State {
	case payment.ProviderPaid, payment.ProviderPartiallyCanceled, payment.ProviderCanceled:
		np, err := s.store.TransitionPayment(ctx, p.ID, payment.StatusReady, payment.StatusApproving,
			payment.Update{}, payment.Event{Reason: "paid_late", Message: "the provider reports a payment at expiry"})
		if err != nil {
			return np, err
		}
		return s.applyResult(ctx, np, res, "settled_by_lookup")
	}
	return s.transition(ctx, p, payment.StatusExpired, payment.Update{ProviderStatus: ptr(res.RawStatus), ProviderAnswer: s.answer(res)},
		"expired", "not finished within the provider's window")
}
