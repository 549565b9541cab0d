// returns.go: the buyer's browser comes back from the provider. A return
// the provider's own parameters call a success finishes the payment
// (finish.go); any other return, or the cancel and fail URLs, change a
// payment only after a lookup confirms nothing was charged (buyerLeft).

package service

import (
	"context"
	"net/url"

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
// anything (buyerLeft).
func (s *Service) Return(ctx context.Context, id, kind string, q url.Values) (*payment.Payment, error) {
	p, err := s.store.FindPaymentByID(ctx, id)
	if err != nil {
		return nil, err
	}
	prov, err := s.providerFor(p)
	if err != nil {
		return nil, err
	}
	ret := prov.ParseReturn(q)
	if kind != ReturnApprove || !ret.Success {
		return s.buyerLeft(ctx, id, ret)
	}
	return s.Finish(ctx, p, ret)
}

// buyerLeft handles a return without success. Those URLs carry nothing
// trustworthy (anyone can open them), so the payment is only moved after a
// lookup confirms nothing was charged: the buyer quit or cancelled →
// aborted, for every provider (KakaoPay QUIT_PAYMENT, PortOne's failure
// "the user cancelled", Toss's PAY_PROCESS_CANCELED with no confirmed
// payment); the provider failed it → failed, with the provider's own code
// and message kept on the payment. If the provider still reports the
// payment as open and the buyer did not cancel, it stays ready: the buyer
// may yet pay in another tab, and the expiry sweep closes it otherwise.
func (s *Service) buyerLeft(ctx context.Context, id string, ret payment.Return) (*payment.Payment, error) {
	p, err := s.store.FindPaymentByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Status != payment.StatusReady {
		return s.awaitApproval(ctx, p)
	}
	prov, res, err := s.lookup(ctx, p)
	if prov == nil {
		return nil, err
	}
	if err != nil {
		s.log.Warn("lookup after the buyer left failed", "payment_id", p.ID, "provider", p.Provider, "op", "lookup", "error", err)
		return p, nil
	}
	if msg := notAbout(p, res); msg != "" {
		s.log.Warn("provider answer decides nothing for this payment; ignored", "payment_id", p.ID, "reason", msg)
		return p, nil
	}
	switch {
	case res.State == payment.ProviderQuit || (res.State == payment.ProviderFailed && res.BuyerCanceled) ||
		(res.State == payment.ProviderPending && ret.Canceled):
		return s.transition(ctx, p, payment.StatusAborted, s.providerReason(res, ret), "buyer_quit",
			"the buyer cancelled; the provider reports "+res.RawStatus+" and nothing charged")
	case res.State == payment.ProviderFailed:
		return s.failFromProvider(ctx, p, res, ret, "provider_failed")
	}
	return p, nil
}

// failFromProvider fails a payment the provider reports failed, keeping
// the provider's reason.
func (s *Service) failFromProvider(ctx context.Context, p *payment.Payment, res *payment.ProviderPayment, ret payment.Return, reason string) (*payment.Payment, error) {
	msg := "the provider reports " + res.RawStatus
	upd := s.providerReason(res, ret)
	if upd.ProviderErrorMessage != nil && *upd.ProviderErrorMessage != "" {
		msg += ": " + *upd.ProviderErrorMessage
	}
	upd.FailureCode, upd.FailureMessage = ptr("provider_failed"), ptr(msg)
	return s.transition(ctx, p, payment.StatusFailed, upd, reason, msg)
}

// providerReason records the provider's status and its own reason for a
// failure: from its lookup, else from the buyer's return (Toss's fail URL
// code and message), which is only kept once a lookup confirmed nothing was
// charged.
func (s *Service) providerReason(res *payment.ProviderPayment, ret payment.Return) payment.Update {
	upd := payment.Update{ProviderStatus: ptr(res.RawStatus), ProviderAnswer: s.answer(res)}
	code, msg := res.FailureCode, res.FailureMessage
	if code == "" && msg == "" {
		code, msg = ret.ErrorCode, ret.ErrorMessage
	}
	if code != "" || msg != "" {
		upd.ProviderErrorCode, upd.ProviderErrorMessage = ptr(code), ptr(msg)
	}
	return upd
}
