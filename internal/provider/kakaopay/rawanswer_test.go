package kakaopay

import (
	"bytes"
	"context"
	"net/http"
	"testing"

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
			got, err := MustClient(t, gen, f.BaseURL()).Lookup(context.Background(), testPayment())
			if err != nil {
				t.Fatal(err)
			}
			m := testutil.KeptAnswer(t, got.Raw, "DEV-SECRET-9f2c", "pgtok-7731", "secret_key", "pg_token")
			if m["tid"] != "T1234567890123456789" || m["status"] != "SUCCESS_PAYMENT" {
				t.Errorf("Raw lost the answer: %s", got.Raw)
			}
		})
	}
}
