package service_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/payment/paymenttest"
	"github.com/paybridge/paybridge/internal/service"
)

// transitionHook lets a test run code just before the store moves a
// payment from one status to another (once).
type transitionHook struct {
	service.Store
	from, to payment.Status
	before   func()
}

func (s *transitionHook) TransitionPayment(ctx context.Context, id string, from, to payment.Status, upd payment.Update, ev payment.Event) (*payment.Payment, error) {
	if f := s.before; f != nil && from == s.from && to == s.to {
		s.before = nil
		f()
	}
	return s.Store.TransitionPayment(ctx, id, from, to, upd, ev)
}

// mismatchedReturn is the buyer, who paid correctly at the verifying
// provider, returning, and the verification's answer reporting another
// amount (a buggy or tampered answer): the payment fails and what the
// provider holds is refunded (failAndRefund), while the provider's own
// record, which a lookup reads, still shows the correct charge.
func mismatchedReturn(e *env, p *payment.Payment) (*payment.Payment, error) {
	e.ver.On(paymenttest.OpApprove, paymenttest.Step{Edit: func(pp *payment.ProviderPayment) { pp.Amount = p.Amount - 100 }})
	return e.svc.Return(e.ctx, p.ID, service.ReturnApprove, e.ver.ReturnQuery(p.ID))
}

// TestFailAndRefund_PaidByAnotherActorFirstIsNotRefunded: a mismatched
// answer fails the payment and refunds it, but a webhook's lookup settles
// the same approving payment paid just before: the paid payment wins, and
// its money is left alone (refunding first would leave it paid in
// paybridge and refunded at the provider).
func TestFailAndRefund_PaidByAnotherActorFirstIsNotRefunded(t *testing.T) {
	e := newEnv(t)
	hook := &transitionHook{Store: e.st, from: payment.StatusApproving, to: payment.StatusFailed}
	e.db = hook
	e.restart()
	p := e.create(verifier, 1000, 0)
	e.pay(p)
	hook.before = func() { wantStatus(t, e.mustSync(p.ID), payment.StatusPaid) }
	np, err := mismatchedReturn(e, p)
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, np, payment.StatusPaid)
	wantStatus(t, e.get(p.ID), payment.StatusPaid)
	if a := e.ver.Account(p.ID); a.Canceled != 0 || e.ver.Calls(paymenttest.OpCancel) != 0 {
		t.Fatalf("a paid payment was refunded at the provider: %+v", a)
	}
}

// TestFailAndRefund_WebhookDuringRefundLeavesItToTheRefund: the webhook's
// lookup lands while the mismatched answer's refund runs (the review's race the
// other way round): the payment is already failed, refund_required, so the
// webhook leaves it alone; it ends failed with all of it refunded, and the
// result is announced. (The reviewer's scenario, asserted exactly.)
func TestFailAndRefund_WebhookDuringRefundLeavesItToTheRefund(t *testing.T) {
	e := newEnv(t)
	p := e.create(verifier, 1000, 0)
	e.pay(p)
	e.ver.On(paymenttest.OpLookup, paymenttest.Step{Hook: func() {
		if np, err := e.svc.Sync(e.ctx, p.ID); err != nil || np.Status != payment.StatusFailed {
			t.Errorf("sync during the refund: %v; want the payment left failed", err)
		}
	}})
	np, err := mismatchedReturn(e, p)
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, np, payment.StatusFailed)
	got, a := e.get(p.ID), e.ver.Account(p.ID)
	if got.FailureCode != "amount_mismatch" || a.Canceled != 1000 || e.ver.Calls(paymenttest.OpCancel) != 1 ||
		!strings.Contains(got.FailureMessage, "1000 won refunded") {
		t.Fatalf("failure %q (%s), account %+v, cancels %d", got.FailureCode, got.FailureMessage, a, e.ver.Calls(paymenttest.OpCancel))
	}
	if out := e.outbox(p.ID); len(out) != 2 || !contains(out, payment.EventPaymentFailed) || !contains(out, payment.EventPaymentUpdated) {
		t.Fatalf("outbox = %v: want the failure, then the refund announced", out)
	}
}

// TestFailAndRefund_CrashBeforeRefundSweepFinishesIt: paybridge stops
// after failing the payment and before its refund: the payment is failed
// refund_required, and the sweep refunds it once the call that stopped can
// no longer be running (one item lease), never before.
func TestFailAndRefund_CrashBeforeRefundSweepFinishesIt(t *testing.T) {
	for _, tc := range []struct {
		name  string
		crash paymenttest.Op // the call paybridge stops right after
		msg   string         // what the failure message ends up saying
	}{
		{"BeforeTheCancel", paymenttest.OpLookup, "1000 won refunded at the provider on retry"},
		{"AfterTheCancel", paymenttest.OpCancel, "nothing left to refund at the provider"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			p := e.create(verifier, 1000, 0)
			e.pay(p)
			e.ver.On(tc.crash, paymenttest.Step{Crash: true})
			if paymenttest.Go(func() { mismatchedReturn(e, p) }) {
				t.Fatal("the crash step did not crash")
			}
			e.restart()
			if got := e.get(p.ID); got.Status != payment.StatusFailed || got.FailureCode != service.FailureRefundRequired {
				t.Fatalf("after the crash: %s %q", got.Status, got.FailureCode)
			}
			cancels := e.ver.Calls(paymenttest.OpCancel)
			if r := e.advanceAndSweep(30 * time.Second); r.Refunded != 0 || e.ver.Calls(paymenttest.OpCancel) != cancels {
				t.Fatalf("the sweep refunded while the stopped call could still be running: %+v", r)
			}
			if r := e.advanceAndSweep(time.Minute); r.Refunded != 1 {
				t.Fatalf("sweep = %+v; want the refund finished", r)
			}
			got, a := e.get(p.ID), e.ver.Account(p.ID)
			if a.Canceled != 1000 || len(e.ver.CancelRequests()) != 1 || got.FailureCode != "refunded_after_retry" ||
				!strings.Contains(got.FailureMessage, tc.msg) {
				t.Fatalf("account %+v, cancel requests %d, failure %q (%s)", a, len(e.ver.CancelRequests()), got.FailureCode, got.FailureMessage)
			}
		})
	}
}

// TestRetryRefund_LookupAboutAnotherPaymentKeepsItOwed: the sweep's retry
// of an owed refund asks the provider what remains first; an answer about
// another payment says nothing about this one's money, so the refund stays
// owed (not "nothing left to refund") and a later retry makes it.
func TestRetryRefund_LookupAboutAnotherPaymentKeepsItOwed(t *testing.T) {
	e := newEnv(t)
	p := e.create(verifier, 1000, 0)
	e.pay(p)
	e.ver.On(paymenttest.OpCancel, paymenttest.Step{Err: paymenttest.Upstream(500)})
	if _, err := mismatchedReturn(e, p); err != nil {
		t.Fatal(err)
	}
	if got := e.get(p.ID); got.FailureCode != service.FailureRefundRequired {
		t.Fatalf("failure %q; want an owed refund", got.FailureCode)
	}
	e.ver.On(paymenttest.OpLookup, paymenttest.Step{Edit: func(pp *payment.ProviderPayment) { pp.OrderID, pp.TID = "pay_other", "T-other" }})
	e.advanceAndSweep(10 * time.Minute)
	if got := e.get(p.ID); got.FailureCode != service.FailureRefundRequired || strings.Contains(got.FailureMessage, "nothing left") {
		t.Fatalf("after a lookup about another payment: %q (%s); want the refund still owed", got.FailureCode, got.FailureMessage)
	}
	if a := e.ver.Account(p.ID); a.Canceled != 0 {
		t.Fatalf("refunded on an answer about another payment: %+v", a)
	}
	e.advanceAndSweep(time.Hour)
	if got, a := e.get(p.ID), e.ver.Account(p.ID); got.FailureCode != "refunded_after_retry" || a.Canceled != 1000 {
		t.Fatalf("after the next retry: %q (%s), account %+v", got.FailureCode, got.FailureMessage, a)
	}
}

// TestRetryRefund_ProviderInAnotherModeWaitsItsBackoff: an owed refund whose
// provider now runs in the other mode is not attempted, and its next try
// waits the back-off instead of being claimed again at every sweep.
func TestRetryRefund_ProviderInAnotherModeWaitsItsBackoff(t *testing.T) {
	e := newEnv(t)
	p := e.create(verifier, 1000, 0)
	e.pay(p)
	e.ver.On(paymenttest.OpCancel, paymenttest.Step{Err: paymenttest.Upstream(500)})
	if _, err := mismatchedReturn(e, p); err != nil {
		t.Fatal(err)
	}
	e.setLive(verifier)
	calls := e.providerCalls()
	e.advanceAndSweep(10 * time.Minute)
	got := e.get(p.ID)
	if e.providerCalls() != calls || got.FailureCode != service.FailureRefundRequired {
		t.Fatalf("calls %d→%d, failure %q", calls, e.providerCalls(), got.FailureCode)
	}
	if !got.RetryAt.After(e.clock.Now()) {
		t.Fatalf("retry_at %v is not after now %v: the payment would be claimed at every sweep", got.RetryAt, e.clock.Now())
	}
}
