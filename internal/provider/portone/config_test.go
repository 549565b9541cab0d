package portone

import (
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/provider"
	"github.com/paybridge/paybridge/internal/stdwebhook"
	"github.com/paybridge/paybridge/internal/testutil"
)

func TestConfig_Validate(t *testing.T) {
	secret := stdwebhook.NewSecret()
	valid := []Config{
		{APISecret: "abc"},
		{APISecret: "abc", StoreID: "store-1", BaseURL: "http://127.0.0.1:8080/sandbox/portone", WindowURL: "http://127.0.0.1:8080/sandbox/portone/"},
		{APISecret: "abc", WebhookSecrets: []string{secret, stdwebhook.NewSecret()}},
		{APISecret: "abc", WebhookSecrets: []string{strings.TrimPrefix(secret, "whsec_")}},
	}
	testutil.CheckConfigs(t, Config.Validate, New, valid, []testutil.ConfigCase[Config]{
		{"ErrNoSecret", Config{}, []string{"APISecret is required"}},
		{"ErrSecretNewline", Config{APISecret: "abc\n"}, []string{"APISecret contains"}},
		{"ErrStoreSpace", Config{APISecret: "a", StoreID: "store 1"}, []string{"StoreID contains"}},
		{"ErrThreeWebhookSecrets", Config{APISecret: "a", WebhookSecrets: []string{secret, secret, secret}}, []string{"at most 2"}},
		{"ErrWebhookSecretNotBase64", Config{APISecret: "a", WebhookSecrets: []string{"whsec_!!!"}}, []string{"WebhookSecrets[0]"}},
		{"ErrWebhookSecretEmpty", Config{APISecret: "a", WebhookSecrets: []string{secret, ""}}, []string{"WebhookSecrets[1]"}},
		{"ErrBaseURLParse", Config{APISecret: "a", BaseURL: "http://[::1"}, []string{"BaseURL does not parse"}},
		{"ErrBaseURLScheme", Config{APISecret: "a", BaseURL: "ftp://host"}, []string{"BaseURL must be an http"}},
		{"ErrBaseURLRelative", Config{APISecret: "a", BaseURL: "api.portone.io"}, []string{"BaseURL must be an http"}},
		{"ErrBaseURLNoHost", Config{APISecret: "a", BaseURL: "http:///path"}, []string{"BaseURL has no host"}},
		{"ErrBaseURLQuery", Config{APISecret: "a", BaseURL: "http://h/?x=1"}, []string{"BaseURL must not have a query"}},
		{"ErrBaseURLUser", Config{APISecret: "a", BaseURL: "http://u:p@h/"}, []string{"BaseURL must not contain credentials"}},
		{"ErrWindowURLFragment", Config{APISecret: "a", WindowURL: "http://h/#x"}, []string{"WindowURL must not have a query"}},
		{"ErrAllAtOnce", Config{BaseURL: "ftp://h", WindowURL: "x"}, []string{"APISecret is required", "BaseURL must be", "WindowURL must be"}},
	})

	t.Run("NoSecretInMessages", func(t *testing.T) {
		bad := Config{APISecret: testSecret + " ", WebhookSecrets: []string{"whsec_" + testSecret + "!"}}
		err := bad.Validate()
		if err == nil || strings.Contains(err.Error(), "LEAK") {
			t.Fatalf("Validate() = %v; want an error that does not quote the secrets", err)
		}
	})
}

func TestNew_Defaults(t *testing.T) {
	c, err := New(Config{APISecret: "abc", BaseURL: "http://h/sandbox/portone/", WindowURL: "http://w/sb/"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Name() != "portone" {
		t.Errorf("Name = %q", c.Name())
	}
	if c.t.BaseURL != "http://h/sandbox/portone" || c.windowURL != "http://w/sb" {
		t.Errorf("baseURL %q windowURL %q: trailing slashes must go, prefixes stay", c.t.BaseURL, c.windowURL)
	}
	if c.t.Auth != "PortOne abc" {
		t.Errorf("auth = %q", c.t.Auth)
	}
	if c.t.Timeout() != provider.Timeout || c.t.HTTP.CheckRedirect == nil {
		t.Errorf("default HTTP client: timeout %v, CheckRedirect set %v", c.t.Timeout(), c.t.HTTP.CheckRedirect != nil)
	}
	d, err := New(Config{APISecret: "abc"})
	if err != nil {
		t.Fatal(err)
	}
	if d.t.BaseURL != DefaultBaseURL {
		t.Errorf("baseURL = %q, want %q", d.t.BaseURL, DefaultBaseURL)
	}
}
