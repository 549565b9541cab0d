package app_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/provider"
	"github.com/paybridge/paybridge/internal/provider/registry"
	"github.com/paybridge/paybridge/internal/stdwebhook"
)

// Ensure every registered provider is wired everywhere the registry
// promises: its sandbox is mounted and takes a payment, its webhook route
// answers, the served OpenAPI document names it and its route, its
// adapter finishes the way its registration says, and its settings are
// read from the environment and printed masked by "paybridge config".
func TestRegistry_EveryProviderIsWired(t *testing.T) {
	a := apptest.Start(t)
	status, b := do(t, a, "GET", "/openapi.json", "", "")
	if status != http.StatusOK {
		t.Fatalf("openapi.json: %d", status)
	}
	var doc struct {
		Paths      map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas struct {
				Provider struct {
					Enum []string `json:"enum"`
				} `json:"Provider"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(registry.All()) == 0 {
		t.Fatal("the registry is empty")
	}
	for i, r := range registry.All() {
		t.Run(r.Name, func(t *testing.T) {
			if r.Name == "" || r.Label["ko"] == "" || r.Label["en"] == "" || r.IDLabel["ko"] == "" || r.IDLabel["en"] == "" {
				t.Errorf("registration lacks a name or labels: %+v", r)
			}
			if !slices.Contains(doc.Components.Schemas.Provider.Enum, r.Name) {
				t.Errorf("the OpenAPI Provider enum lacks %s", r.Name)
			}

			// The sandbox: mounted, and a payment with the provider goes to
			// its window, which answers.
			if a.Sandbox(r.Name) == nil || !strings.HasPrefix(r.Sandbox.Prefix, "/sandbox/") {
				t.Fatalf("no sandbox mounted (prefix %q)", r.Sandbox.Prefix)
			}
			p := MustCreateWith(t, a, r.Name, "registry-"+r.Name, int64(1000+i))
			if !strings.HasPrefix(p.RedirectURL, a.Config.PublicURL+r.Sandbox.Prefix+"/") {
				t.Errorf("redirect_url %q is not in the sandbox at %s", p.RedirectURL, r.Sandbox.Prefix)
			}
			resp, err := a.Client.Get(loopback(a, p.RedirectURL))
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("the sandbox window answers %d", resp.StatusCode)
			}

			// The webhook route: served, and documented.
			if r.Webhook != nil {
				if _, ok := doc.Paths[r.Webhook.Path]["post"]; !ok {
					t.Errorf("the OpenAPI document lacks POST %s", r.Webhook.Path)
				}
				req, _ := http.NewRequest("POST", a.URL()+r.Webhook.Path, strings.NewReader(`{}`))
				req.Header.Set("Content-Type", "application/json")
				if r.Webhook.Claims != nil {
					// A delivery shaped as this provider's, with a bad
					// signature where it signs.
					req.Header.Set(stdwebhook.HeaderID, "msg_registry")
					req.Header.Set(stdwebhook.HeaderTimestamp, "1")
					req.Header.Set(stdwebhook.HeaderSignature, "v1,bad")
				}
				resp, err := a.Client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				switch {
				case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed:
					t.Errorf("POST %s: %d", r.Webhook.Path, resp.StatusCode)
				case r.Webhook.Signed != nil && r.Webhook.Signed(req.Header) && resp.StatusCode != http.StatusUnauthorized:
					// It reached this provider, which checks signatures.
					t.Errorf("POST %s with a bad signature: %d, want 401", r.Webhook.Path, resp.StatusCode)
				}
			}

			// The adapter finishes as the registration says.
			sb := r.Sandbox.New(r.Config.Default, provider.SandboxOptions{PublicURL: "http://sandbox.invalid" + r.Sandbox.Prefix})
			adapter, err := sb.Adapter(provider.Env{HTTPClient: http.DefaultClient})
			if err != nil {
				t.Fatal(err)
			}
			if adapter.Name() != r.Name || adapter.Finishing() != r.Finishing {
				t.Errorf("adapter %s finishes %+v, registration says %s %+v", adapter.Name(), adapter.Finishing(), r.Name, r.Finishing)
			}
			if r.Checkout != nil && (!strings.HasPrefix(r.Checkout.Script, "https://") || r.Checkout.JS == "") {
				t.Errorf("checkout without an https SDK script or its call: %+v", r.Checkout)
			}

			checkSettings(t, r)
		})
	}
}

// checkSettings sets every one of r's settings in the environment and
// checks that the configuration reads them, that r then counts as
// configured, and that "paybridge config" (Config.Print) prints the
// public values and masks the secret ones.
func checkSettings(t *testing.T, r *provider.Registration) {
	t.Helper()
	if !r.Config.Sandbox(r.Config.Default) {
		t.Error("the default settings have credentials")
	}
	if len(r.Config.Settings) == 0 {
		t.Fatal("no settings")
	}
	env := map[string]string{}
	for _, s := range r.Config.Settings {
		if !strings.HasPrefix(s.Env, "PAYBRIDGE_") {
			t.Errorf("setting %s is not a PAYBRIDGE_ variable", s.Env)
		}
		switch {
		case s.Bool:
			env[s.Env] = "true"
		case s.Secret:
			env[s.Env] = "whsec_c2VjcmV0LWRvLW5vdC1zaG93" // "secret-do-not-show"
		default:
			env[s.Env] = "value-of-" + strings.ToLower(s.Env)
		}
	}
	c, err := config.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	settings := c.ProviderSettings(r.Name)
	for _, s := range r.Config.Settings {
		if got := s.Get(settings); got != env[s.Env] {
			t.Errorf("%s read as %q, want %q", s.Env, got, env[s.Env])
		}
	}
	for _, p := range c.Providers() {
		if p.Name == r.Name && p.State != config.StateLive {
			t.Errorf("with every setting given, %s is %s", r.Name, p.State)
		}
	}
	var out bytes.Buffer
	c.Print(&out)
	if strings.Contains(out.String(), "c2VjcmV0LWRvLW5vdC1zaG93") {
		t.Error("paybridge config prints a secret")
	}
	for _, s := range r.Config.Settings {
		want := env[s.Env]
		if s.Secret {
			want = "(set)"
		}
		if !strings.Contains(out.String(), s.Env) || !strings.Contains(lineOf(out.String(), s.Env), want) {
			t.Errorf("paybridge config prints %q for %s, want %q", lineOf(out.String(), s.Env), s.Env, want)
		}
	}
}

// lineOf is the line of a printed configuration that starts with env.
func lineOf(out, env string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, env+" ") {
			return l
		}
	}
	return ""
}
