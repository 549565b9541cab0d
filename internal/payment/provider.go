package payment

import (
	"context"
	"time"
)

// Provider is what paybridge needs from a payment provider. Adapters translate
// the provider's wire format and errors into these types.
//
// Errors: an adapter returns an *Error whose code says what is known about the
// outcome: EDECLINED or EINVALID when the provider definitely did nothing,
// EUPSTREAM when the outcome is unknown (timeout, 5xx, dropped connection)
// and the payment must be looked up before anything else is done. The
// provider's own code and message ride along as a *ProviderError.
type Provider interface {
	Name() string
	// Ready registers the payment with the provider (amount fixed here) and
	// returns where to send the buyer.
	Ready(ctx context.Context, p *Payment, urls ReturnURLs) (*ReadyResult, error)
	// Approve finishes the payment after the buyer authenticated. It is
	// called at most once per payment.
	Approve(ctx context.Context, p *Payment, token string) (*ProviderPayment, error)
	// Lookup asks the provider for the payment's current state. Safe to retry.
	Lookup(ctx context.Context, p *Payment) (*ProviderPayment, error)
	// Cancel refunds part or all of a paid payment.
	Cancel(ctx context.Context, p *Payment, req CancelRequest) (*ProviderPayment, error)
}

// ReturnURLs are where the provider sends the buyer's browser back to.
type ReturnURLs struct {
	Approval string
	Cancel   string
	Fail     string
}

// ReadyResult is the provider's answer to Ready.
type ReadyResult struct {
	TID              string
	CID              string
	RedirectPC       string
	RedirectMobile   string
	RedirectApp      string
	AndroidAppScheme string
	IOSAppScheme     string
	CreatedAt        time.Time
}

// ProviderState is a provider's status folded into what paybridge acts on.
type ProviderState string

// Provider states.
const (
	ProviderPending           ProviderState = "pending" // not finished yet (ready, opened, authenticated)
	ProviderPaid              ProviderState = "paid"
	ProviderPartiallyCanceled ProviderState = "partially_canceled"
	ProviderCanceled          ProviderState = "canceled"
	ProviderQuit              ProviderState = "quit"    // the buyer gave up
	ProviderFailed            ProviderState = "failed"  // the provider failed or refused it
	ProviderUnknown           ProviderState = "unknown" // a status this adapter does not know
)

// ProviderPayment is the provider's view of a payment, from an approve,
// lookup or cancel response.
type ProviderPayment struct {
	TID              string
	CID              string // the merchant code the provider answered for, when it says
	OrderID          string
	CustomerID       string
	State            ProviderState
	RawStatus        string
	Amount           int64 // total approved
	TaxFreeAmount    int64
	CanceledAmount   int64
	CancelableAmount int64
	MethodType       string
	ApprovalID       string
	ItemName         string
	Quantity         int64
	CreatedAt        time.Time
	ApprovedAt       time.Time
	CanceledAt       time.Time
}

// CancelRequest is a refund as sent to the provider. Cancelable is the
// remaining cancelable amount before this refund, which the provider checks
// so that a retried or stale refund cannot refund twice.
type CancelRequest struct {
	Amount        int64
	TaxFreeAmount int64
	Cancelable    int64
	Reason        string
}
