package e2e_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/console"
	"github.com/paybridge/paybridge/internal/httpapi"
	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/service"
)

// a11yCheck lists, on the page the tab shows, form controls without a
// label (a <label>, aria-label or aria-labelledby) and images without alt
// text: the accessibility smoke check of every console page visited.
const a11yCheck = `(() => {
  const bad = [];
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (el.type === "hidden") continue;
    if ((el.labels && el.labels.length) || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby")) continue;
    bad.push("unlabelled " + el.outerHTML.slice(0, 80));
  }
  for (const img of document.querySelectorAll("img")) if (!img.hasAttribute("alt")) bad.push("no alt " + img.outerHTML.slice(0, 80));
  for (const svg of document.querySelectorAll("svg")) if (!svg.getAttribute("aria-labelledby") && !svg.getAttribute("aria-label")) bad.push("unnamed svg");
  for (const b of document.querySelectorAll("button, a")) if (!b.textContent.trim() && !b.getAttribute("aria-label")) bad.push("empty " + b.outerHTML.slice(0, 80));
  return bad.join("\n");
})()`

func (b *browser) accessible(page string) {
	b.t.Helper()
	if bad := eval[string](b, a11yCheck); bad != "" {
		b.t.Errorf("accessibility of %s:\n%s", page, bad)
	}
}

// Ensure an operator, in a real Chromium, signs in, filters the payment
// list, opens a payment the buyer paid in the demo shop, refunds part of
// it, resends its webhook and signs out; then reads the same payment in
// Korean on a phone-sized screen. Every page passes the accessibility
// smoke check and is screenshotted.
func TestBrowser_Console(t *testing.T) {
	path := chromiumPath(t)
	var hooks atomic.Int32
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hooks.Add(1)
		io.Copy(io.Discard, r.Body)
	}))
	defer shop.Close()
	a := apptest.Start(t, func(c *config.Config) { c.WebhookAllowPrivate = true })
	ctx := context.Background()
	if _, err := httpapi.CreateWebhookEndpoint(ctx, a.Store, payment.DefaultMerchantID,
		httpapi.WebhookEndpointParams{URL: shop.URL + "/hooks"}, true); err != nil {
		t.Fatal(err)
	}
	const password = "correct horse battery staple"
	op, err := console.NewOperator("admin@example.com", payment.RoleAdmin, "", password, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Store.CreateOperator(ctx, op); err != nil {
		t.Fatal(err)
	}
	// Some other payments for the list to filter out.
	for _, name := range []string{"Green tea", "Cake"} {
		if _, err := a.Service.CreatePayment(ctx, payment.DefaultMerchantID, serviceInput(name)); err != nil {
			t.Fatal(err)
		}
	}

	b := startBrowser(t, path)
	// The buyer pays 9,000원 in the demo shop.
	b.navigate(a.URL() + "/")
	b.fill("#buyer", "buyer-42", "#product", "Americano", "#price", "4500", "#quantity", "2")
	b.click("#pay")
	b.waitFor("the sandbox buyer page", "document.querySelector('"+approveButton+"')")
	b.click(approveButton)
	b.waitFor("the result page", "document.querySelector('#status')")

	// The operator signs in.
	b.navigate(a.URL() + "/console/payments")
	b.waitFor("the sign-in page", `location.pathname === "/console/login" && document.querySelector("#email")`)
	b.accessible("sign-in")
	b.screenshot("console-1-login")
	b.fill("#email", "admin@example.com", "#password", password)
	b.click(`form[action="/console/login"] button[type="submit"]`)
	b.waitFor("the payment list after sign-in", `location.pathname === "/console/payments" && document.querySelector("#q")`)

	// Filter: paid KakaoPay payments of buyer-42.
	b.fill("#q", "buyer-42")
	b.do("choose paid", chromedp.SetValue(chromedp.CSS("#status"), "paid"))
	b.do("choose kakaopay", chromedp.SetValue(chromedp.CSS("#provider"), "kakaopay"))
	b.click(`form[role="search"] button[type="submit"]`)
	b.waitFor("the filtered list", `location.search.includes("status=paid") && document.querySelectorAll("tbody tr").length === 1`)
	if text := b.text("tbody"); !strings.Contains(text, "Americano") || !strings.Contains(text, "9,000원") {
		t.Fatalf("filtered list shows %q", text)
	}
	b.accessible("payment list")
	b.screenshot("console-2-list")

	// Open the payment: the explanation says what happened.
	b.click(`tbody a[href^="/console/payments/pay_"]`)
	b.waitFor("the payment page", `document.querySelector("#explanation")`)
	if s := b.text("#explanation"); !strings.Contains(s, "Paid 9,000원 through KakaoPay") {
		t.Fatalf("explanation: %q", s)
	}
	id := b.location().Path[len("/console/payments/"):]
	waitUntil(t, "the paid webhook", func() bool { return hooks.Load() >= 1 })
	b.accessible("payment page")
	b.screenshot("console-3-payment")

	// The provider's last answer opens under its ids, as text.
	b.click("#last-answer summary")
	b.waitFor("the provider's answer", `document.querySelector("#last-answer").open && document.querySelector("#last-answer pre").offsetHeight > 0`)
	if s := b.text("#last-answer pre"); !strings.Contains(s, `"tid": "T`) || !strings.Contains(s, `"aid"`) {
		t.Fatalf("provider's last answer: %q", s)
	}
	b.screenshot("console-3b-last-answer")
	b.click("#last-answer summary")

	// Refund 4,500원 of it, through the confirmation step.
	b.click(`a[href$="/refund"]`)
	b.waitFor("the refund form", `document.querySelector("#amount")`)
	b.accessible("refund form")
	b.fill("#amount", "4500", "#reason", "one cup returned")
	b.click(`form[action$="/refund"] button[type="submit"]`)
	b.waitFor("the confirmation", `document.querySelector("#confirm-refund")`)
	b.screenshot("console-4-confirm")
	b.click("#confirm-refund")
	b.waitFor("the refunded payment", `location.search.includes("notice=refund.succeeded") && document.querySelector(".notice")`)
	if s := b.text("#explanation"); !strings.Contains(s, "4,500원 has been refunded") {
		t.Fatalf("after the refund: %q", s)
	}
	p, err := a.Store.FindPaymentByID(ctx, id)
	if err != nil || p.Status != payment.StatusPartiallyCanceled || p.CanceledAmount != 4500 {
		t.Fatalf("payment after the refund: %+v %v", p, err)
	}
	b.screenshot("console-5-refunded")
	b.viewportShot("console-readme") // docs/console.png is a copy of this one

	// Resend the paid event to the shop.
	waitUntil(t, "the partially_canceled webhook", func() bool { return hooks.Load() >= 2 })
	before := hooks.Load()
	b.click(`form[action*="/resend"] button`)
	b.waitFor("the resend notice", `location.search.includes("notice=event.resent")`)
	waitUntil(t, "the resent webhook", func() bool { return hooks.Load() > before })
	b.screenshot("console-6-resent")

	// The dashboard, the webhooks page and the audit log.
	for _, pg := range []struct{ path, name, ready string }{
		{"/console", "dashboard", "svg.chart"},
		{"/console/webhooks", "webhooks", "table"},
		{"/console/audit", "audit", "table"},
	} {
		b.navigate(a.URL() + pg.path)
		b.waitFor(pg.name, `document.querySelector("`+pg.ready+`")`)
		b.accessible(pg.name)
		b.screenshot("console-7-" + pg.name)
	}
	if s := b.text("main"); !strings.Contains(s, "refund") || !strings.Contains(s, "webhook_resent") || !strings.Contains(s, "sign_in") {
		t.Fatalf("audit log: %q", s)
	}

	// In Korean, on a phone.
	b.do("phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))
	b.navigate(a.URL() + "/console/payments/" + id)
	b.waitFor("the payment page", `document.querySelector("#explanation")`)
	b.click(`a[hreflang="ko"]`)
	b.waitFor("the Korean page", `document.documentElement.lang === "ko"`)
	if s := b.text("#explanation"); !strings.Contains(s, "4,500원 환불") {
		t.Fatalf("Korean explanation: %q", s)
	}
	if w := eval[int](b, `document.documentElement.scrollWidth - window.innerWidth`); w > 0 {
		t.Errorf("the page is %d px wider than the phone's screen", w)
	}
	b.accessible("Korean payment page")
	b.viewportShot("console-8-phone-ko")
	b.do("scroll to the timeline", chromedp.ScrollIntoView(chromedp.CSS("#tl-h")))
	b.viewportShot("console-8-phone-ko-timeline")
	b.navigate(a.URL() + "/console")
	b.waitFor("the Korean dashboard", `document.querySelector("svg.chart")`)
	b.viewportShot("console-9-phone-ko-dashboard")

	// Sign out: the console is closed again.
	b.do("desktop viewport", chromedp.EmulateViewport(1280, 900))
	b.click(`form[action="/console/logout"] button`)
	b.waitFor("the sign-in page", `location.pathname === "/console/login"`)
	b.navigate(a.URL() + "/console/payments/" + id)
	b.waitFor("the sign-in page again", `location.pathname === "/console/login" && document.querySelector("#password")`)
	if p := b.problemList(); len(p) > 0 {
		t.Fatalf("page problems: %v", p)
	}
}

// viewportShot saves what the screen shows (a full-page capture of an
// emulated phone is laid out at another width), as screenshot does.
func (b *browser) viewportShot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.fatalf("screenshot: %v", err)
	}
	dir := os.Getenv("PAYBRIDGE_SCREENSHOT_DIR")
	if dir == "" {
		dir = b.t.TempDir()
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatalf("save screenshot: %v", err)
	}
	b.t.Logf("screenshot: %s", path)
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func serviceInput(name string) service.CreateInput {
	return service.CreateInput{Provider: payment.ProviderToss, Channel: payment.ChannelAPI, OrderID: payment.NewID("ord", time.Now()),
		OrderName: name, CustomerID: "buyer-7", Amount: 3000, Quantity: 1}
}
