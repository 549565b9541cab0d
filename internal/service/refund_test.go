package service_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/payment/paymenttest"
	"github.com/paybridge/paybridge/internal/service"
	"github.com/paybridge/paybridge/internal/testutil"
)

// paid returns a paid payment of provider.
func paid(t *testing.T, e *env, provider string, amount, taxFree int64) *payment.Payment {
	t.Helper()
	p := e.create(provider, amount, taxFree)
	e.pay(p)
	np := e.mustReturnOK(p)
	wantStatus(t, np, payment.StatusPaid)
	return np
}

func TestRefund(t *testing.T) {
	t.Run("PartialThenRest", func(t *testing.T) {
		e := newEnv(t)
		p := paid(t, e, approver, 1000, 0)
		np, c, err := e.refund(p.ID, 300)
		if err != nil || c.Status != payment.CancellationSucceeded {
			t.Fatalf("refund: %v, %+v", err, c)
		}
		wantStatus(t, np, payment.StatusPartiallyCanceled)
		np, _, err = e.refund(p.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		wantStatus(t, np, payment.StatusCanceled)
		if a := e.appr.Account(p.ID); a.Canceled != 1000 || np.CanceledAmount != 1000 {
			t.Fatalf("provider refunded %d, paybridge %d", a.Canceled, np.CanceledAmount)
		}
	})
	t.Run("DeclinedRecorded", func(t *testing.T) {
		e := newEnv(t)
		p := paid(t, e, approver, 1000, 0)
		e.appr.On(paymenttest.OpCancel, paymenttest.Step{Err: paymenttest.Declined("-780")})
		_, c, err := e.refund(p.ID, 300)
		testutil.AssertCode(t, err, payment.EDECLINED)
		if c.Status != payment.CancellationFailed {
			t.Fatalf("cancellation = %+v", c)
		}
	})
	t.Run("LostAnswerSettledAtOnce", func(t *testing.T) {
		e := newEnv(t)
		p := paid(t, e, approver, 1000, 0)
		e.appr.On(paymenttest.OpCancel, paymenttest.Step{Lost: true})
		np, c, err := e.refund(p.ID, 300)
		if err != nil || c.Status != payment.CancellationSucceeded || np.CanceledAmount != 300 {
			t.Fatalf("refund: %v, %+v, canceled %d", err, c, np.CanceledAmount)
		}
	})
	t.Run("UnknownNotDoneFailedAfterGiveUp", func(t *testing.T) {
		e := newEnv(t)
		p := paid(t, e, approver, 1000, 0)
		e.appr.On(paymenttest.OpCancel, paymenttest.Step{Err: paymenttest.Upstream(504)})
		_, c, err := e.refund(p.ID, 300)
		if err != nil || c.Status != payment.CancellationPending {
			t.Fatalf("refund: %v, %+v", err, c)
		}
		e.advanceAndSweep(time.Minute)
		if cs := e.cancellations(p.ID); cs[0].Status != payment.CancellationPending {
			t.Fatalf("failed before the give-up: %+v", cs[0])
		}
		e.advanceAndSweep(3 * time.Minute)
		if cs := e.cancellations(p.ID); cs[0].Status != payment.CancellationFailed {
			t.Fatalf("not failed after the give-up: %+v", cs[0])
		}
	})
	t.Run("NotPaidConflict", func(t *testing.T) {
		e := newEnv(t)
		p := e.create(approver, 1000, 0)
		_, _, err := e.refund(p.ID, 0)
		testutil.AssertCode(t, err, payment.ECONFLICT)
	})
}

// TestRefund_SettlesWhenProviderTotalMatchesNeither: a pending refund whose
// provider total matches neither "before" nor "before + this refund" (an
// operator refunded too, in the provider's console) settles, from the
// provider's total, instead of blocking every later refund (item 6).
func TestRefund_SettlesWhenProviderTotalMatchesNeither(t *testing.T) {
	t.Run("OursDoneAndOutside", func(t *testing.T) {
		e := newEnv(t)
		p := paid(t, e, approver, 1000, 0)
		e.appr.On(paymenttest.OpCancel, paymenttest.Step{Lost: true})
		e.appr.On(paymenttest.OpLookup, paymenttest.Step{Err: paymenttest.Upstream(500)})
		if _, c, _ := e.refund(p.ID, 300); c.Status != payment.CancellationPending {
			t.Fatalf("cancellation = %+v", c)
		}
		e.appr.RefundOutside(p.ID, 200, 0)
		e.advanceAndSweep(time.Minute)
		got := e.get(p.ID)
		if cs := e.cancellations(p.ID); cs[0].Status != payment.CancellationSucceeded || got.CanceledAmount != 500 {
			t.Fatalf("cancellation %+v, canceled %d", cs[0], got.CanceledAmount)
		}
		if _, _, err := e.refund(p.ID, 100); err != nil {
			t.Fatalf("a later refund is blocked: %v", err)
		}
	})
	t.Run("OursNotDoneOutsideRecorded", func(t *testing.T) {
		e := newEnv(t)
		p := paid(t, e, approver, 1000, 0)
		e.appr.On(paymenttest.OpCancel, paymenttest.Step{Err: paymenttest.Upstream(504)})
		e.refund(p.ID, 300)
		e.appr.RefundOutside(p.ID, 200, 0)
		e.advanceAndSweep(time.Minute)
		e.advanceAndSweep(3 * time.Minute)
		got := e.get(p.ID)
		if cs := e.cancellations(p.ID); cs[0].Status != payment.CancellationFailed || got.CanceledAmount != 200 ||
			got.Status != payment.StatusPartiallyCanceled {
			t.Fatalf("cancellation %+v, payment %s canceled %d", cs[0], got.Status, got.CanceledAmount)
		}
	})
}

// TestRefund_AcceptedAsyncStaysPendingUntilProviderSays: PortOne V2's
// REQUESTED refund is not failed after two minutes; it completes when the
// provider carries it out, or fails when it refuses (item 6).
func TestRefund_AcceptedAsyncStaysPendingUntilProviderSays(t *testing.T) {
	for _, ok := range []bool{true, false} {
		name := map[bool]string{true: "Done", false: "Refused"}[ok]
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			p := paid(t, e, verifier, 1000, 0)
			e.ver.On(paymenttest.OpCancel, paymenttest.Step{Async: true})
			_, c, err := e.refund(p.ID, 300)
			if err != nil || c.Status != payment.CancellationPending || c.AcceptedAt.IsZero() {
				t.Fatalf("refund: %v, %+v", err, c)
			}
			e.advanceAndSweep(10 * time.Minute)
			e.advanceAndSweep(10 * time.Minute)
			if cs := e.cancellations(p.ID); cs[0].Status != payment.CancellationPending {
				t.Fatalf("an accepted refund was settled before the provider said: %+v", cs[0])
			}
			e.ver.Settle(p.ID, ok)
			e.advanceAndSweep(2 * time.Minute)
			cs, got := e.cancellations(p.ID), e.get(p.ID)
			want, canceled := payment.CancellationFailed, int64(0)
			if ok {
				want, canceled = payment.CancellationSucceeded, 300
			}
			if cs[0].Status != want || got.CanceledAmount != canceled {
				t.Fatalf("cancellation %s, canceled %d; want %s, %d", cs[0].Status, got.CanceledAmount, want, canceled)
			}
			if ok && !contains(e.outbox(p.ID), payment.EventPaymentPartiallyCanceled) {
				t.Fatalf("outbox = %v", e.outbox(p.ID))
			}
		})
	}
}

// racingStore lets a test run code between a refund's first read of the
// payment and its pending cancellation row.
type racingStore struct {
	service.Store
	before func()
}

func (s *racingStore) CreateCancellation(ctx context.Context, c *payment.Cancellation, expect payment.Status) error {
	if f := s.before; f != nil {
		s.before = nil
		f()
	}
	return s.Store.CreateCancellation(ctx, c, expect)
}

// TestRefund_ConcurrentRefundGetsConflict: a refund decided on a read made
// before another refund completed gets 409, never the provider's refusal
// of a stale cancelable amount (item 6).
func TestRefund_ConcurrentRefundGetsConflict(t *testing.T) {
	e := newEnv(t)
	rs := &racingStore{Store: e.st}
	e.db = rs
	e.restart()
	p := paid(t, e, approver, 1000, 0)
	// Partially refunded first, so both racers expect the same status.
	if _, _, err := e.refund(p.ID, 100); err != nil {
		t.Fatal(err)
	}
	rs.before = func() {
		if _, _, err := e.refund(p.ID, 100); err != nil {
			t.Errorf("the other refund: %v", err)
		}
	}
	_, _, err := e.refund(p.ID, 200)
	testutil.AssertCode(t, err, payment.ECONFLICT)
	if n := e.appr.Calls(paymenttest.OpCancel); n != 2 {
		t.Fatalf("cancel calls = %d, want the first refund's and the winner's", n)
	}
	if got := e.get(p.ID); got.CanceledAmount != 200 {
		t.Fatalf("canceled = %d", got.CanceledAmount)
	}
}

// lateCharged returns a verifying payment that expired and was then
// charged, with the late-charge refund failing at first.
func lateCharged(t *testing.T, e *env, amount, taxFree int64) *payment.Payment {
	t.Helper()
	p := e.create(verifier, amount, taxFree)
	e.advanceAndSweep(16 * time.Minute)
	e.ver.Pay(p.ID, -1, -1)
	return p
}

// TestRefundOwn_RemainingTaxFreeAndKeyPerAttempt: the refund of a late
// charge sends what remains with the remaining tax-free part, and every
// attempt has its own idempotency key (item 6).
func TestRefundOwn_RemainingTaxFreeAndKeyPerAttempt(t *testing.T) {
	e := newEnv(t)
	p := lateCharged(t, e, 10000, 4000)
	e.ver.RefundOutside(p.ID, 3000, 3000) // an operator refunded part, tax-free, in the console
	e.ver.On(paymenttest.OpCancel, paymenttest.Step{Err: paymenttest.Upstream(500)})
	np := e.mustReturnOK(p)
	if np.FailureCode != "refund_required" || !contains(e.outbox(p.ID), payment.EventPaymentUpdated) {
		t.Fatalf("failure %q, outbox %v", np.FailureCode, e.outbox(p.ID))
	}
	e.advanceAndSweep(2 * time.Minute)
	got := e.get(p.ID)
	if a := e.ver.Account(p.ID); a.Canceled != 10000 || got.FailureCode != "refunded_after_retry" {
		t.Fatalf("account %+v, failure %q", a, got.FailureCode)
	}
	reqs := e.ver.CancelRequests()
	if len(reqs) != 2 || reqs[1].TaxFreeAmount != 1000 || reqs[1].Amount != 7000 || reqs[0].IdempotencyKey == reqs[1].IdempotencyKey {
		t.Fatalf("cancel requests = %+v", reqs)
	}
	if n := strings.Count(strings.Join(e.outbox(p.ID), " "), payment.EventPaymentUpdated); n != 2 {
		t.Fatalf("outbox = %v: want refund_required and refunded_after_retry announced", e.outbox(p.ID))
	}
}

// TestRetryRefund_BackoffThenRaisedToOperator: a refund that keeps failing
// is retried with growing waits, not on every sweep, and after
// maxRefundAttempts raised to the operator with an event and an error log.
func TestRetryRefund_BackoffThenRaisedToOperator(t *testing.T) {
	e := newEnv(t)
	p := lateCharged(t, e, 1000, 0)
	for range 100 {
		e.ver.On(paymenttest.OpCancel, paymenttest.Step{Err: paymenttest.Upstream(500)})
	}
	e.mustReturnOK(p)
	for range 60 { // ten minutes of sweeps every ten seconds
		e.advanceAndSweep(10 * time.Second)
	}
	if n := e.ver.Calls(paymenttest.OpCancel); n > 6 {
		t.Fatalf("%d refund attempts in ten minutes: no backoff", n)
	}
	for range 40 {
		e.advanceAndSweep(time.Hour)
	}
	if !contains(e.reasons(p.ID), "refund_given_up") || !hasLog(e.logs, "ERROR", "refund it by hand") {
		t.Fatalf("not raised: events %v", e.reasons(p.ID))
	}
	if got := e.get(p.ID); got.FailureCode != "refund_required" {
		t.Fatalf("failure = %q", got.FailureCode)
	}
}

// TestRefund_AcceptedWithLostAnswerStaysPendingWhileProviderHoldsIt: PortOne
// V2 accepts a refund to carry out later (REQUESTED) and the answer is
// lost, so paybridge never learns it was accepted. The lookup shows it
// pending at the provider: the refund stays pending past RefundGiveUpAfter
// (failing it would tell the shop it failed while the money is on its way
// back), is recorded as accepted, and settles as the provider decides.
func TestRefund_AcceptedWithLostAnswerStaysPendingWhileProviderHoldsIt(t *testing.T) {
	for _, ok := range []bool{true, false} {
		name := map[bool]string{true: "Done", false: "Refused"}[ok]
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			p := paid(t, e, verifier, 1000, 0)
			e.ver.On(paymenttest.OpCancel, paymenttest.Step{Async: true, Lost: true})
			_, c, err := e.refund(p.ID, 300)
			if err != nil || c.Status != payment.CancellationPending {
				t.Fatalf("refund: %v, %+v", err, c)
			}
			e.advanceAndSweep(3 * time.Minute)
			e.advanceAndSweep(3 * time.Minute)
			cs := e.cancellations(p.ID)
			if cs[0].Status != payment.CancellationPending {
				t.Fatalf("refund failed (%s: %s) while the provider still holds it pending: %+v",
					cs[0].FailureCode, cs[0].FailureMessage, e.ver.Account(p.ID))
			}
			if cs[0].AcceptedAt.IsZero() {
				t.Fatalf("a refund the provider shows pending is not recorded as accepted: %+v", cs[0])
			}
			e.ver.Settle(p.ID, ok)
			e.advanceAndSweep(2 * time.Minute)
			cs, got := e.cancellations(p.ID), e.get(p.ID)
			want, code, canceled := payment.CancellationFailed, "provider_refused", int64(0)
			if ok {
				want, code, canceled = payment.CancellationSucceeded, "", 300
			}
			if cs[0].Status != want || cs[0].FailureCode != code || got.CanceledAmount != canceled {
				t.Fatalf("cancellation %s (%q), canceled %d; want %s (%q), %d",
					cs[0].Status, cs[0].FailureCode, got.CanceledAmount, want, code, canceled)
			}
		})
	}
}

// cancelAnswers is a provider whose Cancel refunds nothing and answers
// with a success built by answer from the payment as the provider holds it
// (nil: the provider's own view of p): a provider, or an adapter, whose
// answer cannot be believed.
type cancelAnswers struct {
	*paymenttest.Provider
	answer func(view *payment.ProviderPayment)
}

func (f cancelAnswers) Cancel(ctx context.Context, p *payment.Payment, _ payment.CancelRequest) (*payment.ProviderPayment, error) {
	view, err := f.Provider.Lookup(ctx, p)
	if err != nil {
		return nil, err
	}
	f.answer(view)
	return view, nil
}

// untrustedCancels are the answers to a cancel that say nothing about
// this refund of this payment: one about another payment, and one about
// this payment whose refunded total does not include the refund.
var untrustedCancels = map[string]func(*payment.ProviderPayment){
	"AnotherPayment": func(v *payment.ProviderPayment) {
		v.TID, v.OrderID, v.State, v.RawStatus, v.CanceledAmount = "T-other", "pay_other", payment.ProviderPartiallyCanceled, "PARTIAL_CANCELED", 300
	},
	"TotalWithoutIt": func(*payment.ProviderPayment) {},
}

// withProviders replaces the service by one over the same store with these
// providers (named approver and verifier).
func (e *env) withProviders(appr, ver payment.Provider) {
	e.svc = service.New(e.db, []payment.Provider{appr, ver}, nil, e.cfg)
	e.svc.SetNow(e.clock.Now)
}

// TestRefund_AnswerCheckedAgainstPayment: Rule 3 — a successful answer to
// a shop's refund is booked only if it is about this payment (its ids) and
// its cumulative refunded total includes this refund; otherwise the refund
// stays pending and is settled by lookup, never booked as succeeded while
// the provider refunded nothing.
func TestRefund_AnswerCheckedAgainstPayment(t *testing.T) {
	for name, answer := range untrustedCancels {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			p := paid(t, e, approver, 1000, 0)
			e.withProviders(cancelAnswers{e.appr, answer}, e.ver)
			_, c, err := e.refund(p.ID, 300)
			if err != nil || c.Status != payment.CancellationPending {
				t.Fatalf("refund: %v, %+v; want it pending (the provider refunded %d)", err, c, e.appr.Account(p.ID).Canceled)
			}
			e.advanceAndSweep(3 * time.Minute)
			cs, got := e.cancellations(p.ID), e.get(p.ID)
			if cs[0].Status != payment.CancellationFailed || cs[0].FailureCode != "not_refunded" || got.CanceledAmount != 0 {
				t.Fatalf("cancellation %s (%q), canceled %d; want failed not_refunded, 0", cs[0].Status, cs[0].FailureCode, got.CanceledAmount)
			}
		})
	}
}

// TestRefund_UntrustedAnswerBookedByLookup: a cancel that did refund but
// whose answer does not show it (here its refunded total is edited) is not
// booked from that answer; the lookup books it, at once or in the sweep.
func TestRefund_UntrustedAnswerBookedByLookup(t *testing.T) {
	e := newEnv(t)
	p := paid(t, e, approver, 1000, 0)
	e.appr.On(paymenttest.OpCancel, paymenttest.Step{Edit: func(v *payment.ProviderPayment) { v.CanceledAmount = 0 }})
	e.appr.On(paymenttest.OpLookup, paymenttest.Step{Err: paymenttest.Upstream(500)})
	if _, c, err := e.refund(p.ID, 300); err != nil || c.Status != payment.CancellationPending {
		t.Fatalf("refund: %v, %+v; want it pending until a lookup shows it", err, c)
	}
	e.advanceAndSweep(time.Minute)
	if cs, got := e.cancellations(p.ID), e.get(p.ID); cs[0].Status != payment.CancellationSucceeded || got.CanceledAmount != 300 {
		t.Fatalf("cancellation %s, canceled %d", cs[0].Status, got.CanceledAmount)
	}
}

// TestRefundOwn_AnswerCheckedAgainstPayment: Rule 3 for the refund of a
// late charge: a cancel answer that does not show this payment's refund is
// not taken for the refund. The money is still at the provider, so the
// refund is required and retried until the provider shows it.
func TestRefundOwn_AnswerCheckedAgainstPayment(t *testing.T) {
	for name, answer := range untrustedCancels {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			p := lateCharged(t, e, 1000, 0)
			e.withProviders(e.appr, cancelAnswers{e.ver, answer})
			if np := e.mustReturnOK(p); np.FailureCode != "refund_required" {
				t.Fatalf("failure %q (%s) while the provider refunded %d", np.FailureCode, np.FailureMessage, e.ver.Account(p.ID).Canceled)
			}
			e.withProviders(e.appr, e.ver)
			e.advanceAndSweep(2 * time.Minute)
			if got, a := e.get(p.ID), e.ver.Account(p.ID); got.FailureCode != "refunded_after_retry" || a.Canceled != 1000 {
				t.Fatalf("failure %q, provider refunded %d", got.FailureCode, a.Canceled)
			}
		})
	}
}

// TestRefundOwn_UntrustedAnswerConfirmedByLookup: a late charge's refund
// that went through, but whose answer does not show it, is confirmed by a
// lookup at once: no retry, no refund required.
func TestRefundOwn_UntrustedAnswerConfirmedByLookup(t *testing.T) {
	e := newEnv(t)
	p := lateCharged(t, e, 1000, 0)
	e.ver.On(paymenttest.OpCancel, paymenttest.Step{Edit: func(v *payment.ProviderPayment) { v.TID = "T-other" }})
	np := e.mustReturnOK(p)
	if np.FailureCode != "late_charge_refunded" || e.ver.Account(p.ID).Canceled != 1000 {
		t.Fatalf("failure %q (%s), provider refunded %d", np.FailureCode, np.FailureMessage, e.ver.Account(p.ID).Canceled)
	}
	if n := e.ver.Calls(paymenttest.OpCancel); n != 1 {
		t.Fatalf("cancel calls = %d, want 1", n)
	}
}

// TestRefund_FailureOfPendingRefundAnnounced: a shop answered "pending"
// hears of the refund's failure (payment.updated, with the failure in the
// audit trail), written with it; a refund refused at once is answered with
// the refusal and announces nothing.
func TestRefund_FailureOfPendingRefundAnnounced(t *testing.T) {
	cases := []struct {
		name     string
		provider string
		script   paymenttest.Step
		after    func(e *env, p *payment.Payment)
		code     string
	}{
		{"NotRefunded", approver, paymenttest.Step{Err: paymenttest.Upstream(504)},
			func(e *env, _ *payment.Payment) { e.advanceAndSweep(3 * time.Minute) }, "not_refunded"},
		{"ProviderRefused", verifier, paymenttest.Step{Async: true},
			func(e *env, p *payment.Payment) { e.ver.Settle(p.ID, false); e.advanceAndSweep(time.Minute) }, "provider_refused"},
		{"DeclinedAtOnce", approver, paymenttest.Step{Err: paymenttest.Declined("-780")}, nil, "provider_declined"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			p := paid(t, e, tc.provider, 1000, 0)
			e.fake(tc.provider).On(paymenttest.OpCancel, tc.script)
			e.refund(p.ID, 300)
			if tc.after != nil {
				tc.after(e, p)
			}
			cs, got := e.cancellations(p.ID), e.get(p.ID)
			if cs[0].Status != payment.CancellationFailed || cs[0].FailureCode != tc.code || got.Status != payment.StatusPaid {
				t.Fatalf("cancellation %s (%q), payment %s; want failed (%q), paid", cs[0].Status, cs[0].FailureCode, got.Status, tc.code)
			}
			announced := tc.after != nil
			if contains(e.outbox(p.ID), payment.EventPaymentUpdated) != announced || contains(e.reasons(p.ID), tc.code) != announced {
				t.Fatalf("outbox %v, events %v; want the failure announced: %v", e.outbox(p.ID), e.reasons(p.ID), announced)
			}
		})
	}
}
