package app_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/apptest"
)

// TestPages_Language: the pages are Korean by default and English for a
// browser that asks for it; an unknown payment's page says so in the
// buyer's language; prices are written 원; the icon is served.
func TestPages_Language(t *testing.T) {
	a := apptest.Start(t)
	// No cookie jar: each request stands alone (a.Client keeps cookies, so
	// the switch would carry over).
	noJar := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path, accept string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, a.URL()+path, nil)
		if accept != "" {
			req.Header.Set("Accept-Language", accept)
		}
		resp, err := noJar.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, tt := range []struct {
		name, path, accept string
		status             int
		want               []string
	}{
		{"shop, default", "/", "", 200, []string{`<html lang="ko">`, "데모 상점", `rel="icon"`, `href="/?lang=en"`}},
		{"shop, English browser", "/", "en-US,en;q=0.9", 200, []string{`<html lang="en">`, "Demo shop", `href="/?lang=ko"`}},
		{"shop, switch", "/?lang=en", "ko-KR", 200, []string{`<html lang="en">`, "Demo shop"}},
		{"unknown payment", "/pay/pay_nope", "", 404, []string{`<html lang="ko">`, "결제 정보를 찾을 수 없습니다"}},
		{"unknown payment, English", "/pay/pay_nope", "en", 404, []string{"No such payment"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, body := get(tt.path, tt.accept)
			if status != tt.status {
				t.Fatalf("GET %s = %d", tt.path, status)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("GET %s lacks %q", tt.path, w)
				}
			}
		})
	}

	// A paid payment's result page: 원, the provider's own name for its id.
	p := MustCreateWith(t, a, "iamport", "order-lang", 12000)
	follow(t, a, buyer(t, a, p.RedirectURL, "approve"))
	_, body := get("/pay/"+p.ID, "ko")
	for _, w := range []string{"결제가 완료되었습니다", "12,000원", "포트원 V1 거래 고유번호 (imp_uid)"} {
		if !strings.Contains(body, w) {
			t.Errorf("result page lacks %q", w)
		}
	}
	for _, raw := range []string{"KRW", " won", ">paid<"} {
		if strings.Contains(body, raw) {
			t.Errorf("result page shows %q", raw)
		}
	}

	status, body := get("/favicon.ico", "")
	if status != 200 || !strings.HasPrefix(body, "<svg") {
		t.Errorf("GET /favicon.ico = %d %.40q", status, body)
	}
}
