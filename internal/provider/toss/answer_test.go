package toss

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

// without deletes keys from a Payment; set sets one.
func without(keys ...string) func(map[string]any) {
	return func(m map[string]any) {
		for _, k := range keys {
			delete(m, k)
		}
	}
}

func set(key string, v any) func(map[string]any) {
	return func(m map[string]any) { m[key] = v }
}

// setCancel sets key of the i-th cancels[] entry.
func setCancel(i int, key string, v any) func(map[string]any) {
	return func(m map[string]any) { m["cancels"].([]any)[i].(map[string]any)[key] = v }
}

// TestClient_ConfirmAnswerMissingWhatMoneyDependsOnIsUnreadable: a 2xx
// confirm answer saying DONE without totalAmount was "paid, 0 won", which
// the service fails and refunds as an amount mismatch; without
// balanceAmount it was "wholly refunded", which the service records as a
// refund outside paybridge. Without paymentKey, orderId or status it says
// nothing about this payment. Each is an unreadable answer: an unknown
// outcome, settled by lookup.
func TestClient_ConfirmAnswerMissingWhatMoneyDependsOnIsUnreadable(t *testing.T) {
	bodies := map[string][]byte{
		"only paymentKey, orderId and DONE": []byte(`{"paymentKey":"` + testPaymentKey + `","orderId":"` + testPayment().ID + `","status":"DONE"}`),
		"no totalAmount":                    edited(t, "payment_done.json", without("totalAmount")),
		"null totalAmount":                  edited(t, "payment_done.json", set("totalAmount", nil)),
		"zero totalAmount":                  edited(t, "payment_done.json", set("totalAmount", 0)),
		"no balanceAmount":                  edited(t, "payment_done.json", without("balanceAmount")),
		"no paymentKey":                     edited(t, "payment_done.json", without("paymentKey")),
		"no orderId":                        edited(t, "payment_done.json", without("orderId")),
		"no status":                         edited(t, "payment_done.json", without("status")),
		"empty":                             []byte(`{}`),
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			f := newFake(t, replay(http.StatusOK, body))
			got, err := MustClient(t, f.BaseURL()).Approve(context.Background(), testPayment(), tossReturn())
			if payment.ErrorCode(err) != payment.EUPSTREAM {
				t.Fatalf("got %+v, %v; want an unreadable answer (EUPSTREAM)", got, err)
			}
			if f.Calls() != 1 {
				t.Errorf("confirm calls = %d, want 1: confirm is never repeated", f.Calls())
			}
		})
	}
}

// TestClient_LookupAnswerMissingWhatMoneyDependsOnIsUnreadable: the same
// for lookups of a confirmed payment. Before confirm nothing is decided
// from the amounts, so an IN_PROGRESS payment needs none.
func TestClient_LookupAnswerMissingWhatMoneyDependsOnIsUnreadable(t *testing.T) {
	for name, tt := range map[string]struct {
		body []byte
		want string
	}{
		"DONE without totalAmount":               {edited(t, "payment_done.json", without("totalAmount")), payment.EUPSTREAM},
		"PARTIAL_CANCELED without balanceAmount": {edited(t, "payment_partial_canceled.json", without("balanceAmount")), payment.EUPSTREAM},
		"CANCELED without totalAmount":           {edited(t, "payment_canceled.json", without("totalAmount")), payment.EUPSTREAM},
		"IN_PROGRESS without amounts":            {edited(t, "payment_in_progress.json", without("totalAmount", "balanceAmount")), ""},
		"CANCELED with a zero balance":           {mustTestdata(t, "payment_canceled.json"), ""},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFake(t, replay(http.StatusOK, tt.body))
			_, err := MustClient(t, f.BaseURL()).Lookup(context.Background(), paidPayment())
			if got := payment.ErrorCode(err); got != tt.want {
				t.Fatalf("code = %q (%v), want %q", got, err, tt.want)
			}
		})
	}
}

// TestClient_CancelAnswerMustMatchTheRefund: the service records a
// successful Cancel as the refund it asked for without looking at the
// answer, so an answer about another payment, or one that refunded another
// amount, must come back as an unknown outcome (EUPSTREAM): the service then
// settles the refund from a lookup of the refunded total. The request is
// payment_partial_canceled.json's refund: 5000 (500 tax-free) of 15000.
func TestClient_CancelAnswerMustMatchTheRefund(t *testing.T) {
	req := payment.CancelRequest{Amount: 5000, TaxFreeAmount: 500, Cancelable: 15000, IdempotencyKey: "can_1"}
	for name, edit := range map[string]func(map[string]any){
		"another paymentKey":            set("paymentKey", "tgen_another"),
		"another orderId":               set("orderId", "pay_another"),
		"another cancelAmount":          setCancel(0, "cancelAmount", 4000),
		"another tax-free part":         setCancel(0, "taxFreeAmount", 0),
		"another balance":               set("balanceAmount", 12000),
		"no balanceAmount":              without("balanceAmount"),
		"no totalAmount":                without("totalAmount"),
		"no cancellation listed":        without("cancels"),
		"not a refund status":           set("status", "DONE"),
		"no status":                     without("status"),
		"empty":                         func(m map[string]any) { clear(m) },
		"balance of a refund not asked": func(m map[string]any) { m["balanceAmount"] = 0; m["status"] = "CANCELED" },
	} {
		t.Run(name, func(t *testing.T) {
			f := newFake(t, replay(http.StatusOK, edited(t, "payment_partial_canceled.json", edit)))
			got, err := MustClient(t, f.BaseURL()).Cancel(context.Background(), paidPayment(), req)
			if payment.ErrorCode(err) != payment.EUPSTREAM {
				t.Fatalf("Cancel = %+v, %v; want an unknown outcome (EUPSTREAM)", got, err)
			}
			if f.Calls() != 1 {
				t.Errorf("cancel calls = %d, want 1: a refund is never repeated here", f.Calls())
			}
		})
	}

	// The newest cancellation is the one lastTransactionKey names, else
	// the last listed: here the second refund, 10000 (500 tax-free) of the
	// 10000 left.
	second := payment.CancelRequest{Amount: 10000, TaxFreeAmount: 500, Cancelable: 10000, IdempotencyKey: "can_2"}
	for name, tt := range map[string]struct {
		edit func(map[string]any)
		want string
	}{
		"named by lastTransactionKey":     {func(map[string]any) {}, ""},
		"no lastTransactionKey":           {without("lastTransactionKey"), ""},
		"lastTransactionKey of the first": {set("lastTransactionKey", "B7103F204998813B889C77C043D09502"), payment.EUPSTREAM},
	} {
		t.Run("second refund/"+name, func(t *testing.T) {
			f := newFake(t, replay(http.StatusOK, edited(t, "payment_canceled.json", tt.edit)))
			got, err := MustClient(t, f.BaseURL()).Cancel(context.Background(), paidPayment(), second)
			testutil.AssertCode(t, err, tt.want)
			if tt.want == "" && (got.CanceledAmount != 15000 || got.CancelableAmount != 0) {
				t.Errorf("CanceledAmount, CancelableAmount = %d, %d; want 15000, 0", got.CanceledAmount, got.CancelableAmount)
			}
		})
	}
}
