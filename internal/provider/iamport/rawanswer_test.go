package iamport

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/paybridge/paybridge/internal/testutil"
)

// TestRawAnswer: a lookup keeps the Payment PortOne V1 answered with (the
// envelope's response), never the getToken answer, with secrets dropped
// and the masked card number kept.
func TestRawAnswer(t *testing.T) {
	body := bytes.Replace(mustTestdata(t, "payment_paid.json"), []byte(`"imp_uid": "imp_448280090638",`),
		[]byte(`"imp_uid": "imp_448280090638", "imp_secret": "v1-SECRET-1", "access_token": "tok-SECRET-2",`), 1)
	f := newFake(t, replay(http.StatusOK, body))
	got, err := MustClient(t, f.BaseURL()).Lookup(context.Background(), testPayment())
	if err != nil {
		t.Fatal(err)
	}
	if f.TokenCalls() == 0 {
		t.Fatal("no getToken call: the test does not show its answer is left out")
	}
	m := testutil.KeptAnswer(t, got.Raw, "v1-SECRET-1", "tok-SECRET-2", "access_token", "expired_at")
	if m["imp_uid"] != "imp_448280090638" || m["status"] != "paid" || m["card_number"] != "910020*********7" {
		t.Errorf("Raw lost the answer: %s", got.Raw)
	}
}
