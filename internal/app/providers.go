package app

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
	"github.com/paybridge/paybridge/internal/provider/registry"
	"github.com/paybridge/paybridge/internal/sandbox"
	"github.com/paybridge/paybridge/internal/web"
)

// sandboxClient calls a mounted sandbox in-process: no network hop, and it
// works whatever PUBLIC_URL points at.
func sandboxClient(h http.Handler) *http.Client {
	return &http.Client{Transport: sandbox.Transport(h), Timeout: 15 * time.Second}
}

// providerClient is the HTTP client of a real provider: the shared default
// with a timeout under PAYBRIDGE_PROVIDER_TIMEOUT (which bounds the whole
// operation, retries included), reporting every call to the metrics.
func (a *App) providerClient(name string) *http.Client {
	return provider.Instrument(name, provider.NewHTTPClientTimeout(a.Config.ProviderTimeout*3/4), a.Metrics.ObserveProvider)
}

// buildProviders makes one adapter per enabled provider, in the registry's
// order: against the real provider when its credentials are configured,
// else (test mode only) against its built-in sandbox, mounted on mux at
// its registration's prefix. In live mode a provider without credentials
// gets no adapter at all, so the service refuses its payments
// (provider_not_enabled), and no sandbox is ever mounted. self is
// paybridge's own handler, to which the sandboxes deliver their webhooks
// in-process.
func (a *App) buildProviders(mux *http.ServeMux, self http.Handler) ([]payment.Provider, error) {
	cfg, log, pub := a.Config, a.Log, a.Config.PublicURL
	states := map[string]config.ProviderState{}
	for _, p := range cfg.Providers() {
		states[p.Name] = p
	}
	webhooks := sandboxClient(self)
	a.Sandboxes = map[string]http.Handler{}
	var provs []payment.Provider
	for _, r := range registry.All() {
		st, settings := states[r.Name], cfg.ProviderSettings(r.Name)
		env := provider.Env{Logger: log, TestCredentials: st.TestCredentials}
		var build func(provider.Env) (payment.Provider, error)
		switch st.State {
		case config.StateLive:
			env.HTTPClient = a.providerClient(r.Name)
			build = func(env provider.Env) (payment.Provider, error) { return r.New(settings, env) }
		case config.StateSandbox:
			if cfg.Live() {
				panic("app: a sandbox must never be mounted in live mode")
			}
			prefix := r.Sandbox.Prefix
			o := provider.SandboxOptions{PublicURL: pub + prefix, Logger: log}
			if cfg.SandboxWebhooks && r.Webhook != nil {
				o.WebhookURL, o.WebhookClient = pub+r.Webhook.Path, webhooks
			}
			sb := r.Sandbox.New(settings, o)
			a.Sandboxes[r.Name] = sb.Handler
			h := http.StripPrefix(prefix, sb.Handler)
			mux.Handle(prefix+"/", h)
			// Calls to a sandbox count as calls to its provider in the
			// metrics; the sandboxes' webhooks to paybridge itself are not
			// provider calls.
			env.HTTPClient = provider.Instrument(r.Name, sandboxClient(h), a.Metrics.ObserveProvider)
			build = sb.Adapter
			sandboxWarning(log, r.Name, pub+prefix)
		default:
			continue
		}
		p, err := build(env)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Name, err)
		}
		provs = append(provs, p)
	}
	return provs, nil
}

func sandboxWarning(log *slog.Logger, provider, url string) {
	log.Warn("SANDBOX MODE: no credentials for this provider, so its payments go to the built-in sandbox and no real money moves",
		"provider", provider, "sandbox_url", url)
}

// anySandbox reports whether any provider runs against its sandbox.
func anySandbox(cfg config.Config) bool {
	for _, p := range cfg.Providers() {
		if p.State == config.StateSandbox {
			return true
		}
	}
	return false
}

// enabledProviders are the providers that take payments, in offer order.
func enabledProviders(cfg config.Config) []string {
	var out []string
	for _, p := range cfg.Providers() {
		if p.State != config.StateDisabled {
			out = append(out, p.Name)
		}
	}
	return out
}

// livemodes says, per enabled provider, whether its payments move real money.
func livemodes(cfg config.Config) map[string]bool {
	m := map[string]bool{}
	for _, p := range cfg.Providers() {
		m[p.Name] = p.Livemode()
	}
	return m
}

// sandboxes says, per provider, whether it runs against its built-in
// sandbox (never in live mode, where a provider without credentials is
// disabled instead).
func sandboxes(cfg config.Config) map[string]bool {
	m := map[string]bool{}
	for _, p := range cfg.Providers() {
		m[p.Name] = p.State == config.StateSandbox
	}
	return m
}

// checkouts are, per provider whose window its browser SDK opens, what
// paybridge's checkout page needs: the SDK, its public parameters from the
// provider's settings, and the call that opens the window.
func checkouts(cfg config.Config) map[string]web.CheckoutSDK {
	m := map[string]web.CheckoutSDK{}
	for _, r := range registry.All() {
		if c := r.Checkout; c != nil {
			m[r.Name] = web.CheckoutSDK{Script: c.Script, Params: c.Params(cfg.ProviderSettings(r.Name)), JS: c.JS}
		}
	}
	return m
}
