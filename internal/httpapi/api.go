// Package httpapi is paybridge's JSON API: the merchant API under /v1, the
// drop-in API of the original sample (/ready, /approve), health checks, and
// the HTTP server that owns the listener.
package httpapi

import (
	"log/slog"
	"net/http"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/service"
)

// API serves the JSON endpoints.
type API struct {
	svc    *service.Service
	log    *slog.Logger
	dropIn DropInConfig
	work   webhookWork
	idem   IdempotencyConfig
}

// SetIdempotency configures idempotency keys; call it before Register.
func (a *API) SetIdempotency(c IdempotencyConfig) { a.idem = c }

// DropInConfig configures the sample-compatible /ready and /approve.
type DropInConfig struct {
	URLs service.DropInURLs
	// CORSOrigins may call /ready and /approve from a browser.
	CORSOrigins []string
	// MerchantID owns drop-in payments (the default merchant).
	MerchantID string
}

// New returns the API.
func New(svc *service.Service, log *slog.Logger, dropIn DropInConfig) *API {
	if dropIn.MerchantID == "" {
		dropIn.MerchantID = payment.DefaultMerchantID
	}
	if dropIn.URLs == (service.DropInURLs{}) {
		dropIn.URLs = service.DefaultDropInURLs
	}
	return &API{svc: svc, log: log, dropIn: dropIn, work: webhookWork{sem: make(chan struct{}, maxWebhookWork)}}
}

// Register adds the API's routes to mux.
func (a *API) Register(mux *http.ServeMux) {
	// Every POST of the merchant API takes an Idempotency-Key.
	mux.HandleFunc("POST /v1/payments", a.authenticate(a.Idempotent(a.handlePaymentCreate)))
	mux.HandleFunc("GET /v1/payments", a.authenticate(a.handlePaymentList))
	mux.HandleFunc("GET /v1/payments/{id}", a.authenticate(a.handlePaymentGet))
	mux.HandleFunc("POST /v1/payments/{id}/cancel", a.authenticate(a.Idempotent(a.handlePaymentCancel)))
	mux.HandleFunc("/v1/", func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, r, a.log, payment.Errorf(payment.ENOTFOUND, "no such endpoint: %s %s", r.Method, r.URL.Path))
	})

	mux.HandleFunc("POST /ready", a.cors(a.handleDropInReady))
	mux.HandleFunc("POST /approve", a.cors(a.handleDropInApprove))
	mux.HandleFunc("OPTIONS /ready", a.cors(nil))
	mux.HandleFunc("OPTIONS /approve", a.cors(nil))

	mux.HandleFunc("POST /webhooks/portone", a.handlePortOneWebhook)
	mux.HandleFunc("POST /webhooks/toss", a.handleTossWebhook)

	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}
