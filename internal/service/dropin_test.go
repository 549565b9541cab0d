package service_test

import (
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/payment/paymenttest"
	"github.com/paybridge/paybridge/internal/service"
	"github.com/paybridge/paybridge/internal/testutil"
)

// newDropInEnv is an env whose approving fake is named kakaopay: the
// drop-in API makes KakaoPay payments and finds them by KakaoPay's tid.
func newDropInEnv(t *testing.T) *env {
	e := newEnv(t)
	e.appr = paymenttest.New(payment.ProviderKakaoPay, false)
	e.restart()
	return e
}

// A stranger who read the tid and userId off the public /pay/{id} page
// posts /approve with a made-up pg_token while the buyer is still in the
// window: KakaoPay is never called (it would refuse the token and the
// payment would fail for good), the payment stays ready, and the buyer's
// own approval afterwards pays it, once.
func TestDropInApprove_ReadyPaymentIsNotFinished(t *testing.T) {
	e := newDropInEnv(t)
	p, err := e.svc.DropInReady(e.ctx, payment.DefaultMerchantID, service.DefaultDropInURLs, "u1", "Latte", 5000, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, token := range []string{"not-the-token", "pg-" + p.ID} {
		np, err := e.svc.DropInApprove(e.ctx, payment.DefaultMerchantID, "u1", token, p.ProviderTID)
		testutil.AssertCode(t, err, payment.ECONFLICT)
		if np != nil {
			t.Fatalf("DropInApprove on a ready payment returned %+v", np)
		}
	}
	if n := e.appr.Calls(paymenttest.OpApprove); n != 0 {
		t.Fatalf("approve calls to the provider = %d, want 0", n)
	}
	wantStatus(t, e.get(p.ID), payment.StatusReady)

	// The buyer approves in the window and comes back through paybridge's return route.
	e.pay(p)
	wantStatus(t, e.mustReturnOK(p), payment.StatusPaid)

	// Then the sample's success page posts /approve: answered from the database.
	np, err := e.svc.DropInApprove(e.ctx, payment.DefaultMerchantID, "u1", "pg-"+p.ID, p.ProviderTID)
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, np, payment.StatusPaid)
	_, err = e.svc.DropInApprove(e.ctx, payment.DefaultMerchantID, "u1", "not-the-token", p.ProviderTID)
	testutil.AssertCode(t, err, payment.EINVALID)
	_, err = e.svc.DropInApprove(e.ctx, payment.DefaultMerchantID, "u2", "pg-"+p.ID, p.ProviderTID)
	testutil.AssertCode(t, err, payment.ENOTFOUND)
	if n := e.appr.Calls(paymenttest.OpApprove); n != 1 {
		t.Fatalf("approve calls to the provider = %d, want 1 (the buyer's return)", n)
	}
	if a := e.appr.Account(p.ID); !a.Charged || a.Approves != 1 {
		t.Fatalf("provider account = %+v, want charged once", a)
	}
}
