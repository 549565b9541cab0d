package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/paybridge/paybridge/internal/provider"
	"github.com/paybridge/paybridge/internal/provider/registry"
)

// Provider states.
const (
	// StateLive: the provider's real API with the configured credentials.
	StateLive = "live"
	// StateSandbox: the built-in sandbox (test mode, no credentials).
	StateSandbox = "sandbox"
	// StateDisabled: no credentials in live mode; payments for it are
	// refused with provider_not_enabled.
	StateDisabled = "disabled"
)

// ProviderState is one provider as this configuration runs it.
type ProviderState struct {
	Name  string // kakaopay, portone, iamport, toss
	State string // StateLive, StateSandbox or StateDisabled
	// TestCredentials: the credentials are the provider's test ones, which
	// move no money (Toss test_sk_, KakaoPay DEV keys or a TC… test CID,
	// PortOne V1 test PG merchant ids).
	TestCredentials bool
	// Why names what made TestCredentials true.
	Why string
}

// Livemode reports whether payments through the provider move real money.
func (p ProviderState) Livemode() bool { return p.State == StateLive && !p.TestCredentials }

// Providers reports every registered provider's state, in the order
// paybridge offers them.
func (c Config) Providers() []ProviderState {
	var out []ProviderState
	for _, r := range registry.All() {
		settings := c.ProviderSettings(r.Name)
		p := ProviderState{Name: r.Name, State: StateSandbox}
		switch {
		case !r.Config.Sandbox(settings):
			p.State = StateLive
			p.Why = r.Config.TestCredentials(settings)
			p.TestCredentials = p.Why != ""
		case c.Live():
			p.State = StateDisabled
		}
		out = append(out, p)
	}
	return out
}

// liveProblems are live mode's rules: real providers only, a key for
// secrets at rest, and no test credentials unless explicitly allowed.
func (c Config) liveProblems() []error {
	if !c.Live() {
		return nil
	}
	var errs []error
	live := 0
	for _, p := range c.Providers() {
		if p.State != StateLive {
			continue
		}
		live++
		if p.TestCredentials && !c.AllowTestCredentials {
			errs = append(errs, fmt.Errorf("live mode: %s is configured with test credentials (%s) that move no money: set its live credentials, or PAYBRIDGE_ALLOW_TEST_CREDENTIALS=1 if this is deliberate", p.Name, p.Why))
		}
	}
	errs = append(errs, c.liveBaseURLProblems()...)
	if live == 0 {
		var names []string
		for _, r := range registry.All() {
			names = append(names, r.Label["en"])
		}
		errs = append(errs, fmt.Errorf("live mode: no provider is configured: set one provider's credentials (%s)", strings.Join(names, ", ")))
	}
	if c.SecretKey == "" {
		errs = append(errs, errors.New("live mode: PAYBRIDGE_SECRET_KEY (or _FILE) is required: it encrypts webhook secrets at rest (generate one with: openssl rand -base64 32)"))
	}
	if c.PublicURL == "" {
		errs = append(errs, errors.New("live mode: PAYBRIDGE_PUBLIC_URL is required: providers send buyers back to it"))
	}
	return errs
}

// baseURLOverride is a provider's base URL setting that is set, on a
// provider whose adapter uses it (one with credentials).
type baseURLOverride struct {
	reg      *provider.Registration
	env, url string
}

// baseURLOverrides lists the base URLs set on providers with credentials:
// their calls go there instead of to the provider's own API.
func (c Config) baseURLOverrides() []baseURLOverride {
	var out []baseURLOverride
	for _, r := range registry.All() {
		settings := c.ProviderSettings(r.Name)
		if r.Config.Sandbox(settings) {
			continue // the base URL is refused (provider.CheckBaseURL) and unused
		}
		for _, s := range r.Config.Settings {
			if v := s.Get(settings); s.IsBaseURL() && v != "" {
				out = append(out, baseURLOverride{reg: r, env: s.Env, url: v})
			}
		}
	}
	return out
}

// liveBaseURLProblems holds live mode's providers to https and away from a
// paybridge sandbox (provider.CheckLiveBaseURL): a base URL left from a
// test setup would otherwise send the live secret key in clear, or take a
// sandbox's "paid" for real money.
func (c Config) liveBaseURLProblems() []error {
	var errs []error
	for _, o := range c.baseURLOverrides() {
		if err := provider.CheckLiveBaseURL(o.env, o.url, o.reg.Sandbox.Prefix); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// Warnings are things worth an operator's attention that do not stop
// paybridge: a provider's base URL overridden (in either mode: its calls go
// elsewhere than its own API), test credentials allowed in live mode, a
// public URL that is not https in live mode.
func (c Config) Warnings() []string {
	var w []string
	for _, o := range c.baseURLOverrides() {
		where := "an address that is not a URL"
		if u, err := url.Parse(o.url); err == nil {
			where = u.Scheme + "://" + u.Host // never the rest: a URL may carry credentials
		}
		w = append(w, fmt.Sprintf("%s is set: %s's calls go to %s, not to %s's own API", o.env, o.reg.Name, where, o.reg.Title))
	}
	if c.Live() {
		for _, p := range c.Providers() {
			if p.State == StateLive && p.TestCredentials && c.AllowTestCredentials {
				w = append(w, fmt.Sprintf("TEST CREDENTIALS IN LIVE MODE: %s uses %s; its payments move no money and carry livemode=false", p.Name, p.Why))
			}
		}
		if u, err := url.Parse(c.PublicURL); err == nil && c.PublicURL != "" && u.Scheme != "https" {
			w = append(w, "live mode with a public URL that is not https: buyers' browsers reach paybridge unencrypted")
		}
		if c.DemoShopEnabled() {
			w = append(w, "the demo shop is on in live mode: anyone can start payments with real money from it")
		}
	}
	return append(w, c.dropInWarnings()...)
}

// PrintProviders writes the mode and one line per provider.
func (c Config) PrintProviders(w io.Writer) {
	fmt.Fprintf(w, "mode: %s\n", c.Mode)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "provider\tstate\tlivemode\tnote")
	for _, p := range c.Providers() {
		note := ""
		switch {
		case p.TestCredentials:
			note = "test credentials: " + p.Why
		case p.State == StateSandbox:
			note = "built-in sandbox, no real money"
		case p.State == StateDisabled:
			note = "no credentials: payments refused (provider_not_enabled)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%v\t%s\n", p.Name, p.State, p.Livemode(), note)
	}
	tw.Flush()
}

// Print writes every setting (secrets masked, passwords redacted), then the
// mode and provider table.
func (c Config) Print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, s := range Settings {
		fmt.Fprintf(tw, "%s\t%s\n", s.Env, s.Value(&c))
	}
	tw.Flush()
	fmt.Fprintln(w)
	c.PrintProviders(w)
}

// GoString, LogValue and MarshalJSON (a JSON string) are String: a Config
// holds secrets in exported fields (SecretKey, the database URL's password,
// each provider's settings), which %#v, slog's JSON handler and
// encoding/json would otherwise print.
func (c Config) GoString() string             { return c.String() }
func (c Config) LogValue() slog.Value         { return slog.StringValue(c.String()) }
func (c Config) MarshalJSON() ([]byte, error) { return json.Marshal(c.String()) }

// String prints the configuration on one line with every secret masked.
func (c Config) String() string {
	var b strings.Builder
	for i, s := range Settings {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strings.ToLower(strings.TrimPrefix(s.Env, "PAYBRIDGE_")) + "=" + s.Value(&c))
	}
	return b.String()
}
