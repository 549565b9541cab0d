package httpapi

import (
	"net/http"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
	"github.com/paybridge/paybridge/internal/provider/registry"
)

// registerProviderWebhooks adds one POST route per webhook path of the
// registered providers (provider.Webhook). A path several providers share
// (PortOne V1 and V2: /webhooks/portone) hands each delivery to the first
// provider that claims it, else to the one that claims no deliveries of
// its own. An unsigned delivery makes a provider lookup, so it is limited
// per client IP; a signed one is checked before any provider call and is
// not.
func (a *API) registerProviderWebhooks(handle func(string, http.HandlerFunc)) {
	var paths []string
	byPath := map[string][]*provider.Registration{}
	for _, r := range registry.All() {
		if r.Webhook == nil {
			continue
		}
		if _, ok := byPath[r.Webhook.Path]; !ok {
			paths = append(paths, r.Webhook.Path)
		}
		byPath[r.Webhook.Path] = append(byPath[r.Webhook.Path], r)
	}
	for _, path := range paths {
		regs := byPath[path]
		handle("POST "+path, func(w http.ResponseWriter, r *http.Request) {
			reg := webhookProvider(regs, r.Header)
			if reg == nil {
				WriteError(w, r, a.log, payment.Errorf(payment.ENOTFOUND, "no provider takes this delivery on %s", path))
				return
			}
			if (reg.Webhook.Signed == nil || !reg.Webhook.Signed(r.Header)) && !a.public.Allow(w, r) {
				return
			}
			a.handleWebhook(w, r, reg.Name)
		})
	}
}

// webhookProvider is the provider a delivery on a path shared by regs is
// for: the first that claims it, else the first that claims nothing.
func webhookProvider(regs []*provider.Registration, h http.Header) *provider.Registration {
	var fallback *provider.Registration
	for _, r := range regs {
		switch {
		case r.Webhook.Claims == nil:
			if fallback == nil {
				fallback = r
			}
		case r.Webhook.Claims(h):
			return r
		}
	}
	return fallback
}
