package portone

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/paybridge/paybridge/internal/provider"
	"github.com/paybridge/paybridge/internal/stdwebhook"
)

// DefaultBaseURL is PortOne V2's API host (docs/providers.md §3).
const DefaultBaseURL = "https://api.portone.io"

// maxWebhookSecrets is how many webhook secrets PortOne keeps active at once,
// so that a secret can be rotated without a gap (docs/providers.md §3.4).
const maxWebhookSecrets = 2

// Config configures a PortOne V2 client.
type Config struct {
	// APISecret is the store's V2 API secret, sent as
	// "Authorization: PortOne {APISecret}". Required.
	APISecret string
	// StoreID is sent as storeId where the API takes one. Optional: PortOne
	// then uses the store of the API secret. Needed when one secret
	// serves several stores.
	StoreID string
	// WebhookSecrets verify incoming webhooks (Standard Webhooks, "whsec_…").
	// Up to two may be active during a rotation. Without any, every webhook
	// is refused.
	WebhookSecrets []string
	// BaseURL is the scheme, host and optional path prefix the API paths
	// ("/payments/…") are appended to; DefaultBaseURL if empty. A prefix
	// such as "http://host/sandbox/portone" is kept.
	BaseURL string
	// WindowURL is the base of paybridge's PortOne sandbox, whose buyer
	// window is WindowURL + "/checkout". Set only against the sandbox: with
	// real credentials it stays empty and paybridge's checkout page opens
	// PortOne's window through the browser SDK instead.
	WindowURL string
	// HTTPClient sends the requests. If nil, a client with a 15 s overall
	// timeout that follows no redirects is used. A caller-supplied client
	// should have a Timeout too; every call also honours its context.
	HTTPClient *http.Client
	// Logger receives one debug line per call and a warning per lookup
	// retry; nil discards. Secrets and bodies are never logged.
	Logger *slog.Logger
	// Now is the clock used for webhook timestamps and ReadyResult.CreatedAt;
	// time.Now if nil.
	Now func() time.Time
	// AcceptTestPayments lets a payment made on a PortOne test channel
	// (channel.type TEST) count as paid: against the sandbox, or when the
	// operator configured a test channel on purpose. Otherwise such a
	// payment, which moved no money, never verifies as paid (as PortOne V1).
	AcceptTestPayments bool
}

// String, GoString, LogValue and MarshalJSON show c with its keys masked
// (provider.MaskedFields): c holds them in exported fields.
func (c Config) String() string               { return provider.MaskedFields(c, "APISecret", "WebhookSecrets") }
func (c Config) GoString() string             { return c.String() }
func (c Config) LogValue() slog.Value         { return slog.StringValue(c.String()) }
func (c Config) MarshalJSON() ([]byte, error) { return json.Marshal(c.String()) }

// Validate reports every problem with c at once (see provider.Problems).
func (c Config) Validate() error {
	p := provider.NewProblems("portone")
	p.Key("APISecret", c.APISecret, "APISecret is required")
	p.Key("StoreID", c.StoreID, "")
	if len(c.WebhookSecrets) > maxWebhookSecrets {
		p.Add("at most %d WebhookSecrets may be active, got %d", maxWebhookSecrets, len(c.WebhookSecrets))
	}
	for i, s := range c.WebhookSecrets {
		// Signing once is the cheapest proof that the secret decodes; a bad
		// one found here beats every webhook failing later.
		if _, err := stdwebhook.Sign(s, "check", time.Unix(0, 0), nil); err != nil {
			p.Add("WebhookSecrets[%d] is not a base64 secret (whsec_…)", i)
		}
	}
	p.BaseURL("BaseURL", c.BaseURL)
	p.BaseURL("WindowURL", c.WindowURL)
	return p.Err()
}

// Settings are PortOne V2's part of paybridge's configuration (the
// PAYBRIDGE_PORTONE_… variables).
type Settings struct {
	APISecret      string   // PAYBRIDGE_PORTONE_API_SECRET
	StoreID        string   // PAYBRIDGE_PORTONE_STORE_ID
	ChannelKey     string   // PAYBRIDGE_PORTONE_CHANNEL_KEY (for the browser SDK)
	WebhookSecrets []string // PAYBRIDGE_PORTONE_WEBHOOK_SECRET: whsec_… (two, comma-separated, while rotating)
	BaseURL        string   // PAYBRIDGE_PORTONE_BASE_URL
	// TestChannel says the channel is one of PortOne's test channels
	// (PAYBRIDGE_PORTONE_TEST_CHANNEL): V2 keys do not tell. Its payments
	// are then accepted, with livemode false; without it, a payment PortOne
	// reports on a TEST channel never counts as paid.
	TestChannel bool
}

// Sandbox reports whether PortOne V2 has no credentials.
func (s Settings) Sandbox() bool { return s.APISecret == "" }

// check is Validate's part for PortOne V2's settings.
func (s Settings) check() []error {
	var errs []error
	if !s.Sandbox() && (s.StoreID == "" || s.ChannelKey == "") {
		errs = append(errs, errors.New("PAYBRIDGE_PORTONE_STORE_ID and PAYBRIDGE_PORTONE_CHANNEL_KEY are required with PAYBRIDGE_PORTONE_API_SECRET"))
	}
	if len(s.WebhookSecrets) > maxWebhookSecrets {
		errs = append(errs, errors.New("PAYBRIDGE_PORTONE_WEBHOOK_SECRET: at most two secrets (the current one and the next, while rotating)"))
	}
	return append(errs, provider.CheckBaseURL("PAYBRIDGE_PORTONE_BASE_URL", s.BaseURL, s.Sandbox())...)
}

// testCredentials: V2 keys do not say whether a channel is a test one, so
// the operator says it.
func (s Settings) testCredentials() string {
	if s.TestChannel {
		return "a test channel (PAYBRIDGE_PORTONE_TEST_CHANNEL)"
	}
	return ""
}

// config is the adapter's configuration from the settings.
func (s Settings) config(env provider.Env) Config {
	return Config{APISecret: s.APISecret, StoreID: s.StoreID, WebhookSecrets: s.WebhookSecrets, BaseURL: s.BaseURL,
		Logger: env.Logger, HTTPClient: env.HTTPClient, AcceptTestPayments: env.TestCredentials}
}

// String, GoString, LogValue and MarshalJSON show the settings with every secret masked
// (see provider.Configuration.Masked).
func (s Settings) String() string               { return Registration.Config.Masked(s) }
func (s Settings) GoString() string             { return s.String() }
func (s Settings) LogValue() slog.Value         { return slog.StringValue(s.String()) }
func (s Settings) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }
