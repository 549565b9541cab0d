package toss

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/testutil"
)

// paidPayment is testPayment after confirm, with its paymentKey recorded.
func paidPayment() *payment.Payment {
	p := testPayment()
	p.ProviderTID, p.Status = testPaymentKey, payment.StatusPaid
	return p
}

func TestClient_Cancel(t *testing.T) {
	t.Run("Request", func(t *testing.T) {
		var rec recorder
		f := newFake(t, recordAndReplay(&rec, http.StatusOK, mustTestdata(t, "payment_partial_canceled.json")))
		c := MustClient(t, f.BaseURL())
		got, err := c.Cancel(context.Background(), paidPayment(), payment.CancelRequest{
			Amount: 5000, TaxFreeAmount: 500, Cancelable: 15000, Reason: "고객 변심", IdempotencyKey: "can_01hzx3k4m5n6p7q8r9s0t1v2w3",
		})
		if err != nil {
			t.Fatal(err)
		}
		reqs := rec.All()
		if len(reqs) != 1 {
			t.Fatalf("%d calls, want 1", len(reqs))
		}
		req := reqs[0]
		if req.Method != http.MethodPost || req.Path != "/v1/payments/"+testPaymentKey+"/cancel" {
			t.Errorf("%s %s", req.Method, req.Path)
		}
		if req.IdempotencyKey != "can_01hzx3k4m5n6p7q8r9s0t1v2w3" {
			t.Errorf("Idempotency-Key = %q", req.IdempotencyKey)
		}
		assertFields(t, req, map[string]any{
			"cancelReason": "고객 변심", "cancelAmount": 5000, "taxFreeAmount": 500, "refundableAmount": 15000,
		})
		if got.State != payment.ProviderPartiallyCanceled || got.CanceledAmount != 5000 || got.CancelableAmount != 10000 ||
			got.ApprovalID != "B7103F204998813B889C77C043D09502" || !got.CanceledAt.Equal(kstTime(2024, 2, 13, 13, 0, 0)) {
			t.Errorf("Cancel = %+v", got)
		}
	})

	t.Run("NewestCancel", func(t *testing.T) {
		f := newFake(t, replay(http.StatusOK, mustTestdata(t, "payment_canceled.json")))
		got, err := MustClient(t, f.BaseURL()).Cancel(context.Background(), paidPayment(),
			payment.CancelRequest{Amount: 10000, TaxFreeAmount: 500, Cancelable: 10000, IdempotencyKey: "can_2"})
		if err != nil {
			t.Fatal(err)
		}
		if got.ApprovalID != "0E3A8B7C6D5F4E3D2C1B0A9988776655" || got.State != payment.ProviderCanceled ||
			got.CanceledAmount != 15000 || got.CancelableAmount != 0 {
			t.Errorf("Cancel = %+v, want the second cancel's transactionKey", got)
		}
	})

	t.Run("Defaults", func(t *testing.T) {
		var rec recorder
		f := newFake(t, recordAndReplay(&rec, http.StatusOK, mustTestdata(t, "payment_partial_canceled.json")))
		c := MustClient(t, f.BaseURL())
		p := paidPayment()
		// Two refunds of the same amount, one after the other, without
		// keys of their own: they must not share a key, or Toss would
		// answer the second with the first's result and refund nothing.
		c.Cancel(context.Background(), p, payment.CancelRequest{Amount: 5000, Cancelable: 15000, Reason: strings.Repeat("r", 250)})
		c.Cancel(context.Background(), p, payment.CancelRequest{Amount: 5000, Cancelable: 10000})
		reqs := rec.All()
		if len(reqs) != 2 {
			t.Fatalf("%d calls", len(reqs))
		}
		if reqs[0].IdempotencyKey != "cancel-"+p.ID+"-5000-of-15000" || reqs[1].IdempotencyKey != "cancel-"+p.ID+"-5000-of-10000" {
			t.Errorf("fallback keys = %q, %q", reqs[0].IdempotencyKey, reqs[1].IdempotencyKey)
		}
		if r := reqs[0].Fields["cancelReason"].(string); len([]rune(r)) != 200 {
			t.Errorf("cancelReason has %d characters, want Toss's limit 200", len([]rune(r)))
		}
		if r := reqs[1].Fields["cancelReason"]; r != defaultCancelReason {
			t.Errorf("cancelReason = %v, want the default (Toss requires one)", r)
		}
		if tf := reqs[1].Fields["taxFreeAmount"]; tf == nil {
			t.Error("taxFreeAmount 0 was left out")
		}
	})

	t.Run("RefusesBeforeSending", func(t *testing.T) {
		f := newFake(t, hangUp(t))
		c := MustClient(t, f.BaseURL())
		for name, tt := range map[string]struct {
			p   *payment.Payment
			req payment.CancelRequest
		}{
			"NoPaymentKey":    {testPayment(), payment.CancelRequest{Amount: 1000, Cancelable: 15000}},
			"ZeroAmount":      {paidPayment(), payment.CancelRequest{Amount: 0, Cancelable: 15000}},
			"NegativeTaxFree": {paidPayment(), payment.CancelRequest{Amount: 1000, TaxFreeAmount: -1, Cancelable: 15000}},
			"TaxFreeOver":     {paidPayment(), payment.CancelRequest{Amount: 1000, TaxFreeAmount: 1001, Cancelable: 15000}},
			"OverCancelable":  {paidPayment(), payment.CancelRequest{Amount: 2000, Cancelable: 1000}},
			"LongKey":         {paidPayment(), payment.CancelRequest{Amount: 1000, Cancelable: 15000, IdempotencyKey: strings.Repeat("k", 301)}},
		} {
			_, err := c.Cancel(context.Background(), tt.p, tt.req)
			if payment.ErrorCode(err) != payment.EINVALID {
				t.Errorf("%s: err = %v, want EINVALID", name, err)
			}
		}
		if f.Calls() != 0 {
			t.Errorf("%d calls, want none", f.Calls())
		}
	})

	// A failed cancel is never retried (the outcome is unknown; a retry
	// could refund twice), and a refusal by Toss's guard is kept with
	// Toss's code.
	for _, tt := range []struct {
		name, file, key, code, tossCode string
		status                          int
	}{
		{"NeverRetried", "error_internal.json", "can_3", payment.EUPSTREAM, "", http.StatusServiceUnavailable},
		{"GuardRefused", "error_not_cancelable_amount.json", "can_4", payment.EINVALID, "NOT_CANCELABLE_AMOUNT", http.StatusForbidden},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, replay(tt.status, mustTestdata(t, tt.file)))
			_, err := MustClient(t, f.BaseURL()).Cancel(context.Background(), paidPayment(),
				payment.CancelRequest{Amount: 1000, Cancelable: 15000, IdempotencyKey: tt.key})
			testutil.AssertCode(t, err, tt.code)
			if f.Calls() != 1 {
				t.Errorf("cancel reached Toss %d times, want exactly 1", f.Calls())
			}
			if pe := payment.AsProviderError(err); tt.tossCode != "" && (pe == nil || pe.Code != tt.tossCode || pe.HTTPStatus != tt.status) {
				t.Errorf("provider error = %+v", pe)
			}
		})
	}
}
