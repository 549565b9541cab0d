// Package config reads paybridge's configuration from PAYBRIDGE_…
// environment variables and from the flags of the serve command, which
// mirror every one of them (both come from one table, Settings, so neither
// can fall behind). Any secret may instead be read from a file named by the
// same variable with _FILE appended. Secrets never print: String and Print
// mask them.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/provider"
	"github.com/paybridge/paybridge/internal/provider/registry"
	"github.com/paybridge/paybridge/internal/store"
)

// Modes. In test mode a provider without credentials runs against its
// built-in sandbox and the demo shop, the drop-in API and the sandboxes'
// control endpoints are mounted; in live mode no sandbox exists, a provider
// without credentials is disabled, and paybridge refuses to start on test
// credentials unless told they are wanted.
const (
	ModeTest = "test"
	ModeLive = "live"
)

// Config is paybridge's configuration.
type Config struct {
	Mode string // PAYBRIDGE_MODE: test (default) or live
	// AllowTestCredentials lets live mode start with a provider's test
	// credentials (PAYBRIDGE_ALLOW_TEST_CREDENTIALS=1; loud warning).
	AllowTestCredentials bool
	// DemoShop and DropIn mount the demo shop at / and the sample's drop-in
	// API (PAYBRIDGE_DEMO_SHOP, PAYBRIDGE_DROPIN). Nil: on in test mode, off
	// in live mode; see DemoShopEnabled and DropInEnabled.
	DemoShop *bool
	DropIn   *bool

	Addr        string // PAYBRIDGE_ADDR, default ":8080"
	PublicURL   string // PAYBRIDGE_PUBLIC_URL, default http://localhost:<port of Addr>
	DatabaseURL string // PAYBRIDGE_DATABASE_URL, default "sqlite:paybridge.db"
	NoMigrate   bool   // PAYBRIDGE_NO_MIGRATE=1: do not apply migrations on start

	DBMaxConns         int           // PAYBRIDGE_DB_MAX_CONNS, PostgreSQL pool size, default 10
	DBStatementTimeout time.Duration // PAYBRIDGE_DB_STATEMENT_TIMEOUT, default 30s
	DBConnectTimeout   time.Duration // PAYBRIDGE_DB_CONNECT_TIMEOUT, default 5s

	// SecretKey encrypts secrets at rest (webhook endpoint secrets, replays
	// of responses that carry one): 32 bytes as hex or base64
	// (PAYBRIDGE_SECRET_KEY or _FILE). Required in live mode; in test mode
	// with SQLite a key is generated once into a file beside the database.
	SecretKey string

	// providers holds each registered provider's settings (see
	// ProviderSettings), copied on write so that copies of a Config never
	// share them.
	providers providerSettings

	CORSOrigins      []string // PAYBRIDGE_CORS_ORIGINS, comma-separated origins
	DropInSuccessURL string   // PAYBRIDGE_DROPIN_SUCCESS_URL
	DropInCancelURL  string   // PAYBRIDGE_DROPIN_CANCEL_URL
	DropInFailURL    string   // PAYBRIDGE_DROPIN_FAIL_URL
	// DropInPrices is the drop-in's price list, product → unit price in won
	// (PAYBRIDGE_DROPIN_PRICES, see dropin.go). Set, /ready charges these
	// and refuses other products or prices; nil, it takes the browser's
	// price, which live mode does not allow.
	DropInPrices map[string]int64

	// SandboxWebhooks lets the built-in PortOne sandboxes send their
	// webhooks to paybridge (PAYBRIDGE_SANDBOX_WEBHOOKS, default true); turn
	// it off to see how paybridge copes when a provider's webhook never comes.
	SandboxWebhooks bool

	// WebhookAllowPrivate lets merchants' webhook URLs reach loopback and
	// private addresses (PAYBRIDGE_WEBHOOK_ALLOW_PRIVATE=1; development only).
	WebhookAllowPrivate bool

	// IdempotencyRetention is how long an Idempotency-Key's first response
	// is replayed (PAYBRIDGE_IDEMPOTENCY_RETENTION, default 24h).
	IdempotencyRetention time.Duration

	// RateLimit is the average number of API requests a second one key may
	// make (PAYBRIDGE_RATE_LIMIT, default 25; 0 turns the limit off), in
	// bursts of up to RateBurst (PAYBRIDGE_RATE_BURST, default 50).
	RateLimit float64
	RateBurst int
	// PublicRateLimit and PublicRateBurst limit, per client IP, the routes
	// anyone may call without a key and that spend provider quota: the demo
	// checkout, the drop-in /ready and /approve, and the unsigned provider
	// webhooks (PAYBRIDGE_PUBLIC_RATE_LIMIT, _BURST; 0 turns it off).
	PublicRateLimit float64
	PublicRateBurst int
	// ClientIPHeader names the header a trusted reverse proxy puts the
	// client's address in (X-Forwarded-For: its last entry, X-Real-IP…);
	// empty: the connection's address.
	ClientIPHeader string

	// MetricsAddr serves /metrics (and pprof, with Pprof) on a listener of
	// its own, so they need not be public (PAYBRIDGE_METRICS_ADDR). Empty:
	// /metrics is on the main address and pprof is off.
	MetricsAddr string
	Pprof       bool // PAYBRIDGE_PPROF=1: /debug/pprof/ on MetricsAddr only
	// DebugAddr serves the profiler and the store's counters on a listener
	// of its own (PAYBRIDGE_DEBUG_ADDR; paybridge bench reads it).
	DebugAddr string

	// Money timings (see Settings for bounds).
	ProviderTimeout    time.Duration // PAYBRIDGE_PROVIDER_TIMEOUT: one provider operation, retries included
	ApproveWait        time.Duration // PAYBRIDGE_APPROVE_WAIT: a concurrent return waits this long for the first
	PaymentExpiry      time.Duration // PAYBRIDGE_PAYMENT_EXPIRY: the buyer's window when the provider names none
	SettleAfter        time.Duration // PAYBRIDGE_SETTLE_AFTER: unknown outcomes are left to their request this long
	GiveUpAfter        time.Duration // PAYBRIDGE_GIVE_UP_AFTER: past expiry, an unfinished approve is failed after this
	RefundGiveUpAfter  time.Duration // PAYBRIDGE_REFUND_GIVE_UP_AFTER: a pending refund the provider shows no trace of is failed after this
	UnknownAfter       time.Duration // PAYBRIDGE_UNKNOWN_AFTER: past the window, an outcome paybridge cannot learn is surfaced after this
	LateCheckFor       time.Duration // PAYBRIDGE_LATE_CHECK_FOR: how long a closed PortOne payment is still looked up for a late charge
	LateCheckEvery     time.Duration // PAYBRIDGE_LATE_CHECK_EVERY: how often, meanwhile
	SweepConcurrency   int           // PAYBRIDGE_SWEEP_CONCURRENCY: items of one provider the sweep works on at once
	SweepLease         time.Duration // PAYBRIDGE_SWEEP_LEASE: how long a sweep holds what it claimed
	IdempotencyLock    time.Duration // PAYBRIDGE_IDEMPOTENCY_LOCK: how long a running request holds its key
	WebhookTimeout     time.Duration // PAYBRIDGE_WEBHOOK_TIMEOUT: one delivery attempt
	WebhookConcurrency int           // PAYBRIDGE_WEBHOOK_CONCURRENCY: attempts in flight per instance
	WebhookPerEndpoint int           // PAYBRIDGE_WEBHOOK_PER_ENDPOINT: attempts in flight to one endpoint

	SweepInterval time.Duration // PAYBRIDGE_SWEEP_INTERVAL, default 10s
	LogLevel      string        // PAYBRIDGE_LOG_LEVEL: debug, info, warn, error
	LogFormat     string        // PAYBRIDGE_LOG_FORMAT: text or json
}

// Defaults are the values used when nothing is set.
var Defaults = Config{
	Mode:                 ModeTest,
	Addr:                 ":8080",
	DatabaseURL:          "sqlite:paybridge.db",
	DBMaxConns:           10,
	DBStatementTimeout:   30 * time.Second,
	DBConnectTimeout:     5 * time.Second,
	providers:            defaultProviderSettings(),
	CORSOrigins:          []string{"http://localhost:8080", "http://127.0.0.1:8080"},
	DropInSuccessURL:     "http://localhost:8080/Client/success.html?userId={userId}",
	DropInCancelURL:      "http://localhost:8080/Client/cancel.html",
	DropInFailURL:        "http://localhost:8080/Client/fail.html",
	SandboxWebhooks:      true,
	IdempotencyRetention: 24 * time.Hour,
	RateLimit:            25,
	RateBurst:            50,
	PublicRateLimit:      2,
	PublicRateBurst:      20,
	ProviderTimeout:      20 * time.Second,
	ApproveWait:          25 * time.Second,
	PaymentExpiry:        15 * time.Minute,
	SettleAfter:          30 * time.Second,
	GiveUpAfter:          5 * time.Minute,
	RefundGiveUpAfter:    2 * time.Minute,
	UnknownAfter:         30 * time.Minute,
	LateCheckFor:         2 * time.Hour,
	LateCheckEvery:       5 * time.Minute,
	SweepConcurrency:     4,
	SweepLease:           time.Minute,
	IdempotencyLock:      2 * time.Minute,
	WebhookTimeout:       15 * time.Second,
	WebhookConcurrency:   8,
	WebhookPerEndpoint:   2,
	SweepInterval:        10 * time.Second,
	LogLevel:             "info",
	LogFormat:            "text",
}

// Live reports whether the configuration is for live mode.
func (c Config) Live() bool { return c.Mode == ModeLive }

// DemoShopEnabled reports whether the demo shop is mounted.
func (c Config) DemoShopEnabled() bool {
	if c.DemoShop != nil {
		return *c.DemoShop
	}
	return !c.Live()
}

// DropInEnabled reports whether the drop-in API is mounted.
func (c Config) DropInEnabled() bool {
	if c.DropIn != nil {
		return *c.DropIn
	}
	return !c.Live()
}

// FromEnv reads the configuration from getenv (os.Getenv in production).
// Problems with individual values are collected and returned together.
func FromEnv(getenv func(string) string) (Config, error) {
	c := Defaults
	c.CORSOrigins = append([]string(nil), Defaults.CORSOrigins...)
	var errs []error
	for _, s := range Settings {
		v := getenv(s.Env)
		if s.Secret {
			if f := getenv(s.Env + "_FILE"); f != "" {
				if v != "" {
					errs = append(errs, fmt.Errorf("%s and %s_FILE are both set: choose one", s.Env, s.Env))
					continue
				}
				b, err := os.ReadFile(f)
				if err != nil {
					errs = append(errs, fmt.Errorf("%s_FILE: %w", s.Env, err))
					continue
				}
				v = string(b)
			}
		}
		if strings.TrimSpace(v) == "" {
			continue
		}
		if err := s.set(&c, strings.TrimSpace(v)); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", s.Env, err))
		}
	}
	return c, errors.Join(errs...)
}

// Validate reports every problem at once, the live-mode rules included.
func (c *Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.Mode != ModeTest && c.Mode != ModeLive {
		add("PAYBRIDGE_MODE: want test or live, got %q", c.Mode)
	}
	for _, s := range Settings {
		if s.check != nil {
			if err := s.check(c); err != nil {
				add("%s: %v", s.Env, err)
			}
		}
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		add("PAYBRIDGE_ADDR: want host:port or :port, got %q", c.Addr)
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			add("PAYBRIDGE_METRICS_ADDR: want host:port or :port, got %q", c.MetricsAddr)
		}
	}
	if c.DebugAddr != "" {
		if _, _, err := net.SplitHostPort(c.DebugAddr); err != nil {
			add("PAYBRIDGE_DEBUG_ADDR: want host:port or :port, got %q", c.DebugAddr)
		}
	}
	if c.Pprof && c.MetricsAddr == "" {
		add("PAYBRIDGE_PPROF needs PAYBRIDGE_METRICS_ADDR: pprof is only ever served on the separate metrics address")
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("PAYBRIDGE_PUBLIC_URL: want an absolute http(s) URL, got %q", c.PublicURL)
		}
	}
	if _, err := store.ParseURL(c.DatabaseURL); err != nil {
		add("PAYBRIDGE_DATABASE_URL: %v", err)
	}
	if c.SecretKey != "" {
		if err := checkSecretKey(c.SecretKey); err != nil {
			add("PAYBRIDGE_SECRET_KEY: %v", err)
		}
	}
	for _, r := range registry.All() {
		errs = append(errs, r.Config.Check(c.ProviderSettings(r.Name))...)
	}
	for _, u := range []struct{ name, v string }{
		{"PAYBRIDGE_DROPIN_SUCCESS_URL", c.DropInSuccessURL}, {"PAYBRIDGE_DROPIN_CANCEL_URL", c.DropInCancelURL},
		{"PAYBRIDGE_DROPIN_FAIL_URL", c.DropInFailURL},
	} {
		if p, err := url.Parse(u.v); err != nil || p.Host == "" {
			add("%s: want an absolute URL, got %q", u.name, u.v)
		}
	}
	if c.RateLimit > 0 && c.RateBurst < 1 {
		add("PAYBRIDGE_RATE_BURST: at least 1, got %d", c.RateBurst)
	}
	if c.PublicRateLimit > 0 && c.PublicRateBurst < 1 {
		add("PAYBRIDGE_PUBLIC_RATE_BURST: at least 1, got %d", c.PublicRateBurst)
	}
	// Timings that must fit one inside the other.
	if c.SweepLease < c.ProviderTimeout {
		add("PAYBRIDGE_SWEEP_LEASE (%s) must be at least PAYBRIDGE_PROVIDER_TIMEOUT (%s): a lease that ran out mid-call would let another instance settle the same payment", c.SweepLease, c.ProviderTimeout)
	}
	// The sweep repeats a finishing call whose outcome is unknown once it
	// is SettleAfter old: the first call must be over by then, or the
	// repeat races it (and its refusal says nothing about the first).
	if c.SettleAfter <= c.ProviderTimeout {
		add("PAYBRIDGE_SETTLE_AFTER (%s) must be longer than PAYBRIDGE_PROVIDER_TIMEOUT (%s): the sweep must never repeat a finishing call still in flight", c.SettleAfter, c.ProviderTimeout)
	}
	if c.RefundGiveUpAfter < 2*c.ProviderTimeout {
		add("PAYBRIDGE_REFUND_GIVE_UP_AFTER (%s) must be at least 2×PAYBRIDGE_PROVIDER_TIMEOUT (%s): a refund still in flight must land before a lookup may fail it", c.RefundGiveUpAfter, 2*c.ProviderTimeout)
	}
	// The longest API request makes two provider calls one after the other
	// (a refund, then its lookup) and then writes (service.LongestRequest).
	if c.IdempotencyLock < 2*c.ProviderTimeout+c.DBStatementTimeout {
		add("PAYBRIDGE_IDEMPOTENCY_LOCK (%s) must be at least 2×PAYBRIDGE_PROVIDER_TIMEOUT + PAYBRIDGE_DB_STATEMENT_TIMEOUT (%s): a slow request must never run twice", c.IdempotencyLock, 2*c.ProviderTimeout+c.DBStatementTimeout)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		add("PAYBRIDGE_LOG_LEVEL: want debug, info, warn or error, got %q", c.LogLevel)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		add("PAYBRIDGE_LOG_FORMAT: want text or json, got %q", c.LogFormat)
	}
	errs = append(errs, c.liveProblems()...)
	return errors.Join(errs...)
}

// Mask shows that a secret is set without showing it.
func Mask(s string) string { return provider.Mask(s) }

// RedactURL removes every password from a database URL (see store.RedactURL).
func RedactURL(s string) string { return store.RedactURL(s) }

// StoreOptions are the database settings as the store takes them.
func (c Config) StoreOptions() store.Options {
	return store.Options{NoMigrate: c.NoMigrate, MaxConns: c.DBMaxConns,
		StatementTimeout: c.DBStatementTimeout, ConnectTimeout: c.DBConnectTimeout}
}
