package i18n

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestFromRequest(t *testing.T) {
	for _, tt := range []struct {
		name, target, cookie, accept, want string
		setsCookie                         bool
	}{
		{"default is Korean", "/", "", "", Korean, false},
		{"English browser", "/", "", "en-US,en;q=0.9", English, false},
		{"Korean first", "/", "", "ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7", Korean, false},
		{"English preferred by weight", "/", "", "ko;q=0.5,en;q=0.9", English, false},
		{"neither: Korean", "/", "", "fr-FR,de;q=0.8", Korean, false},
		{"English after others", "/", "", "fr-FR,en;q=0.5", English, false},
		{"q=0 excluded", "/", "", "en;q=0", Korean, false},
		{"cookie beats the browser", "/", "en", "ko-KR", English, false},
		{"switch beats the cookie", "/?lang=ko", "en", "en", Korean, true},
		{"switch to English", "/pay/x?lang=EN", "", "", English, true},
		{"unknown switch ignored", "/?lang=fr", "", "en", English, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", tt.target, nil)
			if tt.cookie != "" {
				r.AddCookie(&http.Cookie{Name: CookieName, Value: tt.cookie})
			}
			if tt.accept != "" {
				r.Header.Set("Accept-Language", tt.accept)
			}
			w := httptest.NewRecorder()
			if got := FromRequest(w, r); got != tt.want {
				t.Errorf("FromRequest = %q, want %q", got, tt.want)
			}
			c := w.Result().Cookies()
			if tt.setsCookie != (len(c) == 1) || (tt.setsCookie && (c[0].Value != tt.want || c[0].Path != "/")) {
				t.Errorf("cookies = %v", c)
			}
		})
	}
}

func TestWon(t *testing.T) {
	for n, want := range map[int64]string{0: "0원", 100: "100원", 12000: "12,000원", 1234567: "1,234,567원", -4500: "-4,500원", 100000000: "100,000,000원"} {
		if got := Won(n); got != want {
			t.Errorf("Won(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestCatalogFallsBackToKorean(t *testing.T) {
	c := Catalog{Korean: {"a": "가", "b": "나"}, English: {"a": "A"}}
	if got := c.For(English); got["a"] != "A" || got["b"] != "나" {
		t.Errorf("For(en) = %v", got)
	}
}

func TestSwitchURL(t *testing.T) {
	r := httptest.NewRequest("GET", "/checkout?orderId=o-1&amount=5000&lang=ko", nil)
	if got := SwitchURL(r, English); got != "/checkout?amount=5000&lang=en&orderId=o-1" {
		t.Errorf("SwitchURL = %q", got)
	}
}
