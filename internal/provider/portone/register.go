package portone

import (
	"errors"
	"flag"
	"net/http"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
	sbportone "github.com/paybridge/paybridge/internal/sandbox/portone"
	"github.com/paybridge/paybridge/internal/stdwebhook"
)

// sandboxStore is the store paybridge's own sandbox is run with.
const sandboxStore = "store-sandbox"

// Webhook is the route PortOne posts to. One URL serves both generations
// (a merchant sets one in PortOne's console): V2 deliveries carry the
// Standard Webhooks headers and are signed, V1 deliveries never do.
var Webhook = provider.Webhook{
	Path: "/webhooks/portone",
	Claims: func(h http.Header) bool {
		return h.Get(stdwebhook.HeaderSignature) != "" || h.Get(stdwebhook.HeaderID) != ""
	},
	Signed: func(h http.Header) bool { return h.Get(stdwebhook.HeaderSignature) != "" },
}

// Registration is PortOne V2 as paybridge wires it (see
// provider.Registration). PortOne verifies: the buyer pays in PortOne's
// window, opened by its browser SDK on paybridge's checkout page (or the
// sandbox's window), and paybridge only reads the result.
var Registration = provider.Registration{
	Name:      payment.ProviderPortOne,
	Title:     "PortOne V2",
	Label:     map[string]string{"ko": "포트원 (V2)", "en": "PortOne (V2)"},
	IDLabel:   map[string]string{"ko": "포트원 V2 결제 ID (paymentId)", "en": "PortOne V2 paymentId"},
	Finishing: payment.Finishing{Verifies: true, WindowOutlivesExpiry: true},
	Config: provider.Configure(Settings{}, Settings.Sandbox, Settings.check, Settings.testCredentials,
		provider.Secret("PAYBRIDGE_PORTONE_API_SECRET", "PortOne V2 API secret", func(s *Settings) *string { return &s.APISecret }),
		provider.String("PAYBRIDGE_PORTONE_STORE_ID", "PortOne V2 store id", func(s *Settings) *string { return &s.StoreID }),
		provider.String("PAYBRIDGE_PORTONE_CHANNEL_KEY", "PortOne V2 channel key", func(s *Settings) *string { return &s.ChannelKey }),
		provider.List("PAYBRIDGE_PORTONE_WEBHOOK_SECRET", "PortOne V2 webhook secret(s), whsec_…, comma-separated while rotating", true,
			func(s *Settings) *[]string { return &s.WebhookSecrets }),
		provider.String("PAYBRIDGE_PORTONE_BASE_URL", "another PortOne V2 host", func(s *Settings) *string { return &s.BaseURL }),
		provider.Bool("PAYBRIDGE_PORTONE_TEST_CHANNEL", "the PortOne V2 channel is a test channel (test credentials)",
			func(s *Settings) *bool { return &s.TestChannel }),
	),
	New: func(s any, env provider.Env) (payment.Provider, error) { return New(s.(Settings).config(env)) },
	Sandbox: provider.Sandbox{
		Prefix: "/sandbox/portone",
		New: func(s any, o provider.SandboxOptions) provider.SandboxInstance {
			// The sandbox signs with the configured webhook secret, or with
			// one that lives as long as this process.
			secrets := s.(Settings).WebhookSecrets
			if len(secrets) == 0 {
				secrets = []string{stdwebhook.NewSecret()}
			}
			opts := sbportone.Options{PublicURL: o.PublicURL, StoreID: sandboxStore, Logger: o.Logger}
			if o.WebhookURL != "" {
				opts.WebhookURL, opts.WebhookSecret, opts.WebhookClient = o.WebhookURL, secrets[0], o.WebhookClient
			}
			sb := sbportone.New(opts)
			return provider.SandboxInstance{Handler: sb, Adapter: func(env provider.Env) (payment.Provider, error) {
				c := s.(Settings).config(env)
				c.APISecret, c.StoreID, c.WebhookSecrets = "PAYBRIDGE-SANDBOX", sandboxStore, secrets
				c.BaseURL, c.WindowURL, c.AcceptTestPayments = o.PublicURL, o.PublicURL, true
				return New(c)
			}}
		},
		Flags: func(fs *flag.FlagSet) provider.StandaloneFunc {
			secret := fs.String("portone-secret", "", "PortOne V2: accept only this API secret")
			webhookURL := fs.String("portone-webhook-url", "", "PortOne V2: POST signed webhooks to this URL")
			webhookSecret := fs.String("portone-webhook-secret", "", "PortOne V2: whsec_… secret the webhooks are signed with")
			return func(o provider.SandboxOptions) (http.Handler, []any, error) {
				if *webhookURL != "" && *webhookSecret == "" {
					return nil, nil, errors.New("sandbox: --portone-webhook-url needs --portone-webhook-secret")
				}
				sb := sbportone.New(sbportone.Options{APISecret: *secret, WebhookURL: *webhookURL, WebhookSecret: *webhookSecret,
					PublicURL: o.PublicURL, Logger: o.Logger})
				return sb, []any{"portone_secret", provider.Mask(*secret), "portone_webhook_secret", provider.Mask(*webhookSecret)}, nil
			}
		},
	},
	Webhook: &Webhook,
	Checkout: &provider.Checkout{
		Script: "https://cdn.portone.io/v2/browser-sdk.js",
		Params: func(s any) map[string]string {
			return map[string]string{"storeId": s.(Settings).StoreID, "channelKey": s.(Settings).ChannelKey}
		},
		JS: `PortOne.requestPayment({storeId: p.params.storeId, channelKey: p.params.channelKey, paymentId: p.id,
  orderName: p.name, totalAmount: p.amount, currency: "CURRENCY_KRW", payMethod: "CARD",
  customer: {customerId: p.customer}, redirectUrl: p.returnURL}).then(function (rsp) {
    back({paymentId: p.id, code: rsp && rsp.code, message: rsp && rsp.message});
  });`,
	},
}
