package toss

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestConfig_Validate(t *testing.T) {
	valid := Config{SecretKey: testSecretKey, ClientKey: testClientKey}
	for _, tt := range []struct {
		name string
		mod  func(*Config)
		want string // fragment of the error; "" = valid
	}{
		{"Valid", func(*Config) {}, ""},
		{"Live", func(c *Config) { c.SecretKey, c.ClientKey = "live_sk_abc123", "live_ck_abc123" }, ""},
		{"Widget", func(c *Config) { c.SecretKey, c.ClientKey = "test_gsk_abc123", "test_gck_abc123" }, ""},
		{"WithURLs", func(c *Config) {
			c.BaseURL, c.WindowURL = "http://127.0.0.1:8080/sandbox/toss/", "http://localhost:8080/sandbox/toss"
		}, ""},
		{"NoSecretKey", func(c *Config) { c.SecretKey = "" }, "SecretKey is required"},
		{"SecretKeyNewline", func(c *Config) { c.SecretKey += "\n" }, "whitespace"},
		{"SecretKeyIsClientKey", func(c *Config) { c.SecretKey = testClientKey }, "holds a client key"},
		{"SecretKeyPrefix", func(c *Config) { c.SecretKey = "sk_abc" }, "must start with test_sk_"},
		{"SecretKeyOnlyPrefix", func(c *Config) { c.SecretKey = "test_sk_" }, "must start with test_sk_"},
		{"NoClientKey", func(c *Config) { c.ClientKey = "" }, "ClientKey is required"},
		{"ClientKeyIsSecretKey", func(c *Config) { c.ClientKey = "test_sk_another" }, "must never reach a browser"},
		{"ClientKeyPrefix", func(c *Config) { c.ClientKey = "ck_abc" }, "must start with test_ck_"},
		{"MixedModes", func(c *Config) { c.ClientKey = "live_ck_abc" }, "mix test and live"},
		{"MixedKinds", func(c *Config) { c.ClientKey = "test_gck_abc" }, "mix widget"},
		{"BaseURLScheme", func(c *Config) { c.BaseURL = "ftp://api.tosspayments.com" }, "BaseURL must be an http"},
		{"BaseURLQuery", func(c *Config) { c.BaseURL = "https://api.tosspayments.com?x=1" }, "BaseURL must not have a query"},
		{"BaseURLNoHost", func(c *Config) { c.BaseURL = "https:///v1" }, "BaseURL has no host"},
		{"BaseURLUser", func(c *Config) { c.BaseURL = "https://u:p@api.tosspayments.com" }, "credentials"},
		{"WindowURLFragment", func(c *Config) { c.WindowURL = "http://localhost/sandbox#x" }, "WindowURL must not have"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := valid
			tt.mod(&c)
			err := c.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				if _, err := New(c); err != nil {
					t.Fatalf("New = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate = %v, want an error with %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "LEAK") || strings.Contains(err.Error(), "abc") {
				t.Errorf("the error shows a key: %v", err)
			}
			if _, err := New(c); err == nil {
				t.Error("New accepted an invalid config")
			}
		})
	}

	t.Run("ReportsEveryProblem", func(t *testing.T) {
		err := Config{BaseURL: "ftp://x"}.Validate()
		for _, want := range []string{"SecretKey is required", "ClientKey is required", "BaseURL"} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("Validate = %v, want it to mention %q", err, want)
			}
		}
	})
}

func TestNew_Defaults(t *testing.T) {
	c := MustClient(t, "")
	if c.t.BaseURL != DefaultBaseURL || c.Name() != "toss" || c.ClientKey() != testClientKey {
		t.Fatalf("baseURL %q, name %q, client key %q", c.t.BaseURL, c.Name(), c.ClientKey())
	}
	if c.t.Timeout() != 15*time.Second {
		t.Errorf("default timeout = %v, want 15s", c.t.Timeout())
	}
	if c.t.HTTP.CheckRedirect == nil || c.t.HTTP.CheckRedirect(&http.Request{}, nil) != http.ErrUseLastResponse {
		t.Error("the default client follows redirects")
	}
	if c.t.Auth != testAuth {
		t.Errorf("auth = %q, want %q (secret key + ':' in base64)", c.t.Auth, testAuth)
	}
	if c := MustClient(t, "http://h/sandbox/toss/"); c.t.BaseURL != "http://h/sandbox/toss" {
		t.Errorf("baseURL = %q: the prefix must be kept, the trailing slash dropped", c.t.BaseURL)
	}
}
