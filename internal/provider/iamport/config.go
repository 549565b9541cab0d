package iamport

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/provider"
)

// DefaultBaseURL is PortOne V1's REST API host (docs/providers.md §2).
const DefaultBaseURL = "https://api.iamport.kr"

// Config configures a PortOne V1 client.
type Config struct {
	// APIKey is the REST API key, sent as imp_key to /users/getToken.
	APIKey string
	// APISecret is the REST API secret, sent as imp_secret. It is never
	// logged and never appears in an error.
	APISecret string
	// BaseURL is the scheme, host and optional path prefix the API paths
	// ("/users/getToken", "/payments/…") are appended to; DefaultBaseURL if
	// empty. A prefix such as "http://host/sandbox/iamport" is kept.
	BaseURL string
	// WindowURL is the base URL of a payment window that takes
	// IMP.request_pay's parameters as a query: paybridge's sandbox serves
	// one at WindowURL + "/checkout". When set, Ready returns a redirect
	// there; when empty (real credentials), Ready returns no redirect and
	// paybridge's checkout page opens PortOne's window with the browser SDK.
	WindowURL string
	// HTTPClient sends the requests. If nil, a client with a 15 s overall
	// timeout that follows no redirects is used. A caller-supplied client
	// should have a Timeout too; every call also honours its context.
	HTTPClient *http.Client
	// Logger receives one debug line per call, warnings for lookup retries
	// and odd answers; nil discards. Secrets, tokens and bodies are never
	// logged.
	Logger *slog.Logger
	// Now is the clock the access token's expiry is kept in; time.Now if
	// nil.
	Now func() time.Time
	// AcceptTestPayments lets a payment made on a PortOne test channel
	// (sandbox: true) count as paid. paybridge's own sandbox needs it; with
	// live credentials it stays off, so a test-channel payment, which moved
	// no money, can never verify as a sale.
	AcceptTestPayments bool
}

// String, GoString, LogValue and MarshalJSON show c with its keys masked
// (provider.MaskedFields): c holds them in exported fields.
func (c Config) String() string               { return provider.MaskedFields(c, "APIKey", "APISecret") }
func (c Config) GoString() string             { return c.String() }
func (c Config) LogValue() slog.Value         { return slog.StringValue(c.String()) }
func (c Config) MarshalJSON() ([]byte, error) { return json.Marshal(c.String()) }

// Validate reports every problem with c at once (see provider.Problems).
func (c Config) Validate() error {
	p := provider.NewProblems("iamport")
	p.Key("APIKey", c.APIKey, "APIKey (imp_key) is required")
	p.Key("APISecret", c.APISecret, "APISecret (imp_secret) is required")
	p.BaseURL("BaseURL", c.BaseURL)
	p.BaseURL("WindowURL", c.WindowURL)
	return p.Err()
}

// Settings are PortOne V1's part of paybridge's configuration (the
// PAYBRIDGE_PORTONE_V1_… variables).
type Settings struct {
	APIKey       string // PAYBRIDGE_PORTONE_V1_API_KEY (imp_key)
	APISecret    string // PAYBRIDGE_PORTONE_V1_API_SECRET (imp_secret)
	MerchantCode string // PAYBRIDGE_PORTONE_V1_MERCHANT_CODE ("imp12345678", for the browser SDK)
	PG           string // PAYBRIDGE_PORTONE_V1_PG (the SDK's pg, e.g. "html5_inicis")
	BaseURL      string // PAYBRIDGE_PORTONE_V1_BASE_URL
}

// Sandbox reports whether PortOne V1 has no credentials.
func (s Settings) Sandbox() bool { return s.APIKey == "" && s.APISecret == "" }

// check is Validate's part for PortOne V1's settings.
func (s Settings) check() []error {
	var errs []error
	if (s.APIKey == "") != (s.APISecret == "") {
		errs = append(errs, errors.New("PAYBRIDGE_PORTONE_V1_API_KEY and PAYBRIDGE_PORTONE_V1_API_SECRET go together: set both or neither"))
	}
	if !s.Sandbox() && s.MerchantCode == "" {
		errs = append(errs, errors.New("PAYBRIDGE_PORTONE_V1_MERCHANT_CODE is required with PortOne V1 credentials (the browser SDK needs it)"))
	}
	return append(errs, provider.CheckBaseURL("PAYBRIDGE_PORTONE_V1_BASE_URL", s.BaseURL, s.Sandbox())...)
}

// testCredentials: a payment through one of PortOne V1's shared test
// channels (the merchant id in the pg) moves no money.
func (s Settings) testCredentials() string {
	if mid := testMID(s.PG); mid != "" {
		return "the test channel " + mid + " in PAYBRIDGE_PORTONE_V1_PG"
	}
	return ""
}

// testMIDs are the PG merchant ids of PortOne V1's shared test channels: a
// pg "html5_inicis.INIpayTest" collects no money.
var testMIDs = []string{"INIpayTest", "INIBillTst", "iamport00m", "iamporttest", "T0000", "TC0ONETIME", "tosstest"}

func testMID(pg string) string {
	_, mid, ok := strings.Cut(pg, ".")
	if !ok {
		return ""
	}
	for _, t := range testMIDs {
		if strings.EqualFold(mid, t) || strings.HasPrefix(strings.ToLower(mid), strings.ToLower(t)) {
			return mid
		}
	}
	return ""
}

// config is the adapter's configuration from the settings.
func (s Settings) config(env provider.Env) Config {
	return Config{APIKey: s.APIKey, APISecret: s.APISecret, BaseURL: s.BaseURL,
		Logger: env.Logger, HTTPClient: env.HTTPClient, AcceptTestPayments: env.TestCredentials}
}

// String, GoString, LogValue and MarshalJSON show the settings with every secret masked
// (see provider.Configuration.Masked).
func (s Settings) String() string               { return Registration.Config.Masked(s) }
func (s Settings) GoString() string             { return s.String() }
func (s Settings) LogValue() slog.Value         { return slog.StringValue(s.String()) }
func (s Settings) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }
