package web

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"

	"github.com/paybridge/paybridge/internal/payment"
)

// SDKKeys are the public (browser-side) keys of the providers' SDKs. They
// are not secrets: the providers publish them in every checkout page.
type SDKKeys struct {
	IamportMerchantCode string // PortOne V1 "imp…" code for IMP.init
	IamportPG           string // PortOne V1 pg for IMP.request_pay
	PortOneStoreID      string
	PortOneChannelKey   string
	TossClientKey       string
}

// SDK script URLs, as the providers document them.
const (
	iamportSDK = "https://cdn.iamport.kr/v1/iamport.js"
	portoneSDK = "https://cdn.portone.io/v2/browser-sdk.js"
	tossSDK    = "https://js.tosspayments.com/v2/standard"
)

type checkoutPage struct {
	page
	Nonce     string
	Keys      SDKKeys
	ReturnURL string
	FailURL   string
	SDK       string
}

// handleCheckout is where the buyer goes with real PortOne or Toss
// credentials: a page that opens the provider's payment window through its
// browser SDK with the payment's fixed amount and paybridge's return URLs.
// (In sandbox mode the buyer goes straight to the sandbox's window.)
func (s *Site) handleCheckout(w http.ResponseWriter, r *http.Request) {
	p, err := s.svc.PaymentByID(r.Context(), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if p.Status != payment.StatusReady {
		http.Redirect(w, r, "/pay/"+p.ID, http.StatusSeeOther)
		return
	}
	urls := s.svc.ReturnURLs(p.ID)
	cp := checkoutPage{page: page{Title: p.OrderName, Payment: p}, Nonce: nonce(), Keys: s.opts.SDK,
		ReturnURL: urls.Approval, FailURL: urls.Fail}
	s.localize(w, r, &cp.page)
	switch p.Provider {
	case payment.ProviderIamport:
		cp.SDK = iamportSDK
	case payment.ProviderPortOne:
		cp.SDK = portoneSDK
	case payment.ProviderToss:
		cp.SDK = tossSDK
	default:
		http.Redirect(w, r, p.RedirectPC, http.StatusSeeOther)
		return
	}
	cp.Sandbox = s.opts.Sandbox
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'; script-src 'nonce-"+cp.Nonce+"' "+cp.SDK+
		"; frame-src https:; connect-src https:; form-action 'self' https:")
	if err := s.tmpl.ExecuteTemplate(w, "checkout.html", cp); err != nil {
		s.log.Error("render page", "template", "checkout.html", "error", err)
	}
}

func nonce() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}
