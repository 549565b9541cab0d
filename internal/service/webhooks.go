// webhooks.go: a merchant's outbound webhook settings and their events,
// as the API reads and changes them: endpoints (with the per-merchant
// limit), secret rotation, the event list and re-sends. The events are
// written by the store with each state change; the webhook worker sends
// them. Provider webhooks coming in are in sync.go; service.go lists the
// other files.

package service

import (
	"context"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// MaxWebhookEndpoints is how many webhook endpoints one merchant may have.
const MaxWebhookEndpoints = 16

// CreateWebhookEndpoint stores a merchant's new endpoint (validated by the
// caller), refusing (EINVALID) one past MaxWebhookEndpoints.
func (s *Service) CreateWebhookEndpoint(ctx context.Context, e *payment.WebhookEndpoint) error {
	return AddWebhookEndpoint(ctx, s.store, e)
}

// EndpointStore is what adding a webhook endpoint needs of a store.
type EndpointStore interface {
	// AddWebhookEndpoint stores e unless its merchant already has max
	// endpoints (EINVALID), counting and inserting atomically: concurrent
	// adds, from one instance or several, never leave more than max.
	AddWebhookEndpoint(ctx context.Context, e *payment.WebhookEndpoint, max int) error
}

// AddWebhookEndpoint stores a merchant's new endpoint (validated by the
// caller) in st, refusing (EINVALID) one past MaxWebhookEndpoints. It is
// the one place the limit is set, for the API (through the Service) and
// for the console, which adds endpoints on the store it was given. The
// store enforces it in the transaction of the insert: a count read before
// it would let two concurrent adds both pass.
func AddWebhookEndpoint(ctx context.Context, st EndpointStore, e *payment.WebhookEndpoint) error {
	return st.AddWebhookEndpoint(ctx, e, MaxWebhookEndpoints)
}

// WebhookEndpoints lists a merchant's endpoints, oldest first.
func (s *Service) WebhookEndpoints(ctx context.Context, merchantID string) ([]*payment.WebhookEndpoint, error) {
	return s.store.FindWebhookEndpoints(ctx, merchantID)
}

// WebhookEndpoint returns one of a merchant's endpoints (ENOTFOUND otherwise).
func (s *Service) WebhookEndpoint(ctx context.Context, merchantID, id string) (*payment.WebhookEndpoint, error) {
	return s.store.FindWebhookEndpointByID(ctx, merchantID, id)
}

// DeleteWebhookEndpoint removes one of a merchant's endpoints; its pending
// deliveries die with it.
func (s *Service) DeleteWebhookEndpoint(ctx context.Context, merchantID, id string) error {
	return s.store.DeleteWebhookEndpoint(ctx, merchantID, id)
}

// RotateWebhookSecret makes secret the endpoint's secret; the old one keeps
// signing until overlapUntil, so the shop can deploy the new one.
func (s *Service) RotateWebhookSecret(ctx context.Context, merchantID, id, secret string, overlapUntil time.Time) (*payment.WebhookEndpoint, error) {
	return s.store.RotateWebhookSecret(ctx, merchantID, id, secret, overlapUntil)
}

// WebhookEvents lists events matching f, with their deliveries, newest first.
func (s *Service) WebhookEvents(ctx context.Context, f payment.WebhookEventFilter) ([]*payment.WebhookEvent, error) {
	return s.store.FindWebhookEvents(ctx, f)
}

// WebhookEvent returns one of a merchant's events (ENOTFOUND otherwise).
func (s *Service) WebhookEvent(ctx context.Context, merchantID, id string) (*payment.WebhookEvent, error) {
	return s.store.FindWebhookEventByID(ctx, merchantID, id)
}

// ResendWebhookEvent adds a pending delivery of the event to endpointID,
// or ("") to every enabled endpoint of the merchant subscribed to it.
func (s *Service) ResendWebhookEvent(ctx context.Context, merchantID, eventID, endpointID string) (*payment.WebhookEvent, error) {
	return s.store.ResendWebhookEvent(ctx, merchantID, eventID, endpointID)
}
