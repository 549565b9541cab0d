package app

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/payment"
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

// buildProviders makes one adapter per provider: against the real provider
// when its credentials are configured, else against its built-in sandbox,
// mounted on mux. self is paybridge's own handler, to which the sandboxes
// deliver their webhooks in-process.
func (a *App) buildProviders(mux *http.ServeMux, self http.Handler) ([]payment.Provider, error) {
	cfg, log, pub := a.Config, a.Log, a.Config.PublicURL
	mount := func(prefix string, h http.Handler) http.Handler {
		sh := http.StripPrefix(prefix, h)
		mux.Handle(prefix+"/", sh)
		return sh
	}
	webhooks := sandboxClient(self)
	var provs []payment.Provider

	// KakaoPay.
	kcfg := kakaopay.Config{SecretKey: cfg.KakaoPay.SecretKey, AdminKey: cfg.KakaoPay.AdminKey,
		CID: cfg.KakaoPay.CID, BaseURL: cfg.KakaoPay.BaseURL, Logger: log}
	if cfg.KakaoPay.Sandbox() {
		a.KakaoPaySandbox = sbkakaopay.New(sbkakaopay.Options{PublicURL: pub + SandboxPrefix, Logger: log})
		h := mount(SandboxPrefix, a.KakaoPaySandbox)
		kcfg.SecretKey, kcfg.BaseURL, kcfg.HTTPClient = "PAYBRIDGE-SANDBOX", pub+SandboxPrefix, sandboxClient(h)
		sandboxWarning(log, "kakaopay", pub+SandboxPrefix)
	}
	kp, err := kakaopay.New(kcfg)
	if err != nil {
		return nil, fmt.Errorf("kakaopay: %w", err)
	}
	provs = append(provs, kp)

	// PortOne V2.
	pcfg := portone.Config{APISecret: cfg.PortOne.APISecret, StoreID: cfg.PortOne.StoreID,
		WebhookSecrets: cfg.PortOne.WebhookSecrets, BaseURL: cfg.PortOne.BaseURL, Logger: log}
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
		pcfg.BaseURL, pcfg.WindowURL, pcfg.HTTPClient = pub+PortOneSandboxPrefix, pub+PortOneSandboxPrefix, sandboxClient(h)
		sandboxWarning(log, "portone", pub+PortOneSandboxPrefix)
	}
	po, err := portone.New(pcfg)
	if err != nil {
		return nil, fmt.Errorf("portone: %w", err)
	}
	provs = append(provs, po)

	// PortOne V1 (iamport).
	icfg := iamport.Config{APIKey: cfg.PortOneV1.APIKey, APISecret: cfg.PortOneV1.APISecret,
		BaseURL: cfg.PortOneV1.BaseURL, Logger: log}
	if cfg.PortOneV1.Sandbox() {
		opts := sbiamport.Options{PublicURL: pub + IamportSandboxPrefix, Logger: log}
		if cfg.SandboxWebhooks {
			opts.NoticeURL, opts.WebhookClient = pub+"/webhooks/portone", webhooks
		}
		a.IamportSandbox = sbiamport.New(opts)
		h := mount(IamportSandboxPrefix, a.IamportSandbox)
		icfg.APIKey, icfg.APISecret, icfg.AcceptTestPayments = "PAYBRIDGE-SANDBOX", "PAYBRIDGE-SANDBOX", true
		icfg.BaseURL, icfg.WindowURL, icfg.HTTPClient = pub+IamportSandboxPrefix, pub+IamportSandboxPrefix, sandboxClient(h)
		sandboxWarning(log, "iamport", pub+IamportSandboxPrefix)
	}
	ip, err := iamport.New(icfg)
	if err != nil {
		return nil, fmt.Errorf("iamport: %w", err)
	}
	provs = append(provs, ip)

	// Toss Payments.
	tcfg := toss.Config{SecretKey: cfg.Toss.SecretKey, ClientKey: cfg.Toss.ClientKey, BaseURL: cfg.Toss.BaseURL, Logger: log}
	if cfg.Toss.Sandbox() {
		a.TossSandbox = sbtoss.New(sbtoss.Options{PublicURL: pub + TossSandboxPrefix, Logger: log})
		h := mount(TossSandboxPrefix, a.TossSandbox)
		tcfg.SecretKey, tcfg.ClientKey = "test_sk_PAYBRIDGE-SANDBOX", "test_ck_PAYBRIDGE-SANDBOX"
		tcfg.BaseURL, tcfg.WindowURL, tcfg.HTTPClient = pub+TossSandboxPrefix, pub+TossSandboxPrefix, sandboxClient(h)
		sandboxWarning(log, "toss", pub+TossSandboxPrefix)
	}
	tp, err := toss.New(tcfg)
	if err != nil {
		return nil, fmt.Errorf("toss: %w", err)
	}
	provs = append(provs, tp)
	return provs, nil
}

func sandboxWarning(log *slog.Logger, provider, url string) {
	log.Warn("SANDBOX MODE: no credentials for this provider, so its payments go to the built-in sandbox and no real money moves",
		"provider", provider, "sandbox_url", url)
}

// anySandbox reports whether any provider runs against its sandbox.
func anySandbox(cfg config.Config) bool {
	return cfg.KakaoPay.Sandbox() || cfg.PortOneV1.Sandbox() || cfg.PortOne.Sandbox() || cfg.Toss.Sandbox()
}
