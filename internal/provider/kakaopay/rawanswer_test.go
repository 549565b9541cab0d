package kakaopay

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/testutil"
)

// TestRawAnswer: a lookup keeps KakaoPay's answer for the operator, with
// anything secret dropped.
func TestRawAnswer(t *testing.T) {
	body := bytes.Replace(mustTestdata(t, "order_success.json"), []byte(`"tid": "T1234567890123456789",`),
		[]byte(`"tid": "T1234567890123456789", "secret_key": "DEV-SECRET-9f2c", "pg_token": "pgtok-7731",`), 1)
	for _, gen := range generations {
		t.Run(gen, func(t *testing.T) {
			f := newFake(t, gen, replay(http.StatusOK, body))
			testutil.KeptLookup(t, func() (*payment.ProviderPayment, error) {
				return MustClient(t, gen, f.BaseURL()).Lookup(context.Background(), testPayment())
			}, map[string]any{"tid": "T1234567890123456789", "status": "SUCCESS_PAYMENT"},
				"DEV-SECRET-9f2c", "pgtok-7731", "secret_key", "pg_token")
		})
	}
}
