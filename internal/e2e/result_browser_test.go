package e2e_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/sandbox"
	sbkakaopay "github.com/paybridge/paybridge/internal/sandbox/kakaopay"
)

// Ensure the result page of an unpaid payment never offers the way to the
// shop's success page, which a shop may take for proof of payment: a ready
// payment (the buyer left the window) links the shop's fail_url, and an
// approving one (KakaoPay's answer lost, its lookups failing) links nothing
// and says the link comes once the payment is confirmed. Screenshots are
// saved for a person to look at (PAYBRIDGE_SCREENSHOT_DIR).
func TestBrowser_ResultPageUnpaid(t *testing.T) {
	a, b := startWithBrowser(t, "en-US,en")
	req, _ := http.NewRequest("POST", a.URL()+"/v1/payments", strings.NewReader(
		`{"provider":"kakaopay","order_id":"unpaid-1","order_name":"Latte","amount":4500,"quantity":1,"customer_id":"c-1",`+
			`"success_url":"https://shop.example/ok","fail_url":"https://shop.example/no"}`))
	req.Header.Set("Authorization", "Bearer "+a.Key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	id, redirect := between(string(body), `"id":"`, `"`), between(string(body), `"redirect_url":"`, `"`)
	noSuccessLink := `document.querySelector('a[href^="https://shop.example/ok"]') === null`

	// Ready: the buyer opens the result page without finishing.
	b.navigate(a.Config.PublicURL + "/pay/" + id)
	resultPage(t, b, "ready")
	if !eval[bool](b, noSuccessLink) {
		t.Errorf("the result page of a ready payment links the success_url")
	}
	if s := b.attr("#back", "href"); s != "https://shop.example/no?payment_id="+id {
		t.Errorf("the ready payment's back link = %q, want the fail_url", s)
	}
	b.screenshot("result-ready-unpaid")

	// Approving: the buyer approves, KakaoPay's answer is lost and it cannot be asked.
	b.navigate(redirect)
	b.waitFor("KakaoPay's buyer page", "document.querySelector('"+approveButton+"')")
	a.KakaoPaySandbox.InjectFault(sbkakaopay.Fault{Fault: sandbox.Fault{Op: "approve", Kind: "lost"}})
	a.KakaoPaySandbox.InjectFault(sbkakaopay.Fault{Fault: sandbox.Fault{Op: "order", Kind: "error", Status: 503, Count: 100}, Code: -503})
	b.click(approveButton)
	resultPage(t, b, "approving")
	if !eval[bool](b, noSuccessLink+` && document.querySelector('#back') === null`) {
		t.Errorf("the result page of an approving payment links the shop: %q", b.text("body"))
	}
	wantText(t, b, "#back-later", "The link back to the shop appears here once the payment is confirmed.")
	b.screenshot("result-approving")
	b.navigate(a.Config.PublicURL + "/pay/" + id + "?lang=ko")
	resultPage(t, b, "approving")
	wantText(t, b, "#back-later", "결제가 확인되면 여기에 상점으로 돌아가는 링크가 나타납니다.")
	b.screenshot("ko-result-approving")
}
