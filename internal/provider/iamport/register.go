package iamport

import (
	"flag"
	"net/http"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
	sbiamport "github.com/paybridge/paybridge/internal/sandbox/iamport"
)

// Registration is PortOne V1 (iamport) as paybridge wires it (see
// provider.Registration). It verifies, like V2, and posts its unsigned
// notifications to the route it shares with V2: a delivery V2 does not
// claim (no Standard Webhooks headers) is V1's.
var Registration = provider.Registration{
	Name:      payment.ProviderIamport,
	Title:     "PortOne V1",
	Label:     map[string]string{"ko": "포트원 V1 (아임포트)", "en": "PortOne V1 (iamport)"},
	IDLabel:   map[string]string{"ko": "포트원 V1 거래 고유번호 (imp_uid)", "en": "PortOne V1 imp_uid"},
	Finishing: payment.Finishing{Verifies: true, WindowOutlivesExpiry: true},
	Config: provider.Configure(Settings{}, Settings.Sandbox, Settings.check, Settings.testCredentials,
		provider.Secret("PAYBRIDGE_PORTONE_V1_API_KEY", "PortOne V1 REST API key (imp_key)", func(s *Settings) *string { return &s.APIKey }),
		provider.Secret("PAYBRIDGE_PORTONE_V1_API_SECRET", "PortOne V1 REST API secret (imp_secret)", func(s *Settings) *string { return &s.APISecret }),
		provider.String("PAYBRIDGE_PORTONE_V1_MERCHANT_CODE", "PortOne V1 merchant code (imp…)", func(s *Settings) *string { return &s.MerchantCode }),
		provider.String("PAYBRIDGE_PORTONE_V1_PG", "PortOne V1 pg for the browser SDK", func(s *Settings) *string { return &s.PG }),
		provider.String("PAYBRIDGE_PORTONE_V1_BASE_URL", "another PortOne V1 host", func(s *Settings) *string { return &s.BaseURL }),
	),
	// A payment on a PortOne test channel moved no money: with live
	// credentials it never verifies as paid, unless the operator
	// configured a test channel on purpose (env.TestCredentials; its
	// payments are then livemode=false).
	New: func(s any, env provider.Env) (payment.Provider, error) { return New(s.(Settings).config(env)) },
	Sandbox: provider.Sandbox{
		Prefix: "/sandbox/iamport",
		New: func(s any, o provider.SandboxOptions) provider.SandboxInstance {
			sb := sbiamport.New(sbiamport.Options{PublicURL: o.PublicURL, Logger: o.Logger, NoticeURL: o.WebhookURL, WebhookClient: o.WebhookClient})
			return provider.SandboxInstance{Handler: sb, Adapter: func(env provider.Env) (payment.Provider, error) {
				c := s.(Settings).config(env)
				c.APIKey, c.APISecret, c.AcceptTestPayments = "PAYBRIDGE-SANDBOX", "PAYBRIDGE-SANDBOX", true
				c.BaseURL, c.WindowURL = o.PublicURL, o.PublicURL
				return New(c)
			}}
		},
		Flags: func(fs *flag.FlagSet) provider.StandaloneFunc {
			key := fs.String("iamport-key", "", "PortOne V1: accept only this imp_key (with --iamport-secret)")
			secret := fs.String("iamport-secret", "", "PortOne V1: accept only this imp_secret")
			noticeURL := fs.String("iamport-notice-url", "", "PortOne V1: POST payment webhooks to this URL")
			return func(o provider.SandboxOptions) (http.Handler, []any, error) {
				sb := sbiamport.New(sbiamport.Options{APIKey: *key, APISecret: *secret, NoticeURL: *noticeURL, PublicURL: o.PublicURL, Logger: o.Logger})
				return sb, []any{"iamport_secret", provider.Mask(*secret)}, nil
			}
		},
	},
	Webhook: &provider.Webhook{Path: "/webhooks/portone"},
	Checkout: &provider.Checkout{
		Script: "https://cdn.iamport.kr/v1/iamport.js",
		Params: func(s any) map[string]string {
			return map[string]string{"impCode": s.(Settings).MerchantCode, "impPG": s.(Settings).PG}
		},
		// The amount was pre-registered for this merchant_uid, so a window
		// opened with another amount is refused by PortOne.
		JS: `IMP.init(p.params.impCode);
IMP.request_pay({pg: p.params.impPG, pay_method: "card", merchant_uid: p.id, name: p.name,
  amount: p.amount, buyer_name: p.customer, m_redirect_url: p.returnURL},
  function (rsp) { back({imp_uid: rsp.imp_uid, merchant_uid: rsp.merchant_uid,
    imp_success: String(!!rsp.success), error_code: rsp.error_code, error_msg: rsp.error_msg}); });`,
	},
}
