package config_test

import (
	"flag"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/provider/toss"
)

// Ensure every setting is a flag of serve, and that a flag wins over the
// environment.
func TestSettings_EveryOneIsAFlag(t *testing.T) {
	c, err := config.FromEnv(env(map[string]string{"PAYBRIDGE_APPROVE_WAIT": "10s", "PAYBRIDGE_MODE": "live"}))
	if err != nil {
		t.Fatal(err)
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	config.RegisterFlags(fs, &c)
	for _, s := range config.Settings {
		if fs.Lookup(s.Flag()) == nil {
			t.Errorf("%s has no flag", s.Env)
		}
	}
	if err := fs.Parse([]string{"-approve-wait", "40s", "-demo-shop", "-mode", "test", "-cors-origins", "https://a.example/"}); err != nil {
		t.Fatal(err)
	}
	if c.ApproveWait != 40*time.Second || !c.DemoShopEnabled() || c.Live() || c.CORSOrigins[0] != "https://a.example" {
		t.Fatalf("flags not applied: %+v", c)
	}
	if err := fs.Parse([]string{"-provider-timeout", "soon"}); err == nil {
		t.Fatal("a bad duration flag accepted")
	}
}

// Ensure the README documents every setting in its Configuration table.
func TestSettings_DocumentedInREADME(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range config.Settings {
		if !strings.Contains(string(b), "`"+s.Env+"`") {
			t.Errorf("README does not document %s", s.Env)
		}
	}
}

// Ensure the money timings are settings with bounds, and timings that must
// nest are refused when they do not.
func TestSettings_TimingBounds(t *testing.T) {
	c, err := config.FromEnv(env(map[string]string{
		"PAYBRIDGE_PROVIDER_TIMEOUT": "30s", "PAYBRIDGE_APPROVE_WAIT": "20s", "PAYBRIDGE_PAYMENT_EXPIRY": "10m",
		"PAYBRIDGE_SETTLE_AFTER": "1m", "PAYBRIDGE_GIVE_UP_AFTER": "30m", "PAYBRIDGE_SWEEP_LEASE": "2m",
		"PAYBRIDGE_IDEMPOTENCY_LOCK": "5m", "PAYBRIDGE_WEBHOOK_TIMEOUT": "5s", "PAYBRIDGE_WEBHOOK_CONCURRENCY": "4",
		"PAYBRIDGE_WEBHOOK_PER_ENDPOINT": "1",
	}))
	if err != nil || c.Validate() != nil {
		t.Fatalf("valid timings: %v / %v", err, c.Validate())
	}
	if c.ProviderTimeout != 30*time.Second || c.PaymentExpiry != 10*time.Minute || c.WebhookConcurrency != 4 || c.IdempotencyLock != 5*time.Minute {
		t.Fatalf("timings = %+v", c)
	}
	for name, vars := range map[string]map[string]string{
		"ProviderTimeoutTooShort": {"PAYBRIDGE_PROVIDER_TIMEOUT": "1s"},
		"ExpiryTooLong":           {"PAYBRIDGE_PAYMENT_EXPIRY": "2h"},
		"LeaseShorterThanCall":    {"PAYBRIDGE_PROVIDER_TIMEOUT": "90s", "PAYBRIDGE_SWEEP_LEASE": "1m", "PAYBRIDGE_IDEMPOTENCY_LOCK": "10m"},
		"LockShorterThanRequest":  {"PAYBRIDGE_IDEMPOTENCY_LOCK": "40s"},
		"SettleWithinCall":        {"PAYBRIDGE_PROVIDER_TIMEOUT": "30s", "PAYBRIDGE_SETTLE_AFTER": "30s", "PAYBRIDGE_IDEMPOTENCY_LOCK": "5m"},
		"NoWebhookWorkers":        {"PAYBRIDGE_WEBHOOK_CONCURRENCY": "0"},
		"PprofWithoutAddr":        {"PAYBRIDGE_PPROF": "1"},
		"BadMode":                 {"PAYBRIDGE_MODE": "prod"},
	} {
		c, ferr := config.FromEnv(env(vars))
		if ferr == nil && c.Validate() == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

// Ensure provider states follow the mode and the credentials, and test
// credentials are recognised where the provider tells them apart.
func TestProviders_States(t *testing.T) {
	c, _ := config.FromEnv(env(map[string]string{"PAYBRIDGE_TOSS_SECRET_KEY": "test_sk_x", "PAYBRIDGE_TOSS_CLIENT_KEY": "test_ck_x"}))
	got := map[string]config.ProviderState{}
	for _, p := range c.Providers() {
		got[p.Name] = p
	}
	if got["kakaopay"].State != config.StateSandbox || got["toss"].State != config.StateLive || !got["toss"].TestCredentials ||
		got["toss"].Livemode() || got["kakaopay"].Livemode() {
		t.Fatalf("test mode: %+v", got)
	}
	c.Mode = config.ModeLive
	config.Edit(&c, func(s *toss.Settings) { s.SecretKey = "live_sk_x" })
	for _, p := range c.Providers() {
		want := config.StateDisabled
		if p.Name == "toss" {
			want = config.StateLive
		}
		if p.State != want || (p.Name == "toss") != p.Livemode() {
			t.Errorf("live mode: %+v", p)
		}
	}
	var b strings.Builder
	c.PrintProviders(&b)
	if !strings.Contains(b.String(), "mode: live") || !strings.Contains(b.String(), "kakaopay  disabled") {
		t.Fatalf("table:\n%s", b.String())
	}
	if c.DemoShopEnabled() || c.DropInEnabled() {
		t.Fatal("demo shop or drop-in on by default in live mode")
	}
}
