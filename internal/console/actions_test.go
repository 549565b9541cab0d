package console_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

var secretField = regexp.MustCompile(`id="secret" class="secret mono" type="text" readonly value="([^"]+)"`)

// secretShown finds the secret shown once on a page: []string{match, secret}.
var secretShown = shownOnce{}

type shownOnce struct{}

func (shownOnce) FindStringSubmatch(page string) []string {
	m := secretField.FindStringSubmatch(page)
	if m == nil {
		return nil
	}
	return []string{m[0], html.UnescapeString(m[1])}
}

// Ensure webhook endpoints are managed from the console through the API's
// own rules (create with the secret shown once, disable, enable, rotate,
// delete), events are resent through the store's resend, and every action
// is audited.
func TestConsole_Webhooks(t *testing.T) {
	var hits atomic.Int32
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.Copy(io.Discard, r.Body)
	}))
	defer shop.Close()
	a := start(t)
	b := signInNew(t, a, "admin@example.com", payment.RoleAdmin, "")
	ctx := context.Background()

	// Refused by the API's rules: not a URL.
	resp, body := b.post("/console/webhooks/endpoints", url.Values{"merchant": {payment.DefaultMerchantID}, "url": {"not a url"}})
	mustStatus(t, resp, body, http.StatusBadRequest)

	resp, body = b.post("/console/webhooks/endpoints", url.Values{"merchant": {payment.DefaultMerchantID}, "url": {shop.URL + "/hooks"},
		"events": {payment.EventPaymentPaid, payment.EventPaymentPartiallyCanceled}, "description": {"shop"}})
	mustStatus(t, resp, body, http.StatusOK)
	m := secretShown.FindStringSubmatch(body)
	eps, _ := a.Store.FindWebhookEndpoints(ctx, payment.DefaultMerchantID)
	if m == nil || len(eps) != 1 || eps[0].Secret != m[1] || !strings.HasPrefix(m[1], "whsec_") {
		t.Fatalf("endpoint created: %v, secret shown %v", eps, m)
	}
	ep := eps[0]
	_, page := b.get("/console/webhooks")
	if strings.Contains(page, ep.Secret) || !strings.Contains(page, shop.URL+"/hooks") {
		t.Fatal("the webhooks page shows the secret, or not the endpoint")
	}

	p := paidPayment(t, a, payment.DefaultMerchantID, "Tea", 5000)
	waitFor(t, "the paid event delivered", func() bool { return hits.Load() >= 1 })
	evs, _ := a.Store.FindWebhookEventsOfPayment(ctx, p.ID)
	if len(evs) != 1 {
		t.Fatalf("events of the payment: %v", evs)
	}
	resp, body = b.post("/console/events/"+evs[0].ID+"/resend", url.Values{"merchant": {payment.DefaultMerchantID}, "back": {"/console/payments/" + p.ID}})
	mustStatus(t, resp, body, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != "/console/payments/"+p.ID+"?notice=event.resent" {
		t.Fatalf("resend went back to %s", loc)
	}
	waitFor(t, "the resent event delivered", func() bool { return hits.Load() >= 2 })
	e, _ := a.Store.FindWebhookEventByID(ctx, payment.DefaultMerchantID, evs[0].ID)
	if len(e.Deliveries) != 2 {
		t.Fatalf("deliveries after resend: %d", len(e.Deliveries))
	}
	_, page = b.get("/console/payments/" + p.ID)
	if !strings.Contains(page, "payment.paid") || !strings.Contains(page, ep.ID) || !strings.Contains(page, "webhook_resent") {
		t.Fatal("the payment page lacks its webhook deliveries or the resend")
	}

	resp, body = b.post("/console/webhooks/endpoints/"+ep.ID+"/status", url.Values{"merchant": {payment.DefaultMerchantID}, "status": {"disabled"}})
	mustStatus(t, resp, body, http.StatusSeeOther)
	if got, _ := a.Store.FindWebhookEndpointByID(ctx, payment.DefaultMerchantID, ep.ID); got.Status != payment.EndpointDisabled {
		t.Fatalf("not disabled: %s", got.Status)
	}
	b.post("/console/webhooks/endpoints/"+ep.ID+"/status", url.Values{"merchant": {payment.DefaultMerchantID}, "status": {"enabled"}})
	if got, _ := a.Store.FindWebhookEndpointByID(ctx, payment.DefaultMerchantID, ep.ID); got.Status != payment.EndpointEnabled {
		t.Fatalf("not enabled: %s", got.Status)
	}
	resp, body = b.post("/console/webhooks/endpoints/"+ep.ID+"/rotate", url.Values{"merchant": {payment.DefaultMerchantID}})
	mustStatus(t, resp, body, http.StatusOK)
	rotated, _ := a.Store.FindWebhookEndpointByID(ctx, payment.DefaultMerchantID, ep.ID)
	if m := secretShown.FindStringSubmatch(body); m == nil || m[1] != rotated.Secret || rotated.Secret == ep.Secret || rotated.PreviousSecret != ep.Secret {
		t.Fatalf("rotate: shown %v, endpoint %+v", m, rotated)
	}
	resp, body = b.post("/console/webhooks/endpoints/"+ep.ID+"/delete", url.Values{"merchant": {payment.DefaultMerchantID}})
	mustStatus(t, resp, body, http.StatusSeeOther)
	if _, err := a.Store.FindWebhookEndpointByID(ctx, payment.DefaultMerchantID, ep.ID); payment.ErrorCode(err) != payment.ENOTFOUND {
		t.Fatalf("not deleted: %v", err)
	}
	for _, action := range []string{"webhook_endpoint_created", "webhook_resent", "webhook_endpoint_disabled", "webhook_endpoint_enabled",
		"webhook_secret_rotated", "webhook_endpoint_deleted"} {
		if countAudit(t, a, action) != 1 {
			t.Errorf("audit log: %d × %s, want 1 (%v)", countAudit(t, a, action), action, auditActions(t, a))
		}
	}
	// A secret never lands in the audit log.
	es, _ := a.Store.FindAudit(ctx, payment.AuditFilter{})
	for _, e := range es {
		if strings.Contains(e.Detail, "whsec_") {
			t.Fatalf("secret in the audit log: %+v", e)
		}
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Ensure an owner creates a merchant and a key (shown once, and it works
// on the API), revokes it (and the API refuses it), all audited.
func TestConsole_MerchantsAndKeys(t *testing.T) {
	a := start(t)
	b := signInNew(t, a, "owner@example.com", payment.RoleOwner, "")
	resp, body := b.post("/console/merchants", url.Values{"name": {"둘째 상점"}})
	mustStatus(t, resp, body, http.StatusSeeOther)
	ms, _ := a.Store.FindMerchants(context.Background())
	if len(ms) != 2 || ms[1].Name != "둘째 상점" {
		t.Fatalf("merchants: %v", ms)
	}
	mid := ms[1].ID
	resp, body = b.post("/console/merchants/"+mid+"/keys", url.Values{"name": {"shop-b"}})
	mustStatus(t, resp, body, http.StatusOK)
	m := secretShown.FindStringSubmatch(body)
	if m == nil || !strings.HasPrefix(m[1], "sk_test_") {
		t.Fatalf("key not shown once:\n%s", body)
	}
	key := m[1]
	api := func() int { return a.KeyStatus(t, "/v1/payments", key) }
	if s := api(); s != http.StatusOK {
		t.Fatalf("new key on the API: %d", s)
	}
	_, page := b.get("/console/merchants")
	if strings.Contains(page, key) || !strings.Contains(page, "shop-b") {
		t.Fatal("the merchants page shows the key, or not its name")
	}
	ks, _ := a.Store.FindAPIKeys(context.Background(), mid)
	resp, body = b.post("/console/merchants/"+mid+"/keys/"+ks[0].ID+"/revoke", nil)
	mustStatus(t, resp, body, http.StatusSeeOther)
	if s := api(); s != http.StatusUnauthorized {
		t.Fatalf("revoked key on the API: %d", s)
	}
	for _, action := range []string{"merchant_created", "api_key_created", "api_key_revoked"} {
		if countAudit(t, a, action) != 1 {
			t.Errorf("audit log lacks %s: %v", action, auditActions(t, a))
		}
	}
	// An owner limited to one merchant manages only that merchant's keys.
	o := signInNew(t, a, "b-owner@example.com", payment.RoleOwner, mid)
	resp, body = o.post("/console/merchants/"+payment.DefaultMerchantID+"/keys", url.Values{"name": {"x"}})
	mustStatus(t, resp, body, http.StatusNotFound)
	resp, body = o.post("/console/merchants", url.Values{"name": {"third"}})
	mustStatus(t, resp, body, http.StatusForbidden)
}

// Ensure an owner creates an operator (password shown once, and it signs
// in) and disables one (its session ends at once), all audited.
func TestConsole_Operators(t *testing.T) {
	a := start(t)
	b := signInNew(t, a, "owner@example.com", payment.RoleOwner, "")
	resp, body := b.post("/console/operators", url.Values{"email": {"not-an-email"}, "role": {"viewer"}})
	mustStatus(t, resp, body, http.StatusBadRequest)
	resp, body = b.post("/console/operators", url.Values{"email": {"new@example.com"}, "role": {"superuser"}})
	mustStatus(t, resp, body, http.StatusBadRequest)
	resp, body = b.post("/console/operators", url.Values{"email": {"new@example.com"}, "role": {"viewer"}})
	mustStatus(t, resp, body, http.StatusOK)
	m := secretShown.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("password not shown:\n%s", body)
	}
	c := newClient(t, a)
	c.get("/console/login")
	resp, _ = c.post("/console/login", url.Values{"email": {"new@example.com"}, "password": {m[1]}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the new operator cannot sign in: %d", resp.StatusCode)
	}
	if resp, _ := c.get("/console"); resp.StatusCode != http.StatusOK {
		t.Fatalf("new operator's dashboard: %d", resp.StatusCode)
	}
	op, _ := a.Store.FindOperatorByEmail(context.Background(), "new@example.com")
	resp, body = b.post("/console/operators/"+op.ID+"/status", url.Values{"status": {"disabled"}})
	mustStatus(t, resp, body, http.StatusSeeOther)
	if resp, _ := c.get("/console"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("a disabled operator's session still works: %d", resp.StatusCode)
	}
	me, _ := a.Store.FindOperatorByEmail(context.Background(), "owner@example.com")
	resp, body = b.post("/console/operators/"+me.ID+"/status", url.Values{"status": {"disabled"}})
	mustStatus(t, resp, body, http.StatusConflict)
	for _, action := range []string{"operator_created", "operator_disabled", "sign_in"} {
		if countAudit(t, a, action) == 0 {
			t.Errorf("audit log lacks %s: %v", action, auditActions(t, a))
		}
	}
	_, page := b.get("/console/audit")
	if !strings.Contains(page, "operator_disabled") || !strings.Contains(page, "new@example.com") {
		t.Fatal("the audit page does not show the actions")
	}
}

// Ensure the test-mode buttons press the sandbox window's buttons for
// every provider, finishing the payment as a buyer would, and are audited.
func TestConsole_SandboxButtons(t *testing.T) {
	a := start(t)
	b := signInNew(t, a, "admin@example.com", payment.RoleAdmin, "")
	for _, c := range []struct {
		provider, action string
		want             payment.Status
	}{
		{payment.ProviderKakaoPay, "approve", payment.StatusPaid},
		{payment.ProviderPortOne, "approve", payment.StatusPaid},
		{payment.ProviderIamport, "approve", payment.StatusPaid},
		{payment.ProviderToss, "approve", payment.StatusPaid},
		{payment.ProviderKakaoPay, "cancel", payment.StatusAborted},
		{payment.ProviderKakaoPay, "fail", payment.StatusFailed},
	} {
		p := readyPayment(t, a, payment.DefaultMerchantID, c.provider, "Test "+c.provider, 3000)
		_, page := b.get("/console/payments/" + p.ID)
		if !strings.Contains(page, "Approve in sandbox") {
			t.Fatalf("%s: no sandbox buttons on a ready payment", c.provider)
		}
		resp, body := b.post("/console/payments/"+p.ID+"/sandbox", url.Values{"action": {c.action}})
		mustStatus(t, resp, body, http.StatusSeeOther)
		if loc := resp.Header.Get("Location"); !strings.HasSuffix(loc, "notice=sandbox.done") {
			t.Errorf("%s %s: %s", c.provider, c.action, loc)
		}
		got, _ := a.Store.FindPaymentByID(context.Background(), p.ID)
		if got.Status != c.want {
			t.Errorf("%s %s: payment is %s, want %s", c.provider, c.action, got.Status, c.want)
		}
	}
	if n := countAudit(t, a, "sandbox_approve"); n != 4 {
		t.Fatalf("%d sandbox_approve audit entries", n)
	}
}

// Ensure the dashboard counts today's and the month's payments and
// refunds, draws its charts as SVG, and lists what needs attention.
func TestConsole_Dashboard(t *testing.T) {
	a := start(t)
	p := paidPayment(t, a, payment.DefaultMerchantID, "Tea", 12000)
	readyPayment(t, a, payment.DefaultMerchantID, payment.ProviderToss, "Abandoned", 3000)
	stuck := readyPayment(t, a, payment.DefaultMerchantID, payment.ProviderKakaoPay, "Stuck", 1000)
	if _, err := a.Store.TransitionPayment(context.Background(), stuck.ID, payment.StatusReady, payment.StatusApproving, payment.Update{}, payment.Event{Reason: "test"}); err != nil {
		t.Fatal(err)
	}
	b := signInNew(t, a, "admin@example.com", payment.RoleAdmin, "")
	refund(t, b, p.ID, 2000)
	resp, page := b.get("/console")
	mustStatus(t, resp, page, http.StatusOK)
	for _, want := range []string{"12,000원", "2,000원", "33.3%", "<svg", `role="img"`, "<rect", "KakaoPay"} {
		if !strings.Contains(page, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
	if strings.Contains(page, "Stuck") {
		t.Error("a payment approving for a second is listed as stuck")
	}
}

// refund refunds amount of a payment through the dialog.
func refund(t *testing.T, b *browserless, id string, amount int) {
	t.Helper()
	_, form := b.get("/console/payments/" + id + "/refund")
	key := regexpValue(t, form, "key")
	resp, body := b.post("/console/payments/"+id+"/refund", url.Values{"amount": {strconv.Itoa(amount)}, "reason": {"test"}, "key": {key}, "confirm": {"yes"}})
	mustStatus(t, resp, body, http.StatusSeeOther)
}
