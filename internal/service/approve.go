package service

import (
	"context"
	"fmt"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// Approve finishes a payment when the buyer's browser returns from the
// provider with token (KakaoPay's pg_token). Exactly one caller wins the
// ready → approving compare-and-set and talks to the provider; concurrent
// returns (double click, refresh, two tabs) wait for that one and get its
// result; a return after the payment is settled just gets the payment. The
// provider is never asked to approve twice.
func (s *Service) Approve(ctx context.Context, id, token string) (*payment.Payment, error) {
	p, err := s.store.FindPaymentByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Status != payment.StatusReady {
		return s.awaitApproval(ctx, p)
	}
	if token == "" {
		return p, payment.Errorf(payment.EINVALID, "the return from the provider carries no pg_token")
	}
	prov, err := s.provider(p.Provider)
	if err != nil {
		return nil, err
	}
	p, err = s.store.TransitionPayment(ctx, id, payment.StatusReady, payment.StatusApproving,
		payment.Update{PGToken: ptr(token)}, payment.Event{Reason: "buyer_returned"})
	if payment.ErrorCode(err) == payment.ECONFLICT {
		return s.awaitApproval(ctx, p) // another return won; wait for its result
	}
	if err != nil {
		return nil, err
	}
	log := s.log.With("payment_id", p.ID, "provider", p.Provider, "op", "approve")

	pctx, cancel := s.providerCtx(ctx)
	res, err := prov.Approve(pctx, p, token)
	cancel()
	if err != nil {
		if payment.ErrorCode(err) == payment.EUPSTREAM {
			// The provider may have approved: never approve again, ask it.
			log.Warn("approve outcome unknown; looking the payment up", "error", err)
			return s.settle(ctx, p)
		}
		log.Info("provider refused the approval", "error", err)
		upd := payment.Update{
			FailureCode:    ptr("provider_declined"),
			FailureMessage: ptr(payment.ErrorMessage(err)),
		}
		providerErrorUpdate(&upd, err)
		return s.transition(ctx, p, payment.StatusFailed, upd, "provider_declined", payment.ErrorMessage(err))
	}
	return s.applyPaid(ctx, p, res, "approved")
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

// applyPaid turns a provider's "paid" answer into paid, but only when it is
// the payment we asked for: same tid, same order, same amount. Anything else
// is refunded at the provider and the payment fails, so a tampered or buggy
// answer can never become a sale for the wrong amount.
func (s *Service) applyPaid(ctx context.Context, p *payment.Payment, res *payment.ProviderPayment, reason string) (*payment.Payment, error) {
	log := s.log.With("payment_id", p.ID, "provider", p.Provider)
	if msg := mismatch(p, res); msg != "" {
		log.Error("provider answer does not match the payment; refunding", "reason", msg)
		upd := payment.Update{
			FailureCode:    ptr("amount_mismatch"),
			ProviderStatus: ptr(res.RawStatus),
		}
		note := msg + "; refunded at the provider"
		if err := s.refundMismatch(ctx, p, res); err != nil {
			log.Error("refund of mismatched payment failed: refund it by hand", "error", err)
			note = msg + "; the refund at the provider FAILED (" + payment.ErrorMessage(err) + "): refund it by hand"
		}
		upd.FailureMessage = ptr(note)
		return s.transition(ctx, p, payment.StatusFailed, upd, "amount_mismatch", note)
	}
	approved := res.ApprovedAt
	if approved.IsZero() {
		approved = s.Now()
	}
	upd := payment.Update{
		ProviderStatus:     ptr(nonEmpty(res.RawStatus, "SUCCESS_PAYMENT")),
		ProviderMethodType: ptr(res.MethodType),
		ProviderApprovalID: ptr(res.ApprovalID),
		ApprovedAt:         &approved,
	}
	np, err := s.transition(ctx, p, payment.StatusPaid, upd, reason, "")
	if err == nil && np.Status == payment.StatusPaid {
		log.Info("payment paid", "amount", np.Amount)
	}
	return np, err
}

// mismatch describes how res differs from the stored payment, or "".
func mismatch(p *payment.Payment, res *payment.ProviderPayment) string {
	switch {
	case res.TID != "" && res.TID != p.ProviderTID:
		return fmt.Sprintf("provider answered for tid %s, expected %s", res.TID, p.ProviderTID)
	case res.CID != "" && p.ProviderCID != "" && res.CID != p.ProviderCID:
		return fmt.Sprintf("provider answered for cid %s, expected %s", res.CID, p.ProviderCID)
	case res.OrderID != "" && res.OrderID != p.ProviderOrderID:
		return fmt.Sprintf("provider answered for order %s, expected %s", res.OrderID, p.ProviderOrderID)
	case res.Amount != p.Amount:
		return fmt.Sprintf("provider reported amount %d, expected %d", res.Amount, p.Amount)
	}
	return ""
}

// refundMismatch cancels, at the provider, whatever it charged for p. The
// answer that did not match cannot be trusted for the amount either, so the
// provider is asked first what is cancelable, and exactly that is cancelled.
func (s *Service) refundMismatch(ctx context.Context, p *payment.Payment, res *payment.ProviderPayment) error {
	prov, err := s.provider(p.Provider)
	if err != nil {
		return err
	}
	pctx, cancel := s.providerCtx(ctx)
	defer cancel()
	cur, err := prov.Lookup(pctx, p)
	if err != nil {
		return err
	}
	amount := cur.CancelableAmount
	if amount <= 0 {
		return nil
	}
	taxFree := min(max(cur.TaxFreeAmount, 0), amount)
	_, err = prov.Cancel(pctx, p, payment.CancelRequest{Amount: amount, TaxFreeAmount: taxFree, Cancelable: amount,
		Reason: "paybridge: provider answer did not match the payment"})
	return err
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
	log := s.log.With("payment_id", p.ID, "provider", p.Provider, "op", "lookup")
	pctx, cancel := s.providerCtx(ctx)
	res, err := prov.Lookup(pctx, p)
	cancel()
	if err != nil {
		log.Warn("lookup failed; the sweep will retry", "error", err)
		return p, nil
	}
	switch res.State {
	case payment.ProviderPaid:
		return s.applyPaid(ctx, p, res, "settled_by_lookup")
	case payment.ProviderFailed, payment.ProviderQuit:
		msg := "the provider reports " + res.RawStatus
		return s.transition(ctx, p, payment.StatusFailed, payment.Update{
			ProviderStatus: ptr(res.RawStatus), FailureCode: ptr("provider_failed"), FailureMessage: ptr(msg),
		}, "settled_by_lookup", msg)
	case payment.ProviderCanceled, payment.ProviderPartiallyCanceled:
		// Approved and already (partly) refunded outside paybridge: record the
		// approval, then the refund state, so the books match the provider.
		np, err := s.applyPaid(ctx, p, res, "settled_by_lookup")
		if err != nil || np.Status != payment.StatusPaid {
			return np, err
		}
		return s.recordExternalCancel(ctx, np, res)
	case payment.ProviderPending:
		if s.Now().After(p.ExpiresAt.Add(s.cfg.GiveUpAfter)) {
			msg := "the provider still reports " + res.RawStatus + " long after its window: not approved"
			return s.transition(ctx, p, payment.StatusFailed, payment.Update{
				ProviderStatus: ptr(res.RawStatus), FailureCode: ptr("not_approved"), FailureMessage: ptr(msg),
			}, "settled_by_lookup", msg)
		}
		return p, nil
	default:
		log.Warn("provider reports a status paybridge does not know; leaving the payment approving", "status", res.RawStatus)
		return p, nil
	}
}

// recordExternalCancel brings a paid payment in line with a provider that
// reports refunds paybridge did not make.
func (s *Service) recordExternalCancel(ctx context.Context, p *payment.Payment, res *payment.ProviderPayment) (*payment.Payment, error) {
	if res.CanceledAmount <= p.CanceledAmount || res.CanceledAmount > p.Amount {
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
