package payment

import (
	"context"
	"time"
)

// Statuses of a provider webhook in the inbox.
const (
	// InboxPending: waiting for its lookup (first or next attempt).
	InboxPending = "pending"
	// InboxProcessing: a worker holds it under a lease and is looking the
	// payment up; if the worker dies, the lease runs out and another takes it.
	InboxProcessing = "processing"
	// InboxDone: the payment was looked up after the delivery arrived.
	InboxDone = "done"
	// InboxDead: every attempt failed; the sweep still settles the payment.
	InboxDead = "dead"
)

// ProviderWebhook is one entry of the inbox of provider webhooks: a
// delivery from PortOne or Toss naming a payment, written before paybridge
// answers 200 and processed by a worker that looks the payment up. The
// body is not kept: it is never trusted for state, only for which payment
// to look up.
type ProviderWebhook struct {
	ID        string
	Provider  string
	PaymentID string
	Status    string
	// Deliveries counts the deliveries this entry stands for: those that
	// arrived while it was pending joined it, since its one lookup, made
	// after all of them, answers them all.
	Deliveries    int
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// InboxStore keeps the inbox of provider webhooks. Every method is safe
// across several paybridge instances on one database.
type InboxStore interface {
	// EnqueueProviderWebhook durably records a delivery for paymentID. A
	// delivery for a payment that already has a pending entry joins that
	// entry (and makes it due now); one arriving while the payment's entry
	// is being processed gets a new entry, so every delivery is followed by
	// a lookup that starts after it.
	EnqueueProviderWebhook(ctx context.Context, provider, paymentID string, now time.Time) (*ProviderWebhook, error)
	// ClaimProviderWebhooks leases to c.Owner, for c.Lease, up to limit
	// entries that are due (pending with next_attempt_at passed, or
	// processing under a lease that ran out), marks them processing and
	// counts the attempt.
	ClaimProviderWebhooks(ctx context.Context, c Claim, limit int) ([]*ProviderWebhook, error)
	// FinishProviderWebhook records the outcome of an attempt by owner:
	// done (err == ""), or failed with err and, unless dead, due again at
	// next. A failed entry whose payment meanwhile got a new pending entry
	// is closed as done: that entry's lookup supersedes it. ECONFLICT when
	// owner no longer holds the entry.
	FinishProviderWebhook(ctx context.Context, id, owner, errMsg string, next time.Time, dead bool, now time.Time) error
	// FindProviderWebhooks lists a payment's inbox entries, oldest first.
	FindProviderWebhooks(ctx context.Context, paymentID string) ([]*ProviderWebhook, error)
	// ReapProviderWebhooks deletes up to limit done or dead entries last
	// updated before before, and returns how many.
	ReapProviderWebhooks(ctx context.Context, before time.Time, limit int) (int, error)
}
