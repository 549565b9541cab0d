// answer.go: what a provider's answer means for an approving payment. Every
// answer is first checked against the payment it claims to be about (ids,
// order, amount, tax-free part); then paid, failed, still pending or
// refunded outside paybridge is applied with a compare-and-set. Reached
// from finish.go, settle.go, sync.go and the sweep's expiry (sweep.go).

package service

import (
	"context"
	"fmt"

	"github.com/paybridge/paybridge/internal/payment"
)

// answer is res's raw body (already redacted by the adapter) to store as
// the payment's last provider answer, for the operator to read in the
// console; nil, leaving the stored one, when the adapter kept none (a
// synthetic answer such as NOT_FOUND, or one too large). It is stamped
// with the service's clock when the answer is applied, a moment after it
// was received.
func (s *Service) answer(res *payment.ProviderPayment) *payment.ProviderAnswer {
	if res == nil || len(res.Raw) == 0 {
		return nil
	}
	return &payment.ProviderAnswer{Body: res.Raw, At: s.Now()}
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
// identity, its currency (when the provider reports it: 2200 of another
// currency is not 2200 won), its amount or its tax-free part (when the
// provider reports it); "" when it is this payment's. A payment stored
// without a currency is a won payment, as every payment is created.
func mismatch(p *payment.Payment, res *payment.ProviderPayment) string {
	if msg := identityMismatch(p, res); msg != "" {
		return msg
	}
	want := p.Currency
	if want == "" {
		want = payment.CurrencyKRW
	}
	switch {
	case res.Currency != "" && res.Currency != want:
		return fmt.Sprintf("provider reported currency %q, expected %s", res.Currency, want)
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
