package console_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider/kakaopay"
	sbkakaopay "github.com/paybridge/paybridge/internal/sandbox/kakaopay"
)

// startLiveKakaoPay runs paybridge in test mode with KakaoPay on live
// credentials (its payments move real money) and the other providers on
// their sandboxes.
func startLiveKakaoPay(t *testing.T) *apptest.App {
	t.Helper()
	kp := httptest.NewServer(sbkakaopay.New(sbkakaopay.Options{}))
	t.Cleanup(kp.Close)
	return start(t, func(c *config.Config) {
		config.Put(c, kakaopay.Settings{SecretKey: "PRD-live-secret", CID: "CPLIVE0001", BaseURL: kp.URL})
	})
}

// storedPaid writes a payment paid today straight into the store.
func storedPaid(t *testing.T, a *apptest.App, provider, order string, amount int64, live bool) *payment.Payment {
	t.Helper()
	ctx := context.Background()
	p := &payment.Payment{ID: payment.NewID("pay", time.Now()), MerchantID: payment.DefaultMerchantID, Provider: provider,
		Channel: payment.ChannelAPI, OrderID: order, OrderName: order, CustomerID: "buyer-1", Quantity: 1, Amount: amount,
		Currency: "KRW", ExpiresAt: time.Now().Add(time.Hour), Livemode: live}
	if err := a.Store.CreatePayment(ctx, p); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, step := range []struct{ from, to payment.Status }{
		{payment.StatusCreated, payment.StatusReady}, {payment.StatusReady, payment.StatusApproving}, {payment.StatusApproving, payment.StatusPaid},
	} {
		u := payment.Update{}
		if step.to == payment.StatusPaid {
			u.ApprovedAt = &now
		}
		if _, err := a.Store.TransitionPayment(ctx, p.ID, step.from, step.to, u, payment.Event{Reason: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// With one provider on live credentials in test mode, the console never
// says "no real money moves", marks every payment LIVE or TEST (list,
// payment page, export), filters by mode, and never adds live and test
// money together on the dashboard.
func TestLivemode_ConsoleSeparatesLiveAndTestMoney(t *testing.T) {
	a := startLiveKakaoPay(t)
	live := storedPaid(t, a, payment.ProviderKakaoPay, "ord-live", 5000, true)
	test := storedPaid(t, a, payment.ProviderToss, "ord-test", 3000, false)
	b := signInNew(t, a, "v@example.com", payment.RoleViewer, "")
	get := func(path string) string {
		t.Helper()
		resp, body := b.get(path)
		mustStatus(t, resp, body, http.StatusOK)
		return body
	}

	dash := get("/console")
	if strings.Contains(dash, "no real money moves") || !strings.Contains(dash, "payments marked LIVE move real money") {
		t.Fatalf("test-mode banner with a live provider:\n%s", dash)
	}
	// Live by default (a provider is live): 5,000원 paid, the test 3,000원
	// only in the line that links to the test figures, never 8,000원.
	if !strings.Contains(dash, "Figures of live payments only") || !strings.Contains(dash, "5,000원") ||
		!strings.Contains(dash, "30 days: 3,000원, 1 payment)") || strings.Contains(dash, "8,000원") {
		t.Fatalf("dashboard (live) mixes or misses figures:\n%s", dash)
	}
	testDash := get("/console?mode=test")
	if !strings.Contains(testDash, "Figures of test payments only") || !strings.Contains(testDash, "30 days: 5,000원, 1 payment)") ||
		strings.Contains(testDash, "8,000원") {
		t.Fatalf("dashboard (test) mixes or misses figures:\n%s", testDash)
	}
	if resp, _ := b.get("/console?mode=both"); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("unknown dashboard mode: %d, want 400", resp.StatusCode)
	}

	list := get("/console/payments")
	if !strings.Contains(list, `class="badge live"`) || !strings.Contains(list, `class="badge test"`) {
		t.Fatalf("the list does not mark payments LIVE and TEST")
	}
	for _, c := range []struct {
		mode       string
		live, test bool
	}{{"", true, true}, {"live", true, false}, {"test", false, true}} {
		body := get("/console/payments?mode=" + c.mode)
		if strings.Contains(body, live.ID) != c.live || strings.Contains(body, test.ID) != c.test {
			t.Errorf("?mode=%s: live shown %v, test shown %v", c.mode, strings.Contains(body, live.ID), strings.Contains(body, test.ID))
		}
	}
	if page := get("/console/payments/" + live.ID); !strings.Contains(page, `class="badge live"`) || strings.Contains(page, `class="badge test"`) {
		t.Fatalf("the live payment's page is not marked LIVE")
	}
	if page := get("/console/payments/" + test.ID); !strings.Contains(page, `class="badge test"`) || strings.Contains(page, `class="badge live"`) {
		t.Fatalf("the test payment's page is not marked TEST")
	}

	rows, err := csv.NewReader(strings.NewReader(get("/console/payments?format=csv"))).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("export = %v, %v", rows, err)
	}
	col := len(rows[0]) - 1
	if rows[0][col] != "livemode" {
		t.Fatalf("export header %v: no livemode column", rows[0])
	}
	for _, r := range rows[1:] {
		if want := map[string]string{live.ID: "true", test.ID: "false"}[r[0]]; r[col] != want {
			t.Errorf("export row %s: livemode %q, want %q", r[0], r[col], want)
		}
	}
	if rows, _ := csv.NewReader(strings.NewReader(get("/console/payments?format=csv&mode=live"))).ReadAll(); len(rows) != 2 || rows[1][0] != live.ID {
		t.Fatalf("export of live payments only = %v", rows)
	}
}

// With every provider on its sandbox nothing is live: the banner says no
// real money moves and the dashboard shows the test figures.
func TestLivemode_AllSandboxesShowTestFigures(t *testing.T) {
	a := start(t)
	storedPaid(t, a, payment.ProviderToss, "ord-test", 3000, false)
	b := signInNew(t, a, "v@example.com", payment.RoleViewer, "")
	resp, dash := b.get("/console")
	mustStatus(t, resp, dash, http.StatusOK)
	if !strings.Contains(dash, "no real money moves") || !strings.Contains(dash, "Figures of test payments only") || !strings.Contains(dash, "3,000원") {
		t.Fatalf("all-sandbox dashboard:\n%s", dash)
	}
}
