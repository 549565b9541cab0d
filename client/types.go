package client

import (
	"encoding/json"
	"time"
)

// Status is a payment's status.
type Status string

// Payment statuses.
const (
	StatusCreated           Status = "created"
	StatusReady             Status = "ready"
	StatusApproving         Status = "approving"
	StatusPaid              Status = "paid"
	StatusPartiallyCanceled Status = "partially_canceled"
	StatusCanceled          Status = "canceled"
	StatusAborted           Status = "aborted"
	StatusFailed            Status = "failed"
	StatusExpired           Status = "expired"
)

// Payment is the API's payment object.
//
// The server (internal/httpapi) marshals the types of this file that
// answers carry (Payment, PaymentList, WebhookEndpoint, Event and the types
// they hold), so they are the one definition of the API's JSON: a change
// here changes the API, and the server's tests check it against openapi.json.
type Payment struct {
	ID       string `json:"id"`
	Object   string `json:"object"`
	Provider string `json:"provider"`
	Status   Status `json:"status"`
	// Livemode is true only for a payment whose money really moves (a
	// provider with live credentials); a key sees only its own mode's.
	Livemode         bool   `json:"livemode"`
	OrderID          string `json:"order_id"`
	OrderName        string `json:"order_name"`
	CustomerID       string `json:"customer_id"`
	Amount           int64  `json:"amount"`
	Quantity         int64  `json:"quantity"`
	TaxFreeAmount    int64  `json:"tax_free_amount"`
	Currency         string `json:"currency"`
	CanceledAmount   int64  `json:"canceled_amount"`
	CancelableAmount int64  `json:"cancelable_amount"`
	// RedirectURL is where to send the buyer; only while the payment is ready.
	RedirectURL       string          `json:"redirect_url,omitempty"`
	RedirectURLs      *RedirectURLs   `json:"redirect_urls,omitempty"`
	ProviderIDs       ProviderIDs     `json:"provider_ids"`
	ProviderStatus    string          `json:"provider_status,omitempty"`
	PaymentMethodType string          `json:"payment_method_type,omitempty"`
	Failure           *Failure        `json:"failure"`
	SuccessURL        string          `json:"success_url,omitempty"`
	FailURL           string          `json:"fail_url,omitempty"`
	CancelURL         string          `json:"cancel_url,omitempty"`
	Cancellations     []*Cancellation `json:"cancellations,omitempty"`
	ExpiresAt         time.Time       `json:"expires_at"`
	ApprovedAt        *time.Time      `json:"approved_at"`
	CanceledAt        *time.Time      `json:"canceled_at"`
	CreatedAt         time.Time       `json:"created_at"`
	UpdatedAt         time.Time       `json:"updated_at"`
}

// RedirectURLs are the provider's pages for each kind of buyer device.
type RedirectURLs struct {
	PC     string `json:"pc"`
	Mobile string `json:"mobile"`
	App    string `json:"app"`
}

// ProviderIDs are the provider's ids of a payment. ProviderPaymentID is the
// provider's id of the payment for every provider; the field named as the
// provider names it (PaymentKey, ImpUID, PaymentID, or TID for KakaoPay)
// holds the same value, so that it can be searched for in the provider's
// console and documentation as is.
type ProviderIDs struct {
	ProviderPaymentID string `json:"provider_payment_id,omitempty"`
	PaymentKey        string `json:"payment_key,omitempty"` // Toss paymentKey
	ImpUID            string `json:"imp_uid,omitempty"`     // PortOne V1 imp_uid
	PaymentID         string `json:"payment_id,omitempty"`  // PortOne V2 paymentId
	// TID is KakaoPay's tid; for the other providers it repeats
	// ProviderPaymentID (it held every provider's id before those fields).
	TID            string `json:"tid,omitempty"`
	CID            string `json:"cid,omitempty"`
	PartnerOrderID string `json:"partner_order_id,omitempty"`
	PartnerUserID  string `json:"partner_user_id,omitempty"`
	AID            string `json:"aid,omitempty"`
}

// Failure says why a payment failed.
type Failure struct {
	Code            string `json:"code"`
	Message         string `json:"message"`
	ProviderCode    string `json:"provider_code,omitempty"`
	ProviderMessage string `json:"provider_message,omitempty"`
}

// Cancellation statuses.
const (
	CancellationPending = "pending"
)

// Cancellation is one refund of a payment. A Status of "pending" means the
// provider accepted it without confirming it yet (the cancel call answered
// 202); paybridge settles it by itself.
type Cancellation struct {
	ID             string    `json:"id"`
	Amount         int64     `json:"amount"`
	TaxFreeAmount  int64     `json:"tax_free_amount"`
	Reason         string    `json:"reason"`
	Status         string    `json:"status"`
	FailureCode    string    `json:"failure_code,omitempty"`
	FailureMessage string    `json:"failure_message,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
}

// PendingCancellation returns the payment's pending refund, or nil.
func (p *Payment) PendingCancellation() *Cancellation {
	for _, c := range p.Cancellations {
		if c.Status == CancellationPending {
			return c
		}
	}
	return nil
}

// List is a list answer of the API ({"object":"list",…}): one page of a
// list that is cut into pages, or all of a short one (HasMore false).
type List[T any] struct {
	Object  string `json:"object"`
	Data    []*T   `json:"data"`
	HasMore bool   `json:"has_more"`
	URL     string `json:"url"`
}

// PaymentList is one page of payments, newest first.
type PaymentList = List[Payment]

// CreatePaymentParams is the body of POST /v1/payments.
type CreatePaymentParams struct {
	Provider      string `json:"provider"`
	OrderID       string `json:"order_id"`
	OrderName     string `json:"order_name"`
	Amount        int64  `json:"amount"`
	Quantity      int64  `json:"quantity"`
	TaxFreeAmount int64  `json:"tax_free_amount,omitempty"`
	CustomerID    string `json:"customer_id"`
	SuccessURL    string `json:"success_url,omitempty"`
	FailURL       string `json:"fail_url,omitempty"`
	CancelURL     string `json:"cancel_url,omitempty"`
	// IdempotencyKey is sent as the Idempotency-Key header; a random one is
	// made when empty. Set it to retry a call across process restarts.
	IdempotencyKey string `json:"-"`
}

// CancelParams is the body of POST /v1/payments/{id}/cancel.
type CancelParams struct {
	// Amount to refund; nil refunds everything that remains.
	Amount *int64 `json:"amount,omitempty"`
	// TaxFreeAmount of the refund; nil lets paybridge choose.
	TaxFreeAmount *int64 `json:"tax_free_amount,omitempty"`
	// Reason is required.
	Reason         string `json:"reason"`
	IdempotencyKey string `json:"-"`
}

// Int64 returns a pointer to n, for CancelParams.
func Int64(n int64) *int64 { return &n }

// ListPaymentsParams selects a page of GET /v1/payments. Zero fields are
// not sent.
type ListPaymentsParams struct {
	// Limit is the page size, 1–100 (server default 10).
	Limit int
	// StartingAfter gives the page of payments older than this id;
	// EndingBefore the page of those newer than it (still newest first).
	StartingAfter string
	EndingBefore  string
	// Statuses keeps payments in any of these statuses.
	Statuses   []Status
	Provider   string
	OrderID    string
	CustomerID string
	CreatedGTE time.Time
	CreatedGT  time.Time
	CreatedLTE time.Time
	CreatedLT  time.Time
}

// WebhookEndpoint is an URL paybridge sends events to.
type WebhookEndpoint struct {
	ID             string   `json:"id"`
	Object         string   `json:"object"`
	URL            string   `json:"url"`
	Description    string   `json:"description"`
	EnabledEvents  []string `json:"enabled_events"`
	Status         string   `json:"status"`
	DisabledReason string   `json:"disabled_reason,omitempty"`
	// Livemode is the mode of the events the endpoint receives, which is
	// the mode of the key that created it; only keys of that mode see it.
	Livemode bool `json:"livemode"`
	// Secret is only in the answers to a creation or a rotation.
	Secret                  string     `json:"secret,omitempty"`
	PreviousSecretExpiresAt *time.Time `json:"previous_secret_expires_at,omitempty"`
	CreatedAt               time.Time  `json:"created_at"`
	UpdatedAt               time.Time  `json:"updated_at"`
}

// WebhookEndpointList is the merchant's webhook endpoints.
type WebhookEndpointList = List[WebhookEndpoint]

// CreateWebhookEndpointParams is the body of POST /v1/webhook_endpoints.
type CreateWebhookEndpointParams struct {
	URL string `json:"url"`
	// EnabledEvents are event types, or "*"; none means every event.
	EnabledEvents  []string `json:"enabled_events,omitempty"`
	Description    string   `json:"description,omitempty"`
	IdempotencyKey string   `json:"-"`
}

// DeletedWebhookEndpoint is the answer to a deletion.
type DeletedWebhookEndpoint struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Deleted bool   `json:"deleted"`
}

// Event is an outbound webhook event with its deliveries.
type Event struct {
	ID        string    `json:"id"`
	Object    string    `json:"object"`
	Type      string    `json:"type"`
	PaymentID string    `json:"payment_id"`
	Livemode  bool      `json:"livemode"`
	CreatedAt time.Time `json:"created_at"`
	// Data is the event's data as sent: {"object": <payment>}.
	Data json.RawMessage `json:"data"`
	// Deliveries are the attempts so far per endpoint (several for one
	// endpoint after a re-send).
	Deliveries []*Delivery `json:"deliveries"`
}

// Payment decodes the payment the event carries.
func (e *Event) Payment() (*Payment, error) {
	var d struct {
		Object *Payment `json:"object"`
	}
	if err := json.Unmarshal(e.Data, &d); err != nil {
		return nil, err
	}
	return d.Object, nil
}

// Delivery is the attempts to send an event to one endpoint.
type Delivery struct {
	ID             string     `json:"id"`
	EndpointID     string     `json:"endpoint_id"`
	Status         string     `json:"status"`
	Attempts       int        `json:"attempts"`
	LastStatusCode int        `json:"last_status_code,omitempty"`
	LastError      string     `json:"last_error,omitempty"`
	NextAttemptAt  *time.Time `json:"next_attempt_at"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// EventList is one page of events, newest first.
type EventList = List[Event]

// ListEventsParams selects a page of GET /v1/events.
type ListEventsParams struct {
	// Limit is the page size, 1–100 (server default 10).
	Limit         int
	StartingAfter string
}

// ResendEventParams is the body of POST /v1/events/{id}/resend.
type ResendEventParams struct {
	// EndpointID sends to that endpoint only; empty sends to every enabled
	// endpoint subscribed to the event.
	EndpointID     string `json:"endpoint_id,omitempty"`
	IdempotencyKey string `json:"-"`
}
