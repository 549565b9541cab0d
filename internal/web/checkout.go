package web

import (
	"crypto/rand"
	"encoding/base64"
	"html/template"
	"net/http"

	"github.com/paybridge/paybridge/internal/payment"
)

// CheckoutSDK is how paybridge's checkout page opens one provider's
// window with its browser SDK (from the provider's registration, see
// provider.Checkout).
type CheckoutSDK struct {
	// Script is the SDK's URL; the page's CSP allows it alone.
	Script string
	// Params are the public, browser-side values the SDK needs (client
	// key, store id…). They are not secrets: the providers publish them
	// in every checkout page.
	Params map[string]string
	// JS is the body of pay(p, back) (see provider.Checkout.JS).
	JS string
}

type checkoutPage struct {
	page
	Nonce     string
	ReturnURL string
	FailURL   string
	SDK       string
	Params    map[string]string
	JS        template.JS
}

// handleCheckout is where the buyer goes with real credentials of a
// provider whose window its browser SDK opens (PortOne, Toss): a page that opens the provider's payment window through its
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
	// A payment made in another mode than its provider runs in now is
	// never opened: the buyer would pay where paybridge will not settle it
	// (a live payment in a sandbox window moves no money).
	if err := s.svc.CheckProvider(p); err != nil {
		s.renderError(w, r, err)
		return
	}
	urls := s.svc.ReturnURLs(p.ID)
	sdk, ok := s.opts.Checkout[p.Provider]
	if !ok {
		http.Redirect(w, r, p.RedirectPC, http.StatusSeeOther)
		return
	}
	cp := checkoutPage{page: page{Title: p.OrderName, Payment: p}, Nonce: nonce(),
		ReturnURL: urls.Approval, FailURL: urls.Fail, SDK: sdk.Script, Params: sdk.Params, JS: template.JS(sdk.JS)}
	s.localize(w, r, &cp.page)
	cp.Sandbox = s.sandboxBanner(p)
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
