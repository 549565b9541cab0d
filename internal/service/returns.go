package service

import (
	"context"

	"github.com/paybridge/paybridge/internal/payment"
)

// BuyerLeft handles the browser arriving at a payment's cancel or fail URL,
// or at its approval URL without the provider's word of success.
// Those URLs carry nothing trustworthy (anyone can open them), so the payment
// is only moved when the provider confirms: quit → aborted, failed → failed.
// If the provider still reports the payment as open, it stays ready: the
// buyer may yet pay in another tab, and the expiry sweep closes it otherwise.
func (s *Service) BuyerLeft(ctx context.Context, id string) (*payment.Payment, error) {
	p, err := s.store.FindPaymentByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Status != payment.StatusReady {
		return s.awaitApproval(ctx, p)
	}
	prov, err := s.provider(p.Provider)
	if err != nil {
		return nil, err
	}
	pctx, cancel := s.providerCtx(ctx)
	res, err := prov.Lookup(pctx, p)
	cancel()
	if err != nil {
		s.log.Warn("lookup after the buyer left failed", "payment_id", p.ID, "provider", p.Provider, "op", "lookup", "error", err)
		return p, nil
	}
	if msg := identityMismatch(p, res); msg != "" {
		s.log.Warn("provider answer is about another payment; ignored", "payment_id", p.ID, "reason", msg)
		return p, nil
	}
	msg := "the provider reports " + res.RawStatus
	switch res.State {
	case payment.ProviderQuit:
		return s.transition(ctx, p, payment.StatusAborted, payment.Update{ProviderStatus: ptr(res.RawStatus)}, "buyer_quit", msg)
	case payment.ProviderFailed:
		return s.transition(ctx, p, payment.StatusFailed, payment.Update{
			ProviderStatus: ptr(res.RawStatus), FailureCode: ptr("provider_failed"), FailureMessage: ptr(msg),
		}, "provider_failed", msg)
	}
	return p, nil
}
