package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/config"
)

// Ensure each key is limited on its own, with 429 and Retry-After, and that
// a limited POST did nothing, so it can be retried with the same
// Idempotency-Key.
func TestRateLimit_PerKey(t *testing.T) {
	a := apptest.Start(t, func(c *config.Config) { c.RateLimit, c.RateBurst = 0.2, 2 })
	b := asMerchant(t, a, "Shop B")
	for i := range 2 {
		if status, _ := do(t, a, "GET", "/v1/payments/pay_nope", "", ""); status != http.StatusNotFound {
			t.Fatalf("request %d within the burst: %d", i+1, status)
		}
	}
	req, _ := http.NewRequest("POST", a.URL()+"/v1/payments", strings.NewReader(validBody))
	req.Header.Set("Authorization", "Bearer "+a.Key)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", "limited-1")
	resp, err := a.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("over the limit: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if countPayments(t, a) != 0 || a.KakaoPaySandbox.Calls("ready") != 0 {
		t.Fatal("a limited request did something")
	}
	// Another key (another merchant) is not limited by the first one's use.
	if status, _ := do(t, b, "GET", "/v1/payments/pay_nope", "", ""); status != http.StatusNotFound {
		t.Fatalf("another key: %d", status)
	}
}
