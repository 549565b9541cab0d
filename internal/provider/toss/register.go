package toss

import (
	"flag"
	"net/http"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
	sbtoss "github.com/paybridge/paybridge/internal/sandbox/toss"
)

// Registration is Toss Payments as paybridge wires it (see
// provider.Registration). Toss approves (its confirm call moves the money);
// its window is opened by its browser SDK on paybridge's checkout page (or
// the sandbox's window), and its webhooks are unsigned.
var Registration = provider.Registration{
	Name:      payment.ProviderToss,
	Title:     "Toss Payments",
	Label:     map[string]string{"ko": "토스페이먼츠", "en": "Toss Payments"},
	IDLabel:   map[string]string{"ko": "토스페이먼츠 결제 키 (paymentKey)", "en": "Toss Payments paymentKey"},
	Finishing: payment.Finishing{},
	Config: provider.Configure(Settings{}, Settings.Sandbox, Settings.check, Settings.testCredentials,
		provider.Secret("PAYBRIDGE_TOSS_SECRET_KEY", "Toss Payments secret key", func(s *Settings) *string { return &s.SecretKey }),
		provider.String("PAYBRIDGE_TOSS_CLIENT_KEY", "Toss Payments client key", func(s *Settings) *string { return &s.ClientKey }),
		provider.String("PAYBRIDGE_TOSS_BASE_URL", "another Toss Payments host", func(s *Settings) *string { return &s.BaseURL }),
	),
	New: func(s any, env provider.Env) (payment.Provider, error) { return New(s.(Settings).config(env)) },
	Sandbox: provider.Sandbox{
		Prefix: "/sandbox/toss",
		New: func(s any, o provider.SandboxOptions) provider.SandboxInstance {
			sb := sbtoss.New(sbtoss.Options{PublicURL: o.PublicURL, Logger: o.Logger})
			return provider.SandboxInstance{Handler: sb, Adapter: func(env provider.Env) (payment.Provider, error) {
				c := s.(Settings).config(env)
				c.SecretKey, c.ClientKey = "test_sk_PAYBRIDGE-SANDBOX", "test_ck_PAYBRIDGE-SANDBOX"
				c.BaseURL, c.WindowURL = o.PublicURL, o.PublicURL
				return New(c)
			}}
		},
		Flags: func(fs *flag.FlagSet) provider.StandaloneFunc {
			key := fs.String("toss-secret-key", "", "Toss: accept only this secret key (default: any test_sk_/test_gsk_ key)")
			return func(o provider.SandboxOptions) (http.Handler, []any, error) {
				sb := sbtoss.New(sbtoss.Options{SecretKey: *key, PublicURL: o.PublicURL, Logger: o.Logger})
				return sb, []any{"toss_secret_key", provider.Mask(*key)}, nil
			}
		},
	},
	Webhook: &provider.Webhook{Path: "/webhooks/toss"},
	Checkout: &provider.Checkout{
		Script: "https://js.tosspayments.com/v2/standard",
		Params: func(s any) map[string]string { return map[string]string{"tossClientKey": s.(Settings).ClientKey} },
		// Toss's customerKey must be 2-50 characters of [A-Za-z0-9-_=.@];
		// any other buyer id pays anonymously.
		JS: `var customerKey = /^[A-Za-z0-9\-_=.@]{2,50}$/.test(p.customer) ? p.customer : TossPayments.ANONYMOUS;
TossPayments(p.params.tossClientKey).payment({customerKey: customerKey}).requestPayment({
  method: "CARD", amount: {currency: "KRW", value: p.amount}, taxFreeAmount: p.taxFree,
  orderId: p.id, orderName: p.name, successUrl: p.returnURL, failUrl: p.failURL});`,
	},
}
