package payment

import (
	"context"
	"time"
)

// Store keeps merchants, keys, payments, their events and cancellations.
// Every method that changes a payment's status does so as a compare-and-set
// and writes the event row in the same transaction.
type Store interface {
	PaymentLister
	WebhookStore
	// CreatePayment inserts p (status StatusCreated) and its first event.
	// Returns ECONFLICT when the merchant already has a payment for p.OrderID.
	CreatePayment(ctx context.Context, p *Payment) error
	// FindPaymentByID returns ENOTFOUND when there is no such payment.
	FindPaymentByID(ctx context.Context, id string) (*Payment, error)
	// FindPaymentByTID finds a payment by the provider's transaction id.
	FindPaymentByTID(ctx context.Context, provider, tid string) (*Payment, error)
	// FindPayments lists payments matching f, oldest first.
	FindPayments(ctx context.Context, f PaymentFilter) ([]*Payment, error)
	// TransitionPayment moves payment id from status from to status to,
	// applying upd, only if it is still in status from. Returns ECONFLICT
	// when the payment is no longer in from (someone else moved it), and
	// EINVALID when the transition is not allowed at all.
	TransitionPayment(ctx context.Context, id string, from, to Status, upd Update, ev Event) (*Payment, error)
	// UpdatePayment changes fields of payment id without a status change,
	// only while it is in status expect.
	UpdatePayment(ctx context.Context, id string, expect Status, upd Update) (*Payment, error)
	// FindEvents lists the audit trail of a payment, oldest first.
	FindEvents(ctx context.Context, paymentID string) ([]*Event, error)

	// CreateCancellation inserts a pending cancellation for a payment in
	// status expect, refusing (ECONFLICT) while another one is pending or the
	// payment's status changed, and (EINVALID) an amount over what remains.
	CreateCancellation(ctx context.Context, c *Cancellation, expect Status) error
	// CompleteCancellation settles a pending cancellation. On success it also
	// moves the payment to to with upd, in one transaction.
	CompleteCancellation(ctx context.Context, c *Cancellation, succeeded bool, to Status, upd Update, ev Event) (*Payment, error)
	// FindCancellations lists a payment's cancellations, oldest first.
	FindCancellations(ctx context.Context, paymentID string) ([]*Cancellation, error)
	// ClaimPayments leases to c.Owner, for c.Lease, up to f.Limit payments
	// matching f that no other owner holds a live lease on, and returns them.
	// Background work claims before it acts, so several paybridge instances
	// never settle the same payment at the same time; a lease of an instance
	// that died simply runs out.
	ClaimPayments(ctx context.Context, c Claim, f PaymentFilter) ([]*Payment, error)
	// ClaimCancellations leases pending cancellations created before
	// createdBefore, as ClaimPayments does for payments.
	ClaimCancellations(ctx context.Context, c Claim, createdBefore time.Time, limit int) ([]*Cancellation, error)

	// CreateAPIKey stores a key's hash for a merchant.
	CreateAPIKey(ctx context.Context, k *APIKey) error
	// FindAPIKeyByHash returns the unrevoked key with this hash, or ENOTFOUND.
	FindAPIKeyByHash(ctx context.Context, hash string) (*APIKey, error)
	// FindMerchantByID returns ENOTFOUND when there is no such merchant.
	FindMerchantByID(ctx context.Context, id string) (*Merchant, error)
	// CreateMerchant adds a merchant (ECONFLICT when the id exists).
	CreateMerchant(ctx context.Context, m *Merchant) error
	// FindMerchants lists every merchant, oldest first.
	FindMerchants(ctx context.Context) ([]*Merchant, error)
	// FindAPIKeys lists a merchant's keys (revoked ones too), oldest first;
	// the hashes are not returned.
	FindAPIKeys(ctx context.Context, merchantID string) ([]*APIKey, error)
	// RevokeAPIKey revokes one of a merchant's keys at once; ENOTFOUND when
	// the merchant has no such active key.
	RevokeAPIKey(ctx context.Context, merchantID, keyID string) error
}

// PaymentFilter selects payments. Zero fields do not filter.
type PaymentFilter struct {
	MerchantID    string
	Statuses      []Status
	UpdatedBefore time.Time
	CreatedBefore time.Time
	ExpiresBefore time.Time
	FailureCode   string
	Limit         int
}

// Claim names who takes background work, when (the claimant's clock, which
// also decides which leases have run out) and for how long.
type Claim struct {
	Owner string
	Now   time.Time
	Lease time.Duration
}
