package payment

import (
	"context"
	"time"
)

// Page sizes of a payment list.
const (
	DefaultListLimit = 10
	MaxListLimit     = 100
)

// ListQuery selects one page of a merchant's payments, newest first (by
// creation time, then id). Zero fields do not filter. Pages are cut by
// keyset on (created_at, id), never by offset, so payments created while a
// client pages neither repeat nor push rows out of the pages that follow.
type ListQuery struct {
	// MerchantID is required: a list never crosses merchants.
	MerchantID string
	Statuses   []Status
	// Livemode, when set, keeps only payments of that mode (the key's).
	Livemode   *bool
	Provider   string
	OrderID    string
	CustomerID string
	CreatedGTE time.Time
	CreatedGT  time.Time
	CreatedLTE time.Time
	CreatedLT  time.Time
	// StartingAfter is a payment id: the page holds the payments older than
	// it. EndingBefore is a payment id: the page holds the payments newer
	// than it (still newest first). At most one of the two may be set; the
	// id must be one of the merchant's payments.
	StartingAfter string
	EndingBefore  string
	// Limit is the page size, 1..MaxListLimit; 0 means DefaultListLimit.
	Limit int
}

// Validate reports the first problem of q as EINVALID.
func (q ListQuery) Validate() error {
	if q.MerchantID == "" {
		return Errorf(EINVALID, "a payment list needs a merchant")
	}
	if q.Limit < 0 || q.Limit > MaxListLimit {
		return Errorf(EINVALID, "limit must be between 1 and %d", MaxListLimit)
	}
	if q.StartingAfter != "" && q.EndingBefore != "" {
		return Errorf(EINVALID, "starting_after and ending_before cannot be used together")
	}
	for _, s := range q.Statuses {
		if !s.Valid() {
			return Errorf(EINVALID, "status %q is not a payment status", s)
		}
	}
	return nil
}

// PaymentLister pages through a merchant's payments and fetches the
// cancellations of a whole page at once.
type PaymentLister interface {
	// ListPayments returns one page of payments matching q, newest first,
	// and whether more payments lie beyond the page in the direction of
	// paging (older ones, or newer ones with EndingBefore). A cursor that is
	// not one of q.MerchantID's payments is EINVALID.
	ListPayments(ctx context.Context, q ListQuery) ([]*Payment, bool, error)
	// FindCancellationsOf returns the cancellations of the given payments,
	// keyed by payment id, each list oldest first. Payments without
	// cancellations have no key.
	FindCancellationsOf(ctx context.Context, paymentIDs []string) (map[string][]*Cancellation, error)
}
