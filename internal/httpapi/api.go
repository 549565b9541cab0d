// Package httpapi is paybridge's JSON API: the merchant API under /v1, the
// drop-in API of the original sample (/ready, /approve), health checks, and
// the HTTP server that owns the listener.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/service"
)

// API serves the JSON endpoints.
type API struct {
	svc    *service.Service
	log    *slog.Logger
	dropIn DropInConfig
	// inboxNotify wakes the inbox worker after a provider webhook was stored.
	inboxNotify func()
	idem        IdempotencyConfig
	// allowPrivate lets webhook endpoint URLs name private addresses
	// (PAYBRIDGE_WEBHOOK_ALLOW_PRIVATE).
	allowPrivate bool
	// limiter applies the per-key rate limit (nil: none).
	limiter *rateLimiter
	// routes are the patterns Register registered, for Routes.
	routes []string
	// public limits unauthenticated routes per client IP (nil: none).
	public *PublicLimiter
	// ready is what GET /readyz checks (nil: nothing).
	ready func(ctx context.Context) error
}

// SetRateLimit limits each API key's requests; call it before serving.
func (a *API) SetRateLimit(rl RateLimit) { a.limiter = newRateLimiter(rl, time.Now) }

// SetIdempotency configures idempotency keys; call it before Register.
func (a *API) SetIdempotency(c IdempotencyConfig) { a.idem = c }

// DropInConfig configures the sample-compatible /ready and /approve.
type DropInConfig struct {
	URLs service.DropInURLs
	// CORSOrigins may call /ready and /approve from a browser.
	CORSOrigins []string
	// MerchantID owns drop-in payments (the default merchant).
	MerchantID string
	// Prices is the drop-in's price list, product → unit price in won
	// (PAYBRIDGE_DROPIN_PRICES); nil: the browser's price (see dropInPrice).
	Prices map[string]int64
	// Disabled leaves POST /ready and /approve unmounted (live mode unless
	// PAYBRIDGE_DROPIN=1).
	Disabled bool
}

// New returns the API.
func New(svc *service.Service, log *slog.Logger, dropIn DropInConfig) *API {
	if dropIn.MerchantID == "" {
		dropIn.MerchantID = payment.DefaultMerchantID
	}
	if dropIn.URLs == (service.DropInURLs{}) {
		dropIn.URLs = service.DefaultDropInURLs
	}
	return &API{svc: svc, log: log, dropIn: dropIn}
}

// Register adds the API's routes to mux.
func (a *API) Register(mux *http.ServeMux) {
	handle := func(pattern string, h http.HandlerFunc) {
		a.routes = append(a.routes, pattern)
		mux.HandleFunc(pattern, h)
	}
	// Every POST of the merchant API takes an Idempotency-Key.
	handle("POST /v1/payments", a.authenticate(a.Idempotent(a.handlePaymentCreate)))
	handle("GET /v1/payments", a.authenticate(a.handlePaymentList))
	handle("GET /v1/payments/{id}", a.authenticate(a.handlePaymentGet))
	handle("POST /v1/payments/{id}/cancel", a.authenticate(a.Idempotent(a.handlePaymentCancel)))
	handle("POST /v1/webhook_endpoints", a.authenticate(a.Idempotent(a.handleWebhookEndpointCreate)))
	handle("GET /v1/webhook_endpoints", a.authenticate(a.handleWebhookEndpointList))
	handle("GET /v1/webhook_endpoints/{id}", a.authenticate(a.handleWebhookEndpointGet))
	handle("DELETE /v1/webhook_endpoints/{id}", a.authenticate(a.handleWebhookEndpointDelete))
	handle("POST /v1/webhook_endpoints/{id}/rotate_secret", a.authenticate(a.Idempotent(a.handleWebhookEndpointRotate)))
	handle("GET /v1/events", a.authenticate(a.handleEventList))
	handle("GET /v1/events/{id}", a.authenticate(a.handleEventGet))
	handle("POST /v1/events/{id}/resend", a.authenticate(a.Idempotent(a.handleEventResend)))
	handle("/v1/", func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, r, a.log, payment.Errorf(payment.ENOTFOUND, "no such endpoint: %s %s", r.Method, r.URL.Path))
	})

	if !a.dropIn.Disabled {
		handle("POST /ready", a.cors(a.public.Wrap(a.handleDropInReady)))
		handle("POST /approve", a.cors(a.public.Wrap(a.handleDropInApprove)))
		handle("OPTIONS /ready", a.cors(nil))
		handle("OPTIONS /approve", a.cors(nil))
	}

	// The providers' webhooks, from the registry (webhook_routes.go).
	a.registerProviderWebhooks(handle)

	handle("GET /openapi.json", handleOpenAPI)
	handle("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	handle("GET /readyz", a.handleReady)
}

// Routes returns the patterns Register registered, in order.
func (a *API) Routes() []string { return append([]string(nil), a.routes...) }
