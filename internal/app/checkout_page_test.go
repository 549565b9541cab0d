package app_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/provider/iamport"
	"github.com/paybridge/paybridge/internal/provider/portone"
	"github.com/paybridge/paybridge/internal/provider/toss"
	sbiamport "github.com/paybridge/paybridge/internal/sandbox/iamport"
	sbportone "github.com/paybridge/paybridge/internal/sandbox/portone"
	sbtoss "github.com/paybridge/paybridge/internal/sandbox/toss"
)

// Ensure that with real PortOne and Toss credentials the buyer is sent to
// paybridge's checkout page, which loads the provider's SDK with the
// payment's fixed amount and ids under a nonce-based CSP, and shows no secret.
func TestCheckoutPage_RealCredentials(t *testing.T) {
	imp := httptest.NewServer(sbiamport.New(sbiamport.Options{}))
	po := httptest.NewServer(sbportone.New(sbportone.Options{}))
	tp := httptest.NewServer(sbtoss.New(sbtoss.Options{}))
	defer imp.Close()
	defer po.Close()
	defer tp.Close()
	a := apptest.Start(t, func(c *config.Config) {
		config.Put(c, iamport.Settings{APIKey: "imp-key", APISecret: "imp-secret-do-not-show", MerchantCode: "imp12345678", PG: "html5_inicis", BaseURL: imp.URL})
		config.Put(c, portone.Settings{APISecret: "v2-secret-do-not-show", StoreID: "store-abc", ChannelKey: "channel-key-xyz", BaseURL: po.URL})
		config.Put(c, toss.Settings{SecretKey: "test_sk_do-not-show", ClientKey: "test_ck_public123", BaseURL: tp.URL})
	})
	for prov, want := range map[string][]string{
		"iamport": {"https://cdn.iamport.kr/v1/iamport.js", "imp12345678", "html5_inicis"},
		"portone": {"https://cdn.portone.io/v2/browser-sdk.js", "store-abc", "channel-key-xyz"},
		"toss":    {"https://js.tosspayments.com/v2/standard", "test_ck_public123"},
	} {
		t.Run(prov, func(t *testing.T) {
			// Toss's test_sk_ key moves no money; the other two count as live.
			a := a
			if prov != "toss" {
				a = a.Live()
			}
			status, b := do(t, a, "POST", "/v1/payments", "application/json",
				`{"provider":"`+prov+`","order_id":"page-`+prov+`","order_name":"Latte","amount":12300,"quantity":1,"customer_id":"c-1"}`)
			p := decode[paymentJSON](t, b)
			if status != 201 || p.RedirectURL != a.Config.PublicURL+"/pay/"+p.ID+"/checkout" {
				t.Fatalf("create: %d, redirect_url %q", status, p.RedirectURL)
			}
			resp, err := a.Client.Get(loopback(a, p.RedirectURL))
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			csp := resp.Header.Get("Content-Security-Policy")
			if resp.StatusCode != http.StatusOK || !strings.Contains(csp, "'nonce-") || !strings.Contains(csp, want[0]) {
				t.Fatalf("page: %d, CSP %q", resp.StatusCode, csp)
			}
			for _, w := range append(want, p.ID, "12300", "/pay/"+p.ID+"/approve") {
				if !strings.Contains(string(page), w) {
					t.Errorf("page lacks %q", w)
				}
			}
			if strings.Contains(string(page), "do-not-show") {
				t.Fatal("the page shows a secret")
			}
		})
	}
}
