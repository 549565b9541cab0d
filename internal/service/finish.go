// finish.go: the buyer says they paid, and paybridge makes the one
// finishing call (approve, confirm or verify) that turns ready into paid.
// Concurrent returns wait for it; what its answer means is in answer.go,
// and an unknown outcome is settled in settle.go.

package service

import (
	"context"
	"fmt"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// Finish completes a payment the buyer says they finished at the provider.
// Exactly one caller wins the ready → approving compare-and-set and talks to
// the provider (approve, confirm or verify); concurrent returns (double
// click, refresh, two tabs, two instances) wait for that one and get its
// result; a return after the payment is settled just gets the payment. The
// provider is never asked to finish twice by a return; only the sweep
// repeats a finishing call, and only one the provider provably did not act
// on (retryFinish).
//
// A success return to a payment paybridge already closed (expired, failed,
// aborted) means the buyer may have paid in a window that outlived it: the
// provider is asked, and a late charge is refunded (refundLate).
func (s *Service) Finish(ctx context.Context, p *payment.Payment, ret payment.Return) (*payment.Payment, error) {
	return s.finish(ctx, p, ret, false)
}

// finish is Finish; again is set on its one repeat, after another return's
// refused call put the payment back to ready.
func (s *Service) finish(ctx context.Context, p *payment.Payment, ret payment.Return, again bool) (*payment.Payment, error) {
	if p.Status != payment.StatusReady {
		if ret.Success && closed(p.Status) {
			return s.refundLate(ctx, p)
		}
		return s.awaitThenFinish(ctx, p, ret, again)
	}
	prov, err := s.providerFor(p)
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
	// The return's token and provider id are kept: a finishing call the
	// provider provably did not act on is repeated with them.
	np, err := s.store.TransitionPayment(ctx, p.ID, payment.StatusReady, payment.StatusApproving,
		payment.Update{PGToken: ptr(ret.Token), ReturnTID: ptr(ret.TID), Seen: p}, payment.Event{Reason: "buyer_returned"})
	if payment.ErrorCode(err) == payment.ECONFLICT {
		return s.awaitThenFinish(ctx, np, ret, again) // another return won
	}
	if err != nil {
		return nil, err
	}
	p = np
	if tampered != "" {
		// The browser's claims decide nothing: anyone who knows the
		// payment's id can send a return. Nothing is finished with it; a
		// lookup by paybridge's own ids decides (a charge is checked
		// against the payment like any answer, so a buyer who edited the
		// amount in the window is refunded). Only if the lookup decides
		// nothing does the return fail the payment, as before.
		log := s.log.With("payment_id", p.ID, "provider", p.Provider, "op", "finish")
		log.Warn("tampered return: deciding from a lookup", "reason", tampered)
		if np, done, err := s.refusedReturn(ctx, p, "return_tampered", tampered); done {
			return np, err
		}
		return s.failAndRefund(ctx, p, "return_tampered", tampered)
	}

	pctx, cancel := s.providerCtx(ctx)
	res, err := prov.Approve(pctx, p, ret)
	cancel()
	if err != nil {
		return s.finishError(ctx, p, prov, err)
	}
	return s.applyResult(ctx, p, res, "approved")
}

// finishError handles a finishing call that failed. For a verifying provider
// (PortOne) the call only read: whatever went wrong with the read, the
// buyer's money moved or not in the window, so the payment stays approving
// and is settled by lookup. For an approving provider (KakaoPay, Toss) an
// unknown outcome is settled the same way, and only a refusal that proves
// nothing was charged fails the payment.
func (s *Service) finishError(ctx context.Context, p *payment.Payment, prov payment.Provider, err error) (*payment.Payment, error) {
	log := s.log.With("payment_id", p.ID, "provider", p.Provider, "op", "finish")
	if prov.Finishing().Verifies || payment.ErrorCode(err) == payment.EUPSTREAM {
		// The provider may have the money: never decide from this call.
		log.Warn("finish outcome unknown; looking the payment up", "error", err)
		return s.settle(ctx, p, false)
	}
	log.Info("provider refused to finish the payment", "error", err)
	// A refusal proves this call charged nothing, not that the buyer will
	// not pay: a return with a wrong token (anyone can send one) is refused
	// while the provider still holds the payment for the buyer. Ask it
	// before deciding.
	if np, done, lerr := s.refusedReturn(ctx, p, "return_refused",
		"the provider refused the return's finishing call and still holds the payment for the buyer"); done {
		return np, lerr
	}
	upd := payment.Update{
		FailureCode:    ptr("provider_declined"),
		FailureMessage: ptr(payment.ErrorMessage(err)),
	}
	providerErrorUpdate(&upd, err)
	return s.transition(ctx, p, payment.StatusFailed, upd, "provider_declined", payment.ErrorMessage(err))
}

// refusedReturn decides from a lookup a return whose finishing call the
// provider refused, or whose claims paybridge refused (reason and msg say
// which, for the event): a payment the provider still holds open for the
// buyer (pending, its window not closed) goes back to ready, without the
// return's token, so the buyer's own return finishes it; one the provider
// shows charged is settled as such. done is false when the lookup decides
// nothing (it failed, answered about another payment, or the window is
// closed): the caller then fails the payment, as before.
func (s *Service) refusedReturn(ctx context.Context, p *payment.Payment, reason, msg string) (np *payment.Payment, done bool, err error) {
	_, res, lerr := s.lookup(ctx, p)
	if lerr != nil || res == nil || identityMismatch(p, res) != "" {
		return nil, false, nil
	}
	switch res.State {
	case payment.ProviderPaid, payment.ProviderPartiallyCanceled, payment.ProviderCanceled:
		np, err = s.applyResult(ctx, p, res, "settled_by_lookup")
		return np, true, err
	case payment.ProviderPending:
		if !s.Now().Before(p.ExpiresAt) {
			return nil, false, nil
		}
		s.log.Warn("the provider holds the payment for the buyer; back to ready",
			"payment_id", p.ID, "provider", p.Provider, "provider_status", res.RawStatus, "reason", reason)
		np, err = s.transition(ctx, p, payment.StatusReady, payment.Update{PGToken: ptr(""), ReturnTID: ptr("")}, reason, msg)
		return np, true, err
	}
	return nil, false, nil
}

// awaitThenFinish waits for the return that holds the payment in approving
// and gets its result. If that return's finishing call was refused and the
// payment went back to ready (refusedReturn), this return finishes it: the
// buyer's own return must not be lost behind a forged one. Only once.
func (s *Service) awaitThenFinish(ctx context.Context, p *payment.Payment, ret payment.Return, again bool) (*payment.Payment, error) {
	np, err := s.awaitApproval(ctx, p)
	if err != nil || p.Status != payment.StatusApproving || np.Status != payment.StatusReady || again || !ret.Success {
		return np, err
	}
	return s.finish(ctx, np, ret, true)
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
