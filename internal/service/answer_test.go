package service_test

import (
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/payment/paymenttest"
)

// TestProviderLastAnswer: the provider's answer the service applies is
// stored on the payment with the time it was applied; the next applied
// answer replaces it, and an answer without a body (a synthetic one) leaves
// it as it was.
func TestProviderLastAnswer(t *testing.T) {
	e := newEnv(t)
	p := e.create(approver, 1000, 0)
	e.pay(p)
	approved := `{"status":"SUCCESS_PAYMENT","note":"<script>x</script>"}`
	e.appr.On(paymenttest.OpApprove, paymenttest.Step{Edit: func(pp *payment.ProviderPayment) { pp.Raw = []byte(approved) }})
	paidAt := e.clock.Now()
	p = e.mustReturnOK(p)
	wantStatus(t, p, payment.StatusPaid)
	if got := e.get(p.ID); string(got.ProviderLastAnswer) != approved || !got.ProviderLastAnswerAt.Equal(paidAt) {
		t.Fatalf("after approve: answer %q at %v, want %q at %v", got.ProviderLastAnswer, got.ProviderLastAnswerAt, approved, paidAt)
	}

	e.clock.Advance(time.Minute)
	canceled := `{"status":"PART_CANCEL_PAYMENT"}`
	e.appr.On(paymenttest.OpCancel, paymenttest.Step{Edit: func(pp *payment.ProviderPayment) { pp.Raw = []byte(canceled) }})
	if _, _, err := e.refund(p.ID, 400); err != nil {
		t.Fatal(err)
	}
	got := e.get(p.ID)
	if string(got.ProviderLastAnswer) != canceled || !got.ProviderLastAnswerAt.Equal(e.clock.Now()) {
		t.Fatalf("after refund: answer %q at %v, want %q at %v", got.ProviderLastAnswer, got.ProviderLastAnswerAt, canceled, e.clock.Now())
	}

	// A refund answered without a body keeps the last one.
	e.clock.Advance(time.Minute)
	if _, _, err := e.refund(p.ID, 100); err != nil {
		t.Fatal(err)
	}
	if got := e.get(p.ID); got.CanceledAmount != 500 || string(got.ProviderLastAnswer) != canceled {
		t.Fatalf("after a refund without a body: canceled %d, answer %q; want 500 and the previous answer", got.CanceledAmount, got.ProviderLastAnswer)
	}
}

// TestAnswer_OtherCurrencyRefunded: a verified payment the provider reports
// in another currency (the buyer changed it in the browser SDK's call) is
// no sale for the same number of won: it fails as a mismatch and what was
// charged is refunded. An answer that names no currency, or the payment's,
// is a sale.
func TestAnswer_OtherCurrencyRefunded(t *testing.T) {
	for _, tc := range []struct {
		currency string
		paid     bool
	}{{"IDR", false}, {"krw", false}, {payment.CurrencyKRW, true}, {"", true}} {
		t.Run("Currency"+tc.currency, func(t *testing.T) {
			e := newEnv(t)
			p := e.create(verifier, 2200, 0)
			e.ver.Pay(p.ID, -1, -1)
			e.ver.On(paymenttest.OpApprove, paymenttest.Step{Edit: func(r *payment.ProviderPayment) { r.Currency = tc.currency }})
			np := e.mustReturnOK(p)
			if tc.paid {
				wantStatus(t, np, payment.StatusPaid)
				return
			}
			wantMismatchRefunded(t, np, e.ver.Account(p.ID).Canceled, 2200)
		})
	}
}
