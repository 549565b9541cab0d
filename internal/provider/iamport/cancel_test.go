package iamport

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/testutil"
)

// TestCancel_AnswerNotMatchingTheRefundIsUnknown: a 2xx cancel answer is
// only a refund of this payment for the amount asked when it names the
// payment and its cancel_amount rose by exactly that amount; anything else
// is an unknown outcome (EUPSTREAM), which the service settles by lookup
// rather than recording the amount it asked for.
func TestCancel_AnswerNotMatchingTheRefundIsUnknown(t *testing.T) {
	partial := string(mustTestdata(t, "cancel_partial.json")) // 1000 of 2200 refunded, balance 2200 before
	edit := func(t *testing.T, old, new string) []byte {
		t.Helper()
		if !strings.Contains(partial, old) {
			t.Fatalf("fixture has no %s", old)
		}
		return []byte(strings.Replace(partial, old, new, 1))
	}
	noTID := testPayment()
	noTID.ProviderTID = ""
	req := payment.CancelRequest{Amount: 1000, Cancelable: 2200, Reason: "size"}
	tests := []struct {
		name string
		p    *payment.Payment
		req  payment.CancelRequest
		body func(*testing.T) []byte
		want string // the error code; "" is a refund done
	}{
		{"Matching", testPayment(), req, func(*testing.T) []byte { return []byte(partial) }, ""},
		{"MatchingWithoutKnownImpUID", noTID, req, func(*testing.T) []byte { return []byte(partial) }, ""},
		{"LessRefunded", testPayment(), req, func(t *testing.T) []byte {
			return edit(t, `"cancel_amount": 1000`, `"cancel_amount": 400`)
		}, payment.EUPSTREAM},
		{"MoreRefunded", testPayment(), req, func(t *testing.T) []byte {
			return edit(t, `"cancel_amount": 1000`, `"cancel_amount": 2200`)
		}, payment.EUPSTREAM},
		// A balance of 1200 before (1000 refunded already) and 1000 after:
		// nothing of this refund shows.
		{"NothingNewRefunded", testPayment(), payment.CancelRequest{Amount: 1000, Cancelable: 1200}, func(*testing.T) []byte {
			return []byte(partial)
		}, payment.EUPSTREAM},
		{"OtherMerchantUID", testPayment(), req, func(t *testing.T) []byte {
			return edit(t, `"merchant_uid": "`+testID+`"`, `"merchant_uid": "pay_other"`)
		}, payment.EUPSTREAM},
		{"OtherImpUID", testPayment(), req, func(t *testing.T) []byte {
			return edit(t, `"imp_uid": "`+testImpUID+`"`, `"imp_uid": "imp_000000000001"`)
		}, payment.EUPSTREAM},
		// PortOne said yes but not about what: the refund happened, to
		// which payment only a lookup can say.
		{"WithoutImpUID", testPayment(), req, func(t *testing.T) []byte {
			return edit(t, `"imp_uid": "`+testImpUID+`",`, ``)
		}, payment.EUPSTREAM},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, replay(http.StatusOK, tt.body(t)))
			got, err := MustClient(t, f.BaseURL()).Cancel(context.Background(), tt.p, tt.req)
			if tt.want == "" {
				if err != nil || got.CanceledAmount != 1000 {
					t.Fatalf("Cancel = %+v, %v; want the refund done", got, err)
				}
				return
			}
			testutil.AssertCode(t, err, tt.want)
			if got != nil {
				t.Errorf("Cancel returned %+v with its error", got)
			}
			if f.Calls() != 1 {
				t.Errorf("calls = %d, want 1: a cancel is never repeated", f.Calls())
			}
		})
	}
}
