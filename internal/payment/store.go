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
	// AnnouncePayment changes fields of payment id without a status change,
	// only while it is in status expect, and writes ev to its audit trail
	// and a payment.updated event to the outbox in the same transaction:
	// the shop hears of changes to closed payments like of any transition.
	AnnouncePayment(ctx context.Context, id string, expect Status, upd Update, ev Event) (*Payment, error)
	// FindEvents lists the audit trail of a payment, oldest first.
	FindEvents(ctx context.Context, paymentID string) ([]*Event, error)

	// CreateCancellation inserts a pending cancellation for a payment in
	// status expect, refusing (ECONFLICT) while another one is pending or the
	// payment's status changed, and (EINVALID) an amount over what remains.
	CreateCancellation(ctx context.Context, c *Cancellation, expect Status) error
	// CompleteCancellation settles a pending cancellation. On success it also
	// adds c's amounts to the payment's refunded totals as stored (never
	// from a copy read earlier), moves it to partially_canceled or canceled
	// accordingly, and applies upd, in one transaction. A failure with an
	// ev.Reason is announced in that transaction (the event and a
	// payment.updated webhook, upd applied, the status kept): a pending
	// refund the shop was answered about without its outcome. A failure
	// without one changes only the cancellation.
	CompleteCancellation(ctx context.Context, c *Cancellation, succeeded bool, upd Update, ev Event) (*Payment, error)
	// AcceptCancellation records that the provider accepted a pending
	// cancellation to carry out later (c.AcceptedAt).
	AcceptCancellation(ctx context.Context, c *Cancellation) error
	// ExtendLeases extends c.Owner's leases on the given payments to
	// c.Now+c.Lease and reports which it still held: background work
	// extends before each item so that no other instance re-claims a row
	// still being worked on.
	ExtendLeases(ctx context.Context, c Claim, paymentIDs []string) ([]string, error)
	// ExtendCancellationLeases does the same for claimed cancellations.
	ExtendCancellationLeases(ctx context.Context, c Claim, cancellationIDs []string) ([]string, error)
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
	// Providers limits to these providers; UpdatedAfter to payments
	// changed since; RetryBefore to payments whose RetryAt has passed.
	Providers    []string
	UpdatedAfter time.Time
	RetryBefore  time.Time
	Limit        int
}

// Claim names who takes background work, when (the claimant's clock, which
// also decides which leases have run out) and for how long.
type Claim struct {
	Owner string
	Now   time.Time
	Lease time.Duration
}
