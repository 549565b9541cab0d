// store.go: what the service needs of the store, as an interface of its
// own, so that the service (and the handlers in front of it) can run on a
// fake. service.go lists the flows' files.

package service

import (
	"context"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// Store is what the service needs of the store: payments and their
// compare-and-set transitions, refunds, leases for the sweep, and the
// merchant-facing records the API reads and writes through the service
// (API keys, the payment list, webhook endpoints and events).
// internal/store implements it; every state change it makes commits
// together with its audit row and its outbound event (payment.Store
// documents each method).
//
// The providers are payment.Provider values (scripted in tests by
// internal/payment/paymenttest), and the clock is a function (SetNow).
type Store interface {
	CreatePayment(ctx context.Context, p *payment.Payment) error
	FindPaymentByID(ctx context.Context, id string) (*payment.Payment, error)
	FindPaymentByTID(ctx context.Context, provider, tid string) (*payment.Payment, error)
	TransitionPayment(ctx context.Context, id string, from, to payment.Status, upd payment.Update, ev payment.Event) (*payment.Payment, error)
	UpdatePayment(ctx context.Context, id string, expect payment.Status, upd payment.Update) (*payment.Payment, error)
	AnnouncePayment(ctx context.Context, id string, expect payment.Status, upd payment.Update, ev payment.Event) (*payment.Payment, error)

	CreateCancellation(ctx context.Context, c *payment.Cancellation, expect payment.Status) error
	CompleteCancellation(ctx context.Context, c *payment.Cancellation, succeeded bool, upd payment.Update, ev payment.Event) (*payment.Payment, error)
	AcceptCancellation(ctx context.Context, c *payment.Cancellation) error
	FindCancellations(ctx context.Context, paymentID string) ([]*payment.Cancellation, error)

	ClaimPayments(ctx context.Context, c payment.Claim, f payment.PaymentFilter) ([]*payment.Payment, error)
	ClaimCancellations(ctx context.Context, c payment.Claim, createdBefore time.Time, limit int) ([]*payment.Cancellation, error)
	ExtendLeases(ctx context.Context, c payment.Claim, paymentIDs []string) ([]string, error)
	ExtendCancellationLeases(ctx context.Context, c payment.Claim, cancellationIDs []string) ([]string, error)

	// A provider webhook is stored before it is answered (sync.go).
	EnqueueProviderWebhook(ctx context.Context, provider, paymentID string, now time.Time) (*payment.ProviderWebhook, error)

	// For the API (query.go, webhooks.go).
	payment.PaymentLister
	FindAPIKeyByHash(ctx context.Context, hash string) (*payment.APIKey, error)
	AddWebhookEndpoint(ctx context.Context, e *payment.WebhookEndpoint, max int) error
	FindWebhookEndpointByID(ctx context.Context, merchantID, id string) (*payment.WebhookEndpoint, error)
	FindWebhookEndpoints(ctx context.Context, merchantID string) ([]*payment.WebhookEndpoint, error)
	DeleteWebhookEndpoint(ctx context.Context, merchantID, id string) error
	RotateWebhookSecret(ctx context.Context, merchantID, id, secret string, overlapUntil time.Time) (*payment.WebhookEndpoint, error)
	FindWebhookEvents(ctx context.Context, f payment.WebhookEventFilter) ([]*payment.WebhookEvent, error)
	FindWebhookEventByID(ctx context.Context, merchantID, id string) (*payment.WebhookEvent, error)
	ResendWebhookEvent(ctx context.Context, merchantID, eventID, endpointID string) (*payment.WebhookEvent, error)
}
