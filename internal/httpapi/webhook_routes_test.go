package httpapi

import (
	"net/http"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
	"github.com/paybridge/paybridge/internal/provider/registry"
	"github.com/paybridge/paybridge/internal/stdwebhook"
)

// Ensure a delivery on a webhook path goes to the provider it is from:
// PortOne V1 and V2 share /webhooks/portone and V2's deliveries carry the
// Standard Webhooks headers; a signed delivery is the one that skips the
// per-IP limit.
func TestWebhookProvider_SharedPath(t *testing.T) {
	byPath := map[string][]string{}
	regsOf := func(path string) (out []*provider.Registration) {
		for _, r := range registry.All() {
			if r.Webhook != nil && r.Webhook.Path == path {
				out = append(out, r)
			}
		}
		return out
	}
	for _, r := range registry.All() {
		if r.Webhook != nil {
			byPath[r.Webhook.Path] = append(byPath[r.Webhook.Path], r.Name)
		}
	}
	if got := byPath["/webhooks/portone"]; len(got) != 2 {
		t.Fatalf("/webhooks/portone serves %q, want portone and iamport", got)
	}
	signed := http.Header{}
	signed.Set(stdwebhook.HeaderID, "msg_1")
	signed.Set(stdwebhook.HeaderSignature, "v1,abc")
	idOnly := http.Header{}
	idOnly.Set(stdwebhook.HeaderID, "msg_1")
	for _, tt := range []struct {
		path   string
		h      http.Header
		want   string
		signed bool
	}{
		{"/webhooks/portone", signed, payment.ProviderPortOne, true},
		{"/webhooks/portone", idOnly, payment.ProviderPortOne, false},
		{"/webhooks/portone", http.Header{}, payment.ProviderIamport, false},
		{"/webhooks/toss", http.Header{}, payment.ProviderToss, false},
		{"/webhooks/toss", signed, payment.ProviderToss, false},
	} {
		r := webhookProvider(regsOf(tt.path), tt.h)
		if r == nil || r.Name != tt.want {
			t.Errorf("%s %v: goes to %v, want %s", tt.path, tt.h, r, tt.want)
			continue
		}
		if got := r.Webhook.Signed != nil && r.Webhook.Signed(tt.h); got != tt.signed {
			t.Errorf("%s %v: signed %v, want %v", tt.path, tt.h, got, tt.signed)
		}
	}
}
