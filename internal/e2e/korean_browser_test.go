package e2e_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
)

// Ensure a buyer whose browser asks for Korean (as buyers of Korean shops'
// do) sees the demo shop, the sandbox's payment window and the result page
// in Korean, with prices written 12,000원, sentences instead of status
// words, the provider's id under the provider's own name, and a time that
// is not broken inside "KST"; and that the switch gives English and is
// remembered. The screenshots are saved for a person to look at
// (PAYBRIDGE_SCREENSHOT_DIR).
func TestBrowser_Korean(t *testing.T) {
	a, b := startWithBrowser(t, "ko-KR,ko")

	b.navigate(a.Config.PublicURL + "/")
	b.waitFor("the demo shop", "document.querySelector('#provider-toss')")
	if l := eval[string](b, "document.documentElement.lang"); l != "ko" {
		t.Fatalf("the demo shop's lang = %q, want ko", l)
	}
	wantText(t, b, "h1", "데모 상점")
	if s := b.text(".sandbox"); !strings.Contains(s, "샌드박스 모드") {
		t.Errorf("sandbox banner = %q, want it in Korean", s)
	}
	wantText(t, b, "#pay", "결제하기")
	if s := b.attr(`link[rel="icon"]`, "href"); s == "" {
		t.Error("the demo shop has no icon")
	}
	b.fill("#buyer", "buyer-ko", "#product", "아메리카노", "#price", "6000", "#quantity", "2")
	b.click("#provider-toss")
	b.screenshot("ko-demo-shop")
	b.click("#pay")

	b.waitFor("the Toss sandbox window", "document.querySelector('"+approveButton+"')")
	if l := eval[string](b, "document.documentElement.lang"); l != "ko" {
		t.Errorf("the sandbox window's lang = %q, want ko", l)
	}
	body := b.text("body")
	for _, want := range []string{"토스페이먼츠 샌드박스", "아메리카노", "12,000원", "결제하기"} {
		if !strings.Contains(body, want) {
			t.Errorf("the sandbox window lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "KRW") {
		t.Errorf("the sandbox window writes KRW:\n%s", body)
	}
	b.screenshot("ko-sandbox-window")
	b.click(approveButton)

	resultPage(t, b, "paid")
	for sel, want := range map[string]string{
		"h1":         "결제가 완료되었습니다",
		"#status":    "결제 완료",
		"#amount":    "12,000원",
		"#item":      "아메리카노",
		"#provider":  "토스페이먼츠",
		"#tid-label": "토스페이먼츠 결제 키 (paymentKey)",
	} {
		wantText(t, b, sel, want)
	}
	body = b.text("body")
	for _, raw := range []string{"paid", "KRW", " won", "the provider reports"} {
		if strings.Contains(body, raw) {
			t.Errorf("the result page shows %q:\n%s", raw, body)
		}
	}
	// The approval time is on one line: no break inside "… KST".
	lines := eval[int](b, `(() => { const r = document.createRange(); r.selectNodeContents(document.querySelector('#approved'));
		return new Set(Array.from(r.getClientRects()).map(x => Math.round(x.top))).size; })()`)
	if s := b.text("#approved"); !strings.HasSuffix(s, "KST") || lines != 1 {
		t.Errorf("#approved = %q on %d lines, want one line ending KST", s, lines)
	}
	b.screenshot("ko-result")

	id := b.text("#payment-id")
	if p := findPayment(t, a, id); p.Status != payment.StatusPaid || p.Amount != 12000 || p.Provider != "toss" {
		t.Errorf("stored payment: %s %d %s", p.Status, p.Amount, p.Provider)
	}

	// KakaoPay's window in Korean too, and a buyer who cancels is told so
	// in a sentence, not with a status word.
	b.navigate(a.Config.PublicURL + "/")
	b.waitFor("the demo shop", "document.querySelector('#provider-kakaopay')")
	b.fill("#buyer", "buyer-ko", "#product", "라떼", "#price", "5500", "#quantity", "1")
	b.click("#provider-kakaopay")
	b.click("#pay")
	b.waitFor("the KakaoPay sandbox window", "document.querySelector('"+cancelButton+"')")
	if s := b.text("body"); !strings.Contains(s, "카카오페이 샌드박스") || !strings.Contains(s, "5,500원") || !strings.Contains(s, "결제 취소") {
		t.Errorf("the KakaoPay window is not in Korean:\n%s", s)
	}
	b.screenshot("ko-kakaopay-window")
	b.click(cancelButton)
	resultPage(t, b, "aborted")
	if h, st := b.text("h1"), b.text("#status"); h != "결제를 취소하셨습니다" || st != "결제 취소" {
		t.Errorf("after cancelling: heading %q, status %q", h, st)
	}
	if s := b.text("body"); strings.Contains(s, "aborted") || !strings.Contains(s, "청구된 금액은 없습니다") {
		t.Errorf("the cancelled page:\n%s", s)
	}
	b.screenshot("ko-result-cancelled")

	// The switch gives English, and English stays chosen.
	b.click("#lang-switch")
	b.waitFor("the English result page", "document.documentElement.lang === 'en'")
	wantText(t, b, "h1", "You cancelled the payment")
	b.navigate(a.Config.PublicURL + "/")
	b.waitFor("the demo shop", "document.querySelector('#pay')")
	wantText(t, b, "h1", "Demo shop")

	resp, err := http.Get(a.Config.PublicURL + "/favicon.ico")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("GET /favicon.ico = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}
