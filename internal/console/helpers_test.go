package console_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/console"
	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/pgtest"
	"github.com/paybridge/paybridge/internal/service"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// start runs a whole paybridge (built-in sandboxes, webhooks to loopback
// allowed) for a console test.
func start(t *testing.T, opts ...func(*config.Config)) *apptest.App {
	t.Helper()
	return apptest.Start(t, append([]func(*config.Config){func(c *config.Config) { c.WebhookAllowPrivate = true }}, opts...)...)
}

const testPassword = "correct horse battery staple"

// mkOperator creates an operator straight in the store.
func mkOperator(t *testing.T, a *apptest.App, email, role, merchantID string) *payment.Operator {
	t.Helper()
	op, err := console.NewOperator(email, role, merchantID, testPassword, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Store.CreateOperator(context.Background(), op); err != nil {
		t.Fatal(err)
	}
	return op
}

// browserless is an operator's browser without the browser: a cookie jar,
// no redirects followed, the CSRF token of the last page kept.
type browserless struct {
	t    *testing.T
	a    *apptest.App
	c    *http.Client
	csrf string
}

func newClient(t *testing.T, a *apptest.App) *browserless {
	jar, _ := cookiejar.New(nil)
	return &browserless{t: t, a: a, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// do sends req; without an Accept-Language of its own the browser asks
// for English (the console's default, like the shop's, is Korean).
func (b *browserless) do(req *http.Request) (*http.Response, string) {
	b.t.Helper()
	if _, ok := req.Header["Accept-Language"]; !ok {
		req.Header.Set("Accept-Language", "en")
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if m := csrfField.FindStringSubmatch(string(body)); m != nil {
		b.csrf = m[1]
	}
	return resp, string(body)
}

func (b *browserless) get(path string) (*http.Response, string) {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.a.URL()+path, nil)
	return b.do(req)
}

// post sends a form with the session's CSRF token (unless form has one).
func (b *browserless) post(path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", b.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, b.a.URL()+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// signIn signs in and loads the dashboard (for its CSRF token).
func signIn(t *testing.T, a *apptest.App, email string) *browserless {
	t.Helper()
	b := newClient(t, a)
	b.get("/console/login")
	resp, body := b.post("/console/login", url.Values{"email": {email}, "password": {testPassword}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console" {
		t.Fatalf("sign in as %s: %d %s\n%s", email, resp.StatusCode, resp.Header.Get("Location"), body)
	}
	if resp, _ := b.get("/console"); resp.StatusCode != http.StatusOK {
		t.Fatalf("dashboard after sign-in: %d", resp.StatusCode)
	}
	return b
}

// signInNew makes an operator with a role (limited to merchantID unless
// "") and signs in as it.
func signInNew(t *testing.T, a *apptest.App, email, role, merchantID string) *browserless {
	t.Helper()
	mkOperator(t, a, email, role, merchantID)
	return signIn(t, a, email)
}

// mustStatus fails unless resp has the status.
func mustStatus(t *testing.T, resp *http.Response, body string, want int) {
	t.Helper()
	if resp.StatusCode != want {
		if len(body) > 1500 {
			body = body[:1500]
		}
		t.Fatalf("%s %s: status %d, want %d\n%s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, want, body)
	}
}

// readyPayment creates a payment of merchantID waiting in the sandbox
// window of provider.
func readyPayment(t *testing.T, a *apptest.App, merchantID, provider, orderName string, amount int64) *payment.Payment {
	t.Helper()
	p, err := a.Service.CreatePayment(context.Background(), merchantID, service.CreateInput{Provider: provider,
		Channel: payment.ChannelAPI, OrderID: payment.NewID("ord", time.Now()), OrderName: orderName,
		CustomerID: "buyer-1", Amount: amount, Quantity: 1})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// paidPayment pays a KakaoPay payment through the sandbox window, as a
// buyer's browser does.
func paidPayment(t *testing.T, a *apptest.App, merchantID, orderName string, amount int64) *payment.Payment {
	t.Helper()
	p := readyPayment(t, a, merchantID, payment.ProviderKakaoPay, orderName, amount)
	window := strings.Replace(p.RedirectPC, a.Config.PublicURL, a.URL(), 1)
	if resp, err := a.Client.Get(window); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("open sandbox window: %v %v", resp, err)
	}
	resp, err := a.Client.PostForm(window, url.Values{"action": {"approve"}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve in sandbox window: %v %v", resp, err)
	}
	ret := strings.Replace(resp.Header.Get("Location"), a.Config.PublicURL, a.URL(), 1)
	if resp, err := a.Client.Get(ret); err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("return to paybridge: %v %v", resp, err)
	}
	return mustPayment(t, a, p.ID, payment.StatusPaid)
}

func mustPayment(t *testing.T, a *apptest.App, id string, want payment.Status) *payment.Payment {
	t.Helper()
	p, err := a.Store.FindPaymentByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != want {
		t.Fatalf("payment %s is %s, want %s", id, p.Status, want)
	}
	return p
}

// auditActions lists the audit log's actions, oldest first.
func auditActions(t *testing.T, a *apptest.App) []string {
	t.Helper()
	es, err := a.Store.FindAudit(context.Background(), payment.AuditFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(es) - 1; i >= 0; i-- {
		out = append(out, es[i].Action)
	}
	return out
}

func countAudit(t *testing.T, a *apptest.App, action string) int {
	n := 0
	for _, s := range auditActions(t, a) {
		if s == action {
			n++
		}
	}
	return n
}

func mkMerchant(t *testing.T, a *apptest.App, id string) {
	t.Helper()
	if err := a.Store.CreateMerchant(context.Background(), &payment.Merchant{ID: id, Name: "Shop " + id}); err != nil {
		t.Fatal(err)
	}
}
