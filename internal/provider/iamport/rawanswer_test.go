package iamport

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/testutil"
)

// TestRawAnswer: a lookup keeps the Payment PortOne V1 answered with (the
// envelope's response), never the getToken answer, with secrets dropped
// and the masked card number kept.
func TestRawAnswer(t *testing.T) {
	body := bytes.Replace(mustTestdata(t, "payment_paid.json"), []byte(`"imp_uid": "imp_448280090638",`),
		[]byte(`"imp_uid": "imp_448280090638", "imp_secret": "v1-SECRET-1", "access_token": "tok-SECRET-2",`), 1)
	f := newFake(t, replay(http.StatusOK, body))
	testutil.KeptLookup(t, func() (*payment.ProviderPayment, error) {
		return MustClient(t, f.BaseURL()).Lookup(context.Background(), testPayment())
	}, map[string]any{"imp_uid": "imp_448280090638", "status": "paid", "card_number": "910020*********7"},
		"v1-SECRET-1", "tok-SECRET-2", "access_token", "expired_at")
	if f.TokenCalls() == 0 {
		t.Fatal("no getToken call: the test does not show its answer is left out")
	}
}
