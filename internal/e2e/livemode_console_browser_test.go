package e2e_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/console"
	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider/kakaopay"
	sbkakaopay "github.com/paybridge/paybridge/internal/sandbox/kakaopay"
)

// Ensure, in a real Chromium, that test mode with KakaoPay on live
// credentials never tells anyone "no real money moves" about real money:
// the buyer's result page of the live payment has no sandbox banner; in
// the console the banner says payments marked LIVE are real, the dashboard
// counts the live payment alone (the test one only in the line that links
// to the test figures), and the list marks each payment LIVE or TEST.
func TestBrowser_ConsoleLiveAndTestMoney(t *testing.T) {
	chromium := chromiumPath(t)
	kp := httptest.NewServer(sbkakaopay.New(sbkakaopay.Options{}))
	defer kp.Close()
	a := apptest.Start(t, func(c *config.Config) {
		config.Put(c, kakaopay.Settings{SecretKey: "PRD-live-secret", CID: "CPLIVE0001", BaseURL: kp.URL})
	})
	ctx := context.Background()
	const password = "correct horse battery staple"
	op, err := console.NewOperator("admin@example.com", payment.RoleAdmin, "", password, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Store.CreateOperator(ctx, op); err != nil {
		t.Fatal(err)
	}
	// A test payment paid on the Toss sandbox: 3,000원 that is not money.
	testPaid, err := a.Service.CreatePayment(ctx, payment.DefaultMerchantID, serviceInput("Sandbox tea"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, to := range []payment.Status{payment.StatusApproving, payment.StatusPaid} {
		from := payment.StatusReady
		if to == payment.StatusPaid {
			from = payment.StatusApproving
		}
		if _, err := a.Store.TransitionPayment(ctx, testPaid.ID, from, to, payment.Update{ApprovedAt: &now}, payment.Event{Reason: "paid in the sandbox"}); err != nil {
			t.Fatal(err)
		}
	}

	// The buyer pays 4,500원 of real money through KakaoPay (live key).
	live := a.Live()
	req, _ := http.NewRequest("POST", live.URL()+"/v1/payments", strings.NewReader(
		`{"provider":"kakaopay","order_id":"live-1","order_name":"Real latte","amount":4500,"quantity":1,"customer_id":"c-1"}`))
	req.Header.Set("Authorization", "Bearer "+live.Key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := live.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || !strings.Contains(string(body), `"livemode":true`) {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	b := startBrowser(t, chromium)
	b.navigate(between(string(body), `"redirect_url":"`, `"`))
	b.waitFor("KakaoPay's buyer page", "document.querySelector('"+approveButton+"')")
	b.click(approveButton)
	resultPage(t, b, "paid")
	if eval[bool](b, `document.querySelector(".sandbox") !== null`) {
		t.Fatalf("the result page of a real-money payment has the sandbox banner: %q", b.text("body"))
	}
	b.screenshot("livemode-1-buyer-result")

	// The operator signs in: the dashboard shows live money only.
	b.navigate(a.URL() + "/console")
	b.waitFor("the sign-in page", `document.querySelector("#email")`)
	b.fill("#email", "admin@example.com", "#password", password)
	b.click(`form[action="/console/login"] button[type="submit"]`)
	b.waitFor("the dashboard", `location.pathname === "/console" && document.querySelector("svg.chart")`)
	if s := b.text(".testmode"); strings.Contains(s, "no real money") || !strings.Contains(s, "marked LIVE move real money") {
		t.Fatalf("console banner: %q", s)
	}
	if s := b.text("#mode"); !strings.Contains(s, "LIVE") || !strings.Contains(s, "live payments only") || !strings.Contains(s, "3,000원") {
		t.Fatalf("dashboard mode line: %q", s)
	}
	if s := b.text("main"); !strings.Contains(s, "4,500원") || strings.Contains(s, "7,500원") {
		t.Fatalf("dashboard adds test and live money, or misses the live payment: %q", s)
	}
	b.accessible("dashboard (live)")
	b.screenshot("livemode-2-dashboard-live")

	// The test figures, one click away.
	b.click(`#mode a`)
	b.waitFor("the test dashboard", `location.search.includes("mode=test") && document.querySelector("svg.chart")`)
	if s := b.text("#mode"); !strings.Contains(s, "TEST") || !strings.Contains(s, "4,500원") {
		t.Fatalf("test dashboard mode line: %q", s)
	}
	b.screenshot("livemode-3-dashboard-test")

	// The list marks each payment.
	b.navigate(a.URL() + "/console/payments")
	b.waitFor("the payment list", `document.querySelectorAll("tbody tr").length === 2`)
	for _, c := range []struct{ order, badge string }{{"Real latte", "LIVE"}, {"Sandbox tea", "TEST"}} {
		row := eval[string](b, `[...document.querySelectorAll("tbody tr")].find(r => r.textContent.includes("`+c.order+`")).querySelector(".badge.live, .badge.test").textContent`)
		if row != c.badge {
			t.Errorf("%s is marked %q, want %s", c.order, row, c.badge)
		}
	}
	b.accessible("payment list (modes)")
	b.screenshot("livemode-4-list")
	if p := b.problemList(); len(p) > 0 {
		t.Fatalf("page problems: %v", p)
	}
}
