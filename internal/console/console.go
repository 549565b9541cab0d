// Package console is the operator console at /console: sign-in, the
// dashboard, payments (search, export, the payment page, refunds), webhooks,
// merchants and keys, operators and the audit log. Pages are server-rendered
// html/template with a strict Content-Security-Policy, in Korean and
// English, embedded in the binary with their stylesheet and one small
// script, so the console works offline. Every action is checked on the
// server (session, CSRF token, role, merchant) and written to the audit log.
package console

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/paybridge/paybridge/internal/i18n"
	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/service"
	"github.com/paybridge/paybridge/internal/store"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Options configure the console.
type Options struct {
	Store   *store.Store
	Service *service.Service
	Log     *slog.Logger
	// PublicURL decides the cookie's Secure flag (https).
	PublicURL string
	// Sandboxes names the providers running on their built-in sandbox: the
	// console shows the test-mode banner and, for their payments waiting
	// in the sandbox window, approve/cancel/fail buttons.
	Sandboxes map[string]bool
	// Livemode says, per provider, whether its payments move real money
	// (live credentials). In test mode one provider may be live: the
	// banner then says that payments marked LIVE are real.
	Livemode map[string]bool
	// Self is paybridge's own handler; the test-mode buttons drive the
	// sandbox window through it in-process, as a buyer's browser would.
	Self http.Handler
	// WebhookAllowPrivate is the merchant API's rule for endpoint URLs.
	WebhookAllowPrivate bool
	// StuckAfter is how long a payment may stay approving before the
	// dashboard lists it as stuck (default 1 minute).
	StuckAfter time.Duration
	// IdleTimeout ends a session without activity (default 30 minutes);
	// SessionLifetime ends any session (default 12 hours).
	IdleTimeout     time.Duration
	SessionLifetime time.Duration
	// MaxFailures failed sign-ins in a row lock an operator out for
	// LockFor (defaults 5 and 15 minutes).
	MaxFailures int
	LockFor     time.Duration
	// LoginRate is how many sign-in attempts one address may make per
	// LoginWindow (defaults 10 per 10 minutes).
	LoginRate   int
	LoginWindow time.Duration
	// ClientIPHeader is PAYBRIDGE_CLIENT_IP_HEADER: behind a trusted
	// proxy, the header with the client's address. The sign-in limit and
	// the audit log see clients through it, as the API's limits do;
	// without it every client behind the proxy shares the proxy's address.
	ClientIPHeader string
	// Now is the clock (default time.Now).
	Now func() time.Time
}

func (o *Options) setDefaults() {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.StuckAfter == 0 {
		o.StuckAfter = time.Minute
	}
	if o.IdleTimeout == 0 {
		o.IdleTimeout = 30 * time.Minute
	}
	if o.SessionLifetime == 0 {
		o.SessionLifetime = 12 * time.Hour
	}
	if o.MaxFailures == 0 {
		o.MaxFailures = 5
	}
	if o.LockFor == 0 {
		o.LockFor = 15 * time.Minute
	}
	if o.LoginRate == 0 {
		o.LoginRate = 10
	}
	if o.LoginWindow == 0 {
		o.LoginWindow = 10 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Console serves /console.
type Console struct {
	opts   Options
	st     *store.Store
	svc    *service.Service
	log    *slog.Logger
	pages  map[string]*template.Template
	secure bool
	// publicHost is PublicURL's host, also accepted as a form's origin.
	publicHost string
	limiter    *loginLimiter

	// hashing bounds the password checks running at once: each takes
	// argon2id's 19 MiB, so a burst of sign-ins cannot exhaust memory.
	hashing chan struct{}

	reapMu   sync.Mutex
	lastReap time.Time
}

// New parses the templates and returns the console.
func New(opts Options) *Console {
	opts.setDefaults()
	c := &Console{opts: opts, st: opts.Store, svc: opts.Service, log: opts.Log.With("component", "console"),
		secure:  strings.HasPrefix(strings.ToLower(opts.PublicURL), "https://"),
		limiter: newLoginLimiter(opts.LoginRate, opts.LoginWindow, maxLimiterEntries), hashing: make(chan struct{}, 4)}
	if u, err := url.Parse(opts.PublicURL); err == nil {
		c.publicHost = u.Host
	}
	c.pages = parsePages()
	return c
}

func (c *Console) now() time.Time { return c.opts.Now() }

// testMode reports whether any provider runs on its sandbox.
func (c *Console) testMode() bool {
	for _, on := range c.opts.Sandboxes {
		if on {
			return true
		}
	}
	return false
}

// liveToo reports whether, in test mode, some provider is on live
// credentials: "no real money moves" would then be false.
func (c *Console) liveToo() bool {
	if !c.testMode() {
		return false
	}
	for _, live := range c.opts.Livemode {
		if live {
			return true
		}
	}
	return false
}

// Register adds the console's routes to mux.
func (c *Console) Register(mux *http.ServeMux) {
	static, _ := fs.Sub(staticFiles, "static")
	mux.Handle("GET /console/static/", http.StripPrefix("/console/static/", staticHandler(http.FileServerFS(static))))
	mux.HandleFunc("GET /console/login", c.handleLoginPage)
	mux.HandleFunc("POST /console/login", c.handleLogin)
	mux.HandleFunc("POST /console/logout", c.page(payment.RoleViewer, c.handleLogout))

	mux.HandleFunc("GET /console", c.page(payment.RoleViewer, c.handleDashboard))
	mux.HandleFunc("GET /console/{$}", c.page(payment.RoleViewer, c.handleDashboard))
	mux.HandleFunc("GET /console/payments", c.page(payment.RoleViewer, c.handlePayments))
	mux.HandleFunc("GET /console/payments/{id}", c.page(payment.RoleViewer, c.handlePayment))
	mux.HandleFunc("GET /console/payments/{id}/refund", c.page(payment.RoleAdmin, c.handleRefundForm))
	mux.HandleFunc("POST /console/payments/{id}/refund", c.page(payment.RoleAdmin, c.handleRefund))
	mux.HandleFunc("POST /console/payments/{id}/sandbox", c.page(payment.RoleAdmin, c.handleSandboxAction))

	mux.HandleFunc("GET /console/webhooks", c.page(payment.RoleViewer, c.forMerchant(merchantInQuery, c.handleWebhooks)))
	mux.HandleFunc("POST /console/webhooks/endpoints", c.page(payment.RoleAdmin, c.forMerchant(merchantInForm, c.handleEndpointCreate)))
	mux.HandleFunc("POST /console/webhooks/endpoints/{id}/status", c.page(payment.RoleAdmin, c.forMerchant(merchantInForm, c.handleEndpointStatus)))
	mux.HandleFunc("POST /console/webhooks/endpoints/{id}/rotate", c.page(payment.RoleAdmin, c.forMerchant(merchantInForm, c.handleEndpointRotate)))
	mux.HandleFunc("POST /console/webhooks/endpoints/{id}/delete", c.page(payment.RoleAdmin, c.forMerchant(merchantInForm, c.handleEndpointDelete)))
	mux.HandleFunc("POST /console/events/{id}/resend", c.page(payment.RoleAdmin, c.forMerchant(merchantInForm, c.handleEventResend)))

	mux.HandleFunc("GET /console/audit", c.page(payment.RoleViewer, c.handleAudit))

	mux.HandleFunc("GET /console/merchants", c.page(payment.RoleOwner, c.handleMerchants))
	mux.HandleFunc("POST /console/merchants", c.page(payment.RoleOwner, c.handleMerchantCreate))
	mux.HandleFunc("POST /console/merchants/{id}/keys", c.page(payment.RoleOwner, c.forMerchant(merchantInPath, c.handleKeyCreate)))
	mux.HandleFunc("POST /console/merchants/{id}/keys/{key}/revoke", c.page(payment.RoleOwner, c.forMerchant(merchantInPath, c.handleKeyRevoke)))
	mux.HandleFunc("GET /console/operators", c.page(payment.RoleOwner, c.handleOperators))
	mux.HandleFunc("POST /console/operators", c.page(payment.RoleOwner, c.handleOperatorCreate))
	mux.HandleFunc("POST /console/operators/{id}/status", c.page(payment.RoleOwner, c.handleOperatorStatus))

	// Anything else under /console: the sign-in page for a stranger, a
	// "not found" page for an operator.
	mux.HandleFunc("/console/", c.page(payment.RoleViewer, func(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
		c.notFound(w, r, rc)
	}))
}

// staticHandler serves the embedded stylesheet and script; they change
// only with the binary, so a day of caching is safe.
func staticHandler(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		h.ServeHTTP(w, r)
	})
}

// reqCtx is what a console handler knows about the request.
type reqCtx struct {
	Op      *payment.Operator
	Session *payment.OperatorSession
	token   string // the session cookie's token; never rendered
	Lang    string
	Nonce   string
}

// CSRF is the request's anti-forgery token, derived from the session token.
func (rc *reqCtx) CSRF() string { return csrfToken(rc.token) }

// page wraps a handler: the operator must be signed in (else the sign-in
// page), hold at least role (else 403), and every POST must carry the
// session's CSRF token and come from this site (else 403, nothing done).
func (c *Console) page(role string, h func(http.ResponseWriter, *http.Request, *reqCtx)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rc := &reqCtx{Lang: i18n.FromRequest(w, r), Nonce: newNonce()}
		se, op, token, err := c.session(r)
		if err != nil {
			if !errors.Is(err, errNoSession) {
				c.log.Error("console session lookup failed", "error", err)
				c.renderError(w, r, rc, http.StatusInternalServerError, "Something went wrong. Try again.")
				return
			}
			next := ""
			if r.Method == http.MethodGet {
				next = r.URL.RequestURI()
			}
			http.Redirect(w, r, loginURL(next), http.StatusSeeOther)
			return
		}
		rc.Op, rc.Session, rc.token = op, se, token
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
			if err := r.ParseForm(); err != nil {
				c.renderError(w, r, rc, http.StatusBadRequest, "The form could not be read.")
				return
			}
			if !c.sameOrigin(r) || !validCSRF(token, r.PostFormValue("csrf")) {
				c.log.Warn("console form refused: bad CSRF token or origin", "operator_id", op.ID, "path", r.URL.Path)
				c.renderError(w, r, rc, http.StatusForbidden, "This form has expired or did not come from the console. Reload the page and try again.")
				return
			}
		}
		if payment.RoleRank(op.Role) < payment.RoleRank(role) {
			c.renderError(w, r, rc, http.StatusForbidden, "Your role does not allow this.")
			return
		}
		c.touch(r.Context(), se)
		h(w, r, rc)
	}
}

// merchantScope is the merchant the operator is limited to, or "" (all).
func (rc *reqCtx) merchantScope() string { return rc.Op.MerchantID }

// can reports whether the operator holds at least role.
func (rc *reqCtx) can(role string) bool {
	return payment.RoleRank(rc.Op.Role) >= payment.RoleRank(role)
}

// audit writes an entry to the audit log. A failure to write it is logged;
// the action itself has already happened.
func (c *Console) audit(ctx context.Context, r *http.Request, op *payment.Operator, email, merchantID, action, target, detail string) {
	e := &payment.AuditEntry{MerchantID: merchantID, Action: action, Target: target, Detail: truncate(detail, 500),
		RemoteAddr: c.clientAddr(r), OperatorEmail: truncate(email, 254)}
	if op != nil {
		e.OperatorID, e.OperatorEmail = op.ID, op.Email
	}
	if err := c.st.InsertAudit(context.WithoutCancel(ctx), e); err != nil {
		c.log.Error("console audit entry not written", "action", action, "target", target, "error", err)
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
