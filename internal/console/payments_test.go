package console_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
)

// Ensure an operator limited to one merchant never sees another merchant's
// payments: the page and its actions are 404 (not 403, so ids cannot be
// probed), and neither the list nor the export shows them.
func TestConsole_OtherMerchantsPaymentIsNotFound(t *testing.T) {
	a := start(t)
	mkMerchant(t, a, "mer_b")
	mine := paidPayment(t, a, "mer_b", "Mine", 5000)
	theirs := paidPayment(t, a, payment.DefaultMerchantID, "Theirs", 7000)
	b := signInNew(t, a, "b-admin@example.com", payment.RoleAdmin, "mer_b")

	for _, path := range []string{"/console/payments/" + theirs.ID, "/console/payments/" + theirs.ID + "/refund", "/console/payments/pay_nonexistent",
		"/console/webhooks?merchant=" + payment.DefaultMerchantID} {
		resp, body := b.get(path)
		mustStatus(t, resp, body, http.StatusNotFound)
	}
	resp, body := b.post("/console/payments/"+theirs.ID+"/refund", url.Values{"amount": {"1000"}, "reason": {"x"}, "confirm": {"yes"}, "key": {"k-0123456789abcdef"}})
	mustStatus(t, resp, body, http.StatusNotFound)
	mustPayment(t, a, theirs.ID, payment.StatusPaid)

	resp, body = b.get("/console/payments?merchant=" + payment.DefaultMerchantID)
	mustStatus(t, resp, body, http.StatusOK)
	if strings.Contains(body, theirs.ID) || !strings.Contains(body, mine.ID) {
		t.Fatalf("list: theirs shown %v, mine shown %v", strings.Contains(body, theirs.ID), strings.Contains(body, mine.ID))
	}
	resp, body = b.get("/console/payments?format=csv")
	mustStatus(t, resp, body, http.StatusOK)
	if strings.Contains(body, theirs.ID) || !strings.Contains(body, mine.ID) {
		t.Fatalf("export shows another merchant's payment:\n%s", body)
	}
	if resp, body := b.get("/console/payments/" + mine.ID); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Mine") {
		t.Fatalf("own payment: %d", resp.StatusCode)
	}
}

// Ensure the refund dialog: the form shows what is refundable and the
// tax-free part, a confirmation step comes before any money moves, the
// refund goes through the service once per dialog (a double click or a
// reload refunds once), bad input is refused with nothing done, and the
// refund is in the audit log and on the payment page.
func TestConsole_RefundDialog(t *testing.T) {
	a := start(t)
	p := paidPayment(t, a, payment.DefaultMerchantID, "Americano x2", 9000)
	b := signInNew(t, a, "admin@example.com", payment.RoleAdmin, "")

	resp, form := b.get("/console/payments/" + p.ID + "/refund")
	mustStatus(t, resp, form, http.StatusOK)
	for _, want := range []string{"9,000원", `<label for="amount">`, `<label for="reason">`, `name="key"`} {
		if !strings.Contains(form, want) {
			t.Fatalf("refund form lacks %q", want)
		}
	}
	key := regexpValue(t, form, "key")

	// Bad input: refused, nothing done.
	for _, bad := range []url.Values{
		{"amount": {"9001"}, "reason": {"too much"}},
		{"amount": {"0"}, "reason": {"nothing"}},
		{"amount": {"abc"}, "reason": {"nothing"}},
		{"amount": {"1000"}, "reason": {""}},
	} {
		bad.Set("key", key)
		bad.Set("confirm", "yes")
		resp, body := b.post("/console/payments/"+p.ID+"/refund", bad)
		mustStatus(t, resp, body, http.StatusBadRequest)
	}
	mustPayment(t, a, p.ID, payment.StatusPaid)

	// Step one: the confirmation, with nothing refunded yet.
	resp, confirm := b.post("/console/payments/"+p.ID+"/refund", url.Values{"amount": {"4,500"}, "reason": {"one cup returned"}, "key": {key}})
	mustStatus(t, resp, confirm, http.StatusOK)
	if !strings.Contains(confirm, "Refund 4,500원") || !strings.Contains(confirm, `name="confirm" value="yes"`) {
		t.Fatalf("no confirmation step:\n%s", confirm)
	}
	mustPayment(t, a, p.ID, payment.StatusPaid)

	// Step two, twice (a double click): one refund.
	confirmForm := url.Values{"amount": {"4500"}, "reason": {"one cup returned"}, "key": {key}, "confirm": {"yes"}}
	for i := 0; i < 2; i++ {
		resp, body := b.post("/console/payments/"+p.ID+"/refund", confirmForm)
		mustStatus(t, resp, body, http.StatusSeeOther)
		if loc := resp.Header.Get("Location"); loc != "/console/payments/"+p.ID+"?notice=refund.succeeded" {
			t.Fatalf("refund %d went to %s", i, loc)
		}
	}
	got := mustPayment(t, a, p.ID, payment.StatusPartiallyCanceled)
	cs, _ := a.Store.FindCancellations(context.Background(), p.ID)
	if got.CanceledAmount != 4500 || len(cs) != 1 || cs[0].Reason != "one cup returned" {
		t.Fatalf("canceled %d with %d cancellations, want one of 4,500", got.CanceledAmount, len(cs))
	}
	// The same dialog cannot be reused for another amount.
	confirmForm.Set("amount", "1000")
	resp, body := b.post("/console/payments/"+p.ID+"/refund", confirmForm)
	mustStatus(t, resp, body, http.StatusConflict)
	if n := countAudit(t, a, "refund"); n != 1 {
		t.Fatalf("%d refund audit entries, want 1", n)
	}

	resp, page := b.get("/console/payments/" + p.ID + "?notice=refund.succeeded")
	mustStatus(t, resp, page, http.StatusOK)
	for _, want := range []string{"The refund went through.", "4,500원 has been refunded and 4,500원 can still be refunded", "one cup returned", "admin@example.com", "refund"} {
		if !strings.Contains(page, want) {
			t.Errorf("payment page lacks %q", want)
		}
	}
}

func regexpValue(t *testing.T, page, name string) string {
	t.Helper()
	i := strings.Index(page, `name="`+name+`" value="`)
	if i < 0 {
		t.Fatalf("no %s field", name)
	}
	rest := page[i+len(`name="`+name+`" value="`):]
	return rest[:strings.IndexByte(rest, '"')]
}

// Ensure the payment page explains a payment: amounts, the provider's ids
// and last status, the timeline in KST, and a failure with the provider's
// own code and message.
func TestConsole_PaymentPage(t *testing.T) {
	a := start(t)
	p := paidPayment(t, a, payment.DefaultMerchantID, "Tea set", 12000)
	failed := readyPayment(t, a, payment.DefaultMerchantID, payment.ProviderKakaoPay, "Declined", 3000)
	code, msg, fc := "-780", "approval failure!", "provider_declined"
	ctx := context.Background()
	if _, err := a.Store.TransitionPayment(ctx, failed.ID, payment.StatusReady, payment.StatusFailed,
		payment.Update{ProviderErrorCode: &code, ProviderErrorMessage: &msg, FailureCode: &fc}, payment.Event{Reason: "provider_declined", Message: "card refused"}); err != nil {
		t.Fatal(err)
	}
	b := signInNew(t, a, "v@example.com", payment.RoleViewer, "")
	resp, page := b.get("/console/payments/" + p.ID)
	mustStatus(t, resp, page, http.StatusOK)
	for _, want := range []string{"12,000원", "Paid 12,000원 through KakaoPay", p.ProviderTID, "tid", "SUCCESS_PAYMENT", " KST", "buyer_returned", "approved"} {
		if !strings.Contains(page, want) {
			t.Errorf("paid payment page lacks %q", want)
		}
	}
	if strings.Contains(page, "Refund…") {
		t.Error("a viewer is offered the refund button")
	}
	resp, page = b.get("/console/payments/" + failed.ID)
	mustStatus(t, resp, page, http.StatusOK)
	for _, want := range []string{"Failed: the provider declined the payment.", "-780", "approval failure!", "card refused"} {
		if !strings.Contains(page, want) {
			t.Errorf("failed payment page lacks %q", want)
		}
	}
}

// Ensure the list's filters and free-text search, keyset paging, and the
// CSV export (filtered, with formula cells defused).
func TestConsole_PaymentListAndExport(t *testing.T) {
	a := start(t)
	paid := paidPayment(t, a, payment.DefaultMerchantID, "Latte", 4500)
	ready := readyPayment(t, a, payment.DefaultMerchantID, payment.ProviderToss, "=HYPERLINK(\"x\")", 20000)
	b := signInNew(t, a, "v@example.com", payment.RoleViewer, "")
	list := func(q string) string {
		t.Helper()
		resp, body := b.get("/console/payments?" + q)
		mustStatus(t, resp, body, http.StatusOK)
		return body
	}
	for _, c := range []struct {
		q          string
		paid, toss bool
	}{
		{"", true, true},
		{"status=paid", true, false},
		{"provider=toss", false, true},
		{"q=latte", true, false},
		{"q=" + paid.ProviderTID, true, false},
		{"q=" + ready.ID, false, true},
		{"amount_min=10000", false, true},
		{"amount_max=5000", true, false},
		{"from=2000-01-01&to=2000-01-02", false, false},
	} {
		body := list(c.q)
		if strings.Contains(body, paid.ID) != c.paid || strings.Contains(body, ready.ID) != c.toss {
			t.Errorf("?%s: paid shown %v (want %v), toss shown %v (want %v)", c.q, strings.Contains(body, paid.ID), c.paid,
				strings.Contains(body, ready.ID), c.toss)
		}
	}
	if resp, body := b.get("/console/payments?status=bogus"); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad status filter: %d %s", resp.StatusCode, body[:200])
	}

	resp, body := b.get("/console/payments?format=csv&provider=toss")
	mustStatus(t, resp, body, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export headers: %v", resp.Header)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(rows) != 2 || rows[1][0] != ready.ID {
		t.Fatalf("export = %v, %v", rows, err)
	}
	if rows[1][6] != "'=HYPERLINK(\"x\")" {
		t.Fatalf("formula not defused: %q", rows[1][6])
	}
	if n := countAudit(t, a, "payments_exported"); n != 1 {
		t.Fatalf("%d export audit entries", n)
	}
}

// Ensure keyset paging walks the whole list once.
func TestConsole_PaymentListPages(t *testing.T) {
	a := start(t)
	for i := 0; i < 53; i++ {
		readyPayment(t, a, payment.DefaultMerchantID, payment.ProviderToss, "Item", int64(1000+i))
	}
	b := signInNew(t, a, "v@example.com", payment.RoleViewer, "")
	seen := map[string]bool{}
	next := "/console/payments?provider=toss"
	for pages := 0; next != ""; pages++ {
		if pages > 3 {
			t.Fatal("too many pages")
		}
		resp, body := b.get(next)
		mustStatus(t, resp, body, http.StatusOK)
		for _, part := range strings.Split(body, `href="/console/payments/pay_`)[1:] {
			id := "pay_" + part[:strings.IndexByte(part, '"')]
			if seen[id] {
				t.Fatalf("%s listed twice", id)
			}
			seen[id] = true
		}
		next = ""
		if i := strings.Index(body, `rel="next"`); i >= 0 {
			h := body[:i]
			h = h[strings.LastIndex(h, `href="`)+6:]
			next = strings.ReplaceAll(h[:strings.IndexByte(h, '"')], "&amp;", "&")
		}
	}
	if len(seen) != 53 {
		t.Fatalf("saw %d payments, want 53", len(seen))
	}
}
