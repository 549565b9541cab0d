// Package config reads paybridge's configuration from PAYBRIDGE_…
// environment variables (flags of the serve command mirror the main ones).
// Any secret may instead be read from a file named by the same variable with
// _FILE appended. Secrets never print: String masks them.
package config

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/store"
)

// Config is paybridge's configuration.
type Config struct {
	Addr        string // PAYBRIDGE_ADDR, default ":8080"
	PublicURL   string // PAYBRIDGE_PUBLIC_URL, default http://localhost:<port of Addr>
	DatabaseURL string // PAYBRIDGE_DATABASE_URL, default "sqlite:paybridge.db"
	NoMigrate   bool   // PAYBRIDGE_NO_MIGRATE=1: do not apply migrations on start

	DBMaxConns         int           // PAYBRIDGE_DB_MAX_CONNS, PostgreSQL pool size, default 10
	DBStatementTimeout time.Duration // PAYBRIDGE_DB_STATEMENT_TIMEOUT, default 30s
	DBConnectTimeout   time.Duration // PAYBRIDGE_DB_CONNECT_TIMEOUT, default 5s

	KakaoPay  KakaoPay
	PortOneV1 PortOneV1
	PortOne   PortOne
	Toss      Toss

	CORSOrigins      []string // PAYBRIDGE_CORS_ORIGINS, comma-separated
	DropInSuccessURL string   // PAYBRIDGE_DROPIN_SUCCESS_URL
	DropInCancelURL  string   // PAYBRIDGE_DROPIN_CANCEL_URL
	DropInFailURL    string   // PAYBRIDGE_DROPIN_FAIL_URL

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

	SweepInterval time.Duration // PAYBRIDGE_SWEEP_INTERVAL, default 10s
	LogLevel      string        // PAYBRIDGE_LOG_LEVEL: debug, info, warn, error
	LogFormat     string        // PAYBRIDGE_LOG_FORMAT: text or json
}

// KakaoPay holds the KakaoPay credentials. With neither key set, paybridge
// runs against its built-in sandbox.
type KakaoPay struct {
	SecretKey string // PAYBRIDGE_KAKAOPAY_SECRET_KEY: current API (open-api.kakaopay.com)
	AdminKey  string // PAYBRIDGE_KAKAOPAY_ADMIN_KEY: legacy API (kapi.kakao.com)
	CID       string // PAYBRIDGE_KAKAOPAY_CID, default TC0ONETIME
	BaseURL   string // PAYBRIDGE_KAKAOPAY_BASE_URL: another host, e.g. a standalone sandbox
}

// Sandbox reports whether KakaoPay runs against the built-in sandbox.
func (k KakaoPay) Sandbox() bool { return k.SecretKey == "" && k.AdminKey == "" }

// PortOneV1 holds PortOne V1 (iamport) credentials. With no API key, the
// built-in sandbox is used.
type PortOneV1 struct {
	APIKey       string // PAYBRIDGE_PORTONE_V1_API_KEY (imp_key)
	APISecret    string // PAYBRIDGE_PORTONE_V1_API_SECRET (imp_secret)
	MerchantCode string // PAYBRIDGE_PORTONE_V1_MERCHANT_CODE ("imp12345678", for the browser SDK)
	PG           string // PAYBRIDGE_PORTONE_V1_PG (the SDK's pg, e.g. "html5_inicis")
	BaseURL      string // PAYBRIDGE_PORTONE_V1_BASE_URL
}

// Sandbox reports whether PortOne V1 runs against the built-in sandbox.
func (p PortOneV1) Sandbox() bool { return p.APIKey == "" && p.APISecret == "" }

// PortOne holds PortOne V2 credentials.
type PortOne struct {
	APISecret      string   // PAYBRIDGE_PORTONE_API_SECRET
	StoreID        string   // PAYBRIDGE_PORTONE_STORE_ID
	ChannelKey     string   // PAYBRIDGE_PORTONE_CHANNEL_KEY (for the browser SDK)
	WebhookSecrets []string // PAYBRIDGE_PORTONE_WEBHOOK_SECRET: whsec_… (two, comma-separated, while rotating)
	BaseURL        string   // PAYBRIDGE_PORTONE_BASE_URL
}

// Sandbox reports whether PortOne V2 runs against the built-in sandbox.
func (p PortOne) Sandbox() bool { return p.APISecret == "" }

// Toss holds Toss Payments keys.
type Toss struct {
	SecretKey string // PAYBRIDGE_TOSS_SECRET_KEY (test_sk_… / live_sk_…)
	ClientKey string // PAYBRIDGE_TOSS_CLIENT_KEY (test_ck_… / live_ck_…, for the browser SDK)
	BaseURL   string // PAYBRIDGE_TOSS_BASE_URL
}

// Sandbox reports whether Toss runs against the built-in sandbox.
func (t Toss) Sandbox() bool { return t.SecretKey == "" }

// Defaults are the values used when nothing is set.
var Defaults = Config{
	Addr:                 ":8080",
	DatabaseURL:          "sqlite:paybridge.db",
	DBMaxConns:           10,
	DBStatementTimeout:   30 * time.Second,
	DBConnectTimeout:     5 * time.Second,
	KakaoPay:             KakaoPay{CID: "TC0ONETIME"},
	CORSOrigins:          []string{"http://localhost:8080", "http://127.0.0.1:8080"},
	DropInSuccessURL:     "http://localhost:8080/Client/success.html?userId={userId}",
	DropInCancelURL:      "http://localhost:8080/Client/cancel.html",
	DropInFailURL:        "http://localhost:8080/Client/fail.html",
	SandboxWebhooks:      true,
	IdempotencyRetention: 24 * time.Hour,
	RateLimit:            25,
	RateBurst:            50,
	SweepInterval:        10 * time.Second,
	LogLevel:             "info",
	LogFormat:            "text",
}

// FromEnv reads the configuration from getenv (os.Getenv in production).
// Problems with individual values are collected and returned together.
func FromEnv(getenv func(string) string) (Config, error) {
	c := Defaults
	var errs []error
	str := func(name string, dst *string) {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			*dst = v
		}
	}
	secret := func(name string, dst *string) {
		v := getenv(name)
		if f := getenv(name + "_FILE"); f != "" {
			if v != "" {
				errs = append(errs, fmt.Errorf("%s and %s_FILE are both set: choose one", name, name))
				return
			}
			b, err := os.ReadFile(f)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s_FILE: %w", name, err))
				return
			}
			v = string(b)
		}
		if v = strings.TrimSpace(v); v != "" {
			*dst = v
		}
	}
	str("PAYBRIDGE_ADDR", &c.Addr)
	str("PAYBRIDGE_PUBLIC_URL", &c.PublicURL)
	secret("PAYBRIDGE_DATABASE_URL", &c.DatabaseURL) // may carry a password (PostgreSQL)
	if v := getenv("PAYBRIDGE_NO_MIGRATE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("PAYBRIDGE_NO_MIGRATE: want true or false, got %q", v))
		}
		c.NoMigrate = b
	}
	if v := getenv("PAYBRIDGE_DB_MAX_CONNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("PAYBRIDGE_DB_MAX_CONNS: want a whole number, got %q", v))
		}
		c.DBMaxConns = n
	}
	duration := func(name string, dst *time.Duration) {
		if v := getenv(name); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: want a duration like 10s, got %q", name, v))
			}
			*dst = d
		}
	}
	duration("PAYBRIDGE_DB_STATEMENT_TIMEOUT", &c.DBStatementTimeout)
	duration("PAYBRIDGE_DB_CONNECT_TIMEOUT", &c.DBConnectTimeout)
	secret("PAYBRIDGE_KAKAOPAY_SECRET_KEY", &c.KakaoPay.SecretKey)
	secret("PAYBRIDGE_KAKAOPAY_ADMIN_KEY", &c.KakaoPay.AdminKey)
	str("PAYBRIDGE_KAKAOPAY_CID", &c.KakaoPay.CID)
	str("PAYBRIDGE_KAKAOPAY_BASE_URL", &c.KakaoPay.BaseURL)
	secret("PAYBRIDGE_PORTONE_V1_API_KEY", &c.PortOneV1.APIKey)
	secret("PAYBRIDGE_PORTONE_V1_API_SECRET", &c.PortOneV1.APISecret)
	str("PAYBRIDGE_PORTONE_V1_MERCHANT_CODE", &c.PortOneV1.MerchantCode)
	str("PAYBRIDGE_PORTONE_V1_PG", &c.PortOneV1.PG)
	str("PAYBRIDGE_PORTONE_V1_BASE_URL", &c.PortOneV1.BaseURL)
	secret("PAYBRIDGE_PORTONE_API_SECRET", &c.PortOne.APISecret)
	str("PAYBRIDGE_PORTONE_STORE_ID", &c.PortOne.StoreID)
	str("PAYBRIDGE_PORTONE_CHANNEL_KEY", &c.PortOne.ChannelKey)
	var whsec string
	secret("PAYBRIDGE_PORTONE_WEBHOOK_SECRET", &whsec)
	for _, w := range strings.Split(whsec, ",") {
		if w = strings.TrimSpace(w); w != "" {
			c.PortOne.WebhookSecrets = append(c.PortOne.WebhookSecrets, w)
		}
	}
	str("PAYBRIDGE_PORTONE_BASE_URL", &c.PortOne.BaseURL)
	secret("PAYBRIDGE_TOSS_SECRET_KEY", &c.Toss.SecretKey)
	str("PAYBRIDGE_TOSS_CLIENT_KEY", &c.Toss.ClientKey)
	str("PAYBRIDGE_TOSS_BASE_URL", &c.Toss.BaseURL)
	if v := getenv("PAYBRIDGE_CORS_ORIGINS"); v != "" {
		c.CORSOrigins = nil
		for _, o := range strings.Split(v, ",") {
			if o = strings.TrimSpace(o); o != "" {
				c.CORSOrigins = append(c.CORSOrigins, o)
			}
		}
	}
	str("PAYBRIDGE_DROPIN_SUCCESS_URL", &c.DropInSuccessURL)
	str("PAYBRIDGE_DROPIN_CANCEL_URL", &c.DropInCancelURL)
	str("PAYBRIDGE_DROPIN_FAIL_URL", &c.DropInFailURL)
	duration("PAYBRIDGE_SWEEP_INTERVAL", &c.SweepInterval)
	duration("PAYBRIDGE_IDEMPOTENCY_RETENTION", &c.IdempotencyRetention)
	if v := getenv("PAYBRIDGE_RATE_LIMIT"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("PAYBRIDGE_RATE_LIMIT: want requests a second (e.g. 25, or 0 for no limit), got %q", v))
		}
		c.RateLimit = f
	}
	if v := getenv("PAYBRIDGE_RATE_BURST"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("PAYBRIDGE_RATE_BURST: want a whole number, got %q", v))
		}
		c.RateBurst = n
	}
	if v := getenv("PAYBRIDGE_SANDBOX_WEBHOOKS"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("PAYBRIDGE_SANDBOX_WEBHOOKS: want true or false, got %q", v))
		}
		c.SandboxWebhooks = b
	}
	if v := getenv("PAYBRIDGE_WEBHOOK_ALLOW_PRIVATE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("PAYBRIDGE_WEBHOOK_ALLOW_PRIVATE: want true or false, got %q", v))
		}
		c.WebhookAllowPrivate = b
	}
	str("PAYBRIDGE_LOG_LEVEL", &c.LogLevel)
	str("PAYBRIDGE_LOG_FORMAT", &c.LogFormat)
	return c, errors.Join(errs...)
}

// Validate reports every problem at once.
func (c *Config) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("PAYBRIDGE_ADDR: want host:port or :port, got %q", c.Addr))
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("PAYBRIDGE_PUBLIC_URL: want an absolute http(s) URL, got %q", c.PublicURL))
		}
	}
	if c.DBMaxConns < 1 || c.DBMaxConns > 1000 {
		errs = append(errs, fmt.Errorf("PAYBRIDGE_DB_MAX_CONNS: between 1 and 1000, got %d", c.DBMaxConns))
	}
	if c.DBStatementTimeout < time.Second {
		errs = append(errs, fmt.Errorf("PAYBRIDGE_DB_STATEMENT_TIMEOUT: at least 1s, got %s", c.DBStatementTimeout))
	}
	if c.DBConnectTimeout < time.Second {
		errs = append(errs, fmt.Errorf("PAYBRIDGE_DB_CONNECT_TIMEOUT: at least 1s, got %s", c.DBConnectTimeout))
	}
	if c.KakaoPay.SecretKey != "" && c.KakaoPay.AdminKey != "" {
		errs = append(errs, errors.New("PAYBRIDGE_KAKAOPAY_SECRET_KEY and PAYBRIDGE_KAKAOPAY_ADMIN_KEY are both set: choose the current (secret key) or the legacy (admin key) API"))
	}
	if len(c.KakaoPay.CID) != 10 {
		errs = append(errs, fmt.Errorf("PAYBRIDGE_KAKAOPAY_CID: a CID has 10 characters, got %d", len(c.KakaoPay.CID)))
	}
	if c.KakaoPay.BaseURL != "" {
		if u, err := url.Parse(c.KakaoPay.BaseURL); err != nil || u.Host == "" {
			errs = append(errs, fmt.Errorf("PAYBRIDGE_KAKAOPAY_BASE_URL: want an absolute URL, got %q", c.KakaoPay.BaseURL))
		}
		if c.KakaoPay.Sandbox() {
			errs = append(errs, errors.New("PAYBRIDGE_KAKAOPAY_BASE_URL is set but no KakaoPay key is: set PAYBRIDGE_KAKAOPAY_SECRET_KEY (any value works against a paybridge sandbox)"))
		}
	}
	if (c.PortOneV1.APIKey == "") != (c.PortOneV1.APISecret == "") {
		errs = append(errs, errors.New("PAYBRIDGE_PORTONE_V1_API_KEY and PAYBRIDGE_PORTONE_V1_API_SECRET go together: set both or neither"))
	}
	if !c.PortOneV1.Sandbox() && c.PortOneV1.MerchantCode == "" {
		errs = append(errs, errors.New("PAYBRIDGE_PORTONE_V1_MERCHANT_CODE is required with PortOne V1 credentials (the browser SDK needs it)"))
	}
	if !c.PortOne.Sandbox() && (c.PortOne.StoreID == "" || c.PortOne.ChannelKey == "") {
		errs = append(errs, errors.New("PAYBRIDGE_PORTONE_STORE_ID and PAYBRIDGE_PORTONE_CHANNEL_KEY are required with PAYBRIDGE_PORTONE_API_SECRET"))
	}
	if len(c.PortOne.WebhookSecrets) > 2 {
		errs = append(errs, errors.New("PAYBRIDGE_PORTONE_WEBHOOK_SECRET: at most two secrets (the current one and the next, while rotating)"))
	}
	if !c.Toss.Sandbox() && c.Toss.ClientKey == "" {
		errs = append(errs, errors.New("PAYBRIDGE_TOSS_CLIENT_KEY is required with PAYBRIDGE_TOSS_SECRET_KEY (the browser SDK needs it)"))
	}
	for _, b := range []struct {
		name, v string
		sandbox bool
	}{
		{"PAYBRIDGE_PORTONE_V1_BASE_URL", c.PortOneV1.BaseURL, c.PortOneV1.Sandbox()},
		{"PAYBRIDGE_PORTONE_BASE_URL", c.PortOne.BaseURL, c.PortOne.Sandbox()},
		{"PAYBRIDGE_TOSS_BASE_URL", c.Toss.BaseURL, c.Toss.Sandbox()},
	} {
		if b.v == "" {
			continue
		}
		if u, err := url.Parse(b.v); err != nil || u.Host == "" {
			errs = append(errs, fmt.Errorf("%s: want an absolute URL, got %q", b.name, b.v))
		}
		if b.sandbox {
			errs = append(errs, fmt.Errorf("%s is set but that provider has no credentials: set them (any values work against a paybridge sandbox)", b.name))
		}
	}
	for _, u := range []struct{ name, v string }{
		{"PAYBRIDGE_DROPIN_SUCCESS_URL", c.DropInSuccessURL}, {"PAYBRIDGE_DROPIN_CANCEL_URL", c.DropInCancelURL},
		{"PAYBRIDGE_DROPIN_FAIL_URL", c.DropInFailURL},
	} {
		if p, err := url.Parse(u.v); err != nil || p.Host == "" {
			errs = append(errs, fmt.Errorf("%s: want an absolute URL, got %q", u.name, u.v))
		}
	}
	if c.RateLimit < 0 || math.IsNaN(c.RateLimit) || math.IsInf(c.RateLimit, 0) {
		errs = append(errs, fmt.Errorf("PAYBRIDGE_RATE_LIMIT: 0 (no limit) or more, got %v", c.RateLimit))
	}
	if c.RateLimit > 0 && c.RateBurst < 1 {
		errs = append(errs, fmt.Errorf("PAYBRIDGE_RATE_BURST: at least 1, got %d", c.RateBurst))
	}
	if c.IdempotencyRetention < time.Hour {
		errs = append(errs, fmt.Errorf("PAYBRIDGE_IDEMPOTENCY_RETENTION: at least 1h (Stripe keeps keys 24h), got %s", c.IdempotencyRetention))
	}
	if c.SweepInterval < time.Second {
		errs = append(errs, fmt.Errorf("PAYBRIDGE_SWEEP_INTERVAL: at least 1s, got %s", c.SweepInterval))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("PAYBRIDGE_LOG_LEVEL: want debug, info, warn or error, got %q", c.LogLevel))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("PAYBRIDGE_LOG_FORMAT: want text or json, got %q", c.LogFormat))
	}
	return errors.Join(errs...)
}

// Mask shows that a secret is set without showing it.
func Mask(s string) string {
	if s == "" {
		return "(unset)"
	}
	return "(set)"
}

// RedactURL removes a password from a database URL.
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// String prints the configuration with every secret masked.
func (c Config) String() string {
	return fmt.Sprintf("addr=%s public_url=%s database=%s kakaopay_secret_key=%s kakaopay_admin_key=%s kakaopay_cid=%s kakaopay_base_url=%s"+
		" portone_v1_api_key=%s portone_v1_api_secret=%s portone_api_secret=%s portone_webhook_secret=%s toss_secret_key=%s",
		c.Addr, c.PublicURL, RedactURL(c.DatabaseURL), Mask(c.KakaoPay.SecretKey), Mask(c.KakaoPay.AdminKey),
		c.KakaoPay.CID, c.KakaoPay.BaseURL, Mask(c.PortOneV1.APIKey), Mask(c.PortOneV1.APISecret),
		Mask(c.PortOne.APISecret), Mask(strings.Join(c.PortOne.WebhookSecrets, "")), Mask(c.Toss.SecretKey))
}

// StoreOptions are the database settings as the store takes them.
func (c Config) StoreOptions() store.Options {
	return store.Options{NoMigrate: c.NoMigrate, MaxConns: c.DBMaxConns,
		StatementTimeout: c.DBStatementTimeout, ConnectTimeout: c.DBConnectTimeout}
}
