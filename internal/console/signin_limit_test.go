package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/console"
	"github.com/paybridge/paybridge/internal/payment"
)

// postFrom signs in as email from a client whose address the trusted proxy
// reports in X-Real-IP.
func postFrom(t *testing.T, b *browserless, realIP, email, pw string) *http.Response {
	t.Helper()
	b.get("/console/login")
	form := url.Values{"email": {email}, "password": {pw}, "csrf": {b.csrf}}
	req, _ := http.NewRequest(http.MethodPost, b.a.URL()+"/console/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Real-IP", realIP)
	resp, _ := b.do(req)
	return resp
}

// Behind a reverse proxy with PAYBRIDGE_CLIENT_IP_HEADER set, every
// sign-in reaches the console from the proxy's address: the limit counts
// per client the proxy reports, so a stranger's attempts never throttle an
// operator, and the audit log records the client, not the proxy.
func TestSignIn_LimitSeesClientsBehindProxy(t *testing.T) {
	a := start(t, func(c *config.Config) { c.ClientIPHeader = "X-Real-IP" })
	mkOperator(t, a, "admin@example.com", payment.RoleAdmin, "")
	stranger := newClient(t, a)
	for i := 0; i < 10; i++ {
		postFrom(t, stranger, "203.0.113.9", "nobody@example.com", "guess")
	}
	if resp := postFrom(t, stranger, "203.0.113.9", "nobody@example.com", "guess"); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("the stranger's 11th attempt: %d, want 429", resp.StatusCode)
	}
	op := newClient(t, a)
	resp := postFrom(t, op, "198.51.100.7", "admin@example.com", testPassword)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the operator's own sign-in from another client: status %d, want 303 (throttled by a stranger's attempts)", resp.StatusCode)
	}
	es, err := a.Store.FindAudit(context.Background(), payment.AuditFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		want := "203.0.113.9"
		if e.Action == "sign_in" {
			want = "198.51.100.7"
		}
		if e.RemoteAddr != want {
			t.Errorf("audit %s records address %q, want the client's %q", e.Action, e.RemoteAddr, want)
		}
	}
}

// Past its limit an unauthenticated client gets 429 without making
// paybridge write a row per request: one sign_in_throttled entry per
// address and window.
func TestSignIn_ThrottledAttemptsDoNotFloodAuditLog(t *testing.T) {
	a := start(t)
	b := newClient(t, a)
	try := func() *http.Response {
		b.get("/console/login")
		resp, _ := b.post("/console/login", url.Values{"email": {"nobody@example.com"}, "password": {"x"}})
		return resp
	}
	for i := 0; i < 10; i++ {
		try()
	}
	for i := 0; i < 20; i++ {
		if resp := try(); resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("attempt %d past the limit: %d", i+11, resp.StatusCode)
		}
	}
	if n := countAudit(t, a, "sign_in_throttled"); n != 1 {
		t.Fatalf("%d sign_in_throttled audit entries for one throttled address in one window, want 1", n)
	}
}

// One IPv6 client holds a whole /64 (as the API's limit assumes): rotating
// addresses inside it does not escape the sign-in limit, and the audit log
// keeps each whole address.
func TestSignIn_LimitCoversIPv6Prefix(t *testing.T) {
	a := start(t)
	c := console.New(console.Options{Store: a.Store, Service: a.Service})
	mux := http.NewServeMux()
	c.Register(mux)
	attempt := func(addr string) int {
		get := httptest.NewRequest(http.MethodGet, "/console/login", nil)
		get.RemoteAddr = addr
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, get)
		m := csrfField.FindStringSubmatch(rec.Body.String())
		if m == nil {
			t.Fatalf("no login token on the page")
		}
		form := url.Values{"email": {"nobody@example.com"}, "password": {"guess"}, "csrf": {m[1]}}
		post := httptest.NewRequest(http.MethodPost, "/console/login", strings.NewReader(form.Encode()))
		post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		post.RemoteAddr = addr
		for _, ck := range rec.Result().Cookies() {
			post.AddCookie(ck)
		}
		rec = httptest.NewRecorder()
		mux.ServeHTTP(rec, post)
		return rec.Code
	}
	for i := 1; i <= 10; i++ {
		if code := attempt(fmt.Sprintf("[2001:db8::%x]:4000", i)); code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, code)
		}
	}
	if code := attempt("[2001:db8::beef]:4000"); code != http.StatusTooManyRequests {
		t.Fatalf("11th attempt from the same /64: %d, want 429", code)
	}
	if code := attempt("[2001:db8:0:1::beef]:4000"); code != http.StatusUnauthorized {
		t.Fatalf("first attempt from the next /64: %d, want 401", code)
	}
	es, err := a.Store.FindAudit(context.Background(), payment.AuditFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	throttled := 0
	for _, e := range es {
		if e.Action == "sign_in_throttled" {
			throttled++
			if e.RemoteAddr != "2001:db8::beef" {
				t.Errorf("the throttled attempt is audited from %q, want the whole address 2001:db8::beef", e.RemoteAddr)
			}
		}
	}
	if throttled != 1 {
		t.Fatalf("%d sign_in_throttled entries, want 1", throttled)
	}
}
