package config_test

import (
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/secretbox"
)

// Ensure live mode refuses a provider base URL that would send the live
// secret key in clear over the network or point at a paybridge sandbox
// (which answers "paid" for money that never moved), with an error naming
// the variable; and that every base URL in use is a warning in either mode,
// naming where the calls go without the URL's credentials or path.
func TestProviders_LiveBaseURLMustBeHTTPS(t *testing.T) {
	const env = "PAYBRIDGE_KAKAOPAY_BASE_URL"
	for _, c := range []struct {
		name, mode, url string
		wantErr         string // "" valid
		wantWarn        string // "" no base URL warning
	}{
		{"unset", "live", "", "", ""},
		{"https", "live", "https://pg-proxy.shop.example/kakao", "", "https://pg-proxy.shop.example"},
		{"http", "live", "http://pg-proxy.shop.example", "must be an https:// URL", "http://pg-proxy.shop.example"},
		{"http to a private address", "live", "http://10.0.0.7:8081", "must be an https:// URL", "http://10.0.0.7:8081"},
		{"http to loopback", "live", "http://127.0.0.1:8443", "", "http://127.0.0.1:8443"},
		{"http to localhost", "live", "http://localhost:8443", "", "http://localhost:8443"},
		{"other scheme", "live", "ftp://pg.example", "must be an https:// URL", "ftp://pg.example"},
		{"a paybridge sandbox", "live", "https://sandbox.shop.example/sandbox/kakaopay", "names a paybridge sandbox", "https://sandbox.shop.example"},
		{"a sandbox path below", "live", "https://sandbox.shop.example/sandbox/kakaopay/online", "names a paybridge sandbox", "https://sandbox.shop.example"},
		{"credentials in the URL", "live", "http://user:pw-do-not-print@pg.example/p-do-not-print", "must be an https:// URL", "http://user:pw-do-not-print@pg.example"},
		{"test mode takes http", "test", "http://localhost:8081", "", "http://localhost:8081"},
		{"test mode, a remote sandbox", "test", "http://sandbox.dev.example/sandbox/kakaopay", "", "http://sandbox.dev.example"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := config.FromEnv(func(k string) string {
				return map[string]string{
					"PAYBRIDGE_MODE": c.mode, "PAYBRIDGE_PUBLIC_URL": "https://pay.shop.example",
					"PAYBRIDGE_SECRET_KEY":          secretbox.NewKeyText(),
					"PAYBRIDGE_KAKAOPAY_SECRET_KEY": "PRD-live-secret", "PAYBRIDGE_KAKAOPAY_CID": "CPLIVE0001",
					env: c.url,
				}[k]
			})
			if err != nil {
				t.Fatal(err)
			}
			verr := cfg.Validate()
			switch {
			case c.wantErr == "" && verr != nil:
				t.Fatalf("refused: %v", verr)
			case c.wantErr != "" && (verr == nil || !strings.Contains(verr.Error(), c.wantErr) || !strings.Contains(verr.Error(), env)):
				t.Fatalf("error = %v, want one naming %s: %q", verr, env, c.wantErr)
			case verr != nil && strings.Contains(verr.Error(), "do-not-print"):
				t.Fatalf("the error shows the URL's credentials or path: %v", verr)
			}
			var warned []string
			for _, w := range cfg.Warnings() {
				if strings.Contains(w, env) {
					warned = append(warned, w)
				}
			}
			if c.wantWarn == "" {
				if len(warned) != 0 {
					t.Fatalf("warnings %q, want none about the base URL", warned)
				}
				return
			}
			want := strings.Replace(c.wantWarn, "user:pw-do-not-print@", "", 1)
			if len(warned) != 1 || !strings.Contains(warned[0], want) || strings.Contains(warned[0], "do-not-print") {
				t.Fatalf("warnings %q, want one naming %s and %s and nothing more of the URL", warned, env, want)
			}
		})
	}
}
