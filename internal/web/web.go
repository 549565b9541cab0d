// Package web serves the pages a person sees: the demo shop at /, the routes
// the provider sends the buyer's browser back to (/pay/{id}/approve, cancel,
// fail), and the payment result page.
package web

import (
	"embed"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/i18n"
	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/service"
)

//go:embed templates/*.html
var templateFiles embed.FS

// Options configure the site.
type Options struct {
	// Sandbox shows the "no real money" banner: on every page without a
	// payment, and on a payment's pages unless that payment is livemode
	// (test mode may run one provider on live credentials).
	Sandbox bool
	// MerchantID owns demo-shop payments (the default merchant).
	MerchantID string
	// Checkout is, per provider name, how paybridge's checkout page opens
	// its window; a provider without one is sent to its RedirectPC.
	Checkout map[string]CheckoutSDK
	// Providers lists the providers the demo shop offers, in order.
	Providers []string
	// NoShop leaves the demo shop (GET / and POST /checkout) unmounted:
	// live mode, unless PAYBRIDGE_DEMO_SHOP=1.
	NoShop bool
	// Limit wraps the demo checkout, which calls a provider for anyone who
	// posts it (the per-client-IP limit); nil: no limit.
	Limit func(http.HandlerFunc) http.HandlerFunc
	// SecureCookies marks cookies Secure (the public URL is https).
	SecureCookies bool
}

// Site serves the pages.
type Site struct {
	svc  *service.Service
	log  *slog.Logger
	opts Options
	tmpl *template.Template
}

var kst = time.FixedZone("KST", 9*3600)

// New parses the templates and returns the site.
func New(svc *service.Service, log *slog.Logger, opts Options) *Site {
	if opts.MerchantID == "" {
		opts.MerchantID = payment.DefaultMerchantID
	}
	if len(opts.Providers) == 0 {
		opts.Providers = []string{payment.ProviderKakaoPay}
	}
	funcs := template.FuncMap{
		"won": i18n.Won,
		"when": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(kst).Format("2006-01-02 15:04:05 KST")
		},
	}
	tmpl := template.Must(template.New("").Funcs(funcs).ParseFS(templateFiles, "templates/*.html"))
	return &Site{svc: svc, log: log, opts: opts, tmpl: tmpl}
}

// Register adds the site's routes to mux.
func (s *Site) Register(mux *http.ServeMux) {
	if !s.opts.NoShop {
		checkout := s.handleShopCheckout
		if s.opts.Limit != nil {
			checkout = s.opts.Limit(checkout)
		}
		mux.HandleFunc("GET /{$}", s.handleShop)
		mux.HandleFunc("POST /checkout", checkout)
	}
	mux.HandleFunc("GET /favicon.ico", i18n.ServeFavicon)
	mux.HandleFunc("GET /favicon.svg", i18n.ServeFavicon)
	mux.HandleFunc("GET /pay/{id}", s.handleResult)
	mux.HandleFunc("GET /pay/{id}/checkout", s.handleCheckout)
	mux.HandleFunc("GET /pay/{id}/approve", s.handleReturn(service.ReturnApprove))
	mux.HandleFunc("GET /pay/{id}/cancel", s.handleReturn(service.ReturnCancel))
	mux.HandleFunc("GET /pay/{id}/fail", s.handleReturn(service.ReturnFail))
}

// formatWon prints 1234567 as "1,234,567".
func formatWon(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

type page struct {
	Title     string
	TitleKey  string            // Title from the catalogue, when Title is empty
	Lang      string            // "ko" or "en"
	M         map[string]string // the sentences in Lang
	SwitchURL string            // this page in the other language
	Sandbox   bool
	Providers []providerOption
	Error     string
	Form      map[string]string
	Payment   *payment.Payment
	Refresh   bool
	BackURL   string
	Outcome   outcome
	IDLabel   string // the provider's own name for its payment id
	// CSRF is the demo shop form's anti-forgery token.
	CSRF string
	// DemoShop says the demo shop is mounted (links to / make sense).
	DemoShop bool
}

// sandboxBanner decides the "no real money moves" banner of a page showing
// p (nil: no payment): never on a livemode payment, whose money is real
// even when other providers run on their sandboxes.
func (s *Site) sandboxBanner(p *payment.Payment) bool {
	return s.opts.Sandbox && (p == nil || !p.Livemode)
}

// localize fills in the page's language from r (see i18n.FromRequest).
func (s *Site) localize(w http.ResponseWriter, r *http.Request, p *page) {
	p.Lang = i18n.FromRequest(w, r)
	p.M = text.For(p.Lang)
	other := i18n.English
	if p.Lang == i18n.English {
		other = i18n.Korean
	}
	if r.Method == http.MethodGet {
		p.SwitchURL = i18n.SwitchURL(r, other)
	} else {
		p.SwitchURL = "/?lang=" + other
	}
}

func (s *Site) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	p.Sandbox = s.sandboxBanner(p.Payment)
	p.DemoShop = !s.opts.NoShop
	s.localize(w, r, &p)
	if p.Title == "" {
		p.Title = p.M[p.TitleKey]
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'; form-action 'self' http: https:")
	w.WriteHeader(status)
	if err := s.tmpl.ExecuteTemplate(w, name, p); err != nil {
		s.log.Error("render page", "template", name, "error", err)
	}
}

// withParams adds query parameters to a URL, keeping the query it already
// has byte for byte (the shop may sign or parse it in its own way).
func withParams(target string, params url.Values) string {
	u, err := url.Parse(target)
	if err != nil {
		return target
	}
	add := params.Encode()
	if u.RawQuery == "" {
		u.RawQuery = add
	} else {
		u.RawQuery += "&" + add
	}
	return u.String()
}
