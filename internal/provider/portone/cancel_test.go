package portone

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/testutil"
)

// TestCancel_SucceededCancellationNotMatchingTheRefundIsUnknown: PortOne
// answers a refund with the cancellation alone, so a SUCCEEDED one is this
// refund only if it has an id and refunds exactly the amount and tax-free
// part asked, and the payment read back is this one. Anything else is an
// unknown outcome (EUPSTREAM): the service settles it by lookup instead of
// recording the amount it asked for as refunded.
func TestCancel_SucceededCancellationNotMatchingTheRefundIsUnknown(t *testing.T) {
	succeeded := string(mustTestdata(t, "cancel_succeeded.json"))
	lookup := string(mustTestdata(t, "payment_partial_cancelled.json"))
	req := payment.CancelRequest{Amount: 1000, Cancelable: 2200, Reason: "size"}
	tests := []struct {
		name            string
		req             payment.CancelRequest
		cancel, payment [2]string // old, new edits of the answers
		wantCalls       int       // the cancel, and the read-back when the cancellation matched
	}{
		{"LessRefunded", req, [2]string{`"totalAmount": 1000`, `"totalAmount": 400`}, [2]string{}, 1},
		{"MoreRefunded", req, [2]string{`"totalAmount": 1000`, `"totalAmount": 2200`}, [2]string{}, 1},
		{"NoTotalAmount", req, [2]string{`"totalAmount": 1000,`, ``}, [2]string{}, 1},
		{"OtherTaxFreePart", payment.CancelRequest{Amount: 1000, TaxFreeAmount: 100, Cancelable: 2200, Reason: "size"},
			[2]string{}, [2]string{}, 1},
		{"NoID", req, [2]string{`"id": "cancellation-7b1e2c3d",`, ``}, [2]string{}, 1},
		{"ReadBackIsAnotherPayment", req, [2]string{}, [2]string{`"id": "` + testPayment().ID + `"`, `"id": "pay_other"`}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			edit := func(body string, e [2]string) []byte {
				if e[0] == "" {
					return []byte(body)
				}
				if !strings.Contains(body, e[0]) {
					t.Fatalf("fixture has no %s", e[0])
				}
				return []byte(strings.Replace(body, e[0], e[1], 1))
			}
			cancelBody, paymentBody := edit(succeeded, tt.cancel), edit(lookup, tt.payment)
			f := newFake(t, func(w http.ResponseWriter, _ *http.Request, r wireRequest) {
				if r.Method == http.MethodPost {
					testutil.Reply(w, http.StatusOK, cancelBody)
					return
				}
				testutil.Reply(w, http.StatusOK, paymentBody)
			})
			got, err := MustClient(t, f.BaseURL()).Cancel(context.Background(), testPayment(), tt.req)
			testutil.AssertCode(t, err, payment.EUPSTREAM)
			if got != nil {
				t.Errorf("Cancel returned %+v with its error", got)
			}
			if pe := payment.AsProviderError(err); pe == nil || pe.Code != "SUCCEEDED" {
				t.Errorf("ProviderError = %+v, want the cancellation's status", pe)
			}
			if f.Calls() != tt.wantCalls {
				t.Errorf("calls = %d, want %d", f.Calls(), tt.wantCalls)
			}
		})
	}
}

// TestLookup_PendingCancelAmount: refunds PortOne accepted and has not
// carried out (REQUESTED cancellations) are reported as pending, summed,
// and never as refunded; SUCCEEDED and FAILED ones are not pending. The
// service keeps an accepted refund pending while this is above zero.
func TestLookup_PendingCancelAmount(t *testing.T) {
	body := strings.Replace(string(mustTestdata(t, "payment_partial_cancelled.json")), `"cancellations": [`, `"cancellations": [
		{"status": "REQUESTED", "id": "c-req-1", "totalAmount": 300, "taxFreeAmount": 0, "requestedAt": "2024-05-02T10:05:00+09:00"},
		{"status": "FAILED", "id": "c-failed", "totalAmount": 500, "taxFreeAmount": 0, "requestedAt": "2024-05-02T10:06:00+09:00"},
		{"status": "REQUESTED", "id": "c-req-2", "totalAmount": 200, "taxFreeAmount": 0, "requestedAt": "2024-05-02T10:07:00+09:00"},`, 1)
	if !strings.Contains(body, "c-req-2") {
		t.Fatal("fixture edit did not apply")
	}
	f := newFake(t, replay(http.StatusOK, []byte(body)))
	got, err := MustClient(t, f.BaseURL()).Lookup(context.Background(), testPayment())
	if err != nil {
		t.Fatal(err)
	}
	if got.PendingCancelAmount != 500 || got.CanceledAmount != 1000 || got.CancelableAmount != 1200 {
		t.Fatalf("pending %d, canceled %d, cancelable %d; want 500 pending (two REQUESTED), 1000 canceled, 1200 cancelable",
			got.PendingCancelAmount, got.CanceledAmount, got.CancelableAmount)
	}

	// Without a REQUESTED cancellation nothing is pending.
	f = newFake(t, replay(http.StatusOK, mustTestdata(t, "payment_partial_cancelled.json")))
	if got, err = MustClient(t, f.BaseURL()).Lookup(context.Background(), testPayment()); err != nil || got.PendingCancelAmount != 0 {
		t.Fatalf("no REQUESTED cancellation: %+v, %v", got, err)
	}
}
