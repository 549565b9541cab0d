package toss

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/paybridge/paybridge/internal/provider"
)

// DefaultBaseURL is the host of Toss Payments' core API.
const DefaultBaseURL = "https://api.tosspayments.com"

// Key prefixes (docs/providers.md §4.1). A secret key authenticates the server;
// a client key opens the buyer's window in the browser. Widget integrations
// (결제위젯) have their own pair, gsk/gck; API-window integrations (결제창)
// use sk/ck, and the two pairs do not mix (§5 item 21).
const (
	prefixTestSecret       = "test_sk_"
	prefixLiveSecret       = "live_sk_"
	prefixTestWidgetSecret = "test_gsk_"
	prefixLiveWidgetSecret = "live_gsk_"
	prefixTestClient       = "test_ck_"
	prefixLiveClient       = "live_ck_"
	prefixTestWidgetClient = "test_gck_"
	prefixLiveWidgetClient = "live_gck_"
)

// Config configures a Toss Payments client.
type Config struct {
	// SecretKey authenticates every API call: test_sk_… or live_sk_…
	// (test_gsk_… or live_gsk_… for widget integrations). It never leaves
	// the server.
	SecretKey string
	// ClientKey is the browser-side key of the same merchant (test_ck_… or
	// live_ck_…; test_gck_… or live_gck_… with a widget secret key). The
	// adapter only puts it into the sandbox window URL; with real
	// credentials paybridge's checkout page hands it to Toss's browser SDK.
	ClientKey string
	// BaseURL is the scheme, host and optional path prefix the API paths
	// ("/v1/payments/…") are appended to; DefaultBaseURL if empty. A prefix
	// such as "http://host/sandbox/toss" is kept.
	BaseURL string
	// WindowURL is the base URL of the sandbox's buyer window; Ready then
	// sends the buyer to WindowURL + "/checkout?…". Empty with real
	// credentials: Toss's window is opened by its browser SDK, not by a URL.
	WindowURL string
	// HTTPClient sends the requests. If nil, a client with a 15 s overall
	// timeout that follows no redirects is used. A caller-supplied client
	// should have a Timeout too; every call also honours its context.
	HTTPClient *http.Client
	// Logger receives one debug line per call and a warning per lookup
	// retry; nil discards. Keys and bodies are never logged.
	Logger *slog.Logger
}

// String, GoString, LogValue and MarshalJSON show c with its keys masked
// (provider.MaskedFields): c holds them in exported fields.
func (c Config) String() string               { return provider.MaskedFields(c, "SecretKey") }
func (c Config) GoString() string             { return c.String() }
func (c Config) LogValue() slog.Value         { return slog.StringValue(c.String()) }
func (c Config) MarshalJSON() ([]byte, error) { return json.Marshal(c.String()) }

// Validate reports every problem with c at once (see provider.Problems).
func (c Config) Validate() error {
	p := provider.NewProblems("toss")
	secretMode, secretWidget := keyKind(c.SecretKey, prefixTestSecret, prefixLiveSecret, prefixTestWidgetSecret, prefixLiveWidgetSecret)
	clientMode, clientWidget := keyKind(c.ClientKey, prefixTestClient, prefixLiveClient, prefixTestWidgetClient, prefixLiveWidgetClient)
	if p.Key("SecretKey", c.SecretKey, "SecretKey is required") {
		keyProblem(p, secretMode, clientKeyPrefix(c.SecretKey),
			"SecretKey holds a client key (test_ck_/live_ck_…); the secret key starts with test_sk_ or live_sk_",
			"SecretKey must start with test_sk_, live_sk_, test_gsk_ or live_gsk_")
	}
	// Without a client key no buyer can ever open Toss's window, in the
	// sandbox or for real: better to learn that at start. The client key
	// ends up in a browser: a secret key there would hand anyone the power
	// to confirm and cancel payments.
	if p.Key("ClientKey", c.ClientKey, "ClientKey is required (the browser SDK and the sandbox window need it)") {
		keyProblem(p, clientMode, secretKeyPrefix(c.ClientKey),
			"ClientKey holds a secret key, which must never reach a browser; the client key starts with test_ck_ or live_ck_",
			"ClientKey must start with test_ck_, live_ck_, test_gck_ or live_gck_")
	}
	if secretMode != "" && clientMode != "" {
		if secretMode != clientMode {
			p.Add("SecretKey and ClientKey mix test and live keys")
		}
		if secretWidget != clientWidget {
			p.Add("SecretKey and ClientKey mix widget (gsk/gck) and API-window (sk/ck) keys")
		}
	}
	p.BaseURL("BaseURL", c.BaseURL)
	p.BaseURL("WindowURL", c.WindowURL)
	return p.Err()
}

// keyProblem adds what is wrong with a key that is set: the other kind of
// key in its place (swapped), or none of its prefixes (mode "").
func keyProblem(p *provider.Problems, mode string, swapped bool, swappedMsg, unknownMsg string) {
	switch {
	case swapped:
		p.Add(swappedMsg)
	case mode == "":
		p.Add(unknownMsg)
	}
}

// keyKind returns "test" or "live" and whether key is a widget key, or ""
// when key has none of the four prefixes (test, live, test widget, live
// widget, in that order).
func keyKind(key, test, live, testWidget, liveWidget string) (mode string, widget bool) {
	switch {
	case strings.HasPrefix(key, test) && len(key) > len(test):
		return "test", false
	case strings.HasPrefix(key, live) && len(key) > len(live):
		return "live", false
	case strings.HasPrefix(key, testWidget) && len(key) > len(testWidget):
		return "test", true
	case strings.HasPrefix(key, liveWidget) && len(key) > len(liveWidget):
		return "live", true
	}
	return "", false
}

func clientKeyPrefix(key string) bool {
	m, _ := keyKind(key, prefixTestClient, prefixLiveClient, prefixTestWidgetClient, prefixLiveWidgetClient)
	return m != ""
}

func secretKeyPrefix(key string) bool {
	m, _ := keyKind(key, prefixTestSecret, prefixLiveSecret, prefixTestWidgetSecret, prefixLiveWidgetSecret)
	return m != ""
}

// Settings are Toss Payments' part of paybridge's configuration (the
// PAYBRIDGE_TOSS_… variables).
type Settings struct {
	SecretKey string // PAYBRIDGE_TOSS_SECRET_KEY (test_sk_… / live_sk_…)
	ClientKey string // PAYBRIDGE_TOSS_CLIENT_KEY (test_ck_… / live_ck_…, for the browser SDK)
	BaseURL   string // PAYBRIDGE_TOSS_BASE_URL
}

// Sandbox reports whether Toss has no credentials.
func (s Settings) Sandbox() bool { return s.SecretKey == "" }

// check is Validate's part for Toss's settings.
func (s Settings) check() []error {
	var errs []error
	if !s.Sandbox() && s.ClientKey == "" {
		errs = append(errs, errors.New("PAYBRIDGE_TOSS_CLIENT_KEY is required with PAYBRIDGE_TOSS_SECRET_KEY (the browser SDK needs it)"))
	}
	return append(errs, provider.CheckBaseURL("PAYBRIDGE_TOSS_BASE_URL", s.BaseURL, s.Sandbox())...)
}

// testCredentials: Toss's test keys say so in their prefix.
func (s Settings) testCredentials() string {
	if strings.HasPrefix(s.SecretKey, "test_") {
		return "a test_ secret key"
	}
	return ""
}

// config is the adapter's configuration from the settings.
func (s Settings) config(env provider.Env) Config {
	return Config{SecretKey: s.SecretKey, ClientKey: s.ClientKey, BaseURL: s.BaseURL, Logger: env.Logger, HTTPClient: env.HTTPClient}
}

// String, GoString, LogValue and MarshalJSON show the settings with every secret masked
// (see provider.Configuration.Masked).
func (s Settings) String() string               { return Registration.Config.Masked(s) }
func (s Settings) GoString() string             { return s.String() }
func (s Settings) LogValue() slog.Value         { return slog.StringValue(s.String()) }
func (s Settings) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }
