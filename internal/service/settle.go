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
	prov, err := s.provider(p.Provider)
	if err != nil {
		return p, err
	}
	pctx, cancel := s.providerCtx(ctx)
	res, err := prov.Lookup(pctx, p)
	cancel()
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
		if payment.ErrorCode(err) == payment.EUPSTREAM {
			s.log.Warn("repeated finishing call failed; the sweep looks it up again", "payment_id", p.ID, "error", err)
			return p, nil
		}
		return s.finishError(ctx, p, prov, err, "finish_retry")
	}
	return s.applyResult(ctx, p, res, "approved_on_retry")
}

// applyResult settles an approving payment from what the provider reports.
// Every answer is first checked against the payment it claims to be about
// (provider id, merchant code, order, and for a charge the amount and the
// tax-free part), whatever status it reports: an answer about another
// payment decides nothing for this one.
func (s *Service) applyResult(ctx context.Context, p *payment.Payment, res *payment.ProviderPayment, reason string) (*payment.Payment, error) {
	prov, err := s.provider(p.Provider)
	if err != nil {
		return p, err
	}
	charged := res.State == payment.ProviderPaid || res.State == payment.ProviderPartiallyCanceled || res.State == payment.ProviderCanceled
	if msg := identityMismatch(p, res); msg != "" {
		if charged && !prov.Finishing().Verifies {
			// The provider answered our approve about another payment: what
			// it holds under our ids is refunded, and the payment fails.
			return s.failAndRefund(ctx, p, "amount_mismatch", msg)
		}
		s.log.Warn("provider answer is about another payment; ignored", "payment_id", p.ID, "provider", p.Provider,
			"reason", msg, "status", res.RawStatus)
		if reason == "approved" {
			// A verification by an id the browser brought back (PortOne V1
			// imp_uid) found another payment: ask by paybridge's own ids.
			return s.settle(ctx, p, false)
		}
		return p, nil
	}
	if msg := notAbout(p, res); msg != "" {
		s.log.Warn("provider answer decides nothing for this payment; ignored", "payment_id", p.ID,
			"provider", p.Provider, "reason", msg, "status", res.RawStatus)
		return p, nil
	}
	switch res.State {
	case payment.ProviderPaid:
		return s.applyPaid(ctx, p, res, reason)
	case payment.ProviderCanceled, payment.ProviderPartiallyCanceled:
		// Paid and already (partly) refunded outside paybridge: record the
		// payment, then the refund, so the books match the provider.
		np, err := s.applyPaid(ctx, p, res, reason)
		if err != nil || np.Status != payment.StatusPaid {
			return np, err
		}
		return s.recordExternalCancel(ctx, np, res)
	case payment.ProviderFailed, payment.ProviderQuit:
		return s.failFromProvider(ctx, p, res, payment.Return{}, reason)
	case payment.ProviderPending:
		if s.Now().After(p.ExpiresAt.Add(s.cfg.GiveUpAfter)) {
			msg := "the provider still reports " + res.RawStatus + " long after its window: not paid"
			if p.FinishAttempts > 0 {
				msg = fmt.Sprintf("%s (the finishing call was repeated %d times)", msg, p.FinishAttempts)
			}
			return s.transition(ctx, p, payment.StatusFailed, payment.Update{
				ProviderStatus: ptr(res.RawStatus), FailureCode: ptr(FailureNotApproved), FailureMessage: ptr(msg),
				ProviderAnswer: s.answer(res),
			}, reason, msg)
		}
		return p, nil
	default:
		s.log.Warn("provider reports a status paybridge does not know; leaving the payment approving",
			"payment_id", p.ID, "provider", p.Provider, "status", res.RawStatus)
		return p, nil
	}
}

// applyPaid turns a provider's "paid" answer into paid, but only when it is
// the payment we asked for: same amount, same tax-free part (the identity
// was checked by applyResult). Anything else fails the payment, and
// whatever the provider charged for this payment is refunded, so a
// tampered or buggy answer can never become a sale for the wrong amount or
// with a false VAT split.
func (s *Service) applyPaid(ctx context.Context, p *payment.Payment, res *payment.ProviderPayment, reason string) (*payment.Payment, error) {
	if msg := mismatch(p, res); msg != "" {
		return s.failAndRefund(ctx, p, "amount_mismatch", msg)
	}
	approved := res.ApprovedAt
	if approved.IsZero() {
		approved = s.Now()
	}
	upd := payment.Update{
		ProviderStatus:     ptr(nonEmpty(res.RawStatus, "PAID")),
		ProviderMethodType: ptr(res.MethodType),
		ProviderApprovalID: ptr(res.ApprovalID),
		ApprovedAt:         &approved,
		ProviderAnswer:     s.answer(res),
	}
	if p.FailureCode != "" {
		// An outcome surfaced as unknown turned out paid: it is no failure.
		upd.FailureCode, upd.FailureMessage = ptr(""), ptr("")
	}
	// Providers whose id is only known once the buyer paid (PortOne V1's
	// imp_uid, Toss's paymentKey) get it recorded now that it is verified.
	if p.ProviderTID == "" && res.TID != "" {
		upd.ProviderTID = ptr(res.TID)
	}
	np, err := s.transition(ctx, p, payment.StatusPaid, upd, reason, "")
	if err == nil && np.Status == payment.StatusPaid {
		s.log.Info("payment paid", "payment_id", p.ID, "provider", p.Provider, "amount", np.Amount)
	}
	return np, err
}

// identityMismatch says how res is about another payment than p (provider
// id, merchant code, order), or "". Ids the provider leaves out are not
// compared.
func identityMismatch(p *payment.Payment, res *payment.ProviderPayment) string {
	switch {
	case res.TID != "" && p.ProviderTID != "" && res.TID != p.ProviderTID:
		return fmt.Sprintf("provider answered for payment %s, expected %s", res.TID, p.ProviderTID)
	case res.CID != "" && p.ProviderCID != "" && res.CID != p.ProviderCID:
		return fmt.Sprintf("provider answered for cid %s, expected %s", res.CID, p.ProviderCID)
	case res.OrderID != "" && res.OrderID != p.ProviderOrderID:
		return fmt.Sprintf("provider answered for order %s, expected %s", res.OrderID, p.ProviderOrderID)
	}
	return ""
}

// notAbout says why res decides nothing for p, or "": it is about another
// payment, or it is an unpaid attempt for another amount (a window opened
// with an edited amount, refused by the provider), after which the buyer
// may still pay.
func notAbout(p *payment.Payment, res *payment.ProviderPayment) string {
	if msg := identityMismatch(p, res); msg != "" {
		return msg
	}
	charged := res.State == payment.ProviderPaid || res.State == payment.ProviderPartiallyCanceled || res.State == payment.ProviderCanceled
	if !charged && res.Amount != 0 && res.Amount != p.Amount {
		return fmt.Sprintf("an unpaid attempt for amount %d, not %d", res.Amount, p.Amount)
	}
	return ""
}

// mismatch describes how a charge res differs from the stored payment: its
// identity, its amount or its tax-free part (when the provider reports
// it); "" when it is this payment's.
func mismatch(p *payment.Payment, res *payment.ProviderPayment) string {
	if msg := identityMismatch(p, res); msg != "" {
		return msg
	}
	switch {
	case res.Amount != p.Amount:
		return fmt.Sprintf("provider reported amount %d, expected %d", res.Amount, p.Amount)
	case res.TaxFreeKnown && res.TaxFreeAmount != p.TaxFreeAmount:
		return fmt.Sprintf("provider reported a tax-free amount of %d, expected %d", res.TaxFreeAmount, p.TaxFreeAmount)
	}
	return ""
}

// recordExternalCancel brings a paid payment in line with a provider that
// reports refunds paybridge did not make.
func (s *Service) recordExternalCancel(ctx context.Context, p *payment.Payment, res *payment.ProviderPayment) (*payment.Payment, error) {
	if res.CanceledAmount <= p.CanceledAmount || res.CanceledAmount > p.Amount {
		return p, nil
	}
	// A refund of ours in flight explains the difference: it is recorded by
	// its own completion (or the sweep), never a second time from here. The
	// pending row is written before the provider is called, so the provider
	// can only show our refund after this check would see it.
	cs, err := s.store.FindCancellations(ctx, p.ID)
	if err != nil {
		return p, err
	}
	for _, c := range cs {
		if c.Status == payment.CancellationPending {
			return p, nil
		}
	}
	// And one that completed since p was read is already in the record.
	if fresh, err := s.store.FindPaymentByID(ctx, p.ID); err != nil {
		return p, err
	} else if p = fresh; res.CanceledAmount <= p.CanceledAmount {
		return p, nil
	}
	to := payment.StatusPartiallyCanceled
	if res.CanceledAmount == p.Amount {
		to = payment.StatusCanceled
	}
	now := s.Now()
	upd := payment.Update{CanceledAmount: ptr(res.CanceledAmount), ProviderStatus: ptr(res.RawStatus), CanceledAt: &now,
		ProviderAnswer: s.answer(res)}
	if res.TaxFreeKnown && res.CanceledTaxFreeAmount >= p.CanceledTaxFreeAmount && res.CanceledTaxFreeAmount <= p.TaxFreeAmount {
		upd.CanceledTaxFreeAmount = ptr(res.CanceledTaxFreeAmount)
	}
	s.log.Warn("provider reports a refund paybridge did not make; recorded", "payment_id", p.ID, "provider", p.Provider,
		"provider_canceled", res.CanceledAmount, "canceled", p.CanceledAmount)
	return s.transition(ctx, p, to, upd, "provider_canceled", "refunded at the provider outside paybridge")
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
