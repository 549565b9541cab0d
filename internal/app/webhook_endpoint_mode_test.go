package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/apptest"
)

// Ensure a test key (sk_test_) cannot see, rotate or delete the webhook
// endpoints that receive live events: rotating hands out the secret that
// signs live payment.paid deliveries, with which a test-key holder could
// forge "paid" to the shop; creating one would receive every live event.
// A key sees and manages only what belongs to its own mode, as payments
// and events already are, and the reverse holds for a live key.
func TestLivemode_TestKeyCannotManageLiveWebhookEndpoint(t *testing.T) {
	a := apptest.Start(t, liveKakaoPay(t))
	live := a.Live()
	type endpoint struct {
		ID       string `json:"id"`
		Secret   string `json:"secret"`
		Livemode bool   `json:"livemode"`
	}
	create := func(as *apptest.App, url string) endpoint {
		t.Helper()
		st, b := do(t, as, "POST", "/v1/webhook_endpoints", "application/json", `{"url":"`+url+`"}`)
		var ep endpoint
		if st != http.StatusCreated || json.Unmarshal(b, &ep) != nil || ep.ID == "" {
			t.Fatalf("create %s: %d %s", url, st, b)
		}
		return ep
	}
	liveEP := create(live, "https://shop.example/live-hooks")
	testEP := create(a, "https://shop.example/test-hooks")
	if !liveEP.Livemode || testEP.Livemode {
		t.Fatalf("livemode: live key's endpoint %v, test key's %v", liveEP.Livemode, testEP.Livemode)
	}

	for _, c := range []struct {
		name      string
		as        *apptest.App
		mine, not endpoint
	}{
		{"test key", a, testEP, liveEP},
		{"live key", live, liveEP, testEP},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, b := do(t, c.as, "GET", "/v1/webhook_endpoints", "", "")
			if strings.Contains(string(b), c.not.ID) || !strings.Contains(string(b), c.mine.ID) {
				t.Errorf("lists %s, want only %s: %s", c.not.ID, c.mine.ID, b)
			}
			if st, b := do(t, c.as, "GET", "/v1/webhook_endpoints/"+c.not.ID, "", ""); st != http.StatusNotFound {
				t.Errorf("reads the other mode's endpoint: %d %s", st, b)
			}
			if st, b := do(t, c.as, "POST", "/v1/webhook_endpoints/"+c.not.ID+"/rotate_secret", "application/json", `{}`); st != http.StatusNotFound {
				t.Errorf("rotated the other mode's endpoint's secret: %d %s", st, b)
			}
			if st, b := do(t, c.as, "DELETE", "/v1/webhook_endpoints/"+c.not.ID, "", ""); st != http.StatusNotFound {
				t.Errorf("deleted the other mode's endpoint: %d %s", st, b)
			}
			if st, b := do(t, c.as, "GET", "/v1/webhook_endpoints/"+c.mine.ID, "", ""); st != http.StatusOK {
				t.Errorf("reads its own endpoint: %d %s", st, b)
			}
		})
	}
	// Its own mode's key still manages it.
	st, b := do(t, live, "POST", "/v1/webhook_endpoints/"+liveEP.ID+"/rotate_secret", "application/json", `{}`)
	var rotated endpoint
	if st != http.StatusOK || json.Unmarshal(b, &rotated) != nil || rotated.Secret == liveEP.Secret || !rotated.Livemode {
		t.Errorf("the live key rotates its endpoint: %d %s", st, b)
	}
	if st, b := do(t, live, "DELETE", "/v1/webhook_endpoints/"+liveEP.ID, "", ""); st != http.StatusOK {
		t.Errorf("the live key deletes its endpoint: %d %s", st, b)
	}
}
