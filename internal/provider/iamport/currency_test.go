package iamport

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/testutil"
)

// The buyer's browser calls IMP.request_pay and can change its currency.
// Ready pre-registers KRW, so that PortOne's window refuses another (an
// absent currency is "do not check", §2.4), and every answer's currency is
// reported, for the service to refuse another one.

// TestReady_PreRegistersKRW: prepare names the currency.
func TestReady_PreRegistersKRW(t *testing.T) {
	var currency recorder
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, req wireRequest) {
		currency.Add(req.Fields["currency"])
		testutil.Reply(w, http.StatusOK, mustTestdata(t, "prepare.json"))
	})
	if _, err := MustClient(t, f.BaseURL()).Ready(context.Background(), testPayment(), testURLs); err != nil {
		t.Fatal(err)
	}
	if got := currency.All(); len(got) != 1 || got[0] != "KRW" {
		t.Fatalf("prepare sent currency %q, want \"KRW\"", got)
	}
}

// TestReady_RefusesOtherCurrencies: a payment in another currency is never
// pre-registered, and a registration read back in another currency (a
// retried Ready) cannot be paid in won.
func TestReady_RefusesOtherCurrencies(t *testing.T) {
	t.Run("Payment", func(t *testing.T) {
		f := newFake(t, replayFile(t, "prepare.json"))
		p := testPayment()
		p.Currency = "USD"
		_, err := MustClient(t, f.BaseURL()).Ready(context.Background(), p, testURLs)
		testutil.AssertCode(t, err, payment.EINVALID)
		if f.Calls() != 0 {
			t.Errorf("calls = %d, want none", f.Calls())
		}
	})
	t.Run("Registration", func(t *testing.T) {
		body := strings.Replace(string(mustTestdata(t, "prepare.json")), `"currency": "KRW"`, `"currency": "IDR"`, 1)
		if !strings.Contains(body, `"IDR"`) {
			t.Fatal("fixture edit did not apply")
		}
		f := newFake(t, replay(http.StatusOK, []byte(body)))
		_, err := MustClient(t, f.BaseURL()).Ready(context.Background(), testPayment(), testURLs)
		testutil.AssertCode(t, err, payment.EINVALID)
		if pe := payment.AsProviderError(err); pe == nil || !strings.Contains(pe.Message, "2200 IDR") {
			t.Errorf("ProviderError = %+v, want the registration's amount and currency", pe)
		}
	})
}

// TestLookup_ReportsCurrency: a lookup in another currency is reported with
// it, so that 2200 IDR never reads as 2200 won (the service's mismatch
// check refuses it: service TestAnswer_OtherCurrencyRefunded).
func TestLookup_ReportsCurrency(t *testing.T) {
	body := strings.Replace(string(mustTestdata(t, "payment_paid.json")), `"currency": "KRW"`, `"currency": "IDR"`, 1)
	if !strings.Contains(body, `"IDR"`) {
		t.Fatal("fixture edit did not apply")
	}
	f := newFake(t, replay(http.StatusOK, []byte(body)))
	got, err := MustClient(t, f.BaseURL()).Lookup(context.Background(), testPayment())
	if err != nil {
		t.Fatal(err)
	}
	if got.Currency != "IDR" {
		t.Fatalf("Currency = %q, want IDR: 2200 IDR would verify as 2200 won", got.Currency)
	}
}
