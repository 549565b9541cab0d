package service_test

import (
	"log/slog"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/payment/paymenttest"
	"github.com/paybridge/paybridge/internal/service"
)

// TestLookup_ProviderNotEnabled: a payment whose provider this paybridge
// no longer runs (restarted without it) cannot be settled by a lookup. Sync
// and the buyer's cancel return say so with the provider error, which is
// not "the lookup failed, try later": the payment is left as it was and no
// provider is asked.
func TestLookup_ProviderNotEnabled(t *testing.T) {
	e := newEnv(t)
	p := e.create(approver, 5000, 0)
	// Restart with the verifier only: the approver is not enabled.
	e.svc = service.New(e.db, []payment.Provider{e.ver}, slog.New(slog.DiscardHandler), e.cfg)
	e.svc.SetNow(e.clock.Now)

	for name, call := range map[string]func() (*payment.Payment, error){
		"sync":   func() (*payment.Payment, error) { return e.svc.Sync(e.ctx, p.ID) },
		"cancel": func() (*payment.Payment, error) { return e.svc.Return(e.ctx, p.ID, service.ReturnCancel, nil) },
	} {
		np, err := call()
		if payment.ErrorCode(err) != payment.EINVALID || np != nil {
			t.Errorf("%s: got %v, %v; want no payment and EINVALID (provider not available)", name, np, err)
		}
		wantStatus(t, e.get(p.ID), payment.StatusReady)
	}
	if n := e.appr.Calls(paymenttest.OpLookup); n != 0 {
		t.Errorf("the disabled provider was asked %d times", n)
	}
}
