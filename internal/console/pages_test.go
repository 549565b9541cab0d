package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
)

// Ensure the console speaks Korean by default and to a Korean browser,
// English to an English one, switches with ?lang= (remembered, and shared
// with the shop's pages), and shows amounts as 12,000원 and times in KST.
func TestConsole_Language(t *testing.T) {
	a := start(t)
	p := paidPayment(t, a, payment.DefaultMerchantID, "아메리카노", 12000)
	b := signInNew(t, a, "v@example.com", payment.RoleViewer, "")
	get := func(path, acceptLanguage string) (*http.Response, string) {
		req, _ := http.NewRequest("GET", a.URL()+path, nil)
		req.Header["Accept-Language"] = nil
		if acceptLanguage != "" {
			req.Header.Set("Accept-Language", acceptLanguage)
		}
		return b.do(req)
	}
	page := "/console/payments/" + p.ID
	for _, al := range []string{"ko-KR,ko;q=0.9,en;q=0.5", ""} {
		_, body := get(page, al)
		for _, want := range []string{`<html lang="ko">`, "결제 완료", "12,000원", "KST", "타임라인", "환불 가능", "로그아웃", `hreflang="en"`} {
			if !strings.Contains(body, want) {
				t.Errorf("Accept-Language %q: the page lacks %q", al, want)
			}
		}
	}
	_, body := get(page, "en-US,en;q=0.9")
	if !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, "Timeline") || !strings.Contains(body, "12,000원") {
		t.Error("English page is not English")
	}
	// The switch wins over the browser's preference, and is remembered.
	resp, body := get(page+"?lang=ko", "en-US")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `<html lang="ko">`) {
		t.Fatalf("?lang=ko: %d", resp.StatusCode)
	}
	if _, body = get(page, "en-US"); !strings.Contains(body, `<html lang="ko">`) {
		t.Error("the switch was not remembered")
	}
	stranger := newClient(t, a)
	req, _ := http.NewRequest("GET", a.URL()+"/console/login", nil)
	req.Header.Set("Accept-Language", "ko")
	if _, body = stranger.do(req); !strings.Contains(body, "콘솔 로그인") {
		t.Error("sign-in page is not Korean")
	}
}

var (
	scriptTag  = regexp.MustCompile(`<script[^>]*>`)
	nonceInCSP = regexp.MustCompile(`script-src 'nonce-([A-Za-z0-9_-]+)'`)
	inputTag   = regexp.MustCompile(`<(input|select|textarea)\b[^>]*>`)
	idAttr     = regexp.MustCompile(`\bid="([^"]+)"`)
	labelFor   = regexp.MustCompile(`<label for="([^"]+)"`)
	imgTag     = regexp.MustCompile(`<img\b[^>]*>`)
	styleAttr  = regexp.MustCompile(`<[^>]+\sstyle="`)
)

// Ensure every page an owner sees has the strict CSP, a fresh nonce on its
// one script and no other script, no inline style (which the CSP would
// block), and that every input is labelled and every image has alt text.
func TestConsole_PagesStrictCSPAndLabels(t *testing.T) {
	a := start(t)
	p := paidPayment(t, a, payment.DefaultMerchantID, "Tea", 5000)
	r := readyPayment(t, a, payment.DefaultMerchantID, payment.ProviderKakaoPay, "Waiting", 5000)
	b := signInNew(t, a, "owner@example.com", payment.RoleOwner, "")
	b.post("/console/webhooks/endpoints", url.Values{"merchant": {payment.DefaultMerchantID}, "url": {"https://shop.example/h"}})
	nonces := map[string]bool{}
	for _, path := range []string{"/console", "/console/payments", "/console/payments/" + p.ID, "/console/payments/" + r.ID,
		"/console/payments/" + p.ID + "/refund", "/console/webhooks", "/console/audit", "/console/merchants", "/console/operators", "/console/nope"} {
		resp, page := b.get(path)
		csp := resp.Header.Get("Content-Security-Policy")
		m := nonceInCSP.FindStringSubmatch(csp)
		if m == nil || !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP %q", path, csp)
			continue
		}
		if nonces[m[1]] {
			t.Errorf("%s: nonce reused", path)
		}
		nonces[m[1]] = true
		scripts := scriptTag.FindAllString(page, -1)
		if len(scripts) != 1 || !strings.Contains(scripts[0], `nonce="`+m[1]+`"`) || !strings.Contains(scripts[0], `src="/console/static/console.js"`) {
			t.Errorf("%s: scripts %v", path, scripts)
		}
		if styleAttr.MatchString(page) {
			t.Errorf("%s: an inline style attribute", path)
		}
		checkLabels(t, path, page)
		for _, img := range imgTag.FindAllString(page, -1) {
			if !strings.Contains(img, `alt="`) {
				t.Errorf("%s: image without alt: %s", path, img)
			}
		}
	}
	if resp, _ := b.get("/console/static/console.css"); resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("stylesheet: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// checkLabels fails for a visible form control with neither a <label for>
// nor an aria-label.
func checkLabels(t *testing.T, path, page string) {
	t.Helper()
	labels := map[string]bool{}
	for _, m := range labelFor.FindAllStringSubmatch(page, -1) {
		labels[m[1]] = true
	}
	for _, tag := range inputTag.FindAllString(page, -1) {
		if strings.Contains(tag, `type="hidden"`) || strings.Contains(tag, "aria-label=") {
			continue
		}
		if strings.Contains(tag, `type="checkbox"`) {
			continue // wrapped in their <label>
		}
		m := idAttr.FindStringSubmatch(tag)
		if m == nil || !labels[m[1]] {
			t.Errorf("%s: unlabelled control %s", path, tag)
		}
	}
}
