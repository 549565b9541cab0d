// settle.go: outcomes left unknown. An approving payment whose finishing
// call got no clear answer is settled by looking it up (never by finishing
// again blindly); a finishing call the provider provably did not act on is
// repeated; an outcome unknown too long is surfaced to the operator. The
// sweep (sweep.go) and provider webhooks (sync.go) call it; refunds with an
// unknown outcome are settled in refund.go.

package service

import (
	"context"
	"fmt"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// Failure codes of payments that did not end in a sale, besides the
// provider's own refusals (provider_declined, provider_failed).
const (
	// FailureNotApproved: the provider still reported the payment
	// unfinished after its window closed (and after every repeat of a
	// finishing call it provably did not act on): nothing was charged.
	FailureNotApproved = "not_approved"
	// FailureOutcomeUnknown marks an approving payment whose outcome
	// paybridge could not learn for UnknownAfter past the provider's
	// window; it stays approving, and the operator is told.
	FailureOutcomeUnknown = "outcome_unknown"
)

// Finishing calls repeated by the sweep: at most maxFinishAttempts, the
// n-th no earlier than finishBackoff(n) after the previous one, and never
// after the provider's window closed.
const maxFinishAttempts = 5

func (s *Service) finishBackoff(n int64) time.Duration {
	d := s.cfg.SettleAfter
	for i := int64(1); i < n && d < 5*time.Minute; i++ {
		d *= 2
	}
	return min(d, 5*time.Minute)
}

// settle resolves a payment in approving by asking the provider. When the
// provider cannot answer, or says the payment is still in progress, the
// payment stays approving and the sweep asks again later. retry (the sweep
// only) lets it repeat a finishing call the lookup proves the provider did
// not act on.
func (s *Service) settle(ctx context.Context, p *payment.Payment, retry bool) (*payment.Payment, error) {
	prov, res, err := s.lookup(ctx, p)
	if prov == nil {
		return p, err
	}
	if err != nil {
		s.log.Warn("lookup failed; the sweep will retry", "payment_id", p.ID, "provider", p.Provider, "op", "lookup", "error", err)
		return p, nil
	}
	if retry && res.State == payment.ProviderPending && s.finishRetryable(p, prov, res) {
		return s.retryFinish(ctx, p, prov)
	}
	return s.applyResult(ctx, p, res, "settled_by_lookup")
}

// finishRetryable reports whether the finishing call of an approving
// payment may be repeated now: the provider approves (a verifying one has
// nothing to repeat), its answer is about this payment and shows it not
// charged, its window is still open, what the call needs was kept, and the
// retry budget and backoff allow it.
func (s *Service) finishRetryable(p *payment.Payment, prov payment.Provider, res *payment.ProviderPayment) bool {
	now := s.Now()
	return !prov.Finishing().Verifies && identityMismatch(p, res) == "" &&
		(p.PGToken != "" || p.ReturnTID != "") &&
		now.Before(p.ExpiresAt) && !now.Before(p.RetryAt) && p.FinishAttempts < maxFinishAttempts
}

// retryFinish repeats the finishing call of an approving payment that the
// provider provably did not act on (its lookup still shows the payment
// unfinished). It is harmless by the provider's own guard: KakaoPay refuses
// a second approve of one tid (-702), and Toss answers a repeated
// Idempotency-Key with the first result. The attempt is counted before the
// call, so a crash cannot make the budget endless.
//
// A repeat that fails, refused or not, never fails the payment: the first
// call may still land (config keeps SettleAfter above ProviderTimeout, so
// the sweep does not repeat a call still in flight in this process, but a
// provider may still be processing it). The payment stays approving and
// the next lookup decides.
func (s *Service) retryFinish(ctx context.Context, p *payment.Payment, prov payment.Provider) (*payment.Payment, error) {
	n := p.FinishAttempts + 1
	next := s.Now().Add(s.finishBackoff(n + 1))
	np, err := s.store.UpdatePayment(ctx, p.ID, payment.StatusApproving, payment.Update{FinishAttempts: &n, RetryAt: &next})
	if err != nil {
		if payment.ErrorCode(err) == payment.ECONFLICT && np != nil {
			return np, nil
		}
		return p, err
	}
	p = np
	s.log.Info("provider did not act on the finishing call; repeating it", "payment_id", p.ID, "provider", p.Provider,
		"op", "finish_retry", "attempt", n)
	pctx, cancel := s.providerCtx(ctx)
	res, err := prov.Approve(pctx, p, payment.Return{Success: true, Token: p.PGToken, TID: p.ReturnTID})
	cancel()
	if err != nil {
		// Whatever the repeat's answer, it proves nothing about the first
		// call, whose outcome was unknown: a refusal may mean that call is
		// still running (KakaoPay -780) or already went through. Only a
		// lookup decides: paid, or not_approved past GiveUpAfter.
		s.log.Warn("repeated finishing call failed; the sweep looks it up again", "payment_id", p.ID,
			"class", payment.ErrorCode(err), "error", err)
		return p, nil
	}
	return s.applyResult(ctx, p, res, "approved_on_retry")
}

// surfaceUnknown tells the operator about a payment that stayed approving,
// with an outcome paybridge cannot learn, for UnknownAfter past the
// provider's window: it keeps its status (the money may be either way),
// gets failure code outcome_unknown, a payment.updated event and an error
// in the log, once.
func (s *Service) surfaceUnknown(ctx context.Context, p *payment.Payment) (*payment.Payment, error) {
	if p.Status != payment.StatusApproving || p.FailureCode == FailureOutcomeUnknown ||
		!s.Now().After(p.ExpiresAt.Add(s.cfg.UnknownAfter)) {
		return p, nil
	}
	msg := fmt.Sprintf("the outcome at %s is still unknown %s after its window closed: check the payment at the provider",
		p.Provider, s.cfg.UnknownAfter)
	s.log.Error("payment outcome unknown; check it at the provider", "payment_id", p.ID, "provider", p.Provider,
		"provider_status", p.ProviderStatus)
	return s.store.AnnouncePayment(ctx, p.ID, payment.StatusApproving, payment.Update{
		FailureCode: ptr(FailureOutcomeUnknown), FailureMessage: &msg,
	}, payment.Event{Reason: FailureOutcomeUnknown, Message: msg})
}
