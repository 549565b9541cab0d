package kakaopay

import (
	"flag"
	"net/http"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
	sbkakaopay "github.com/paybridge/paybridge/internal/sandbox/kakaopay"
)

// sandboxKey is the key the adapter sends to paybridge's own sandbox, which
// accepts any well-formed one.
const sandboxKey = "PAYBRIDGE-SANDBOX"

// Registration is KakaoPay as paybridge wires it (see provider.Registration).
// KakaoPay approves: its approve call moves the money. Its ready call
// returns the window's URL, so paybridge's checkout page is not needed, and
// it sends no webhooks.
var Registration = provider.Registration{
	Name:      payment.ProviderKakaoPay,
	Title:     "KakaoPay",
	Label:     map[string]string{"ko": "카카오페이", "en": "KakaoPay"},
	IDLabel:   map[string]string{"ko": "카카오페이 결제 고유번호 (tid)", "en": "KakaoPay tid"},
	Finishing: payment.Finishing{},
	Config: provider.Configure(Settings{CID: DefaultCID}, Settings.Sandbox, Settings.check, Settings.testCredentials,
		provider.Secret("PAYBRIDGE_KAKAOPAY_SECRET_KEY", "KakaoPay secret key (current API)", func(s *Settings) *string { return &s.SecretKey }),
		provider.Secret("PAYBRIDGE_KAKAOPAY_ADMIN_KEY", "KakaoPay admin key (legacy API)", func(s *Settings) *string { return &s.AdminKey }),
		provider.String("PAYBRIDGE_KAKAOPAY_CID", "KakaoPay merchant code (CID)", func(s *Settings) *string { return &s.CID }),
		provider.String("PAYBRIDGE_KAKAOPAY_BASE_URL", "another KakaoPay host", func(s *Settings) *string { return &s.BaseURL }),
	),
	New: func(s any, env provider.Env) (payment.Provider, error) { return New(s.(Settings).config(env)) },
	Sandbox: provider.Sandbox{
		Prefix: "/sandbox/kakaopay",
		AtRoot: true,
		New: func(s any, o provider.SandboxOptions) provider.SandboxInstance {
			sb := sbkakaopay.New(sbkakaopay.Options{PublicURL: o.PublicURL, Logger: o.Logger})
			return provider.SandboxInstance{Handler: sb, Adapter: func(env provider.Env) (payment.Provider, error) {
				c := s.(Settings).config(env)
				c.SecretKey, c.BaseURL = sandboxKey, o.PublicURL
				return New(c)
			}}
		},
		Flags: func(fs *flag.FlagSet) provider.StandaloneFunc {
			secretKey := fs.String("secret-key", "", "KakaoPay: accept only this SECRET_KEY (default: any well-formed key)")
			adminKey := fs.String("admin-key", "", "KakaoPay: accept only this KakaoAK admin key (default: any well-formed key)")
			return func(o provider.SandboxOptions) (http.Handler, []any, error) {
				sb := sbkakaopay.New(sbkakaopay.Options{SecretKey: *secretKey, AdminKey: *adminKey, PublicURL: o.PublicURL, Logger: o.Logger})
				return sb, []any{"kakaopay_secret_key", provider.Mask(*secretKey), "kakaopay_admin_key", provider.Mask(*adminKey)}, nil
			}
		},
	},
}
