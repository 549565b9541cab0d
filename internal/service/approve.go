package service

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// Return kinds: which of the URLs handed to the provider the browser came
// back to.
const (
	ReturnApprove = "approve"
	ReturnCancel  = "cancel"
	ReturnFail    = "fail"
)

// Return handles the buyer's browser coming back from the provider to one of
// the payment's return URLs, with the provider's query. Only an approval
// return that the provider's own parameters call a success finishes the
// payment; anything else is checked with the provider before it changes
// anything (BuyerLeft).
func (s *Service) Return(ctx context.Context, id, kind string, q url.Values) (*payment.Payment, error) {
	p, err := s.store.FindPaymentByID(ctx, id)
	if err != nil {
		return nil, err
	}
	prov, err := s.provider(p.Provider)
	if err != nil {
		return nil, err
	}
	ret := prov.ParseReturn(q)
	if kind != ReturnApprove || !ret.Success {
		return s.BuyerLeft(ctx, id)
	}
	return s.Finish(ctx, p, ret)
}

// Finish completes a payment the buyer says they finished at the provider.
// Exactly one caller wins the ready → approving compare-and-set and talks to
// the provider (approve, confirm or verify); concurrent returns (double
// click, refresh, two tabs, two instances) wait for that one and get its
// result; a return after the payment is settled just gets the payment. The
// provider is never asked to finish twice.
func (s *Service) Finish(ctx context.Context, p *payment.Payment, ret payment.Return) (*payment.Payment, error) {
	if p.Status != payment.StatusReady {
		return s.awaitApproval(ctx, p)
	}
	prov, err := s.provider(p.Provider)
	if err != nil {
		return nil, err
	}
	// What the browser claims is checked before anything is sent: a return
	// naming another order or another amount was tampered with.
	var tampered string
	switch {
	case ret.OrderID != "" && ret.OrderID != p.ProviderOrderID:
		tampered = fmt.Sprintf("the buyer's return names order %q, not this payment's", ret.OrderID)
	case ret.HasAmount && ret.Amount != p.Amount:
		tampered = fmt.Sprintf("the buyer's return claims amount %d, the payment is for %d", ret.Amount, p.Amount)
	}
	np, err := s.store.TransitionPayment(ctx, p.ID, payment.StatusReady, payment.StatusApproving,
		payment.Update{PGToken: ptr(ret.Token)}, payment.Event{Reason: "buyer_returned"})
	if payment.ErrorCode(err) == payment.ECONFLICT {
		return s.awaitApproval(ctx, np) // another return won; wait for its result
	}
	if err != nil {
		return nil, err
	}
	p = np
	log := s.log.With("payment_id", p.ID, "provider", p.Provider, "op", "finish")
	if tampered != "" {
		log.Warn("tampered return refused", "reason", tampered)
		return s.failAndRefund(ctx, p, "return_tampered", tampered)
	}

	pctx, cancel := s.providerCtx(ctx)
	res, err := prov.Approve(pctx, p, ret)
	cancel()
	if err != nil {
		if payment.ErrorCode(err) == payment.EUPSTREAM {
			// The provider may have finished it: never again, ask it.
			log.Warn("finish outcome unknown; looking the payment up", "error", err)
			return s.settle(ctx, p)
		}
		log.Info("provider refused to finish the payment", "error", err)
		upd := payment.Update{
			FailureCode:    ptr("provider_declined"),
			FailureMessage: ptr(payment.ErrorMessage(err)),
		}
		providerErrorUpdate(&upd, err)
		return s.transition(ctx, p, payment.StatusFailed, upd, "provider_declined", payment.ErrorMessage(err))
	}
	return s.applyResult(ctx, p, res, "approved")
}

// awaitApproval waits while another actor holds the payment in approving,
// then returns the payment as it is.
func (s *Service) awaitApproval(ctx context.Context, p *payment.Payment) (*payment.Payment, error) {
	deadline := time.Now().Add(s.cfg.ApproveWait)
	for p.Status == payment.StatusApproving && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return p, nil
		case <-time.After(50 * time.Millisecond):
		}
		np, err := s.store.FindPaymentByID(ctx, p.ID)
		if err != nil {
			return p, err
		}
		p = np
	}
	return p, nil
}

// applyResult settles an approving payment from what the provider reports.
// When the provider says the payment is still in progress it stays
// approving; past the provider's window (and GiveUpAfter) it fails.
func (s *Service) applyResult(ctx context.Context, p *payment.Payment, res *payment.ProviderPayment, reason string) (*payment.Payment, error) {
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
		msg := "the provider reports " + res.RawStatus
		return s.transition(ctx, p, payment.StatusFailed, payment.Update{
			ProviderStatus: ptr(res.RawStatus), FailureCode: ptr("provider_failed"), FailureMessage: ptr(msg),
		}, reason, msg)
	case payment.ProviderPending:
		if s.Now().After(p.ExpiresAt.Add(s.cfg.GiveUpAfter)) {
			msg := "the provider still reports " + res.RawStatus + " long after its window: not paid"
			return s.transition(ctx, p, payment.StatusFailed, payment.Update{
				ProviderStatus: ptr(res.RawStatus), FailureCode: ptr("not_approved"), FailureMessage: ptr(msg),
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
// the payment we asked for: same provider id, same order, same amount.
// Anything else fails the payment, and whatever the provider charged for
// this payment is refunded, so a tampered or buggy answer can never become a
// sale for the wrong amount.
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

// mismatch describes how res differs from the stored payment, or "".
func mismatch(p *payment.Payment, res *payment.ProviderPayment) string {
	switch {
	case res.TID != "" && p.ProviderTID != "" && res.TID != p.ProviderTID:
		return fmt.Sprintf("provider answered for payment %s, expected %s", res.TID, p.ProviderTID)
	case res.CID != "" && p.ProviderCID != "" && res.CID != p.ProviderCID:
		return fmt.Sprintf("provider answered for cid %s, expected %s", res.CID, p.ProviderCID)
	case res.OrderID != "" && res.OrderID != p.ProviderOrderID:
		return fmt.Sprintf("provider answered for order %s, expected %s", res.OrderID, p.ProviderOrderID)
	case res.Amount != p.Amount:
		return fmt.Sprintf("provider reported amount %d, expected %d", res.Amount, p.Amount)
	}
	return ""
}

// failAndRefund fails an approving payment for reason and refunds whatever
// the provider charged for it. The provider is asked, by paybridge's own ids
// (never ids from the browser), what it holds for this payment, and exactly
// its cancelable amount is cancelled. A provider payment for another order
// is never touched: it is not this payment's money.
func (s *Service) failAndRefund(ctx context.Context, p *payment.Payment, code, reason string) (*payment.Payment, error) {
	log := s.log.With("payment_id", p.ID, "provider", p.Provider)
	note := reason + "; nothing was charged"
	refunded, err := s.refundOwn(ctx, p)
	switch {
	case err != nil:
		// The money may still be at the provider: the sweep retries the
		// refund until it goes through (RetryRefunds).
		log.Error("refund at the provider failed; the sweep will retry it", "reason", reason, "error", err)
		note = reason + "; the refund at the provider failed (" + payment.ErrorMessage(err) + "): paybridge retries it"
		code = FailureRefundRequired
	case refunded > 0:
		log.Warn("payment refused and refunded at the provider", "reason", reason, "refunded", refunded)
		note = fmt.Sprintf("%s; %d won refunded at the provider", reason, refunded)
	default:
		log.Warn("payment refused", "reason", reason)
	}
	return s.transition(ctx, p, payment.StatusFailed, payment.Update{
		FailureCode: ptr(code), FailureMessage: ptr(note),
	}, code, note)
}

// refundOwn cancels at the provider what it charged for p and returns how much.
func (s *Service) refundOwn(ctx context.Context, p *payment.Payment) (int64, error) {
	prov, err := s.provider(p.Provider)
	if err != nil {
		return 0, err
	}
	pctx, cancel := s.providerCtx(ctx)
	defer cancel()
	cur, err := prov.Lookup(pctx, p)
	if err != nil {
		return 0, err
	}
	charged := cur.State == payment.ProviderPaid || cur.State == payment.ProviderPartiallyCanceled
	if !charged || cur.CancelableAmount <= 0 || (cur.OrderID != "" && cur.OrderID != p.ProviderOrderID) {
		return 0, nil
	}
	// The lookup found this payment's provider id; the cancel needs it.
	q := *p
	if q.ProviderTID == "" {
		q.ProviderTID = cur.TID
	}
	amount := cur.CancelableAmount
	_, err = prov.Cancel(pctx, &q, payment.CancelRequest{
		Amount: amount, TaxFreeAmount: min(max(cur.TaxFreeAmount, 0), amount), Cancelable: amount,
		Reason: "paybridge: the payment did not match its order", IdempotencyKey: "refuse-" + p.ID,
	})
	if err != nil {
		return 0, err
	}
	return amount, nil
}

// transition moves p from its current status to to. When someone else moved
// it first, it returns the payment as it now is, without an error: both
// actors were settling the same truth.
func (s *Service) transition(ctx context.Context, p *payment.Payment, to payment.Status, upd payment.Update, reason, msg string) (*payment.Payment, error) {
	np, err := s.store.TransitionPayment(ctx, p.ID, p.Status, to, upd, payment.Event{Reason: reason, Message: msg})
	if payment.ErrorCode(err) == payment.ECONFLICT && np != nil {
		return np, nil
	}
	return np, err
}

// settle resolves a payment in approving by asking the provider. When the
// provider cannot answer, or says the payment is still in progress, the
// payment stays approving and the sweep asks again later.
func (s *Service) settle(ctx context.Context, p *payment.Payment) (*payment.Payment, error) {
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
	return s.applyResult(ctx, p, res, "settled_by_lookup")
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
	return s.transition(ctx, p, to, payment.Update{
		CanceledAmount: ptr(res.CanceledAmount), ProviderStatus: ptr(res.RawStatus), CanceledAt: &now,
	}, "provider_canceled", "refunded at the provider outside paybridge")
}

func nonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
