package app_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/config"
)

// Ensure every response carries nosniff and a Referrer-Policy, and HSTS
// only when the public URL is https.
func TestPerimeter_SecurityHeaders(t *testing.T) {
	plain := apptest.Start(t)
	tls := apptest.Start(t, func(c *config.Config) { c.PublicURL = "https://pay.shop.example" })
	for _, path := range []string{"/healthz", "/v1/payments", "/", "/openapi.json", "/nope"} {
		for _, a := range []*apptest.App{plain, tls} {
			resp, err := a.Client.Get(a.URL() + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			h := resp.Header
			if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "strict-origin-when-cross-origin" {
				t.Errorf("%s: nosniff %q, referrer %q", path, h.Get("X-Content-Type-Options"), h.Get("Referrer-Policy"))
			}
			if hsts := h.Get("Strict-Transport-Security"); (a == tls) != strings.Contains(hsts, "max-age=") {
				t.Errorf("%s (public URL %s): HSTS %q", path, a.Config.PublicURL, hsts)
			}
		}
	}
}

// Ensure the unauthenticated routes that spend provider quota are limited
// per client IP: past the burst, 429 with Retry-After, and no provider call.
func TestPerimeter_PublicRateLimit(t *testing.T) {
	a := apptest.Start(t, func(c *config.Config) { c.PublicRateLimit, c.PublicRateBurst = 0.01, 3 })
	ready := func() *http.Response {
		resp, err := a.Client.PostForm(a.URL()+"/ready", url.Values{"userId": {"u-1"}, "product": {"Latte"}, "price": {"1000"}, "quantity": {"1"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for i := range 3 {
		if resp := ready(); resp.StatusCode != http.StatusOK {
			t.Fatalf("request %d: %d", i, resp.StatusCode)
		}
	}
	resp := ready()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("past the burst: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if n := a.KakaoPaySandbox.Calls("ready"); n != 3 {
		t.Fatalf("KakaoPay ready calls = %d, want 3", n)
	}
	// The same client is limited on the unsigned webhooks too (one bucket per address).
	for _, path := range []string{"/webhooks/toss", "/webhooks/portone"} {
		r, err := a.Client.Post(a.URL()+path, "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != http.StatusTooManyRequests {
			t.Errorf("%s past the limit: %d", path, r.StatusCode)
		}
	}
	// The merchant API is limited per key, not by this.
	if st, b := do(t, a, "GET", "/v1/payments", "", ""); st != http.StatusOK {
		t.Fatalf("API with a key: %d %s", st, b)
	}
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// Ensure the demo shop's checkout needs the token of the page it came from:
// without it (a form posted from another site) nothing is created.
func TestPerimeter_DemoCheckoutCSRF(t *testing.T) {
	a := apptest.Start(t)
	form := url.Values{"buyer": {"b-1"}, "product": {"Latte"}, "price": {"4500"}, "quantity": {"2"}, "provider": {"kakaopay"}}

	// Another site's form: no cookie, or a cookie but the wrong field.
	resp, err := http.PostForm(a.URL()+"/checkout", form)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), `role="alert"`) {
		t.Fatalf("checkout without a token: %d", resp.StatusCode)
	}
	if n := countPayments(t, a); n != 0 || a.KakaoPaySandbox.Calls("ready") != 0 {
		t.Fatalf("a forged checkout created %d payments", n)
	}

	// The shop's own page: its cookie and its field.
	resp, err = a.Client.Get(a.URL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfField.FindSubmatch(page)
	if m == nil {
		t.Fatal("the shop page has no csrf_token field")
	}
	for _, c := range resp.Cookies() {
		if c.Name == "paybridge_csrf" && (!c.HttpOnly || c.SameSite != http.SameSiteStrictMode) {
			t.Fatalf("the CSRF cookie is not HttpOnly SameSite=Strict: %+v", c)
		}
	}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("csrf_token", strings.Repeat("x", 32))
	if resp, err = a.Client.PostForm(a.URL()+"/checkout", bad); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("checkout with another token: %d", resp.StatusCode)
	}
	form.Set("csrf_token", string(m[1]))
	if resp, err = a.Client.PostForm(a.URL()+"/checkout", form); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || countPayments(t, a) != 1 {
		t.Fatalf("checkout with the page's token: %d", resp.StatusCode)
	}
}

// Ensure CORS origins are normalised (a trailing "/" would never match the
// Origin a browser sends) and non-origins are refused.
func TestPerimeter_CORSOrigins(t *testing.T) {
	c, err := config.FromEnv(func(k string) string {
		if k == "PAYBRIDGE_CORS_ORIGINS" {
			return "https://Shop.example/, http://localhost:3000"
		}
		return ""
	})
	if err != nil || strings.Join(c.CORSOrigins, " ") != "https://shop.example http://localhost:3000" {
		t.Fatalf("origins = %q, %v", c.CORSOrigins, err)
	}
	a := apptest.Start(t, func(cfg *config.Config) { cfg.CORSOrigins = c.CORSOrigins })
	req, _ := http.NewRequest("OPTIONS", a.URL()+"/ready", nil)
	req.Header.Set("Origin", "https://shop.example")
	resp, err := a.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "https://shop.example" {
		t.Fatalf("preflight from a configured origin: %d %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	for _, bad := range []string{"https://shop.example/path", "*", "shop.example", "ftp://shop.example", "https://user@shop.example", "https://shop.example?x=1"} {
		if _, err := config.ParseOrigins(bad); err == nil {
			t.Errorf("%q accepted as an origin", bad)
		}
	}
}
