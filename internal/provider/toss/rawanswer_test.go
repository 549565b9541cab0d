package toss

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/testutil"
)

// TestRawAnswer: a lookup keeps Toss's answer for the operator, with
// secrets and a full card number dropped and the masked one kept.
func TestRawAnswer(t *testing.T) {
	done := mustTestdata(t, "payment_done.json")
	lookup := func(t *testing.T, body []byte) map[string]any {
		t.Helper()
		f := newFake(t, replay(http.StatusOK, body))
		return testutil.KeptLookup(t, func() (*payment.ProviderPayment, error) {
			return MustClient(t, f.BaseURL()).Lookup(context.Background(), testPayment())
		}, map[string]any{"status": "DONE", "paymentKey": testPaymentKey}, "bk-SECRET-1", "4330123412341234")
	}
	t.Run("Masked", func(t *testing.T) {
		m := lookup(t, bytes.Replace(done, []byte(`"useEscrow": false,`), []byte(`"useEscrow": false, "billingKey": "bk-SECRET-1",`), 1))
		if _, ok := m["billingKey"]; ok {
			t.Error("billingKey kept")
		}
		if card, _ := m["card"].(map[string]any); card["number"] != "12345678****000*" {
			t.Errorf("masked card number not kept: %v", m["card"])
		}
	})
	t.Run("FullCardNumber", func(t *testing.T) {
		m := lookup(t, bytes.Replace(done, []byte(`"12345678****000*"`), []byte(`"4330123412341234"`), 1))
		card, _ := m["card"].(map[string]any)
		if _, ok := card["number"]; ok || card["issuerCode"] != "71" {
			t.Errorf("card = %v, want the number dropped and the rest kept", card)
		}
	})
}
