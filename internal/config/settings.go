package config

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/secretbox"
)

// Setting is one configuration value: its environment variable, the serve
// flag derived from it, how it is parsed, printed and bounded.
type Setting struct {
	Env  string
	Help string
	// Secret settings are masked when printed and may come from Env_FILE.
	Secret bool
	// Redact prints the value with passwords removed (database URLs).
	Redact bool
	// Bool settings are flags that need no value.
	Bool bool

	get   func(*Config) string
	set   func(*Config, string) error
	check func(*Config) error // bounds, run by Validate
}

// Flag is the serve flag of the setting: PAYBRIDGE_PUBLIC_URL → public-url.
func (s Setting) Flag() string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(s.Env, "PAYBRIDGE_"), "_", "-"))
}

// Value is the setting's value in c as printed: secrets masked, passwords
// redacted.
func (s Setting) Value(c *Config) string {
	v := s.get(c)
	switch {
	case s.Redact:
		return RedactURL(v)
	case s.Secret:
		return Mask(v)
	}
	return v
}

// RegisterFlags adds one flag per setting to fs, each writing into c. Flags
// are parsed after the environment, so a flag wins.
func RegisterFlags(fs *flag.FlagSet, c *Config) {
	for _, s := range Settings {
		help := s.Help + " (" + s.Env + ")"
		if s.Secret {
			help += "; prefer the variable or " + s.Env + "_FILE: command lines are visible to other users"
		}
		fs.Var(&settingFlag{s: s, c: c}, s.Flag(), help)
	}
}

// settingFlag is a setting as a flag.Value: its String is the value in
// effect (masked for secrets), which -h prints as the default.
type settingFlag struct {
	s Setting
	c *Config
}

func (f *settingFlag) String() string {
	if f == nil || f.c == nil || (f.s.Secret && f.s.get(f.c) == "") {
		return ""
	}
	return f.s.Value(f.c)
}

func (f *settingFlag) Set(v string) error { return f.s.set(f.c, strings.TrimSpace(v)) }

// IsBoolFlag lets a switch be given without a value (-demo-shop).
func (f *settingFlag) IsBoolFlag() bool { return f.s.Bool }

func str(env, help string, f func(*Config) *string) Setting {
	return Setting{Env: env, Help: help,
		get: func(c *Config) string { return *f(c) },
		set: func(c *Config, v string) error { *f(c) = v; return nil }}
}

func secret(env, help string, f func(*Config) *string) Setting {
	s := str(env, help, f)
	s.Secret = true
	return s
}

func oneOf(env, help string, f func(*Config) *string, allowed ...string) Setting {
	s := str(env, help, f)
	s.set = func(c *Config, v string) error {
		for _, a := range allowed {
			if v == a {
				*f(c) = v
				return nil
			}
		}
		return fmt.Errorf("want %s, got %q", strings.Join(allowed, " or "), v)
	}
	return s
}

func boolean(env, help string, f func(*Config) *bool) Setting {
	return Setting{Env: env, Help: help, Bool: true,
		get: func(c *Config) string { return strconv.FormatBool(*f(c)) },
		set: func(c *Config, v string) error {
			b, err := parseSwitch(v)
			if err == nil {
				*f(c) = b
			}
			return err
		}}
}

// parseSwitch reads a switch's value.
func parseSwitch(v string) (bool, error) {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("want true or false, got %q", v)
	}
	return b, nil
}

// optBool is a switch whose default depends on the mode (nil: the mode's).
func optBool(env, help string, f func(*Config) **bool, eff func(Config) bool) Setting {
	return Setting{Env: env, Help: help, Bool: true,
		get: func(c *Config) string {
			if *f(c) == nil {
				return strconv.FormatBool(eff(*c)) + " (the mode's default)"
			}
			return strconv.FormatBool(**f(c))
		},
		set: func(c *Config, v string) error {
			b, err := parseSwitch(v)
			if err != nil {
				return err
			}
			*f(c) = &b
			return nil
		}}
}

// bounded is a setting read by parse (want says what it takes, in the
// error) and printed by format, which Validate keeps between min and max:
// the durations and the whole numbers.
func bounded[T cmp.Ordered](env, help string, min, max T, f func(*Config) *T,
	parse func(string) (T, error), format func(T) string, want string) Setting {
	return Setting{Env: env, Help: fmt.Sprintf("%s; %s to %s", help, format(min), format(max)),
		get: func(c *Config) string { return format(*f(c)) },
		set: func(c *Config, v string) error {
			x, err := parse(v)
			if err != nil {
				return fmt.Errorf("want %s, got %q", want, v)
			}
			*f(c) = x
			return nil
		},
		check: func(c *Config) error {
			if x := *f(c); x < min || x > max {
				return fmt.Errorf("between %s and %s, got %s", format(min), format(max), format(x))
			}
			return nil
		}}
}

func duration(env, help string, min, max time.Duration, f func(*Config) *time.Duration) Setting {
	return bounded(env, help, min, max, f, time.ParseDuration, short, "a duration like 10s")
}

// short prints a duration without zero units: 15m rather than 15m0s.
func short(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func integer(env, help string, min, max int, f func(*Config) *int) Setting {
	return bounded(env, help, min, max, f, strconv.Atoi, strconv.Itoa, "a whole number")
}

func rate(env, help string, f func(*Config) *float64) Setting {
	return Setting{Env: env, Help: help,
		get: func(c *Config) string { return strconv.FormatFloat(*f(c), 'g', -1, 64) },
		set: func(c *Config, v string) error {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return fmt.Errorf("want requests a second (e.g. 25, or 0 for no limit), got %q", v)
			}
			*f(c) = x
			return nil
		},
		check: func(c *Config) error {
			if x := *f(c); x < 0 || math.IsNaN(x) || math.IsInf(x, 0) {
				return fmt.Errorf("0 (no limit) or more, got %v", x)
			}
			return nil
		}}
}

// Settings is every setting, in the order they are documented and printed:
// paybridge's own, with every registered provider's (see
// provider.Registration) after PAYBRIDGE_SECRET_KEY.
var Settings = slices.Concat(baseSettings, providerSettingsTable(), tailSettings)

var baseSettings = []Setting{
	oneOf("PAYBRIDGE_MODE", "test (sandboxes for providers without credentials) or live (real money only)",
		func(c *Config) *string { return &c.Mode }, ModeTest, ModeLive),
	boolean("PAYBRIDGE_ALLOW_TEST_CREDENTIALS", "let live mode start with a provider's test credentials",
		func(c *Config) *bool { return &c.AllowTestCredentials }),
	optBool("PAYBRIDGE_DEMO_SHOP", "mount the demo shop at / (default: on in test mode, off in live mode)",
		func(c *Config) **bool { return &c.DemoShop }, Config.DemoShopEnabled),
	optBool("PAYBRIDGE_DROPIN", "mount the sample's drop-in POST /ready and /approve (default: on in test mode, off in live mode)",
		func(c *Config) **bool { return &c.DropIn }, Config.DropInEnabled),
	str("PAYBRIDGE_ADDR", "listen address", func(c *Config) *string { return &c.Addr }),
	str("PAYBRIDGE_PUBLIC_URL", "URL buyers' browsers reach paybridge at (default http://localhost:<port>)",
		func(c *Config) *string { return &c.PublicURL }),
	{Env: "PAYBRIDGE_DATABASE_URL", Help: "database: " + "sqlite:PATH, file:PATH or postgres://…", Secret: true, Redact: true,
		get: func(c *Config) string { return c.DatabaseURL },
		set: func(c *Config, v string) error { c.DatabaseURL = v; return nil }},
	boolean("PAYBRIDGE_NO_MIGRATE", "do not apply migrations on start", func(c *Config) *bool { return &c.NoMigrate }),
	integer("PAYBRIDGE_DB_MAX_CONNS", "PostgreSQL pool size per instance", 1, 1000, func(c *Config) *int { return &c.DBMaxConns }),
	duration("PAYBRIDGE_DB_STATEMENT_TIMEOUT", "PostgreSQL statement_timeout", time.Second, time.Hour,
		func(c *Config) *time.Duration { return &c.DBStatementTimeout }),
	duration("PAYBRIDGE_DB_CONNECT_TIMEOUT", "how long connecting to PostgreSQL may take", time.Second, time.Minute,
		func(c *Config) *time.Duration { return &c.DBConnectTimeout }),
	secret("PAYBRIDGE_SECRET_KEY", "32-byte key (hex or base64) encrypting secrets at rest; required in live mode",
		func(c *Config) *string { return &c.SecretKey }),
}

var tailSettings = []Setting{
	boolean("PAYBRIDGE_SANDBOX_WEBHOOKS", "let the built-in PortOne sandboxes send webhooks (test mode)",
		func(c *Config) *bool { return &c.SandboxWebhooks }),

	{Env: "PAYBRIDGE_CORS_ORIGINS", Help: "origins allowed to call the drop-in API from a browser, comma-separated",
		get: func(c *Config) string { return strings.Join(c.CORSOrigins, ",") },
		set: func(c *Config, v string) error {
			origins, err := ParseOrigins(v)
			if err != nil {
				return err
			}
			c.CORSOrigins = origins
			return nil
		}},
	str("PAYBRIDGE_DROPIN_SUCCESS_URL", "where drop-in buyers go after paying", func(c *Config) *string { return &c.DropInSuccessURL }),
	str("PAYBRIDGE_DROPIN_CANCEL_URL", "… after cancelling", func(c *Config) *string { return &c.DropInCancelURL }),
	str("PAYBRIDGE_DROPIN_FAIL_URL", "… after a failure", func(c *Config) *string { return &c.DropInFailURL }),
	dropInPrices(),
	duration("PAYBRIDGE_IDEMPOTENCY_RETENTION", "how long an Idempotency-Key's response is replayed", time.Hour, 30*24*time.Hour,
		func(c *Config) *time.Duration { return &c.IdempotencyRetention }),
	rate("PAYBRIDGE_RATE_LIMIT", "API requests a second per key (0: no limit)", func(c *Config) *float64 { return &c.RateLimit }),
	integer("PAYBRIDGE_RATE_BURST", "burst of the per-key limit", 0, 1_000_000, func(c *Config) *int { return &c.RateBurst }),
	rate("PAYBRIDGE_PUBLIC_RATE_LIMIT", "requests a second per client IP to the unauthenticated routes that call a provider (0: no limit)",
		func(c *Config) *float64 { return &c.PublicRateLimit }),
	integer("PAYBRIDGE_PUBLIC_RATE_BURST", "burst of the per-IP limit", 0, 1_000_000, func(c *Config) *int { return &c.PublicRateBurst }),
	str("PAYBRIDGE_CLIENT_IP_HEADER", "header a trusted reverse proxy sets to the client's address (X-Forwarded-For, X-Real-IP); empty: the connection's",
		func(c *Config) *string { return &c.ClientIPHeader }),
	boolean("PAYBRIDGE_WEBHOOK_ALLOW_PRIVATE", "let webhook endpoints point at private addresses (development only)",
		func(c *Config) *bool { return &c.WebhookAllowPrivate }),
	str("PAYBRIDGE_METRICS_ADDR", "serve /metrics (and pprof) on this address instead of the main one",
		func(c *Config) *string { return &c.MetricsAddr }),
	boolean("PAYBRIDGE_PPROF", "serve /debug/pprof/ on PAYBRIDGE_METRICS_ADDR", func(c *Config) *bool { return &c.Pprof }),
	str("PAYBRIDGE_DEBUG_ADDR", "serve /debug/pprof/ and /debug/store (the store's counters) here, e.g. 127.0.0.1:6060; never expose it",
		func(c *Config) *string { return &c.DebugAddr }),

	duration("PAYBRIDGE_PROVIDER_TIMEOUT", "one provider operation, retries included", 5*time.Second, 2*time.Minute,
		func(c *Config) *time.Duration { return &c.ProviderTimeout }),
	duration("PAYBRIDGE_APPROVE_WAIT", "how long a concurrent buyer return waits for the first", time.Second, 2*time.Minute,
		func(c *Config) *time.Duration { return &c.ApproveWait }),
	duration("PAYBRIDGE_PAYMENT_EXPIRY", "the buyer's window when the provider names none", time.Minute, time.Hour,
		func(c *Config) *time.Duration { return &c.PaymentExpiry }),
	duration("PAYBRIDGE_SETTLE_AFTER", "how long an unknown outcome is left to its own request before the sweep looks it up", 5*time.Second, 10*time.Minute,
		func(c *Config) *time.Duration { return &c.SettleAfter }),
	duration("PAYBRIDGE_GIVE_UP_AFTER", "past the buyer's window, how long an approve the provider still calls unfinished stays approving", time.Minute, 24*time.Hour,
		func(c *Config) *time.Duration { return &c.GiveUpAfter }),
	duration("PAYBRIDGE_REFUND_GIVE_UP_AFTER", "how old a pending refund must be before a lookup showing no refund fails it", 30*time.Second, time.Hour,
		func(c *Config) *time.Duration { return &c.RefundGiveUpAfter }),
	duration("PAYBRIDGE_UNKNOWN_AFTER", "past the buyer's window, how long an outcome paybridge cannot learn stays quiet before it is surfaced (outcome_unknown)", 5*time.Minute, 24*time.Hour,
		func(c *Config) *time.Duration { return &c.UnknownAfter }),
	duration("PAYBRIDGE_LATE_CHECK_FOR", "how long after a PortOne payment was closed the sweep keeps looking for a late charge to refund", 10*time.Minute, 7*24*time.Hour,
		func(c *Config) *time.Duration { return &c.LateCheckFor }),
	duration("PAYBRIDGE_LATE_CHECK_EVERY", "how often it looks meanwhile", time.Minute, time.Hour,
		func(c *Config) *time.Duration { return &c.LateCheckEvery }),
	integer("PAYBRIDGE_SWEEP_CONCURRENCY", "items of one provider the sweep works on at once", 1, 64,
		func(c *Config) *int { return &c.SweepConcurrency }),
	duration("PAYBRIDGE_SWEEP_LEASE", "how long a sweep holds the payments it claimed", 10*time.Second, 10*time.Minute,
		func(c *Config) *time.Duration { return &c.SweepLease }),
	duration("PAYBRIDGE_IDEMPOTENCY_LOCK", "how long a running request holds its Idempotency-Key", 30*time.Second, 30*time.Minute,
		func(c *Config) *time.Duration { return &c.IdempotencyLock }),
	duration("PAYBRIDGE_WEBHOOK_TIMEOUT", "one outbound webhook attempt", time.Second, time.Minute,
		func(c *Config) *time.Duration { return &c.WebhookTimeout }),
	integer("PAYBRIDGE_WEBHOOK_CONCURRENCY", "outbound webhook attempts in flight per instance", 1, 256,
		func(c *Config) *int { return &c.WebhookConcurrency }),
	integer("PAYBRIDGE_WEBHOOK_PER_ENDPOINT", "outbound webhook attempts in flight to one endpoint", 1, 64,
		func(c *Config) *int { return &c.WebhookPerEndpoint }),
	duration("PAYBRIDGE_SWEEP_INTERVAL", "how often unknown outcomes, pending refunds and expiries are settled", time.Second, time.Hour,
		func(c *Config) *time.Duration { return &c.SweepInterval }),
	oneOf("PAYBRIDGE_LOG_LEVEL", "debug, info, warn or error", func(c *Config) *string { return &c.LogLevel }, "debug", "info", "warn", "error"),
	oneOf("PAYBRIDGE_LOG_FORMAT", "text or json", func(c *Config) *string { return &c.LogFormat }, "text", "json"),
}

// ParseOrigins reads a comma-separated list of browser origins
// (scheme://host[:port]). A trailing "/" is dropped, since browsers send
// origins without one and an entry with it would never match; anything
// with a path, query, user or wildcard is refused.
func ParseOrigins(v string) ([]string, error) {
	var out []string
	for _, o := range strings.Split(v, ",") {
		o = strings.TrimSuffix(strings.TrimSpace(o), "/")
		if o == "" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
			u.Path != "" || u.RawQuery != "" || u.Fragment != "" || strings.Contains(o, "*") || u.Opaque != "" {
			return nil, fmt.Errorf("%q is not an origin: want scheme://host[:port], like https://shop.example", o)
		}
		out = append(out, strings.ToLower(u.Scheme)+"://"+strings.ToLower(u.Host))
	}
	return out, nil
}

func checkSecretKey(s string) error {
	_, err := secretbox.ParseKey(s)
	if err != nil {
		return errors.New(err.Error())
	}
	return nil
}
