package provider

import (
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/paybridge/paybridge/internal/payment"
)

// Registration is everything the rest of paybridge knows about one
// provider: configuration, the real adapter, the sandbox, the inbound
// webhook route and the browser checkout. Each provider package exports
// one (register.go), and internal/provider/registry lists them in offer
// order; config, app, web, httpapi and "paybridge sandbox" iterate over
// that list, so adding a provider touches its own two packages, one line
// of the list, and the documents a test holds to the list (openapi.json,
// the README's settings; docs/architecture.md, "The provider registry").
//
// The provider's settings are a value of a type of its own (S below, e.g.
// kakaopay.Settings); the functions here take and return it as any, and
// Configure builds them from typed functions so that no provider writes a
// type assertion.
type Registration struct {
	// Name is the provider's name in the API, the database and the URLs
	// (payment.ProviderKakaoPay…).
	Name string
	// Title is the provider's name for operators: the console, logs.
	Title string
	// Label is the provider's name for buyers, per language ("ko", "en"):
	// the demo shop's choice and the result page.
	Label map[string]string
	// IDLabel is the provider's own name for its payment id, per language,
	// as the result page shows it (KakaoPay's tid, Toss's paymentKey…).
	IDLabel map[string]string
	// Finishing says whether the provider approves (the finishing call
	// moves the money) or verifies (the money moved in its window). It is
	// the value the adapter's Finishing method returns
	// (internal/app/registry_test.go holds the two together).
	Finishing payment.Finishing
	// Config is the provider's configuration: its settings, defaults and
	// checks.
	Config Configuration
	// New builds the adapter for the real provider from its settings.
	New func(settings any, env Env) (payment.Provider, error)
	// Sandbox builds the provider's built-in sandbox and an adapter that
	// talks to it.
	Sandbox Sandbox
	// Webhook is the route the provider notifies paybridge on; nil when it
	// sends no webhooks (KakaoPay).
	Webhook *Webhook
	// Checkout is how paybridge's checkout page opens the provider's window
	// with its browser SDK; nil when the provider's Ready returns a URL to
	// send the buyer to (KakaoPay).
	Checkout *Checkout
}

// Env is what building an adapter needs from paybridge besides the
// provider's own settings.
type Env struct {
	Logger *slog.Logger
	// HTTPClient sends the adapter's requests: the real provider's
	// instrumented client, or an in-process client to the mounted sandbox.
	HTTPClient *http.Client
	// TestCredentials says the configured credentials move no money (see
	// Configuration.TestCredentials); an adapter that otherwise refuses test
	// payments as unpaid then accepts them, with livemode false.
	TestCredentials bool
}

// Configuration is a provider's configuration.
type Configuration struct {
	// Default is the settings value when nothing is set (defaults filled
	// in, e.g. KakaoPay's test CID).
	Default any
	// Settings are the environment variables (and the serve flags named
	// after them) that fill the settings value, in the order they are
	// documented and printed.
	Settings []Setting
	// Sandbox reports whether the settings hold no credentials: the
	// provider then runs against its sandbox (test mode) or is disabled
	// (live mode).
	Sandbox func(settings any) bool
	// Check reports every problem with the settings, naming environment
	// variables and never values.
	Check func(settings any) []error
	// TestCredentials names what makes configured credentials the
	// provider's test ones, which move no money ("a DEV secret key"), or "".
	TestCredentials func(settings any) string
}

// Configure builds a Configuration from typed functions over the provider's
// settings type S. check and testCredentials may be nil.
func Configure[S any](def S, sandbox func(S) bool, check func(S) []error, testCredentials func(S) string, settings ...Setting) Configuration {
	c := Configuration{Default: def, Settings: settings,
		Sandbox:         func(s any) bool { return sandbox(s.(S)) },
		Check:           func(any) []error { return nil },
		TestCredentials: func(any) string { return "" }}
	if check != nil {
		c.Check = func(s any) []error { return check(s.(S)) }
	}
	if testCredentials != nil {
		c.TestCredentials = func(s any) string { return testCredentials(s.(S)) }
	}
	return c
}

// Setting is one environment variable of a provider's settings. Get and
// Set work on a settings value (Set returns the changed copy, so a
// configuration copied by value never shares its providers' settings).
type Setting struct {
	Env  string
	Help string
	// Secret settings are masked when printed and may come from Env_FILE.
	Secret bool
	// Bool settings are flags that need no value.
	Bool bool
	Get  func(settings any) string
	Set  func(settings any, v string) (any, error)
}

// String is a setting held in a string field of S.
func String[S any](env, help string, field func(*S) *string) Setting {
	return Setting{Env: env, Help: help,
		Get: func(s any) string { v := s.(S); return *field(&v) },
		Set: func(s any, x string) (any, error) { v := s.(S); *field(&v) = x; return v, nil }}
}

// Secret is a string setting that is masked when printed.
func Secret[S any](env, help string, field func(*S) *string) Setting {
	s := String(env, help, field)
	s.Secret = true
	return s
}

// List is a comma-separated setting held in a []string field of S (empty
// entries dropped).
func List[S any](env, help string, secret bool, field func(*S) *[]string) Setting {
	return Setting{Env: env, Help: help, Secret: secret,
		Get: func(s any) string { v := s.(S); return strings.Join(*field(&v), ",") },
		Set: func(s any, x string) (any, error) {
			v := s.(S)
			var out []string
			for _, e := range strings.Split(x, ",") {
				if e = strings.TrimSpace(e); e != "" {
					out = append(out, e)
				}
			}
			*field(&v) = out
			return v, nil
		}}
}

// Bool is a switch held in a bool field of S.
func Bool[S any](env, help string, field func(*S) *bool) Setting {
	return Setting{Env: env, Help: help, Bool: true,
		Get: func(s any) string { v := s.(S); return strconv.FormatBool(*field(&v)) },
		Set: func(s any, x string) (any, error) {
			b, err := strconv.ParseBool(x)
			if err != nil {
				return s, fmt.Errorf("want true or false, got %q", x)
			}
			v := s.(S)
			*field(&v) = b
			return v, nil
		}}
}

// CheckBaseURL is the rule every provider's _BASE_URL setting follows: an
// absolute URL, and only with credentials (without them paybridge uses the
// sandbox, and a base URL would be silently ignored).
func CheckBaseURL(env, v string, sandbox bool) []error {
	if v == "" {
		return nil
	}
	var errs []error
	if u, err := url.Parse(v); err != nil || u.Host == "" {
		errs = append(errs, fmt.Errorf("%s: want an absolute URL, got %q", env, v))
	}
	if sandbox {
		errs = append(errs, fmt.Errorf("%s is set but that provider has no credentials: set them (any values work against a paybridge sandbox)", env))
	}
	return errs
}

// IsBaseURL reports whether s is a provider's base URL override (its
// PAYBRIDGE_…_BASE_URL, checked by CheckBaseURL): where its adapter sends
// the calls that move money instead of the provider's own API.
func (s Setting) IsBaseURL() bool { return strings.HasSuffix(s.Env, "_BASE_URL") }

// CheckLiveBaseURL is live mode's rule for a base URL override v of env:
// https, since the provider calls carry the live secret key and move real
// money, and never a paybridge sandbox (sandboxPrefix, "/sandbox/<name>",
// is where "paybridge sandbox" serves one), which would answer "paid" for
// money that never moved. Plain http is let through only to a loopback
// address: a TLS-terminating proxy on the same machine, the traffic never
// leaving it. The error names env and the URL's scheme and host, never the
// rest (a URL may carry credentials).
func CheckLiveBaseURL(env, v, sandboxPrefix string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || u.Host == "" {
		return nil // CheckBaseURL reports it
	}
	switch {
	case u.Scheme == "http" && !loopback(u.Hostname()):
		return fmt.Errorf("live mode: %s must be an https:// URL, got http://%s: the provider calls carry the live secret key and real payments (plain http is allowed only to a loopback address)", env, u.Host)
	case u.Scheme != "https" && u.Scheme != "http":
		return fmt.Errorf("live mode: %s must be an https:// URL, got %s://%s", env, u.Scheme, u.Host)
	case sandboxPrefix != "" && (u.Path == sandboxPrefix || strings.HasPrefix(u.Path, sandboxPrefix+"/")):
		return fmt.Errorf("live mode: %s names a paybridge sandbox (%s%s): a sandbox moves no money; unset it to use the provider's own API", env, u.Host, sandboxPrefix)
	}
	return nil
}

// loopback reports whether host is localhost or a loopback IP address.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Mask shows that a secret is set without showing it.
func Mask(s string) string {
	if s == "" {
		return "(unset)"
	}
	return "(set)"
}

// Sandbox builds a provider's sandbox, in paybridge (serve, test mode) or
// alone ("paybridge sandbox").
type Sandbox struct {
	// Prefix is where paybridge and "paybridge sandbox --addr" mount it:
	// "/sandbox/<name>".
	Prefix string
	// New builds the sandbox paybridge mounts for a provider without
	// credentials, and the adapter that talks to it.
	New func(settings any, o SandboxOptions) SandboxInstance
	// Flags adds the provider's own flags to "paybridge sandbox" and
	// returns what builds its standalone sandbox from them once parsed.
	Flags func(fs *flag.FlagSet) StandaloneFunc
	// AtRoot serves the sandbox also at the root of "paybridge sandbox
	// --addr", where clients of the first sandbox (KakaoPay's) found it.
	// At most one registration may set it.
	AtRoot bool
}

// SandboxOptions are what a sandbox needs from whoever runs it.
type SandboxOptions struct {
	// PublicURL is where browsers reach the sandbox's root (its window,
	// receipts); "" derives it from each request.
	PublicURL string
	Logger    *slog.Logger
	// WebhookURL is where the sandbox delivers the provider's webhooks
	// (paybridge's own Webhook.Path), sent with WebhookClient; "" sends
	// none.
	WebhookURL    string
	WebhookClient *http.Client
}

// SandboxInstance is a sandbox built for paybridge: its handler (the
// sandbox package's *Sandbox, which tests reach for faults and counters)
// and the adapter that talks to it.
type SandboxInstance struct {
	Handler http.Handler
	// Adapter builds the provider's adapter against the sandbox, mounted at
	// its PublicURL; env.HTTPClient reaches the mounted handler in-process.
	Adapter func(env Env) (payment.Provider, error)
}

// StandaloneFunc builds a standalone sandbox from the parsed flags. Keys
// are the masked keys it was told to accept, for the log (slog key/value
// pairs).
type StandaloneFunc func(o SandboxOptions) (h http.Handler, keys []any, err error)

// Webhook is the route a provider notifies paybridge on. Several
// providers may share one path (PortOne V1 and V2 both post to
// /webhooks/portone, as both are configured in one PortOne console):
// each delivery then goes to the first one that Claims it, else to the
// one without Claims.
type Webhook struct {
	Path string
	// Claims reports whether a delivery on a shared path is this
	// provider's; nil: every delivery no other provider claims.
	Claims func(h http.Header) bool
	// Signed reports whether a delivery carries a signature, which the
	// adapter checks before any provider call: such deliveries skip the
	// per-client-IP limit that unsigned ones (each costing a lookup) are
	// under. nil: never signed.
	Signed func(h http.Header) bool
}

// Checkout is how paybridge's checkout page opens the provider's window
// with the browser SDK, when the provider has no redirect URL of its own.
type Checkout struct {
	// Script is the SDK's URL, as the provider documents it.
	Script string
	// Params are the public, browser-side values the SDK needs (a client
	// key, a store id…), from the settings. Never a secret.
	Params func(settings any) map[string]string
	// JS is the body of a function pay(p, back): p is the payment (id,
	// name, amount, taxFree, customer, returnURL, failURL, params) and
	// back(query) returns the buyer to returnURL with the query.
	JS string
}
