package app_test

import (
	"io"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/apptest"
)

// resultPage fetches paybridge's result page of payment id.
func resultPage(t *testing.T, a *apptest.App, id string) string {
	t.Helper()
	resp, err := a.Client.Get(a.URL() + "/pay/" + id + "?lang=en")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("/pay/%s: %d %s", id, resp.StatusCode, b)
	}
	return string(b)
}

// The result page's "back to the shop" link never leads an unpaid buyer
// to success_url (a shop that trusts its success page, as the original
// sample did, would take it for a payment): a ready payment links the
// fail_url; once paid, the success_url.
func TestResultPage_NeverLinksSuccessURLUnpaid(t *testing.T) {
	a := apptest.Start(t)
	p := MustCreatePayment(t, a, "ord-back-1", 5000, `,"success_url":"https://shop.example/ok","fail_url":"https://shop.example/no"`)
	body := resultPage(t, a, p.ID)
	if strings.Contains(body, "https://shop.example/ok") {
		t.Fatalf("the result page of a ready (unpaid) payment links the shop's success_url")
	}
	if !strings.Contains(body, `href="https://shop.example/no?payment_id=`+p.ID+`"`) {
		t.Fatalf("the result page of a ready payment does not link the fail_url:\n%s", body)
	}

	follow(t, a, buyer(t, a, p.RedirectURL, "approve"))
	if got := getPayment(t, a, p.ID); got.Status != "paid" {
		t.Fatalf("payment is %s, want paid", got.Status)
	}
	if body := resultPage(t, a, p.ID); !strings.Contains(body, `href="https://shop.example/ok?payment_id=`+p.ID+`"`) {
		t.Fatalf("the result page of a paid payment does not link the success_url:\n%s", body)
	}
}
