package app_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/provider/kakaopay"
	"github.com/paybridge/paybridge/internal/sandbox"
	sbkakaopay "github.com/paybridge/paybridge/internal/sandbox/kakaopay"
)

// Ensure paybridge with real credentials talks to KakaoPay over the network,
// in both API generations, and that the key never reaches a log, a response
// or a page. A standalone sandbox that accepts only that key stands in for
// KakaoPay, as PAYBRIDGE_KAKAOPAY_BASE_URL allows.
func TestCheckout_RealProviderOverHTTP(t *testing.T) {
	for _, gen := range []string{"current", "legacy"} {
		t.Run(gen, func(t *testing.T) {
			const key = "DEVSECRET-9f8e7d6c5b4a-never-print-me"
			opts := sbkakaopay.Options{SecretKey: key}
			if gen == "legacy" {
				opts = sbkakaopay.Options{AdminKey: key}
			}
			sb := sbkakaopay.New(opts)
			kp := httptest.NewServer(sb)
			defer kp.Close()

			var logs apptest.LogBuffer
			a := apptest.StartLogged(t, &logs, func(c *config.Config) {
				config.Edit(c, func(s *kakaopay.Settings) { s.BaseURL = kp.URL })
				c.LogLevel = "debug"
				if gen == "legacy" {
					config.Edit(c, func(s *kakaopay.Settings) { s.AdminKey = key })
				} else {
					config.Edit(c, func(s *kakaopay.Settings) { s.SecretKey = key })
				}
			})
			if a.KakaoPaySandbox != nil {
				t.Fatal("built-in sandbox mounted although a key is set")
			}
			if status, _ := follow(t, a, a.URL()+"/sandbox/kakaopay/__sandbox/stats"); status != http.StatusNotFound {
				t.Fatalf("sandbox reachable with real credentials: %d", status)
			}
			p := MustCreatePayment(t, a, "order-"+gen, 12000, "")
			if !strings.HasPrefix(p.RedirectURL, kp.URL+"/checkout/") {
				t.Fatalf("redirect_url = %s, want the provider's page", p.RedirectURL)
			}
			resp, err := a.Client.PostForm(p.RedirectURL, map[string][]string{"action": {"approve"}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			follow(t, a, resp.Header.Get("Location"))
			if got := getPayment(t, a, p.ID); got.Status != "paid" {
				t.Fatalf("status = %s, want paid", got.Status)
			}
			status, b := do(t, a, "POST", "/v1/payments/"+p.ID+"/cancel", "application/json", `{"amount":2000,"reason":"r"}`)
			if status != 200 || sb.Calls("approve") != 1 || sb.Calls("cancel") != 1 {
				t.Fatalf("refund: %d %s; calls approve=%d cancel=%d", status, b, sb.Calls("approve"), sb.Calls("cancel"))
			}
			// Faults over the network: a lost approve response is settled by lookup.
			q := MustCreatePayment(t, a, "order-lost-"+gen, 3000, "")
			resp, err = a.Client.PostForm(q.RedirectURL, map[string][]string{"action": {"approve"}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			sb.InjectFault(sbkakaopay.Fault{Fault: sandbox.Fault{Op: "approve", Kind: "lost"}})
			follow(t, a, resp.Header.Get("Location"))
			if got := getPayment(t, a, q.ID); got.Status != "paid" || sb.Calls("approve") != 2 {
				t.Fatalf("after a lost response: %s, approve calls %d", got.Status, sb.Calls("approve"))
			}
			// Pages and responses.
			for _, path := range []string{"/", "/pay/" + p.ID, "/v1/payments/" + p.ID} {
				_, body := do(t, a, "GET", path, "", "")
				if bytes.Contains(body, []byte(key)) {
					t.Fatalf("%s shows the key", path)
				}
			}
			if l := logs.String(); strings.Contains(l, key) || strings.Contains(l, "never-print-me") {
				t.Fatal("the key appears in the log")
			} else if !strings.Contains(l, "payment paid") {
				t.Fatalf("log does not look captured: %q", l[:min(len(l), 200)])
			}
		})
	}
}

// Ensure a wrong key is reported as an upstream failure without the key.
func TestCheckout_WrongProviderKey(t *testing.T) {
	sb := sbkakaopay.New(sbkakaopay.Options{SecretKey: "the-right-key"})
	kp := httptest.NewServer(sb)
	defer kp.Close()
	var logs apptest.LogBuffer
	a := apptest.StartLogged(t, &logs, func(c *config.Config) {
		config.Edit(c, func(s *kakaopay.Settings) { s.BaseURL = kp.URL })
		config.Edit(c, func(s *kakaopay.Settings) { s.SecretKey = "a-wrong-key-do-not-show" })
	})
	status, b := do(t, a, "POST", "/v1/payments", "application/json", validBody)
	if status != http.StatusBadGateway || bytes.Contains(b, []byte("do-not-show")) {
		t.Fatalf("wrong key: %d %s", status, b)
	}
	if strings.Contains(logs.String(), "do-not-show") {
		t.Fatal("the wrong key appears in the log")
	}
}
