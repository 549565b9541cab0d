package kakaopay

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/paybridge/paybridge/internal/provider"
)

// KakaoPay's two API generations. They share request and response field
// names and differ in host, path prefix, auth scheme, body encoding and the
// names of the error fields (docs/providers.md §1.1).
const (
	GenerationCurrent = "current" // open-api.kakaopay.com, SECRET_KEY, JSON
	GenerationLegacy  = "legacy"  // kapi.kakao.com, KakaoAK, form-urlencoded
)

// Defaults applied by New to an empty Config field.
const (
	// DefaultCID is KakaoPay's test CID for single payments, valid on both
	// generations.
	DefaultCID = "TC0ONETIME"
	// DefaultCurrentBaseURL is the host of the current API.
	DefaultCurrentBaseURL = "https://open-api.kakaopay.com"
	// DefaultLegacyBaseURL is the host of the legacy (Kakao Developers) API.
	DefaultLegacyBaseURL = "https://kapi.kakao.com"
)

// cidLen is the length of every KakaoPay CID (docs/providers.md §1.1).
const cidLen = 10

// Config configures a KakaoPay client. Exactly one of SecretKey and AdminKey
// is set; which one selects the API generation.
type Config struct {
	// SecretKey selects the current API (open-api.kakaopay.com): header
	// "SECRET_KEY {key}", JSON bodies.
	SecretKey string
	// AdminKey selects the legacy API (kapi.kakao.com): header
	// "KakaoAK {key}", form bodies. Used only when SecretKey is empty.
	AdminKey string
	// CID is the merchant code; DefaultCID if empty.
	CID string
	// BaseURL is the scheme, host and optional path prefix the API paths
	// ("/online/v1/payment/…" or "/v1/payment/…") are appended to. The
	// generation's public host if empty. A prefix such as
	// "http://host/sandbox/kakaopay" is kept.
	BaseURL string
	// HTTPClient sends the requests. If nil, a client with a 15 s overall
	// timeout is used (KakaoPay's own platform timeout is 11 s, so a slower
	// answer is not coming). A caller-supplied client should have a Timeout
	// too; every call also honours its context's deadline.
	HTTPClient *http.Client
	// Logger receives one debug line per call and a warning per lookup
	// retry; nil discards. Keys and bodies are never logged.
	Logger *slog.Logger
}

// String, GoString, LogValue and MarshalJSON show c with its keys masked
// (provider.MaskedFields): c holds them in exported fields.
func (c Config) String() string               { return provider.MaskedFields(c, "SecretKey", "AdminKey") }
func (c Config) GoString() string             { return c.String() }
func (c Config) LogValue() slog.Value         { return slog.StringValue(c.String()) }
func (c Config) MarshalJSON() ([]byte, error) { return json.Marshal(c.String()) }

// Generation is GenerationCurrent when SecretKey is set and GenerationLegacy
// otherwise.
func (c Config) Generation() string {
	if c.SecretKey != "" {
		return GenerationCurrent
	}
	return GenerationLegacy
}

// Validate reports every problem with c at once (see provider.Problems).
func (c Config) Validate() error {
	p := provider.NewProblems("kakaopay")
	switch {
	case c.SecretKey == "" && c.AdminKey == "":
		p.Add("one of SecretKey (current API) or AdminKey (legacy API) is required")
	case c.SecretKey != "" && c.AdminKey != "":
		// Sending one generation's key to the other's host is a classic
		// mistake (docs/providers.md §5.6); refuse to guess which one was meant.
		p.Add("set only one of SecretKey (current API) or AdminKey (legacy API), not both")
	}
	p.Key("SecretKey", c.SecretKey, "")
	p.Key("AdminKey", c.AdminKey, "")
	if c.CID != "" && len([]rune(c.CID)) != cidLen {
		p.Add("CID must be %d characters, got %d", cidLen, len([]rune(c.CID)))
	}
	p.BaseURL("BaseURL", c.BaseURL)
	return p.Err()
}

// Settings are KakaoPay's part of paybridge's configuration (the
// PAYBRIDGE_KAKAOPAY_… variables). With neither key set, paybridge runs
// against its built-in sandbox (test mode) or disables KakaoPay (live mode).
type Settings struct {
	SecretKey string // PAYBRIDGE_KAKAOPAY_SECRET_KEY: current API (open-api.kakaopay.com)
	AdminKey  string // PAYBRIDGE_KAKAOPAY_ADMIN_KEY: legacy API (kapi.kakao.com)
	CID       string // PAYBRIDGE_KAKAOPAY_CID, default TC0ONETIME
	BaseURL   string // PAYBRIDGE_KAKAOPAY_BASE_URL: another host, e.g. a standalone sandbox
}

// Sandbox reports whether KakaoPay has no credentials.
func (s Settings) Sandbox() bool { return s.SecretKey == "" && s.AdminKey == "" }

// check is Validate's part for KakaoPay's settings.
func (s Settings) check() []error {
	var errs []error
	if s.SecretKey != "" && s.AdminKey != "" {
		errs = append(errs, errors.New("PAYBRIDGE_KAKAOPAY_SECRET_KEY and PAYBRIDGE_KAKAOPAY_ADMIN_KEY are both set: choose the current (secret key) or the legacy (admin key) API"))
	}
	if len(s.CID) != cidLen {
		errs = append(errs, fmt.Errorf("PAYBRIDGE_KAKAOPAY_CID: a CID has %d characters, got %d", cidLen, len(s.CID)))
	}
	return append(errs, provider.CheckBaseURL("PAYBRIDGE_KAKAOPAY_BASE_URL", s.BaseURL, s.Sandbox())...)
}

// testCredentials names what makes the keys KakaoPay's test ones: a DEV
// secret key, or a test CID (TC…), with which no money moves.
func (s Settings) testCredentials() string {
	switch {
	case strings.HasPrefix(strings.ToUpper(s.SecretKey), "DEV"):
		return "a DEV secret key"
	case strings.HasPrefix(s.CID, "TC"):
		return "the test CID " + s.CID
	}
	return ""
}

// config is the adapter's configuration from the settings.
func (s Settings) config(env provider.Env) Config {
	return Config{SecretKey: s.SecretKey, AdminKey: s.AdminKey, CID: s.CID, BaseURL: s.BaseURL,
		Logger: env.Logger, HTTPClient: env.HTTPClient}
}

// String, GoString, LogValue and MarshalJSON show the settings with every secret masked
// (see provider.Configuration.Masked).
func (s Settings) String() string               { return Registration.Config.Masked(s) }
func (s Settings) GoString() string             { return s.String() }
func (s Settings) LogValue() slog.Value         { return slog.StringValue(s.String()) }
func (s Settings) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }
