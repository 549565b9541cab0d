package payment

import (
	"context"
	"time"
)

// Outbound webhook event types: one per payment status a merchant's shop
// needs to hear about.
const (
	EventPaymentPaid              = "payment.paid"
	EventPaymentFailed            = "payment.failed"
	EventPaymentCanceled          = "payment.canceled"
	EventPaymentPartiallyCanceled = "payment.partially_canceled"
	EventPaymentExpired           = "payment.expired"
	EventPaymentAborted           = "payment.aborted"
	// EventPaymentUpdated announces a change to a payment that keeps its
	// status: a closed payment whose refund is required or was made (a
	// late charge, a retried refund), a pending refund that ended failed,
	// an approving payment whose outcome stays unknown.
	EventPaymentUpdated = "payment.updated"
)

// EventTypes lists every outbound event type.
var EventTypes = []string{
	EventPaymentPaid, EventPaymentFailed, EventPaymentCanceled,
	EventPaymentPartiallyCanceled, EventPaymentExpired, EventPaymentAborted, EventPaymentUpdated,
}

// EventTypeFor returns the event a move to status to announces, or "" when
// a move there is not announced (created, ready, approving).
func EventTypeFor(to Status) string {
	switch to {
	case StatusPaid:
		return EventPaymentPaid
	case StatusFailed:
		return EventPaymentFailed
	case StatusCanceled:
		return EventPaymentCanceled
	case StatusPartiallyCanceled:
		return EventPaymentPartiallyCanceled
	case StatusExpired:
		return EventPaymentExpired
	case StatusAborted:
		return EventPaymentAborted
	}
	return ""
}

// Webhook endpoint statuses.
const (
	EndpointEnabled  = "enabled"
	EndpointDisabled = "disabled"
)

// Webhook delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliverySucceeded = "succeeded"
	// DeliveryDead: given up (the retry window passed, or the endpoint is
	// gone). A merchant can still re-send the event by hand.
	DeliveryDead = "dead"
)

// WebhookEndpoint is a merchant's URL that receives events.
type WebhookEndpoint struct {
	ID          string
	MerchantID  string
	URL         string
	Description string
	// EnabledEvents are the event types sent; "*" means all.
	EnabledEvents []string
	// Secret signs every delivery. It is shown to the merchant once, when
	// created or rotated, and never logged.
	Secret string
	// PreviousSecret also signs until PreviousSecretExpiresAt, so that a
	// merchant can roll the secret without dropping a webhook.
	PreviousSecret          string
	PreviousSecretExpiresAt time.Time
	Status                  string // EndpointEnabled or EndpointDisabled
	DisabledReason          string
	// Livemode is the mode of the events the endpoint receives, and of the
	// keys that may see and manage it: a live endpoint's secret signs real
	// payment.paid deliveries, so a test key must never reach it. Set when
	// the endpoint is created, never changed.
	Livemode             bool
	CreatedAt, UpdatedAt time.Time
}

// Subscribed reports whether the endpoint wants events of type typ.
func (e *WebhookEndpoint) Subscribed(typ string) bool {
	for _, t := range e.EnabledEvents {
		if t == "*" || t == typ {
			return true
		}
	}
	return false
}

// Secrets returns the secrets that sign at now: the current one, and the
// previous one while its overlap lasts.
func (e *WebhookEndpoint) Secrets(now time.Time) []string {
	s := []string{e.Secret}
	if e.PreviousSecret != "" && now.Before(e.PreviousSecretExpiresAt) {
		s = append(s, e.PreviousSecret)
	}
	return s
}

// WebhookEvent is one announced change of a payment. Payload is the body
// sent, byte for byte, on every attempt; ID is the webhook-id, the same on
// every retry, so receivers can drop duplicates.
type WebhookEvent struct {
	ID         string
	MerchantID string
	Type       string
	PaymentID  string
	Payload    []byte
	CreatedAt  time.Time
	// Livemode is the payment's (see Payment.Livemode).
	Livemode bool
	// Deliveries are filled by the Find methods, oldest first.
	Deliveries []*WebhookDelivery
}

// WebhookDelivery is an event on its way to one endpoint.
type WebhookDelivery struct {
	ID             string
	EventID        string
	EndpointID     string
	Status         string // DeliveryPending, DeliverySucceeded or DeliveryDead
	Attempts       int
	NextAttemptAt  time.Time
	LastStatusCode int
	LastError      string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// WebhookJob is a claimed delivery with what sending it needs.
type WebhookJob struct {
	Delivery *WebhookDelivery
	Event    *WebhookEvent
	Endpoint *WebhookEndpoint
}

// WebhookAttempt is the outcome of one attempt, recorded by the worker.
type WebhookAttempt struct {
	DeliveryID string
	// Owner must still hold the delivery's lease, or nothing is recorded.
	Owner string
	// Status is the delivery's new status.
	Status        string
	StatusCode    int
	Error         string
	NextAttemptAt time.Time
	At            time.Time
	// DisableEndpoint disables the endpoint (it answered 410 Gone) and
	// gives up on every other pending delivery to it.
	DisableEndpoint bool
}

// WebhookClaimFilter selects the deliveries to claim.
type WebhookClaimFilter struct {
	// DeliveryID claims that one delivery if it is pending, due or not.
	DeliveryID string
	Limit      int
	// PerEndpoint caps the leased deliveries of one endpoint (counting
	// those other owners hold), so that a slow endpoint with many pending
	// deliveries cannot take every worker (0: no cap).
	PerEndpoint int
}

// WebhookEventFilter selects a merchant's events, newest first.
type WebhookEventFilter struct {
	MerchantID string
	// StartingAfter is an event id: only older events are listed.
	StartingAfter string
	Limit         int
	// Livemode, when set, keeps only events of that mode (the key's).
	Livemode *bool
}

// WebhookStore keeps webhook endpoints, events and their deliveries.
// Events are written by the payment transitions themselves, in their
// transaction (an outbox): none is lost when the process dies after the
// commit, and none exists for a change that was rolled back.
type WebhookStore interface {
	// CreateWebhookEndpoint stores e (ID, MerchantID, URL, Secret set).
	CreateWebhookEndpoint(ctx context.Context, e *WebhookEndpoint) error
	// FindWebhookEndpointByID returns ENOTFOUND unless the merchant has it.
	FindWebhookEndpointByID(ctx context.Context, merchantID, id string) (*WebhookEndpoint, error)
	// FindWebhookEndpoints lists a merchant's endpoints, oldest first.
	FindWebhookEndpoints(ctx context.Context, merchantID string) ([]*WebhookEndpoint, error)
	// DeleteWebhookEndpoint removes an endpoint; its pending deliveries die.
	DeleteWebhookEndpoint(ctx context.Context, merchantID, id string) error
	// RotateWebhookSecret makes secret the endpoint's secret; the old one
	// keeps signing until overlapUntil.
	RotateWebhookSecret(ctx context.Context, merchantID, id, secret string, overlapUntil time.Time) (*WebhookEndpoint, error)
	// FindWebhookEvents lists events with their deliveries, newest first.
	FindWebhookEvents(ctx context.Context, f WebhookEventFilter) ([]*WebhookEvent, error)
	// FindWebhookEventByID returns ENOTFOUND unless the merchant has it.
	FindWebhookEventByID(ctx context.Context, merchantID, id string) (*WebhookEvent, error)
	// ResendWebhookEvent adds a pending delivery of the event to the given
	// endpoint, or (endpointID "") to every enabled endpoint of the merchant
	// subscribed to its type, and returns the event.
	ResendWebhookEvent(ctx context.Context, merchantID, eventID, endpointID string) (*WebhookEvent, error)
	// ClaimWebhookDeliveries leases pending deliveries due at c.Now (or the
	// one f.DeliveryID, due or not) to c.Owner, skipping those another
	// owner holds, as ClaimPayments does, and never more than f.PerEndpoint
	// leased at once to one endpoint.
	ClaimWebhookDeliveries(ctx context.Context, c Claim, f WebhookClaimFilter) ([]*WebhookJob, error)
	// RecordWebhookAttempt records an attempt and releases the lease.
	// Returns ECONFLICT when a.Owner no longer holds the lease.
	RecordWebhookAttempt(ctx context.Context, a WebhookAttempt) error
}
