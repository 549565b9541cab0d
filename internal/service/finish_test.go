package service_test

import (
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/payment/paymenttest"
	"github.com/paybridge/paybridge/internal/service"
	"github.com/paybridge/paybridge/internal/testutil"
)

func TestCreate(t *testing.T) {
	t.Run("Ready", func(t *testing.T) {
		e := newEnv(t)
		p := e.create(approver, 1000, 0)
		wantStatus(t, p, payment.StatusReady)
		if p.ProviderTID == "" || p.ProviderOrderID != p.ID || !p.ExpiresAt.Equal(e.clock.Now().Add(15*time.Minute)) {
			t.Fatalf("ready payment = %+v", p)
		}
	})
	t.Run("ProviderRefusesReleasesOrder", func(t *testing.T) {
		e := newEnv(t)
		e.appr.On(paymenttest.OpReady, paymenttest.Step{Err: paymenttest.Invalid("BAD_CID", 400)})
		in := service.CreateInput{Provider: approver, OrderID: "o-1", OrderName: "Tea", CustomerID: "b", Amount: 1000, Quantity: 1}
		_, err := e.svc.CreatePayment(e.ctx, payment.DefaultMerchantID, in)
		testutil.AssertCode(t, err, payment.EUPSTREAM)
		// The order id is free again.
		if _, err := e.svc.CreatePayment(e.ctx, payment.DefaultMerchantID, in); err != nil {
			t.Fatalf("retry with the same order id: %v", err)
		}
	})
	t.Run("InvalidInputChangesNothing", func(t *testing.T) {
		e := newEnv(t)
		_, err := e.svc.CreatePayment(e.ctx, payment.DefaultMerchantID, service.CreateInput{Provider: approver, OrderID: "o", OrderName: "T", CustomerID: "b", Amount: 0, Quantity: 1})
		testutil.AssertCode(t, err, payment.EINVALID)
		if e.appr.Calls(paymenttest.OpReady) != 0 {
			t.Fatal("the provider was called for bad input")
		}
	})
}

func TestFinish_Approving(t *testing.T) {
	t.Run("Paid", func(t *testing.T) {
		e := newEnv(t)
		p := e.create(approver, 1000, 0)
		e.pay(p)
		wantStatus(t, e.mustReturnOK(p), payment.StatusPaid)
		if a := e.appr.Account(p.ID); !a.Charged || a.Approves != 1 {
			t.Fatalf("account = %+v", a)
		}
	})
	t.Run("DeclinedFails", func(t *testing.T) {
		e := newEnv(t)
		p := e.create(approver, 1000, 0)
		e.pay(p)
		e.appr.Fail(p.ID) // the provider declined it: its lookup shows it failed
		e.appr.On(paymenttest.OpApprove, paymenttest.Step{Err: paymenttest.Declined("-780")})
		np := e.mustReturnOK(p)
		wantStatus(t, np, payment.StatusFailed)
		if np.FailureCode != "provider_declined" || np.ProviderErrorCode != "-780" {
			t.Fatalf("failure = %q, provider code %q", np.FailureCode, np.ProviderErrorCode)
		}
	})
	// A refused finishing call while the provider still holds the payment
	// for the buyer (a return with a wrong token, which anyone can send):
	// the payment goes back to ready without the refused token, and the
	// buyer's own return pays it. Rule 1: a refusal of one call is not what
	// happened to the money.
	t.Run("RefusedWhileProviderHoldsItBackToReady", func(t *testing.T) {
		e := newEnv(t)
		p := e.create(approver, 1000, 0)
		e.appr.On(paymenttest.OpApprove, paymenttest.Step{Err: paymenttest.Invalid("-780", 400)})
		q := e.appr.ReturnQuery(p.ID)
		q.Set("token", "forged")
		np := e.mustReturn(p.ID, service.ReturnApprove, q)
		wantStatus(t, np, payment.StatusReady)
		if np.PGToken != "" || np.FailureCode != "" {
			t.Fatalf("after a refused return: token %q, failure %q", np.PGToken, np.FailureCode)
		}
		if got := e.reasons(p.ID); got[len(got)-1] != "return_refused" {
			t.Fatalf("events = %v", got)
		}
		e.pay(p)
		wantStatus(t, e.mustReturnOK(p), payment.StatusPaid)
		if a := e.appr.Account(p.ID); a.Approves != 1 || !a.Charged {
			t.Fatalf("account = %+v", a)
		}
	})
	t.Run("RefusedAndLookupFailsFails", func(t *testing.T) {
		e := newEnv(t)
		p := e.create(approver, 1000, 0)
		e.pay(p)
		e.appr.On(paymenttest.OpApprove, paymenttest.Step{Err: paymenttest.Declined("-780")})
		e.appr.On(paymenttest.OpLookup, paymenttest.Step{Err: paymenttest.Upstream(503)})
		wantStatus(t, e.mustReturnOK(p), payment.StatusFailed)
	})
	t.Run("RefusedButChargedIsPaid", func(t *testing.T) {
		e := newEnv(t)
		p := e.create(approver, 1000, 0)
		e.pay(p)
		// Another approve lands just before this one is refused: the money moved.
		e.appr.On(paymenttest.OpApprove, paymenttest.Step{Err: paymenttest.Declined("-780"), Hook: func() {
			if _, err := e.appr.Approve(e.ctx, p, payment.Return{Success: true, Token: "pg-" + p.ID}); err != nil {
				t.Errorf("the other approve: %v", err)
			}
		}})
		wantStatus(t, e.mustReturnOK(p), payment.StatusPaid)
		if a := e.appr.Account(p.ID); a.Approves != 1 {
			t.Fatalf("approves = %d", a.Approves)
		}
	})
	t.Run("RefusedAfterTheWindowClosedFails", func(t *testing.T) {
		e := newEnv(t)
		p := e.create(approver, 1000, 0)
		e.pay(p)
		e.clock.Advance(16 * time.Minute)
		e.appr.On(paymenttest.OpApprove, paymenttest.Step{Err: paymenttest.Declined("-780")})
		wantStatus(t, e.mustReturnOK(p), payment.StatusFailed)
	})
	// The buyer's own return, arriving while a forged one holds the
	// payment in approving, finishes it once the forged call is refused.
	t.Run("BuyersReturnBehindARefusedOneFinishes", func(t *testing.T) {
		e := newEnv(t)
		p := e.create(approver, 1000, 0)
		e.pay(p)
		e.appr.On(paymenttest.OpApprove, paymenttest.Step{Err: paymenttest.Invalid("-780", 400), Delay: 200 * time.Millisecond})
		q := e.appr.ReturnQuery(p.ID)
		q.Set("token", "forged")
		forged := make(chan *payment.Payment, 1)
		go func() { np, _ := e.svc.Return(e.ctx, p.ID, service.ReturnApprove, q); forged <- np }()
		for e.get(p.ID).Status != payment.StatusApproving {
			time.Sleep(time.Millisecond)
		}
		np := e.mustReturnOK(p)
		<-forged
		wantStatus(t, np, payment.StatusPaid)
		if a := e.appr.Account(p.ID); a.Approves != 1 {
			t.Fatalf("approves = %d", a.Approves)
		}
	})
	t.Run("LostAnswerSettledByLookup", func(t *testing.T) {
		e := newEnv(t)
		p := e.create(approver, 1000, 0)
		e.pay(p)
		e.appr.On(paymenttest.OpApprove, paymenttest.Step{Lost: true})
		wantStatus(t, e.mustReturnOK(p), payment.StatusPaid)
		if a := e.appr.Account(p.ID); a.Approves != 1 {
			t.Fatalf("approves = %d", a.Approves)
		}
	})
	t.Run("UnknownAndLookupFailsStaysApproving", func(t *testing.T) {
		e := newEnv(t)
		p := e.create(approver, 1000, 0)
		e.pay(p)
		e.appr.On(paymenttest.OpApprove, paymenttest.Step{Err: paymenttest.Upstream(503)})
		e.appr.On(paymenttest.OpLookup, paymenttest.Step{Err: paymenttest.Upstream(503)})
		wantStatus(t, e.mustReturnOK(p), payment.StatusApproving)
	})
	// A return whose claims are wrong (another amount, another order) is
	// never finished, and decides nothing by itself: anyone who knows the
	// payment's id can send one. A lookup does: the provider still holds
	// the payment for the buyer, so it goes back to ready, and the buyer's
	// own return pays it.
	t.Run("TamperedReturnDecidedByLookup", func(t *testing.T) {
		e := newEnv(t)
		p := e.create(approver, 1000, 0)
		e.pay(p)
		q := e.appr.ReturnQuery(p.ID)
		q.Set("amount", "10")
		np := e.mustReturn(p.ID, service.ReturnApprove, q)
		wantStatus(t, np, payment.StatusReady)
		if np.FailureCode != "" || e.appr.Calls(paymenttest.OpApprove) != 0 {
			t.Fatalf("failure %q, approves %d", np.FailureCode, e.appr.Calls(paymenttest.OpApprove))
		}
		if got := e.reasons(p.ID); got[len(got)-1] != "return_tampered" {
			t.Fatalf("events = %v", got)
		}
		wantStatus(t, e.mustReturnOK(p), payment.StatusPaid)
	})
	// At a verifying provider the buyer already paid, correctly: a return
	// naming another order must not refund that payment; the lookup finds
	// it paid for the right amount.
	t.Run("TamperedReturnNeverRefundsACorrectPayment", func(t *testing.T) {
		e := newEnv(t)
		p := e.create(verifier, 1000, 0)
		e.pay(p)
		q := e.ver.ReturnQuery(p.ID)
		q.Set("order", "pay_other")
		wantStatus(t, e.mustReturn(p.ID, service.ReturnApprove, q), payment.StatusPaid)
		if n := e.ver.Calls(paymenttest.OpCancel); n != 0 {
			t.Fatalf("%d refunds of a correct payment", n)
		}
	})
	// A buyer who edited the amount in the verifying provider's window is
	// refunded, from the lookup's answer: the amount it reports differs.
	t.Run("TamperedWindowAmountRefunded", func(t *testing.T) {
		e := newEnv(t)
		p := e.create(verifier, 1000, 0)
		e.ver.Pay(p.ID, 10, -1)
		np := e.mustReturnOK(p)
		wantStatus(t, np, payment.StatusFailed)
		if a := e.ver.Account(p.ID); np.FailureCode != "amount_mismatch" || a.Canceled != 10 {
			t.Fatalf("failure %q, account %+v", np.FailureCode, a)
		}
	})
	t.Run("ConcurrentReturnsApproveOnce", func(t *testing.T) {
		e := newEnv(t)
		p := e.create(approver, 1000, 0)
		e.pay(p)
		e.appr.On(paymenttest.OpApprove, paymenttest.Step{Delay: 100 * time.Millisecond})
		var wg sync.WaitGroup
		for range 5 {
			wg.Add(1)
			go func() { defer wg.Done(); e.returnOK(p) }()
		}
		wg.Wait()
		wantStatus(t, e.get(p.ID), payment.StatusPaid)
		if n := e.appr.Calls(paymenttest.OpApprove); n != 1 {
			t.Fatalf("approve calls = %d", n)
		}
	})
	t.Run("BuyerQuitAborted", func(t *testing.T) {
		e := newEnv(t)
		p := e.create(approver, 1000, 0)
		e.appr.Quit(p.ID)
		np := e.mustReturn(p.ID, service.ReturnCancel, nil)
		wantStatus(t, np, payment.StatusAborted)
	})
	t.Run("CancelURLWhileOpenStaysReady", func(t *testing.T) {
		e := newEnv(t)
		p := e.create(approver, 1000, 0)
		np := e.mustReturn(p.ID, service.ReturnCancel, nil)
		wantStatus(t, np, payment.StatusReady)
	})
}

// TestFinish_VerifyingLookupErrorLeavesApproving: a PortOne-like provider
// only verifies, so a 4xx on its lookup says nothing about the money; the
// payment stays approving and the sweep finds it paid (issue 8 item 2).
func TestFinish_VerifyingLookupErrorLeavesApproving(t *testing.T) {
	for _, err := range []error{paymenttest.Invalid("-1", 403), paymenttest.Invalid("-1", 400), paymenttest.Invalid("-1", 401),
		paymenttest.Declined("x"), paymenttest.Upstream(500)} {
		t.Run(payment.ErrorMessage(err), func(t *testing.T) {
			e := newEnv(t)
			p := e.create(verifier, 1000, 0)
			e.pay(p)
			e.ver.On(paymenttest.OpApprove, paymenttest.Step{Err: err})
			e.ver.On(paymenttest.OpLookup, paymenttest.Step{Err: err})
			wantStatus(t, e.mustReturnOK(p), payment.StatusApproving)
			e.advanceAndSweep(time.Minute)
			wantStatus(t, e.get(p.ID), payment.StatusPaid)
		})
	}
}

// returnWithTIDOf sends victim's success return carrying other's imp_uid
// and no merchant_uid: a buyer replaying another payment's return.
func (e *env) returnWithTIDOf(victim, other *payment.Payment) *payment.Payment {
	q := e.ver.ReturnQuery(victim.ID)
	q.Set("tid", e.ver.Account(other.ID).TID)
	q.Del("order")
	return e.mustReturn(victim.ID, service.ReturnApprove, q)
}

// TestFinish_VerifyingFailedOtherOrderIgnored: a return carrying another
// payment's (failed) imp_uid is looked up by paybridge's own ids instead,
// and does not fail a payment the buyer can still pay (item 5).
func TestFinish_VerifyingFailedOtherOrderIgnored(t *testing.T) {
	e := newEnv(t)
	other := e.create(verifier, 1000, 0)
	e.ver.Fail(other.ID)
	victim := e.create(verifier, 1000, 0)
	np := e.returnWithTIDOf(victim, other)
	if np.Status == payment.StatusFailed {
		t.Fatalf("another payment's failed imp_uid failed this one: %s", np.FailureMessage)
	}
	e.ver.Pay(victim.ID, -1, -1)
	e.advanceAndSweep(time.Minute)
	wantStatus(t, e.get(victim.ID), payment.StatusPaid)
}

// TestFinish_OtherPaidOrderNotSold: another order's paid imp_uid is never
// a sale for this one, and its money is not touched.
func TestFinish_OtherPaidOrderNotSold(t *testing.T) {
	e := newEnv(t)
	other := e.create(verifier, 1000, 0)
	e.ver.Pay(other.ID, -1, -1)
	victim := e.create(verifier, 1000, 0)
	np := e.returnWithTIDOf(victim, other)
	if np.Status == payment.StatusPaid || np.Status == payment.StatusFailed {
		t.Fatalf("victim is %s", np.Status)
	}
	if a := e.ver.Account(other.ID); a.Canceled != 0 {
		t.Fatalf("another order's money was refunded: %d", a.Canceled)
	}
}

// wantMismatchRefunded checks that np failed on an answer that does not
// match it (amount_mismatch) and that want, the amount the payment was
// created with, was refunded: a constant from the test, not np.Amount, so
// that a service that took the provider's amount over its own would fail.
func wantMismatchRefunded(t *testing.T, np *payment.Payment, refunded, want int64) {
	t.Helper()
	wantStatus(t, np, payment.StatusFailed)
	if np.FailureCode != "amount_mismatch" || refunded != want || np.Amount != want {
		t.Fatalf("failure %q, refunded %d, amount %d; want amount_mismatch, %d refunded of %d", np.FailureCode, refunded, np.Amount, want, want)
	}
}

// TestFinish_ApprovedMismatchRefunded: an approve whose answer does not
// match the payment, in amount or in its tax-free part, is no sale: the
// money is refunded and the payment fails (item 5).
func TestFinish_ApprovedMismatchRefunded(t *testing.T) {
	for _, tc := range []struct {
		name            string
		amount, taxFree int64
		edit            func(r *payment.ProviderPayment)
	}{
		{"Amount", 1000, 0, func(r *payment.ProviderPayment) { r.Amount = 999 }},
		{"TaxFree", 10000, 1000, func(r *payment.ProviderPayment) { r.TaxFreeAmount = 0 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			p := e.create(approver, tc.amount, tc.taxFree)
			e.pay(p)
			e.appr.On(paymenttest.OpApprove, paymenttest.Step{Edit: tc.edit})
			np := e.mustReturnOK(p)
			wantMismatchRefunded(t, np, e.appr.Account(p.ID).Canceled, tc.amount)
		})
	}
}

// TestFinish_VerifiedTaxFreeMismatchRefunded: a buyer who edits the
// tax-free part in PortOne's window gets no sale with a false VAT split
// (item 5).
func TestFinish_VerifiedTaxFreeMismatchRefunded(t *testing.T) {
	e := newEnv(t)
	p := e.create(verifier, 10000, 0)
	e.ver.Pay(p.ID, -1, 10000)
	np := e.mustReturnOK(p)
	wantMismatchRefunded(t, np, e.ver.Account(p.ID).Canceled, 10000)
	if a := e.ver.Account(p.ID); a.CanceledTF != 10000 {
		t.Fatalf("tax-free refund = %d, want 10000 (the part the buyer made tax-free): %+v", a.CanceledTF, a)
	}
}

// TestFinish_ReturnToClosedPaymentRefundsLateCharge: a success return to an
// expired payment looks the provider up and refunds a late charge, and the
// shop hears of it (items 4 and 9).
func TestFinish_ReturnToClosedPaymentRefundsLateCharge(t *testing.T) {
	e := newEnv(t)
	p := e.create(verifier, 1000, 0)
	e.advanceAndSweep(16 * time.Minute)
	wantStatus(t, e.get(p.ID), payment.StatusExpired)
	e.ver.Pay(p.ID, -1, -1) // the window outlived paybridge's expiry
	np := e.mustReturnOK(p)
	wantStatus(t, np, payment.StatusExpired)
	if a := e.ver.Account(p.ID); a.Canceled != 1000 {
		t.Fatalf("late charge not refunded: %+v", a)
	}
	if np.FailureCode != "late_charge_refunded" || !contains(e.outbox(p.ID), payment.EventPaymentUpdated) {
		t.Fatalf("failure %q, outbox %v", np.FailureCode, e.outbox(p.ID))
	}
	// A second return refunds nothing more.
	e.mustReturnOK(p)
	if a := e.ver.Account(p.ID); a.Refunds != 1 {
		t.Fatalf("refunds = %d", a.Refunds)
	}
}

// TestBuyerLeft_CancelAbortedForEveryProvider: a buyer's cancel ends
// aborted once a lookup shows nothing was charged, whatever the provider
// reports it as (issue 13 item 6).
func TestBuyerLeft_CancelAbortedForEveryProvider(t *testing.T) {
	for _, tc := range []struct {
		name     string
		provider string
		arrange  func(e *env, p *payment.Payment) // may be nil
		kind     string                           // of the return
		query    url.Values
		wantCode string // the provider's reason kept, with a message; "" when it gives none
	}{
		{"ProviderQuit", approver, func(e *env, p *payment.Payment) { e.appr.Quit(p.ID) }, service.ReturnCancel, nil, ""},
		{"FailedBecauseTheBuyerCancelled", verifier, func(e *env, p *payment.Payment) { // PortOne
			e.ver.Fail(p.ID)
			e.ver.On(paymenttest.OpLookup, paymenttest.Step{Edit: func(r *payment.ProviderPayment) {
				r.BuyerCanceled, r.FailureCode, r.FailureMessage = true, "PAY_PROCESS_CANCELED", "사용자가 결제를 취소했습니다"
			}})
		}, service.ReturnFail, nil, "PAY_PROCESS_CANCELED"},
		{"NothingAtTheProviderAndTheReturnSaysCancelled", approver, nil, // Toss
			service.ReturnFail, url.Values{"code": {paymenttest.CodeCanceled}, "message": {"취소"}}, paymenttest.CodeCanceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			p := e.create(tc.provider, 1000, 0)
			if tc.arrange != nil {
				tc.arrange(e, p)
			}
			np := e.mustReturn(p.ID, tc.kind, tc.query)
			wantStatus(t, np, payment.StatusAborted)
			if tc.wantCode != "" && (np.ProviderErrorCode != tc.wantCode || np.ProviderErrorMessage == "") {
				t.Fatalf("provider reason = %q %q", np.ProviderErrorCode, np.ProviderErrorMessage)
			}
		})
	}
	t.Run("ChargedIsNeverAborted", func(t *testing.T) {
		e := newEnv(t)
		p := e.create(verifier, 1000, 0)
		e.ver.Pay(p.ID, -1, -1)
		np := e.mustReturn(p.ID, service.ReturnFail, url.Values{"code": {paymenttest.CodeCanceled}})
		if np.Status == payment.StatusAborted {
			t.Fatal("a charged payment was aborted on the browser's word")
		}
	})
}

// TestBuyerLeft_ProviderReasonKept: a failure keeps the provider's own code
// and message (issue 13 item 5).
func TestBuyerLeft_ProviderReasonKept(t *testing.T) {
	e := newEnv(t)
	p := e.create(verifier, 1000, 0)
	e.ver.Fail(p.ID)
	e.ver.On(paymenttest.OpLookup, paymenttest.Step{Edit: func(r *payment.ProviderPayment) {
		r.FailureCode, r.FailureMessage = "F1001", "[F1001] 카드사 승인이 거절되었습니다"
	}})
	np := e.mustReturn(p.ID, service.ReturnFail, nil)
	wantStatus(t, np, payment.StatusFailed)
	if np.ProviderErrorCode != "F1001" || !strings.Contains(np.FailureMessage, "카드사") {
		t.Fatalf("provider code %q, failure message %q", np.ProviderErrorCode, np.FailureMessage)
	}
}

// TestFinish_NoReadBacks: every transition of a checkout hands the store the
// payment as the store returned it (Update.Seen), so on SQLite no payment is
// read back after its UPDATE (store.Stats.ReadBacks): created → ready,
// ready → approving, approving → paid.
func TestFinish_NoReadBacks(t *testing.T) {
	for _, provider := range []string{approver, verifier} {
		t.Run(provider, func(t *testing.T) {
			e := newEnv(t)
			before := e.st.Stats()
			p := e.create(provider, 1000, 0)
			e.pay(p)
			wantStatus(t, e.mustReturnOK(p), payment.StatusPaid)
			after := e.st.Stats()
			if n := after.ReadBacks - before.ReadBacks; n != 0 {
				t.Fatalf("%d payments read back after their UPDATE in a checkout, want 0", n)
			}
			if after.Transactions-before.Transactions < 4 {
				t.Fatalf("%d transactions: the checkout did not run", after.Transactions-before.Transactions)
			}
		})
	}
}
