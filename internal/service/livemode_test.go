package service_test

import (
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/payment/paymenttest"
	"github.com/paybridge/paybridge/internal/service"
	"github.com/paybridge/paybridge/internal/testutil"
)

// Ensure a live payment (livemode true: created when its provider had live
// credentials) is never settled as paid by a provider that is not live now
// (paybridge restarted with the provider on its sandbox or on test
// credentials, e.g. a redeploy that lost the credentials): the sandbox's
// "paid" moved no money, yet the payment and its payment.paid webhook would
// say livemode true. Such a payment must be left alone (provider not
// enabled for it), as a test key is kept off live providers.
func TestLivemode_LivePaymentNeverPaidByNonLiveProvider(t *testing.T) {
	e := newEnv(t)
	e.cfg.Livemode = map[string]bool{verifier: true}
	e.restart()
	p := e.create(verifier, 9000, 0)
	if !p.Livemode {
		t.Fatal("payment through a live provider: livemode false")
	}

	e.cfg.Livemode = map[string]bool{} // the same provider name, now a sandbox
	e.restart()
	e.pay(p) // the buyer pays in the sandbox's window
	np, _ := e.returnOK(p)
	if np == nil {
		np, _ = e.st.FindPaymentByID(e.ctx, p.ID)
	}
	if np.Status == payment.StatusPaid {
		t.Fatalf("a live payment became paid (livemode %v) through a provider that moves no money", np.Livemode)
	}
}

// setLive restarts paybridge with the named providers live and the others
// on test credentials.
func (e *env) setLive(providers ...string) {
	e.cfg.Livemode = map[string]bool{}
	for _, name := range providers {
		e.cfg.Livemode[name] = true
	}
	e.restart()
}

// providerCalls counts the calls both fakes got that act on a payment.
func (e *env) providerCalls() int {
	n := 0
	for _, f := range []*paymenttest.Provider{e.appr, e.ver} {
		n += f.Calls(paymenttest.OpApprove) + f.Calls(paymenttest.OpLookup) + f.Calls(paymenttest.OpCancel)
	}
	return n
}

// TestLivemode_ModeChangedProviderLeavesPaymentAlone: for every call made
// for an existing payment (the buyer's returns, a webhook's sync, the
// sweep, a shop's refund, a late charge's and an owed refund), a provider
// that no longer runs in the payment's mode is never asked, the call says
// provider_not_enabled where it answers, and the payment stays as it was,
// for when paybridge runs the provider as it did.
func TestLivemode_ModeChangedProviderLeavesPaymentAlone(t *testing.T) {
	sweepPast := func(d time.Duration) func(e *env, p *payment.Payment) error {
		return func(e *env, p *payment.Payment) error { e.advanceAndSweep(d); return nil }
	}
	for _, tc := range []struct {
		name     string
		provider string
		madeLive bool // the payment was made in live mode; the provider then switches
		arrange  func(t *testing.T, e *env) *payment.Payment
		act      func(e *env, p *payment.Payment) error
		sweep    bool // act is the sweep, which answers no caller
	}{
		{"ReturnApprove", approver, true, readyPaid(approver), func(e *env, p *payment.Payment) error {
			_, err := e.returnOK(p)
			return err
		}, false},
		{"ReturnApproveTestPaymentNowLive", verifier, false, readyPaid(verifier), func(e *env, p *payment.Payment) error {
			_, err := e.returnOK(p)
			return err
		}, false},
		{"ReturnCancel", approver, true, readyPaid(approver), func(e *env, p *payment.Payment) error {
			_, err := e.svc.Return(e.ctx, p.ID, service.ReturnCancel, nil)
			return err
		}, false},
		{"SyncReady", verifier, true, readyPaid(verifier), func(e *env, p *payment.Payment) error {
			_, err := e.svc.Sync(e.ctx, p.ID)
			return err
		}, false},
		{"SyncApproving", approver, true, func(t *testing.T, e *env) *payment.Payment { return stuckApproving(t, e) },
			func(e *env, p *payment.Payment) error {
				_, err := e.svc.Sync(e.ctx, p.ID)
				return err
			}, false},
		{"SweepApproving", approver, true, func(t *testing.T, e *env) *payment.Payment { return stuckApproving(t, e) },
			sweepPast(time.Minute), true},
		{"SweepExpiry", verifier, true, readyPaid(verifier), sweepPast(16 * time.Minute), true},
		{"Refund", approver, true, func(t *testing.T, e *env) *payment.Payment { return paid(t, e, approver, 1000, 0) },
			func(e *env, p *payment.Payment) error {
				_, _, err := e.refund(p.ID, 0)
				return err
			}, false},
		{"LateCharge", verifier, true, func(t *testing.T, e *env) *payment.Payment {
			p := e.create(verifier, 1000, 0)
			e.advanceAndSweep(16 * time.Minute)
			wantStatus(t, e.get(p.ID), payment.StatusExpired)
			e.ver.Pay(p.ID, -1, -1)
			return p
		}, func(e *env, p *payment.Payment) error {
			_, err := e.svc.Sync(e.ctx, p.ID)
			return err
		}, false},
		{"OwedRefund", verifier, true, func(t *testing.T, e *env) *payment.Payment {
			p := e.create(verifier, 1000, 0)
			e.pay(p)
			e.ver.On(paymenttest.OpCancel, paymenttest.Step{Err: paymenttest.Upstream(500)})
			if _, err := mismatchedReturn(e, p); err != nil {
				t.Fatal(err)
			}
			if got := e.get(p.ID); got.FailureCode != service.FailureRefundRequired {
				t.Fatalf("failure %q; want an owed refund", got.FailureCode)
			}
			return p
		}, sweepPast(10 * time.Minute), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			if tc.madeLive {
				e.setLive(tc.provider)
			}
			p := tc.arrange(t, e)
			before := e.get(p.ID)
			if before.Livemode != tc.madeLive {
				t.Fatalf("payment livemode %v, want %v", before.Livemode, tc.madeLive)
			}
			if tc.madeLive {
				e.setLive()
			} else {
				e.setLive(tc.provider)
			}
			calls := e.providerCalls()
			if err := tc.act(e, p); !tc.sweep {
				testutil.AssertCode(t, err, payment.EPROVIDERNOTENABLED)
			}
			got := e.get(p.ID)
			if got.Status != before.Status || got.FailureCode != before.FailureCode || got.RefundAttempts != before.RefundAttempts ||
				got.FinishAttempts != before.FinishAttempts || got.CanceledAmount != before.CanceledAmount {
				t.Fatalf("payment changed: %s %q (attempts %d/%d, canceled %d), was %s %q (%d/%d, %d)",
					got.Status, got.FailureCode, got.RefundAttempts, got.FinishAttempts, got.CanceledAmount,
					before.Status, before.FailureCode, before.RefundAttempts, before.FinishAttempts, before.CanceledAmount)
			}
			if n := e.providerCalls() - calls; n != 0 {
				t.Fatalf("the provider in the other mode was asked %d times", n)
			}
		})
	}
}

// readyPaid arranges a ready payment whose buyer finished in the
// provider's window.
func readyPaid(provider string) func(t *testing.T, e *env) *payment.Payment {
	return func(t *testing.T, e *env) *payment.Payment {
		p := e.create(provider, 1000, 0)
		e.pay(p)
		return p
	}
}

// TestLivemode_ModeRestoredSettlesPayment: once the provider runs in the
// payment's mode again, the payment left alone is settled as usual.
func TestLivemode_ModeRestoredSettlesPayment(t *testing.T) {
	e := newEnv(t)
	e.setLive(verifier)
	p := e.create(verifier, 1000, 0)
	e.pay(p)
	e.setLive()
	if _, err := e.returnOK(p); payment.ErrorCode(err) != payment.EPROVIDERNOTENABLED {
		t.Fatalf("return in the other mode: %v", err)
	}
	e.setLive(verifier)
	wantStatus(t, e.mustReturnOK(p), payment.StatusPaid)
}
