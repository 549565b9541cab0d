package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
)

// Ensure the console makes the endpoint of the mode the operator chose, and
// shows each endpoint's mode: a live endpoint receives only live events and
// only live keys reach it, so which one an operator adds must be visible.
func TestConsole_EndpointModeChosenAndShown(t *testing.T) {
	a := start(t)
	b := signInNew(t, a, "admin@example.com", payment.RoleAdmin, "")
	ctx := context.Background()
	for _, c := range []struct {
		path string
		live bool
	}{{"/live-hooks", true}, {"/test-hooks", false}} {
		form := url.Values{"merchant": {payment.DefaultMerchantID}, "url": {"https://shop.example" + c.path}}
		if c.live {
			form.Set("live", "yes")
		}
		resp, body := b.post("/console/webhooks/endpoints", form)
		mustStatus(t, resp, body, http.StatusOK)
	}
	eps, err := a.Store.FindWebhookEndpoints(ctx, payment.DefaultMerchantID)
	if err != nil || len(eps) != 2 {
		t.Fatalf("endpoints: %v, %v", eps, err)
	}
	for _, e := range eps {
		if want := strings.HasSuffix(e.URL, "/live-hooks"); e.Livemode != want {
			t.Errorf("%s: livemode %v, want %v", e.URL, e.Livemode, want)
		}
	}
	_, page := b.get("/console/webhooks")
	for _, badge := range []string{`<span class="badge live">`, `<span class="badge test">`} {
		if !strings.Contains(page, badge) {
			t.Errorf("the webhooks page lacks %s", badge)
		}
	}
}
