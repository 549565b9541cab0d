package portone

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/testutil"
)

// TestRawAnswer: a lookup keeps PortOne's answer for the operator, with
// secrets and a full card number dropped.
func TestRawAnswer(t *testing.T) {
	body := bytes.Replace(mustTestdata(t, "payment_paid.json"), []byte(`"53275900****1234"`), []byte(`"5327590012341234"`), 1)
	body = bytes.Replace(body, []byte(`"status": "PAID",`), []byte(`"status": "PAID", "apiSecret": "ps-SECRET-1",`), 1)
	f := newFake(t, replay(http.StatusOK, body))
	m := testutil.KeptLookup(t, func() (*payment.ProviderPayment, error) {
		return MustClient(t, f.BaseURL()).Lookup(context.Background(), testPayment())
	}, map[string]any{"status": "PAID", "id": testutil.RecordedPaymentID}, "ps-SECRET-1", "5327590012341234")
	method, _ := m["method"].(map[string]any)
	card, _ := method["card"].(map[string]any)
	if card["bin"] != "53275900" {
		t.Errorf("Raw lost the card's bin: %v", card)
	}
	if _, ok := card["number"]; ok {
		t.Errorf("full card number kept: %v", card)
	}
}
