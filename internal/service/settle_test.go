package service_test

import (
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/payment/paymenttest"
	"github.com/paybridge/paybridge/internal/service"
)

// stuckApproving returns an approving payment whose approve failed before
// the provider acted (a 503), with the buyer authenticated.
func stuckApproving(t *testing.T, e *env) *payment.Payment {
	t.Helper()
	p := e.create(approver, 1000, 0)
	e.pay(p)
	e.appr.On(paymenttest.OpApprove, paymenttest.Step{Err: paymenttest.Upstream(503)})
	np := e.mustReturnOK(p)
	wantStatus(t, np, payment.StatusApproving)
	return np
}

// TestSweep_RetriesFinishProviderDidNotAct: one 503 on approve no longer
// leaves an authenticated buyer uncharged until the window expires: the
// lookup proves the provider did not act, so the sweep approves again
// (item 3).
func TestSweep_RetriesFinishProviderDidNotAct(t *testing.T) {
	e := newEnv(t)
	p := stuckApproving(t, e)
	e.advanceAndSweep(time.Minute)
	wantStatus(t, e.get(p.ID), payment.StatusPaid)
	if a := e.appr.Account(p.ID); a.Approves != 1 || e.get(p.ID).FinishAttempts != 1 {
		t.Fatalf("approves %d, attempts %d", a.Approves, e.get(p.ID).FinishAttempts)
	}
	if !contains(e.reasons(p.ID), "approved_on_retry") {
		t.Fatalf("events = %v", e.reasons(p.ID))
	}
}

// TestSweep_RetryFinishWithStoredPaymentKey: a Toss-like return carries no
// token but the provider's key; it is stored so the confirm can be repeated.
func TestSweep_RetryFinishWithStoredPaymentKey(t *testing.T) {
	e := newEnv(t)
	p := e.create(approver, 1000, 0)
	e.pay(p)
	q := e.appr.ReturnQuery(p.ID)
	q.Del("token")
	e.appr.On(paymenttest.OpApprove, paymenttest.Step{Err: paymenttest.Upstream(500)})
	if _, err := e.svc.Return(e.ctx, p.ID, service.ReturnApprove, q); err != nil {
		t.Fatal(err)
	}
	if got := e.get(p.ID).ReturnTID; got != q.Get("tid") {
		t.Fatalf("return tid = %q", got)
	}
	e.advanceAndSweep(time.Minute)
	wantStatus(t, e.get(p.ID), payment.StatusPaid)
}

// TestSweep_RetryAfterLostAnswerNeverChargesTwice: when the approve did
// happen (its answer was lost), the lookup says so and nothing is repeated.
func TestSweep_RetryAfterLostAnswerNeverChargesTwice(t *testing.T) {
	e := newEnv(t)
	p := e.create(approver, 1000, 0)
	e.pay(p)
	e.appr.On(paymenttest.OpApprove, paymenttest.Step{Lost: true})
	e.appr.On(paymenttest.OpLookup, paymenttest.Step{Err: paymenttest.Upstream(502)})
	wantStatus(t, e.mustReturnOK(p), payment.StatusApproving)
	e.advanceAndSweep(time.Minute)
	wantStatus(t, e.get(p.ID), payment.StatusPaid)
	if a := e.appr.Account(p.ID); a.Approves != 1 || e.appr.Calls(paymenttest.OpApprove) != 1 {
		t.Fatalf("approves %d, approve calls %d", a.Approves, e.appr.Calls(paymenttest.OpApprove))
	}
}

// TestSweep_FinishRetriesBoundedThenNotApproved: a provider that keeps
// failing gets a bounded number of repeats, spaced out, never after its
// window; then the payment fails with not_approved and nothing charged.
func TestSweep_FinishRetriesBoundedThenNotApproved(t *testing.T) {
	e := newEnv(t)
	p := stuckApproving(t, e)
	for range 100 {
		e.appr.On(paymenttest.OpApprove, paymenttest.Step{Err: paymenttest.Upstream(503)})
	}
	for range 35 { // 35 × 40s: past the window and the give-up
		e.advanceAndSweep(40 * time.Second)
	}
	np := e.get(p.ID)
	wantStatus(t, np, payment.StatusFailed)
	calls := e.appr.Calls(paymenttest.OpApprove)
	if np.FailureCode != service.FailureNotApproved || calls < 3 || calls > 6 || e.appr.Account(p.ID).Charged {
		t.Fatalf("failure %q, approve calls %d, account %+v", np.FailureCode, calls, e.appr.Account(p.ID))
	}
}

// TestSweep_VerifyingNeverRepeatsFinish: a verifying provider has nothing
// to repeat; a pending payment is only looked up.
func TestSweep_VerifyingNeverRepeatsFinish(t *testing.T) {
	e := newEnv(t)
	p := e.create(verifier, 1000, 0)
	e.ver.On(paymenttest.OpApprove, paymenttest.Step{Err: paymenttest.Upstream(503)})
	e.mustReturnOK(p)
	e.advanceAndSweep(time.Minute)
	if n := e.ver.Calls(paymenttest.OpApprove); n != 1 {
		t.Fatalf("approve calls = %d", n)
	}
	wantStatus(t, e.get(p.ID), payment.StatusApproving)
}

// TestSweep_UnknownOutcomeSurfaced: an approving payment whose lookups keep
// failing is surfaced once, with an event and an error log (item 10).
func TestSweep_UnknownOutcomeSurfaced(t *testing.T) {
	e := newEnv(t)
	p := e.create(verifier, 1000, 0)
	for range 200 {
		e.ver.On(paymenttest.OpLookup, paymenttest.Step{Err: paymenttest.Upstream(503)})
	}
	e.ver.On(paymenttest.OpApprove, paymenttest.Step{Err: paymenttest.Upstream(503)})
	e.mustReturnOK(p)
	e.advanceAndSweep(20 * time.Minute)
	if got := e.get(p.ID); got.FailureCode != "" {
		t.Fatalf("surfaced too early: %q", got.FailureCode)
	}
	e.advanceAndSweep(30 * time.Minute)
	e.advanceAndSweep(5 * time.Minute)
	got := e.get(p.ID)
	wantStatus(t, got, payment.StatusApproving)
	if got.FailureCode != service.FailureOutcomeUnknown || !hasLog(e.logs, "ERROR", "payment outcome unknown") {
		t.Fatalf("failure %q, logs:\n%s", got.FailureCode, e.logs.String())
	}
	if n := len(e.outbox(p.ID)); n != 1 || e.outbox(p.ID)[0] != payment.EventPaymentUpdated {
		t.Fatalf("outbox = %v (want one payment.updated)", e.outbox(p.ID))
	}
	// PortOne answers again, and the buyer had paid: paid, no failure left.
	e.ver.Reset()
	e.ver.Pay(p.ID, -1, -1)
	e.advanceAndSweep(5 * time.Minute)
	got = e.get(p.ID)
	wantStatus(t, got, payment.StatusPaid)
	if got.FailureCode != "" || got.FailureMessage != "" {
		t.Fatalf("a paid payment keeps failure %q: %s", got.FailureCode, got.FailureMessage)
	}
}

// TestSweep_ExpiresAndOrphans covers the sweep's other branches.
func TestSweep_ExpiresAndOrphans(t *testing.T) {
	t.Run("ExpiredAfterLookup", func(t *testing.T) {
		e := newEnv(t)
		p := e.create(approver, 1000, 0)
		r := e.advanceAndSweep(16 * time.Minute)
		wantStatus(t, e.get(p.ID), payment.StatusExpired)
		if r.Expired != 1 {
			t.Fatalf("result = %+v", r)
		}
	})
	t.Run("PaidLateIsPaid", func(t *testing.T) {
		e := newEnv(t)
		p := e.create(verifier, 1000, 0)
		e.pay(p)
		e.advanceAndSweep(16 * time.Minute)
		wantStatus(t, e.get(p.ID), payment.StatusPaid)
	})
	t.Run("LookupFailsStaysReady", func(t *testing.T) {
		e := newEnv(t)
		p := e.create(approver, 1000, 0)
		e.appr.On(paymenttest.OpLookup, paymenttest.Step{Err: paymenttest.Upstream(500)})
		e.advanceAndSweep(16 * time.Minute)
		wantStatus(t, e.get(p.ID), payment.StatusReady)
	})
	t.Run("OrphanedCreatedFails", func(t *testing.T) {
		e := newEnv(t)
		e.appr.On(paymenttest.OpReady, paymenttest.Step{Crash: true})
		returned := paymenttest.Go(func() {
			e.svc.CreatePayment(e.ctx, payment.DefaultMerchantID, service.CreateInput{Provider: approver, OrderID: "o-1",
				OrderName: "Tea", CustomerID: "b", Amount: 1000, Quantity: 1})
		})
		if returned {
			t.Fatal("the crash step did not crash")
		}
		e.restart()
		r := e.advanceAndSweep(time.Minute)
		if r.Orphaned != 1 {
			t.Fatalf("result = %+v", r)
		}
	})
}

// TestSync covers a provider webhook's lookup: what the provider reports
// of the payment decides its status.
func TestSync(t *testing.T) {
	for _, tc := range []struct {
		name     string
		provider string
		arrange  func(t *testing.T, e *env, p *payment.Payment)
		want     payment.Status
		check    func(t *testing.T, np *payment.Payment) // more than the status; may be nil
	}{
		{"ReadyPaidInWindow", verifier, func(_ *testing.T, e *env, p *payment.Payment) { e.pay(p) }, payment.StatusPaid, nil},
		{"OutsideRefundRecorded", verifier, func(_ *testing.T, e *env, p *payment.Payment) {
			e.pay(p)
			e.mustReturnOK(p)
			e.ver.RefundOutside(p.ID, 400, 0)
		}, payment.StatusPartiallyCanceled, func(t *testing.T, np *payment.Payment) {
			if np.CanceledAmount != 400 {
				t.Fatalf("canceled = %d", np.CanceledAmount)
			}
		}},
		{"ApprovingSettled", verifier, func(t *testing.T, e *env, p *payment.Payment) {
			e.ver.On(paymenttest.OpApprove, paymenttest.Step{Err: paymenttest.Upstream(503)})
			e.ver.On(paymenttest.OpLookup, paymenttest.Step{Err: paymenttest.Upstream(503)})
			wantStatus(t, e.mustReturnOK(p), payment.StatusApproving)
			e.pay(p)
		}, payment.StatusPaid, nil},
		{"ReadyQuitAborted", approver, func(_ *testing.T, e *env, p *payment.Payment) { e.appr.Quit(p.ID) }, payment.StatusAborted, nil},
		{"ReadyFailedKeepsReason", verifier, func(_ *testing.T, e *env, p *payment.Payment) {
			e.ver.Fail(p.ID)
			e.ver.On(paymenttest.OpLookup, paymenttest.Step{Edit: func(r *payment.ProviderPayment) { r.FailureMessage = "카드 한도 초과" }})
		}, payment.StatusFailed, func(t *testing.T, np *payment.Payment) {
			if np.ProviderErrorMessage != "카드 한도 초과" {
				t.Fatalf("provider message = %q", np.ProviderErrorMessage)
			}
		}},
		{"AnswerAboutAnotherPaymentIgnored", approver, func(_ *testing.T, e *env, p *payment.Payment) {
			e.appr.On(paymenttest.OpLookup, paymenttest.Step{Edit: func(r *payment.ProviderPayment) {
				r.OrderID, r.State, r.RawStatus = "pay_other", payment.ProviderFailed, "FAIL_PAYMENT"
			}})
		}, payment.StatusReady, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			p := e.create(tc.provider, 1000, 0)
			tc.arrange(t, e, p)
			np := e.mustSync(p.ID)
			wantStatus(t, np, tc.want)
			if tc.check != nil {
				tc.check(t, np)
			}
		})
	}

	// More than a status: a late charge refunded, a failed attempt for
	// another amount ignored.
	t.Run("ClosedChargedLateRefunded", func(t *testing.T) {
		e := newEnv(t)
		p := e.create(verifier, 1000, 0)
		e.advanceAndSweep(16 * time.Minute)
		e.pay(p)
		if _, err := e.svc.Sync(e.ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		if e.ver.Account(p.ID).Canceled != 1000 {
			t.Fatal("late charge not refunded")
		}
	})
	t.Run("FailedAttemptOtherAmountIgnored", func(t *testing.T) {
		e := newEnv(t)
		p := e.create(verifier, 1000, 0)
		e.ver.On(paymenttest.OpLookup, paymenttest.Step{Edit: func(r *payment.ProviderPayment) {
			r.State, r.RawStatus, r.Amount = payment.ProviderFailed, "failed", 5
		}})
		e.ver.On(paymenttest.OpApprove, paymenttest.Step{Edit: func(r *payment.ProviderPayment) {
			r.State, r.RawStatus, r.Amount = payment.ProviderFailed, "failed", 5
		}})
		np := e.mustReturnOK(p)
		if np.Status == payment.StatusFailed {
			t.Fatal("a failed attempt for another amount failed the payment")
		}
	})
}

// TestSweep_RechecksClosedPaymentsOfOutlivingProviders: with no return and
// no webhook, a charge made after paybridge expired the payment is found
// by the sweep and refunded, for LateCheckFor (item 4).
func TestSweep_RechecksClosedPaymentsOfOutlivingProviders(t *testing.T) {
	e := newEnv(t)
	p := e.create(verifier, 1000, 0)
	e.advanceAndSweep(16 * time.Minute)
	wantStatus(t, e.get(p.ID), payment.StatusExpired)
	e.ver.Pay(p.ID, -1, -1)
	r := e.advanceAndSweep(6 * time.Minute)
	if a := e.ver.Account(p.ID); a.Canceled != 1000 || r.Late != 1 {
		t.Fatalf("late charge not refunded: %+v, result %+v", a, r)
	}
	if got := e.get(p.ID); got.Status != payment.StatusExpired || got.FailureCode != "late_charge_refunded" {
		t.Fatalf("payment = %s %q", got.Status, got.FailureCode)
	}
	if !contains(e.outbox(p.ID), payment.EventPaymentUpdated) {
		t.Fatalf("outbox = %v", e.outbox(p.ID))
	}

	// A closed payment is looked up every LateCheckEvery, not on every sweep.
	e = newEnv(t)
	r0 := e.create(verifier, 1000, 0)
	e.advanceAndSweep(16 * time.Minute)
	wantStatus(t, e.get(r0.ID), payment.StatusExpired)
	e.advanceAndSweep(2 * time.Minute) // the first re-check
	n0 := e.ver.Calls(paymenttest.OpLookup)
	e.advanceAndSweep(2 * time.Minute)
	e.advanceAndSweep(2 * time.Minute)
	if n := e.ver.Calls(paymenttest.OpLookup); n != n0 {
		t.Fatalf("re-checked %d times within LateCheckEvery", n-n0)
	}

	// Long after, a closed payment is no longer looked up.
	q := e.create(verifier, 1000, 0)
	e.advanceAndSweep(16 * time.Minute)
	e.advanceAndSweep(3 * time.Hour)
	before := e.ver.Calls(paymenttest.OpLookup)
	e.ver.Pay(q.ID, -1, -1)
	e.advanceAndSweep(6 * time.Minute)
	if after := e.ver.Calls(paymenttest.OpLookup); after != before {
		t.Fatalf("a payment closed 3 hours ago was looked up (%d → %d)", before, after)
	}
}

// TestRetryFinish_RefusedRepeatWhileFirstApproveLandsEndsPaid: the first
// approve's outcome was unknown (503); the sweep's lookup shows the
// payment pending and repeats the approve, which is refused (KakaoPay
// -780, "another transaction in progress") while the first one lands.
// The refusal says nothing about the first call: the payment stays
// approving and the next lookup finds it paid, so the buyer is never
// charged for a failed payment.
func TestRetryFinish_RefusedRepeatWhileFirstApproveLandsEndsPaid(t *testing.T) {
	for name, refusal := range map[string]error{
		"Declined": paymenttest.Declined("-780"),
		"Invalid":  paymenttest.Invalid("USER_LOCKED", 400),
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			p := stuckApproving(t, e)
			e.appr.On(paymenttest.OpApprove, paymenttest.Step{Hook: func() { e.appr.Pay(p.ID, -1, -1) }, Err: refusal})
			e.advanceAndSweep(time.Minute)
			if got := e.get(p.ID); got.Status != payment.StatusApproving || got.FinishAttempts != 1 {
				t.Fatalf("after the refused repeat: %s (failure %q), attempts %d; want approving after one repeat",
					got.Status, got.FailureCode, got.FinishAttempts)
			}
			for range 3 { // past the lease of the sweep that repeated it
				e.advanceAndSweep(time.Minute)
			}
			wantStatus(t, e.get(p.ID), payment.StatusPaid)
			if a := e.appr.Account(p.ID); !a.Charged || a.Canceled != 0 {
				t.Fatalf("account %+v", a)
			}
		})
	}
}

// TestRetryFinish_RefusedRepeatsLeaveItToTheLookup: repeats that keep
// being refused, with nothing charged, do not fail the payment on their
// answers; the lookup does, once the provider still calls it unfinished
// GiveUpAfter past its window (not_approved).
func TestRetryFinish_RefusedRepeatsLeaveItToTheLookup(t *testing.T) {
	e := newEnv(t)
	p := stuckApproving(t, e)
	for range 10 {
		e.appr.On(paymenttest.OpApprove, paymenttest.Step{Err: paymenttest.Declined("-780")})
	}
	deadline := p.ExpiresAt.Add(testConfig.GiveUpAfter)
	for e.clock.Now().Before(deadline) {
		e.advanceAndSweep(time.Minute)
		wantStatus(t, e.get(p.ID), payment.StatusApproving)
	}
	if n := e.appr.Calls(paymenttest.OpApprove); n < 2 {
		t.Fatalf("approve calls = %d: the sweep never repeated it", n)
	}
	e.advanceAndSweep(time.Minute)
	got := e.get(p.ID)
	wantStatus(t, got, payment.StatusFailed)
	if got.FailureCode != service.FailureNotApproved || e.appr.Account(p.ID).Charged {
		t.Fatalf("failure %q, account %+v", got.FailureCode, e.appr.Account(p.ID))
	}
}
