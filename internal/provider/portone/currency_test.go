package portone

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// TestLookup_ReportsCurrency: a payment PortOne reports in another currency
// than the KRW paybridge pre-registered is reported with it, so that the
// service's mismatch check refuses 2200 USD as a sale of 2200 won (service
// TestAnswer_OtherCurrencyRefunded); it used to be only logged.
func TestLookup_ReportsCurrency(t *testing.T) {
	body := strings.Replace(string(mustTestdata(t, "payment_paid.json")), `"currency": "KRW"`, `"currency": "USD"`, 1)
	if !strings.Contains(body, `"USD"`) {
		t.Fatal("fixture edit did not apply")
	}
	f := newFake(t, replay(http.StatusOK, []byte(body)))
	got, err := MustClient(t, f.BaseURL()).Lookup(context.Background(), testPayment())
	if err != nil {
		t.Fatal(err)
	}
	if got.Currency != "USD" {
		t.Fatalf("Currency = %q, want USD: 2200 USD would verify as 2200 won", got.Currency)
	}
}
