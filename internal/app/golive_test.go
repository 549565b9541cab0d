package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/app"
	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/provider/iamport"
	"github.com/paybridge/paybridge/internal/provider/kakaopay"
	"github.com/paybridge/paybridge/internal/provider/portone"
	"github.com/paybridge/paybridge/internal/provider/registry"
	"github.com/paybridge/paybridge/internal/provider/toss"
	sbkakaopay "github.com/paybridge/paybridge/internal/sandbox/kakaopay"
	sbportone "github.com/paybridge/paybridge/internal/sandbox/portone"
	"github.com/paybridge/paybridge/internal/secretbox"
)

// liveKakaoPay configures live mode with KakaoPay alone, with credentials
// that count as live, pointed at a standalone KakaoPay sandbox (the only
// way to have a "real" KakaoPay offline).
func liveKakaoPay(t *testing.T) func(*config.Config) {
	kp := httptest.NewServer(sbkakaopay.New(sbkakaopay.Options{}))
	t.Cleanup(kp.Close)
	return func(c *config.Config) {
		c.Mode = config.ModeLive
		c.PublicURL = "https://pay.shop.example"
		c.SecretKey = secretbox.NewKeyText()
		config.Put(c, kakaopay.Settings{SecretKey: "PRD-live-secret-do-not-show", CID: "CPLIVE0001", BaseURL: kp.URL})
	}
}

// status sends a request without a key and returns the status.
func status(t *testing.T, a *apptest.App, method, path string) int {
	t.Helper()
	req, _ := http.NewRequest(method, a.URL()+path, strings.NewReader("a=b"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := a.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Ensure live mode with one provider configured takes payments for it only,
// with livemode true and only through a live key, and mounts no sandbox, no
// sandbox control endpoint, no demo shop and no drop-in API.
func TestLiveMode_OneProvider(t *testing.T) {
	a := apptest.Start(t, liveKakaoPay(t))
	live := a.Live()

	if a.KakaoPaySandbox != nil || a.PortOneSandbox != nil || a.IamportSandbox != nil || a.TossSandbox != nil {
		t.Fatal("a sandbox exists in live mode")
	}
	for _, prov := range []string{"toss", "portone", "iamport"} {
		st, b := do(t, live, "POST", "/v1/payments", "application/json",
			`{"provider":"`+prov+`","order_id":"o-`+prov+`","order_name":"Tea","amount":300000,"quantity":1,"customer_id":"c"}`)
		if st != http.StatusBadRequest || !strings.Contains(string(b), `"provider_not_enabled"`) {
			t.Errorf("%s in live mode: %d %s", prov, st, b)
		}
	}
	if n := countPayments(t, live); n != 0 {
		t.Fatalf("refused payments left %d rows", n)
	}

	p := MustCreatePayment(t, live, "o-kakao", 300000, "")
	var raw map[string]any
	_, b := do(t, live, "GET", "/v1/payments/"+p.ID, "", "")
	json.Unmarshal(b, &raw)
	if raw["livemode"] != true || strings.Contains(p.RedirectURL, "/sandbox/") {
		t.Fatalf("live KakaoPay payment: livemode %v, redirect %s", raw["livemode"], p.RedirectURL)
	}
	// A test key neither creates nor sees live payments.
	if st, b := do(t, a, "POST", "/v1/payments", "application/json",
		`{"provider":"kakaopay","order_id":"o-test-key","order_name":"Tea","amount":1000,"quantity":1,"customer_id":"c"}`); st != http.StatusBadRequest ||
		!strings.Contains(string(b), "provider_not_enabled") {
		t.Fatalf("a test key created a live payment: %d %s", st, b)
	}
	if st, _ := do(t, a, "GET", "/v1/payments/"+p.ID, "", ""); st != http.StatusNotFound {
		t.Fatalf("a test key sees a live payment: %d", st)
	}
	if st, b := do(t, a, "GET", "/v1/payments", "", ""); st != 200 || strings.Contains(string(b), p.ID) {
		t.Fatalf("a test key lists a live payment: %d %s", st, b)
	}

	// The payment's own page exists, without a link to a shop that does not.
	resp, err := a.Client.Get(a.URL() + "/pay/" + p.ID)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || strings.Contains(string(page), `href="/"`) {
		t.Fatalf("result page in live mode: %d, links to the demo shop: %v", resp.StatusCode, strings.Contains(string(page), `href="/"`))
	}

	routes := []struct{ method, path string }{
		{"GET", "/"}, {"POST", "/checkout"}, {"POST", "/ready"}, {"POST", "/approve"},
		{"POST", "/__sandbox/faults"}, {"GET", "/__sandbox/stats"},
	}
	// Every registered provider's sandbox, so a new provider is covered too.
	for _, reg := range registry.All() {
		pre := reg.Sandbox.Prefix
		routes = append(routes, struct{ method, path string }{"GET", pre + "/"},
			struct{ method, path string }{"GET", pre + "/checkout"},
			struct{ method, path string }{"POST", pre + "/__sandbox/faults"},
			struct{ method, path string }{"GET", pre + "/__sandbox/stats"})
	}
	if len(a.Sandboxes) != 0 {
		t.Errorf("live mode mounted %d sandboxes, want none", len(a.Sandboxes))
	}
	for _, r := range routes {
		if st := status(t, a, r.method, r.path); st != http.StatusNotFound && st != http.StatusMethodNotAllowed {
			t.Errorf("%s %s in live mode: %d, want 404", r.method, r.path, st)
		}
	}

	t.Run("DemoAndDropInWhenEnabled", func(t *testing.T) {
		on := true
		a := apptest.Start(t, liveKakaoPay(t), func(c *config.Config) {
			c.DemoShop, c.DropIn, c.DropInPrices = &on, &on, map[string]int64{"Latte": 5000}
		})
		if st := status(t, a, "GET", "/"); st != http.StatusOK {
			t.Errorf("demo shop enabled in live mode: %d", st)
		}
		// The drop-in route exists: a malformed form is refused, not 404.
		if st := status(t, a, "POST", "/ready"); st != http.StatusBadRequest {
			t.Errorf("drop-in enabled in live mode: %d", st)
		}
		if st := status(t, a, "GET", "/sandbox/kakaopay/"); st != http.StatusNotFound {
			t.Errorf("a sandbox in live mode with the demo shop on: %d", st)
		}
	})
}

// Ensure live mode refuses to start without a provider, without a key for
// secrets at rest, and on each kind of test credentials, unless those are
// explicitly allowed; and that it never mentions a credential.
func TestLiveMode_RefusesToStart(t *testing.T) {
	for name, tc := range map[string]struct {
		change func(*config.Config)
		want   string
	}{
		"NoProvider":  {func(c *config.Config) { config.Put(c, kakaopay.Settings{CID: "TC0ONETIME"}) }, "no provider is configured"},
		"NoSecretKey": {func(c *config.Config) { c.SecretKey = "" }, "PAYBRIDGE_SECRET_KEY"},
		"KakaoPayDEV": {func(c *config.Config) {
			config.Edit(c, func(s *kakaopay.Settings) { s.SecretKey = "DEVsecret-do-not-show" })
		}, "a DEV secret key"},
		"KakaoPayTCCID": {func(c *config.Config) { config.Edit(c, func(s *kakaopay.Settings) { s.CID = "TC0ONETIME" }) }, "the test CID TC0ONETIME"},
		"TossTestKey": {func(c *config.Config) {
			config.Put(c, toss.Settings{SecretKey: "test_sk_do-not-show", ClientKey: "test_ck_x"})
		}, "toss is configured with test credentials"},
		"DropInWithoutPrices": {func(c *config.Config) { on := true; c.DropIn = &on }, "PAYBRIDGE_DROPIN_PRICES: required in live mode"},
		"PortOneV1TestChannel": {func(c *config.Config) {
			config.Put(c, iamport.Settings{APIKey: "k", APISecret: "s-do-not-show", MerchantCode: "imp12345678", PG: "html5_inicis.INIpayTest"})
		}, "the test channel INIpayTest"},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := config.Defaults
			cfg.Addr = "127.0.0.1:0"
			cfg.DatabaseURL = apptest.DatabaseURL(t)
			liveKakaoPay(t)(&cfg)
			tc.change(&cfg)
			var logs apptest.LogBuffer
			a, err := app.Start(context.Background(), cfg, slog.New(slog.NewTextHandler(&logs, nil)))
			if err == nil {
				a.Close(context.Background())
				t.Fatal("started")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not say %q", err, tc.want)
			}
			if strings.Contains(err.Error()+logs.String(), "do-not-show") {
				t.Fatalf("a credential is shown: %v", err)
			}
		})
	}

	t.Run("AllowedTestCredentials", func(t *testing.T) {
		var logs apptest.LogBuffer
		a := apptest.StartLogged(t, &logs, liveKakaoPay(t), func(c *config.Config) {
			config.Edit(c, func(s *kakaopay.Settings) { s.CID = "TC0ONETIME" })
			c.AllowTestCredentials = true
		})
		if !strings.Contains(logs.String(), "TEST CREDENTIALS IN LIVE MODE") {
			t.Error("no loud warning")
		}
		// Its payments move no money: livemode false, test keys only.
		p := MustCreatePayment(t, a, "o-allowed", 1000, "")
		var raw map[string]any
		_, b := do(t, a, "GET", "/v1/payments/"+p.ID, "", "")
		json.Unmarshal(b, &raw)
		if raw["livemode"] != false {
			t.Fatalf("a payment on test credentials: %s", b)
		}
	})
}

// Ensure every payment through a built-in sandbox, its events and the
// webhook the shop receives say livemode false, and a live key sees none.
func TestLivemode_FalseOnSandboxPayments(t *testing.T) {
	a := apptest.Start(t, func(c *config.Config) { c.WebhookAllowPrivate = true })
	got := make(chan []byte, 10)
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- b
	}))
	defer rc.Close()
	if st, b := do(t, a, "POST", "/v1/webhook_endpoints", "application/json", `{"url":"`+rc.URL+`"}`); st != http.StatusCreated {
		t.Fatalf("endpoint: %d %s", st, b)
	}
	for _, prov := range []string{"kakaopay", "toss", "portone", "iamport"} {
		st, b := do(t, a, "POST", "/v1/payments", "application/json",
			`{"provider":"`+prov+`","order_id":"lm-`+prov+`","order_name":"Tea","amount":1000,"quantity":1,"customer_id":"c"}`)
		var raw map[string]any
		json.Unmarshal(b, &raw)
		if st != http.StatusCreated || raw["livemode"] != false {
			t.Fatalf("%s sandbox payment: %d %s", prov, st, b)
		}
		if st, _ := do(t, a.Live(), "GET", "/v1/payments/"+raw["id"].(string), "", ""); st != http.StatusNotFound {
			t.Errorf("a live key sees a %s sandbox payment: %d", prov, st)
		}
		if prov == "kakaopay" {
			follow(t, a, buyer(t, a, raw["redirect_url"].(string), "approve"))
		}
	}
	select {
	case b := <-got:
		var ev struct {
			Type     string `json:"type"`
			Livemode *bool  `json:"livemode"`
			Data     struct {
				Object struct {
					Livemode *bool `json:"livemode"`
				} `json:"object"`
			} `json:"data"`
		}
		if err := json.Unmarshal(b, &ev); err != nil || ev.Type != "payment.paid" || ev.Livemode == nil || *ev.Livemode ||
			ev.Data.Object.Livemode == nil || *ev.Data.Object.Livemode {
			t.Fatalf("webhook: %s", b)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("no webhook")
	}
	_, b := do(t, a, "GET", "/v1/events", "", "")
	if !strings.Contains(string(b), `"livemode":false`) || strings.Contains(string(b), `"livemode":true`) {
		t.Fatalf("events: %s", b)
	}
	if _, b := do(t, a.Live(), "GET", "/v1/events", "", ""); strings.Contains(string(b), "evt_") {
		t.Fatalf("a live key lists test events: %s", b)
	}
}

// Ensure the sandboxes' control endpoints exist in test mode (the other
// half of the live-mode test: there they are 404).
func TestTestMode_SandboxControlMounted(t *testing.T) {
	a := apptest.Start(t)
	if st := status(t, a, "GET", "/sandbox/kakaopay/__sandbox/stats"); st != http.StatusOK {
		t.Fatalf("sandbox stats in test mode: %d", st)
	}
	if st := status(t, a, "GET", "/"); st != http.StatusOK {
		t.Fatalf("demo shop in test mode: %d", st)
	}
}

// Ensure a PortOne V2 payment made on a test channel never becomes a paid,
// livemode payment when PortOne has credentials that count as live: it
// moved no money.
func TestLivemode_PortOneTestChannelNeverPaid(t *testing.T) {
	po := httptest.NewServer(sbportone.New(sbportone.Options{}))
	defer po.Close()
	a := apptest.Start(t, func(c *config.Config) {
		config.Put(c, portone.Settings{APISecret: "v2-secret", StoreID: sbportone.DefaultStoreID, ChannelKey: "ch", BaseURL: po.URL})
	}).Live()
	st, b := do(t, a, "POST", "/v1/payments", "application/json",
		`{"provider":"portone","order_id":"tc-1","order_name":"Latte","amount":9000,"quantity":1,"customer_id":"c-1"}`)
	p := decode[paymentJSON](t, b)
	if st != http.StatusCreated {
		t.Fatalf("create: %d %s", st, b)
	}
	q := url.Values{"storeId": {sbportone.DefaultStoreID}, "paymentId": {p.ID}, "orderName": {"Latte"}, "totalAmount": {"9000"},
		"currency": {"KRW"}, "payMethod": {"CARD"}, "customerId": {"c-1"}, "redirectUrl": {a.Config.PublicURL + "/pay/" + p.ID + "/approve"}}
	follow(t, a, buyer(t, a, po.URL+"/checkout?"+q.Encode(), "approve"))
	got := getPayment(t, a, p.ID)
	if got.Status == "paid" || got.Status != "failed" {
		t.Fatalf("a test-channel payment with live credentials: %s %+v", got.Status, got.Failure)
	}
}

// Ensure an Idempotency-Key used with a test key is never answered, for a
// live key of the same merchant, with the test request's response.
func TestLivemode_IdempotencyKeysDoNotCrossModes(t *testing.T) {
	a := apptest.Start(t)
	body := `{"url":"https://shop.example/hooks"}`
	send := func(key string) (int, string) {
		req, _ := http.NewRequest("POST", a.URL()+"/v1/webhook_endpoints", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", "same-key")
		resp, err := a.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Idempotent-Replayed")
	}
	if st, _ := send(a.Key); st != http.StatusCreated {
		t.Fatalf("test key: %d", st)
	}
	if st, replayed := send(a.LiveKey); st != http.StatusUnprocessableEntity || replayed != "" {
		t.Fatalf("live key with the test key's Idempotency-Key: %d, replayed %q", st, replayed)
	}
	if st, replayed := send(a.Key); st != http.StatusCreated || replayed != "true" {
		t.Fatalf("test key again: %d, replayed %q", st, replayed)
	}
}
