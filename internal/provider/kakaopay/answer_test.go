package kakaopay

import (
	"context"
	"net/http"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider/answertest"
	"github.com/paybridge/paybridge/internal/testutil"
)

// edited is the testdata file with edit applied to its decoded object.
func edited(t *testing.T, file string, edit func(m map[string]any)) []byte {
	t.Helper()
	return answertest.Edited(t, mustTestdata(t, file), edit)
}

// setAmount sets field.key of m, one of KakaoPay's amount objects.
func setAmount(field, key string, v any) func(map[string]any) {
	return func(m map[string]any) { m[field].(map[string]any)[key] = v }
}

// TestClient_ApproveAnswerWithoutTIDOrAmountIsUnreadable: a 2xx approve
// answer that says nothing about the payment (a gateway's "{}", an object
// cut short) must not come back as "paid, 0 won": the service would read
// that as an amount mismatch and fail and refund a good payment. It is an
// unknown outcome, settled by lookup.
func TestClient_ApproveAnswerWithoutTIDOrAmountIsUnreadable(t *testing.T) {
	bodies := map[string][]byte{
		"empty":        []byte(`{}`),
		"no amount":    []byte(`{"aid":"A1","tid":"T1234567890123456789"}`),
		"zero total":   edited(t, "approve_money.json", setAmount("amount", "total", 0)),
		"null amount":  edited(t, "approve_money.json", func(m map[string]any) { m["amount"] = nil }),
		"no tid":       edited(t, "approve_money.json", func(m map[string]any) { delete(m, "tid") }),
		"empty object": edited(t, "approve_card.json", func(m map[string]any) { clear(m) }),
	}
	for _, gen := range generations {
		for name, body := range bodies {
			t.Run(gen+"/"+name, func(t *testing.T) {
				f := newFake(t, gen, replay(http.StatusOK, body))
				got, err := MustClient(t, gen, f.BaseURL()).Approve(context.Background(), testPayment(), payment.Return{Success: true, Token: "tok"})
				if payment.ErrorCode(err) != payment.EUPSTREAM {
					t.Fatalf("got %+v, %v; want an unreadable answer (EUPSTREAM)", got, err)
				}
				if f.Calls() != 1 {
					t.Errorf("approve calls = %d, want 1: approve is never repeated", f.Calls())
				}
			})
		}
	}
}

// TestClient_LookupOfChargedPaymentWithoutAmountIsUnreadable: the same for
// an order answer that reports money taken. One that reports none (READY)
// needs no amount: nothing is decided from it.
func TestClient_LookupOfChargedPaymentWithoutAmountIsUnreadable(t *testing.T) {
	for file, want := range map[string]string{
		"order_success.json":     payment.EUPSTREAM,
		"order_part_cancel.json": payment.EUPSTREAM,
		"order_cancel.json":      payment.EUPSTREAM,
		"order_ready.json":       "",
	} {
		t.Run(file, func(t *testing.T) {
			body := edited(t, file, func(m map[string]any) { delete(m, "amount") })
			f := newFake(t, GenerationCurrent, replay(http.StatusOK, body))
			got, err := MustClient(t, GenerationCurrent, f.BaseURL()).Lookup(context.Background(), testPayment())
			if got := payment.ErrorCode(err); got != want {
				t.Fatalf("code = %q (%v), want %q", got, err, want)
			}
			if want == "" && got.State != payment.ProviderPending {
				t.Errorf("State = %s, want pending", got.State)
			}
		})
	}
	t.Run("no tid", func(t *testing.T) {
		body := edited(t, "order_success.json", func(m map[string]any) { delete(m, "tid") })
		f := newFake(t, GenerationCurrent, replay(http.StatusOK, body))
		_, err := MustClient(t, GenerationCurrent, f.BaseURL()).Lookup(context.Background(), testPayment())
		testutil.AssertCode(t, err, payment.EUPSTREAM)
	})
}

// TestClient_CancelAnswerMustMatchTheRefund: the service records a
// successful Cancel as the refund it asked for without looking at the
// answer, so an answer about another payment, or one that refunded another
// amount, must come back as an unknown outcome (EUPSTREAM): the service then
// settles the refund from a lookup of the refunded total. The request is
// cancel_partial.json's refund: 1000 of 2200, nothing refunded before.
func TestClient_CancelAnswerMustMatchTheRefund(t *testing.T) {
	req := payment.CancelRequest{Amount: 1000, Cancelable: 2200}
	for name, edit := range map[string]func(map[string]any){
		"another tid":              func(m map[string]any) { m["tid"] = "T9999999999999999999" },
		"no tid":                   func(m map[string]any) { delete(m, "tid") },
		"another order":            func(m map[string]any) { m["partner_order_id"] = "pay_another" },
		"another amount":           setAmount("approved_cancel_amount", "total", 500),
		"another tax-free part":    setAmount("approved_cancel_amount", "tax_free", 100),
		"refunded total rose less": setAmount("canceled_amount", "total", 500),
		"refunded total rose more": setAmount("canceled_amount", "total", 2200),
		"another remainder":        setAmount("cancel_available_amount", "total", 1700),
		"no amount":                func(m map[string]any) { delete(m, "amount") },
		"not a refund status":      func(m map[string]any) { m["status"] = "SUCCESS_PAYMENT" },
		"no status":                func(m map[string]any) { delete(m, "status") },
		"empty":                    func(m map[string]any) { clear(m) },
	} {
		t.Run(name, func(t *testing.T) {
			f := newFake(t, GenerationCurrent, replay(http.StatusOK, edited(t, "cancel_partial.json", edit)))
			got, err := MustClient(t, GenerationCurrent, f.BaseURL()).Cancel(context.Background(), testPayment(), req)
			if payment.ErrorCode(err) != payment.EUPSTREAM {
				t.Fatalf("Cancel = %+v, %v; want an unknown outcome (EUPSTREAM)", got, err)
			}
		})
	}

	// Without approved_cancel_amount the rise of the refunded total and the
	// remainder still prove the refund, so the answer is accepted.
	t.Run("matching without approved_cancel_amount", func(t *testing.T) {
		body := edited(t, "cancel_partial.json", func(m map[string]any) { delete(m, "approved_cancel_amount") })
		f := newFake(t, GenerationCurrent, replay(http.StatusOK, body))
		got, err := MustClient(t, GenerationCurrent, f.BaseURL()).Cancel(context.Background(), testPayment(), req)
		if err != nil {
			t.Fatal(err)
		}
		if got.CanceledAmount != 1000 || got.CancelableAmount != 1200 {
			t.Errorf("CanceledAmount, CancelableAmount = %d, %d; want 1000, 1200", got.CanceledAmount, got.CancelableAmount)
		}
	})
	// A refund after an earlier one: 1200 of the 1200 left, 1000 refunded
	// before (cancel_full.json), and the tax-free part of this refund.
	t.Run("second refund", func(t *testing.T) {
		body := edited(t, "cancel_full.json", setAmount("approved_cancel_amount", "tax_free", 200))
		c := MustClient(t, GenerationCurrent, newFake(t, GenerationCurrent, replay(http.StatusOK, body)).BaseURL())
		if _, err := c.Cancel(context.Background(), testPayment(), payment.CancelRequest{Amount: 1200, TaxFreeAmount: 200, Cancelable: 1200}); err != nil {
			t.Fatal(err)
		}
		_, err := c.Cancel(context.Background(), testPayment(), payment.CancelRequest{Amount: 1200, TaxFreeAmount: 0, Cancelable: 1200})
		testutil.AssertCode(t, err, payment.EUPSTREAM)
	})
}
