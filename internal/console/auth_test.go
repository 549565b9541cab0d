package console_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/payment"
)

// Every console page and action, with the least role it needs.
var routes = []struct {
	method, path, role string
}{
	{"GET", "/console", payment.RoleViewer},
	{"GET", "/console/payments", payment.RoleViewer},
	{"GET", "/console/payments/PAY", payment.RoleViewer},
	{"GET", "/console/payments/PAY/refund", payment.RoleAdmin},
	{"POST", "/console/payments/PAY/refund", payment.RoleAdmin},
	{"POST", "/console/payments/PAY/sandbox", payment.RoleAdmin},
	{"GET", "/console/webhooks", payment.RoleViewer},
	{"POST", "/console/webhooks/endpoints", payment.RoleAdmin},
	{"POST", "/console/webhooks/endpoints/we_x/status", payment.RoleAdmin},
	{"POST", "/console/webhooks/endpoints/we_x/rotate", payment.RoleAdmin},
	{"POST", "/console/webhooks/endpoints/we_x/delete", payment.RoleAdmin},
	{"POST", "/console/events/evt_x/resend", payment.RoleAdmin},
	{"GET", "/console/audit", payment.RoleViewer},
	{"GET", "/console/merchants", payment.RoleOwner},
	{"POST", "/console/merchants", payment.RoleOwner},
	{"POST", "/console/merchants/mer_default/keys", payment.RoleOwner},
	{"POST", "/console/merchants/mer_default/keys/key_x/revoke", payment.RoleOwner},
	{"GET", "/console/operators", payment.RoleOwner},
	{"POST", "/console/operators", payment.RoleOwner},
	{"POST", "/console/operators/op_x/status", payment.RoleOwner},
	{"POST", "/console/logout", payment.RoleViewer},
}

// Ensure a stranger reaches no page and no action: each sends the browser
// to the sign-in page (coming back to the page afterwards) and does nothing.
func TestConsole_UnauthenticatedRedirectsToLogin(t *testing.T) {
	a := start(t)
	p := paidPayment(t, a, payment.DefaultMerchantID, "Tea", 5000)
	b := newClient(t, a)
	for _, r := range append(routes, struct{ method, path, role string }{"GET", "/console/anything/else", ""}) {
		path := strings.Replace(r.path, "PAY", p.ID, 1)
		var resp *http.Response
		if r.method == "GET" {
			resp, _ = b.get(path)
		} else {
			resp, _ = b.post(path, url.Values{"csrf": {"x"}, "amount": {"1000"}, "reason": {"r"}, "confirm": {"yes"}, "key": {strings.Repeat("k", 20)}})
		}
		want := "/console/login"
		if r.method == "GET" {
			want += "?next=" + url.QueryEscape(path)
		}
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
			t.Errorf("%s %s: %d → %q, want 303 → %q", r.method, path, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
	mustPayment(t, a, p.ID, payment.StatusPaid)
	if got := auditActions(t, a); len(got) != 0 {
		t.Fatalf("a stranger left audit entries: %v", got)
	}
	// A forged or stale cookie is no session either.
	u, _ := url.Parse(a.URL() + "/console")
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "pb_console", Value: "forged", Path: "/console"}})
	if resp, _ := b.get("/console"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("forged cookie: %d", resp.StatusCode)
	}
}

// Ensure each role reaches exactly what it may, checked on the server:
// a weaker role gets 403 and the action is not done.
func TestConsole_RolesEnforced(t *testing.T) {
	a := start(t)
	p := paidPayment(t, a, payment.DefaultMerchantID, "Tea", 5000)
	for _, role := range payment.Roles {
		mkOperator(t, a, role+"@example.com", role, "")
	}
	for _, role := range payment.Roles {
		b := signIn(t, a, role+"@example.com")
		for _, r := range routes {
			if r.path == "/console/logout" {
				continue
			}
			path := strings.Replace(r.path, "PAY", p.ID, 1)
			var resp *http.Response
			var body string
			if r.method == "GET" {
				resp, body = b.get(path)
			} else {
				resp, body = b.post(path, url.Values{"amount": {"1000"}, "reason": {"x"}, "confirm": {"yes"},
					"key": {"dialog-key-of-" + role}, "name": {"n"}, "email": {"new-" + role + "@example.com"}, "role": {"viewer"},
					"url": {"https://shop.example/hook"}, "action": {"approve"}})
			}
			allowed := payment.RoleRank(role) >= payment.RoleRank(r.role)
			if !allowed && resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s: %s %s = %d, want 403", role, r.method, path, resp.StatusCode)
			}
			if allowed && resp.StatusCode == http.StatusForbidden {
				t.Errorf("%s: %s %s refused: %s", role, r.method, path, body[:min(300, len(body))])
			}
		}
	}
	// Only the admin's and the owner's refunds went through (1,000원 each).
	if got := mustPayment(t, a, p.ID, payment.StatusPartiallyCanceled); got.CanceledAmount != 2000 {
		t.Fatalf("refunded %d, want 2000 (admin and owner)", got.CanceledAmount)
	}
	if n := countAudit(t, a, "refund"); n != 2 {
		t.Fatalf("%d refund audit entries, want 2", n)
	}
}

// Ensure a form without the session's CSRF token, with another session's,
// or posted from another site is refused and changes nothing.
func TestConsole_CSRFRefused(t *testing.T) {
	a := start(t)
	p := paidPayment(t, a, payment.DefaultMerchantID, "Tea", 5000)
	mkOperator(t, a, "admin@example.com", payment.RoleAdmin, "")
	mkOperator(t, a, "other@example.com", payment.RoleAdmin, "")
	b := signIn(t, a, "admin@example.com")
	other := signIn(t, a, "other@example.com")
	form := func(csrf string) url.Values {
		return url.Values{"csrf": {csrf}, "amount": {"1000"}, "reason": {"forged"}, "confirm": {"yes"}, "key": {strings.Repeat("k", 20)}}
	}
	for name, csrf := range map[string]string{"none": "", "wrong": "abc", "another session's": other.csrf} {
		resp, body := b.post("/console/payments/"+p.ID+"/refund", form(csrf))
		mustStatus(t, resp, body, http.StatusForbidden)
		if !strings.Contains(body, "expired or did not come from the console") {
			t.Errorf("%s token: the page does not say why", name)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, a.URL()+"/console/payments/"+p.ID+"/refund", strings.NewReader(form(b.csrf).Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	resp, body := b.do(req)
	mustStatus(t, resp, body, http.StatusForbidden)
	// Sign-out is a form too.
	resp, body = b.post("/console/logout", url.Values{"csrf": {"x"}})
	mustStatus(t, resp, body, http.StatusForbidden)

	mustPayment(t, a, p.ID, payment.StatusPaid)
	if n := countAudit(t, a, "refund"); n != 0 {
		t.Fatalf("forged forms were audited as refunds: %d", n)
	}
	// The real token works, from the public URL's origin too (a proxy in
	// front may pass its own Host).
	req, _ = http.NewRequest(http.MethodPost, a.URL()+"/console/payments/"+p.ID+"/refund", strings.NewReader(form(b.csrf).Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", a.Config.PublicURL)
	resp, body = b.do(req)
	mustStatus(t, resp, body, http.StatusSeeOther)
	mustPayment(t, a, p.ID, payment.StatusPartiallyCanceled)
}

// Ensure sign-in: a wrong password, an unknown email and a locked account
// look alike; five failures lock the account even for the right password;
// each address is rate limited; the session cookie is HttpOnly, SameSite=Lax
// and only its hash is stored; sign-out ends the session.
func TestConsole_SignIn(t *testing.T) {
	a := start(t)
	op := mkOperator(t, a, "admin@example.com", payment.RoleAdmin, "")
	b := newClient(t, a)
	_, page := b.get("/console/login")
	for _, want := range []string{`name="email"`, `name="password"`, `<label for="email">`, `<label for="password">`} {
		if !strings.Contains(page, want) {
			t.Fatalf("login page lacks %s", want)
		}
	}
	// No form token: refused before the password is even looked at.
	resp, _ := b.post("/console/login", url.Values{"csrf": {""}, "email": {"admin@example.com"}, "password": {testPassword}})
	mustStatus(t, resp, "", http.StatusForbidden)

	try := func(email, pw string) (*http.Response, string) {
		b.get("/console/login")
		return b.post("/console/login", url.Values{"email": {email}, "password": {pw}})
	}
	resp, unknown := try("nobody@example.com", testPassword)
	mustStatus(t, resp, unknown, http.StatusUnauthorized)
	// A password typed into the email field never reaches the audit log.
	resp, body := try("my secret password", testPassword)
	mustStatus(t, resp, body, http.StatusUnauthorized)
	es, _ := a.Store.FindAudit(context.Background(), payment.AuditFilter{})
	if len(es) != 2 || es[0].OperatorEmail != "(not an email address)" || es[1].OperatorEmail != "nobody@example.com" {
		t.Fatalf("audit of failed sign-ins: %+v %+v", es[0], es[1])
	}
	for i := 0; i < 5; i++ {
		resp, body := try("admin@example.com", "wrong password!!")
		mustStatus(t, resp, body, http.StatusUnauthorized)
	}
	resp, body = try("admin@example.com", testPassword)
	mustStatus(t, resp, body, http.StatusUnauthorized) // locked
	locked, _ := a.Store.FindOperatorByID(context.Background(), op.ID)
	if !time.Now().Before(locked.LockedUntil) {
		t.Fatalf("not locked after 5 failures: %+v", locked)
	}
	for _, action := range []string{"sign_in_failed", "operator_locked"} {
		if countAudit(t, a, action) == 0 {
			t.Errorf("no %s audit entry", action)
		}
	}
	// Every attempt from this address counts; the eleventh is throttled.
	for i := 0; i < 2; i++ {
		try("nobody@example.com", "x")
	}
	resp, body = try("nobody@example.com", "x")
	mustStatus(t, resp, body, http.StatusTooManyRequests)

	// Lift the lock (as "operators enable" does) and sign in from a fresh
	// client... which shares the address, so the limiter needs a new app.
	a2 := start(t)
	mkOperator(t, a2, "admin@example.com", payment.RoleAdmin, "")
	c := newClient(t, a2)
	c.get("/console/login")
	resp, _ = c.post("/console/login", url.Values{"email": {" Admin@Example.com "}, "password": {testPassword}, "next": {"/console/payments?status=paid"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/payments?status=paid" {
		t.Fatalf("sign in: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	var session *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "pb_console" {
			session = ck
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Secure || session.Path != "/console" {
		t.Fatalf("session cookie = %+v", session)
	}
	sum := sha256.Sum256([]byte(session.Value))
	if _, _, err := a2.Store.FindOperatorSession(context.Background(), hex.EncodeToString(sum[:])); err != nil {
		t.Fatalf("the session is not stored by its token's hash: %v", err)
	}
	if _, _, err := a2.Store.FindOperatorSession(context.Background(), session.Value); err == nil {
		t.Fatal("the token itself is stored")
	}
	// An open redirect is refused: next must stay in the console.
	c2 := newClient(t, a2)
	c2.get("/console/login")
	resp, _ = c2.post("/console/login", url.Values{"email": {"admin@example.com"}, "password": {testPassword}, "next": {"//evil.example/x"}})
	if resp.Header.Get("Location") != "/console" {
		t.Fatalf("next=//evil.example: redirected to %s", resp.Header.Get("Location"))
	}
	// Sign-out ends the session on the server.
	c.get("/console")
	resp, _ = c.post("/console/logout", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/login" {
		t.Fatalf("sign out: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, _, err := a2.Store.FindOperatorSession(context.Background(), hex.EncodeToString(sum[:])); payment.ErrorCode(err) != payment.ENOTFOUND {
		t.Fatalf("session still stored after sign-out: %v", err)
	}
	if n := countAudit(t, a2, "sign_out"); n != 1 {
		t.Fatalf("%d sign_out entries", n)
	}
}

// Ensure sessions end after the idle timeout and at the absolute expiry,
// and when the operator is disabled.
func TestConsole_SessionExpiry(t *testing.T) {
	a := start(t)
	op := mkOperator(t, a, "v@example.com", payment.RoleViewer, "")
	ctx := context.Background()
	session := func(created, seen, expires time.Time) *browserless {
		token := payment.RandomToken(43)
		sum := sha256.Sum256([]byte(token))
		if err := a.Store.CreateOperatorSession(ctx, &payment.OperatorSession{Hash: hex.EncodeToString(sum[:]), OperatorID: op.ID,
			CreatedAt: created, LastSeenAt: seen, ExpiresAt: expires}); err != nil {
			t.Fatal(err)
		}
		b := newClient(t, a)
		u, _ := url.Parse(a.URL() + "/console")
		b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "pb_console", Value: token, Path: "/console"}})
		return b
	}
	now := time.Now()
	live := session(now.Add(-time.Hour), now.Add(-5*time.Minute), now.Add(time.Hour))
	idle := session(now.Add(-time.Hour), now.Add(-31*time.Minute), now.Add(time.Hour))
	old := session(now.Add(-13*time.Hour), now, now.Add(-time.Second))
	if resp, _ := live.get("/console"); resp.StatusCode != http.StatusOK {
		t.Fatalf("live session: %d", resp.StatusCode)
	}
	for name, b := range map[string]*browserless{"idle": idle, "past its absolute expiry": old} {
		if resp, _ := b.get("/console"); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("%s session: %d, want a redirect to sign in", name, resp.StatusCode)
		}
	}
	if err := a.Store.SetOperatorDisabled(ctx, op.ID, true); err != nil {
		t.Fatal(err)
	}
	if resp, _ := live.get("/console"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("a disabled operator's session still works: %d", resp.StatusCode)
	}
}

// Ensure the cookie is Secure when paybridge's public URL is https.
func TestConsole_SecureCookieOverHTTPS(t *testing.T) {
	a := start(t, func(c *config.Config) { c.PublicURL = "https://pay.example" })
	mkOperator(t, a, "v@example.com", payment.RoleViewer, "")
	b := newClient(t, a)
	b.get("/console/login")
	resp, _ := b.post("/console/login", url.Values{"email": {"v@example.com"}, "password": {testPassword}})
	var secure bool
	for _, ck := range resp.Cookies() {
		if ck.Name == "pb_console" {
			secure = ck.Secure
		}
	}
	if !secure {
		t.Fatalf("session cookie not Secure over https: %v", resp.Header["Set-Cookie"])
	}
}
