package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/payment"
)

// Ensure the per-IP limit of the provider webhooks is wired as configured
// (PAYBRIDGE_PUBLIC_RATE_LIMIT, _BURST, and the client IP from
// PAYBRIDGE_CLIENT_IP_HEADER behind a proxy): past the burst one client
// gets 429 rate_limited on the unsigned routes, another client does not,
// and a signed PortOne V2 delivery from the limited client is still
// verified (401 for a forged one) rather than refused by the limit.
func TestPerimeter_ProviderWebhooksPerClientIP(t *testing.T) {
	const burst = 2
	a := apptest.Start(t, func(c *config.Config) {
		c.PublicRateLimit, c.PublicRateBurst, c.ClientIPHeader = 0.001, burst, "X-Forwarded-For"
	})
	post := func(path, client string, h http.Header, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("POST", a.URL()+path, strings.NewReader(body))
		for k, vs := range h {
			req.Header[k] = vs
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", client)
		resp, err := a.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var e struct{ Error struct{ Code string } }
		json.NewDecoder(resp.Body).Decode(&e)
		return resp.StatusCode, e.Error.Code
	}
	const toss = `{"eventType":"SOMETHING_ELSE","data":{}}`
	const limited, other = "203.0.113.7", "198.51.100.9"
	for i := range burst {
		if st, code := post("/webhooks/toss", limited, nil, toss); st != http.StatusOK {
			t.Fatalf("delivery %d within the burst: %d %s", i+1, st, code)
		}
	}
	for _, path := range []string{"/webhooks/toss", "/webhooks/portone"} {
		if st, code := post(path, limited, nil, toss); st != http.StatusTooManyRequests || code != payment.ERATELIMITED {
			t.Fatalf("%s past the burst: %d %s", path, st, code)
		}
	}
	if st, code := post("/webhooks/toss", other, nil, toss); st != http.StatusOK {
		t.Fatalf("another client: %d %s", st, code)
	}
	forged := http.Header{"Webhook-Id": {"msg_1"}, "Webhook-Timestamp": {"1"}, "Webhook-Signature": {"v1,AAAA"}}
	if st, code := post("/webhooks/portone", limited, forged, `{}`); st != http.StatusUnauthorized {
		t.Fatalf("a signed delivery from the limited client: %d %s, want 401 (verified, not limited)", st, code)
	}
}
