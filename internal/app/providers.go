package app

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
	"github.com/paybridge/paybridge/internal/provider/iamport"
	"github.com/paybridge/paybridge/internal/provider/kakaopay"
	"github.com/paybridge/paybridge/internal/provider/portone"
	"github.com/paybridge/paybridge/internal/provider/toss"
	"github.com/paybridge/paybridge/internal/sandbox"
	sbiamport "github.com/paybridge/paybridge/internal/sandbox/iamport"
	sbkakaopay "github.com/paybridge/paybridge/internal/sandbox/kakaopay"
	sbportone "github.com/paybridge/paybridge/internal/sandbox/portone"
	sbtoss "github.com/paybridge/paybridge/internal/sandbox/toss"
	"github.com/paybridge/paybridge/internal/stdwebhook"
)

// Where serve mounts each provider's sandbox.
const (
	SandboxPrefix        = "/sandbox/kakaopay"
	IamportSandboxPrefix = "/sandbox/iamport"
	PortOneSandboxPrefix = "/sandbox/portone"
	TossSandboxPrefix    = "/sandbox/toss"
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

// buildProviders makes one adapter per enabled provider: against the real
// provider when its credentials are configured, else (test mode only)
// against its built-in sandbox, mounted on mux. In live mode a provider
// without credentials gets no adapter at all, so the service refuses its
// payments (provider_not_enabled), and no sandbox is ever mounted. self is
// paybridge's own handler, to which the sandboxes deliver their webhooks
// in-process.
func (a *App) buildProviders(mux *http.ServeMux, self http.Handler) ([]payment.Provider, error) {
	cfg, log, pub := a.Config, a.Log, a.Config.PublicURL
	states := map[string]config.ProviderState{}
	for _, p := range cfg.Providers() {
		states[p.Name] = p
	}
	mount := func(prefix string, h http.Handler) http.Handler {
		if cfg.Live() {
			panic("app: a sandbox must never be mounted in live mode")
		}
		sh := http.StripPrefix(prefix, h)
		mux.Handle(prefix+"/", sh)
		return sh
	}
	// Calls to a sandbox count as calls to its provider in the metrics; the
	// sandboxes' webhooks to paybridge itself are not provider calls.
	sbClient := func(name string, h http.Handler) *http.Client {
		return provider.Instrument(name, sandboxClient(h), a.Metrics.ObserveProvider)
	}
	webhooks := sandboxClient(self)
	var provs []payment.Provider

	// KakaoPay.
	switch states[payment.ProviderKakaoPay].State {
	case config.StateLive, config.StateSandbox:
		kcfg := kakaopay.Config{SecretKey: cfg.KakaoPay.SecretKey, AdminKey: cfg.KakaoPay.AdminKey,
			CID: cfg.KakaoPay.CID, BaseURL: cfg.KakaoPay.BaseURL, Logger: log, HTTPClient: a.providerClient(payment.ProviderKakaoPay)}
		if cfg.KakaoPay.Sandbox() {
			a.KakaoPaySandbox = sbkakaopay.New(sbkakaopay.Options{PublicURL: pub + SandboxPrefix, Logger: log})
			h := mount(SandboxPrefix, a.KakaoPaySandbox)
			kcfg.SecretKey, kcfg.BaseURL, kcfg.HTTPClient = "PAYBRIDGE-SANDBOX", pub+SandboxPrefix, sbClient(payment.ProviderKakaoPay, h)
			sandboxWarning(log, "kakaopay", pub+SandboxPrefix)
		}
		kp, err := kakaopay.New(kcfg)
		if err != nil {
			return nil, fmt.Errorf("kakaopay: %w", err)
		}
		provs = append(provs, kp)
	}

	// PortOne V2.
	switch st := states[payment.ProviderPortOne]; st.State {
	case config.StateLive, config.StateSandbox:
		pcfg := portone.Config{APISecret: cfg.PortOne.APISecret, StoreID: cfg.PortOne.StoreID,
			WebhookSecrets: cfg.PortOne.WebhookSecrets, BaseURL: cfg.PortOne.BaseURL, Logger: log,
			HTTPClient: a.providerClient(payment.ProviderPortOne), AcceptTestPayments: st.TestCredentials || cfg.PortOne.Sandbox()}
		if cfg.PortOne.Sandbox() {
			// The sandbox signs with the configured webhook secret, or with one
			// that lives as long as this process.
			secrets := cfg.PortOne.WebhookSecrets
			if len(secrets) == 0 {
				secrets = []string{stdwebhook.NewSecret()}
			}
			opts := sbportone.Options{PublicURL: pub + PortOneSandboxPrefix, StoreID: "store-sandbox", Logger: log}
			if cfg.SandboxWebhooks {
				opts.WebhookURL, opts.WebhookSecret, opts.WebhookClient = pub+"/webhooks/portone", secrets[0], webhooks
			}
			a.PortOneSandbox = sbportone.New(opts)
			h := mount(PortOneSandboxPrefix, a.PortOneSandbox)
			pcfg.APISecret, pcfg.StoreID, pcfg.WebhookSecrets = "PAYBRIDGE-SANDBOX", "store-sandbox", secrets
			pcfg.BaseURL, pcfg.WindowURL, pcfg.HTTPClient = pub+PortOneSandboxPrefix, pub+PortOneSandboxPrefix, sbClient(payment.ProviderPortOne, h)
			sandboxWarning(log, "portone", pub+PortOneSandboxPrefix)
		}
		po, err := portone.New(pcfg)
		if err != nil {
			return nil, fmt.Errorf("portone: %w", err)
		}
		provs = append(provs, po)
	}

	// PortOne V1 (iamport).
	switch st := states[payment.ProviderIamport]; st.State {
	case config.StateLive, config.StateSandbox:
		// A payment on a PortOne test channel moved no money: with live
		// credentials it never verifies as paid, unless the operator
		// configured a test channel on purpose (its payments are then
		// livemode=false).
		icfg := iamport.Config{APIKey: cfg.PortOneV1.APIKey, APISecret: cfg.PortOneV1.APISecret,
			BaseURL: cfg.PortOneV1.BaseURL, Logger: log, HTTPClient: a.providerClient(payment.ProviderIamport),
			AcceptTestPayments: st.TestCredentials}
		if cfg.PortOneV1.Sandbox() {
			opts := sbiamport.Options{PublicURL: pub + IamportSandboxPrefix, Logger: log}
			if cfg.SandboxWebhooks {
				opts.NoticeURL, opts.WebhookClient = pub+"/webhooks/portone", webhooks
			}
			a.IamportSandbox = sbiamport.New(opts)
			h := mount(IamportSandboxPrefix, a.IamportSandbox)
			icfg.APIKey, icfg.APISecret, icfg.AcceptTestPayments = "PAYBRIDGE-SANDBOX", "PAYBRIDGE-SANDBOX", true
			icfg.BaseURL, icfg.WindowURL, icfg.HTTPClient = pub+IamportSandboxPrefix, pub+IamportSandboxPrefix, sbClient(payment.ProviderIamport, h)
			sandboxWarning(log, "iamport", pub+IamportSandboxPrefix)
		}
		ip, err := iamport.New(icfg)
		if err != nil {
			return nil, fmt.Errorf("iamport: %w", err)
		}
		provs = append(provs, ip)
	}

	// Toss Payments.
	switch states[payment.ProviderToss].State {
	case config.StateLive, config.StateSandbox:
		tcfg := toss.Config{SecretKey: cfg.Toss.SecretKey, ClientKey: cfg.Toss.ClientKey, BaseURL: cfg.Toss.BaseURL, Logger: log,
			HTTPClient: a.providerClient(payment.ProviderToss)}
		if cfg.Toss.Sandbox() {
			a.TossSandbox = sbtoss.New(sbtoss.Options{PublicURL: pub + TossSandboxPrefix, Logger: log})
			h := mount(TossSandboxPrefix, a.TossSandbox)
			tcfg.SecretKey, tcfg.ClientKey = "test_sk_PAYBRIDGE-SANDBOX", "test_ck_PAYBRIDGE-SANDBOX"
			tcfg.BaseURL, tcfg.WindowURL, tcfg.HTTPClient = pub+TossSandboxPrefix, pub+TossSandboxPrefix, sbClient(payment.ProviderToss, h)
			sandboxWarning(log, "toss", pub+TossSandboxPrefix)
		}
		tp, err := toss.New(tcfg)
		if err != nil {
			return nil, fmt.Errorf("toss: %w", err)
		}
		provs = append(provs, tp)
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
