package payment

import (
	"context"
	"errors"
	"net/http"
	"net/url"
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
	// Finishing says what the provider's finishing call does with the
	// money, which decides what its errors may mean (see Finishing).
	Finishing() Finishing
	// Ready registers the payment with the provider (amount fixed here) and
	// returns where to send the buyer. RedirectPC may be empty: the buyer
	// then goes to paybridge's own checkout page, which opens the provider's
	// window with its browser SDK.
	Ready(ctx context.Context, p *Payment, urls ReturnURLs) (*ReadyResult, error)
	// ParseReturn reads the query the provider's window sent the buyer's
	// browser back with. Nothing in it is trusted for money: it only says
	// whether the buyer claims to have finished, and carries what the
	// provider needs to finish (a token, a key) and what must be checked.
	ParseReturn(q url.Values) Return
	// Approve finishes the payment after the buyer returned (KakaoPay
	// approve, Toss confirm) or verifies it (PortOne: look it up). It is
	// called at most once per payment.
	Approve(ctx context.Context, p *Payment, ret Return) (*ProviderPayment, error)
	// Lookup asks the provider for the payment's current state, by
	// paybridge's own ids (ProviderTID when known, else the payment's
	// order id at the provider). Safe to retry.
	Lookup(ctx context.Context, p *Payment) (*ProviderPayment, error)
	// Cancel refunds part or all of a paid payment.
	Cancel(ctx context.Context, p *Payment, req CancelRequest) (*ProviderPayment, error)
}

// Finishing describes how a provider finishes a payment. Rule: decide from
// what happened to the money, not from what one call returned.
type Finishing struct {
	// Verifies is true when the buyer's money moves inside the provider's
	// window and the finishing call only reads it (PortOne V1 and V2): a
	// failed read then says nothing about the money, so no error of it may
	// fail a payment. False when the finishing call itself moves the money
	// (KakaoPay approve, Toss confirm): a call the provider provably did
	// not act on may be repeated, behind the provider's own guard against
	// a double charge (KakaoPay -702, Toss Idempotency-Key).
	Verifies bool
	// WindowOutlivesExpiry is true when the buyer can still pay in the
	// provider's window after paybridge closed the payment (PortOne's
	// windows do not expire with ours): the sweep then re-checks closed
	// payments for a while and refunds a late charge.
	WindowOutlivesExpiry bool
}

// Return is the buyer's browser coming back from the provider's window.
type Return struct {
	// Success is the provider's own word that the buyer finished
	// (KakaoPay: a pg_token; PortOne V1: imp_success=true; V2: no code;
	// Toss: a paymentKey on the success URL).
	Success bool
	// Token is KakaoPay's pg_token.
	Token string
	// TID is the provider's id of the payment when the return carries one:
	// PortOne V1 imp_uid, Toss paymentKey.
	TID string
	// OrderID is the order id the return claims (merchant_uid, paymentId,
	// orderId); it must be paybridge's.
	OrderID string
	// Amount is the amount the return claims (Toss), valid when HasAmount.
	Amount    int64
	HasAmount bool
	// ErrorCode and ErrorMessage are the provider's reason when !Success.
	ErrorCode    string
	ErrorMessage string
	// Canceled is the provider's word that the buyer cancelled in the
	// window (Toss's PAY_PROCESS_CANCELED). Like everything in a return it
	// is only believed once a lookup shows nothing was charged.
	Canceled bool
}

// WebhookParser is implemented by providers that notify paybridge. A
// webhook is never trusted for state: it only names the payment to look up.
type WebhookParser interface {
	// ParseWebhook authenticates the request where the provider signs it
	// (returning EUNAUTHORIZED when the signature is wrong, missing or
	// stale) and returns the paybridge payment id it concerns. An event
	// that concerns no payment (an unknown type) returns "" and no error.
	ParseWebhook(h http.Header, body []byte) (paymentID string, err error)
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
	// ExpiresIn is how long the provider lets the buyer take before the
	// payment can no longer be finished (0: paybridge's default, 15 minutes).
	ExpiresIn time.Duration
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
	TID           string
	CID           string // the merchant code the provider answered for, when it says
	OrderID       string
	CustomerID    string
	State         ProviderState
	RawStatus     string
	Amount        int64 // total approved
	TaxFreeAmount int64 // the original tax-free part, valid when TaxFreeKnown
	// TaxFreeKnown is set by adapters whose provider reports the tax-free
	// part (all but PortOne V1): only then is it compared with the payment.
	TaxFreeKnown          bool
	CanceledAmount        int64
	CanceledTaxFreeAmount int64 // the tax-free part of CanceledAmount, valid when TaxFreeKnown
	CancelableAmount      int64
	// Currency is the currency the provider says the amounts are in ("KRW"),
	// "" when its answer does not say. Every amount above is a number only:
	// 2200 of another currency is not 2200 won, so the service compares it
	// with the payment's (a buyer can change it in a browser SDK's call).
	Currency string
	// PendingCancelAmount is what the provider accepted to refund and has
	// not refunded yet (PortOne V2 REQUESTED cancellations).
	PendingCancelAmount int64
	// FailureCode and FailureMessage are the provider's own reason for a
	// failed payment (PortOne V1 fail_reason, V2 failure.pgCode and
	// pgMessage), kept on the payment for the operator; BuyerCanceled says
	// the reason is the buyer cancelling in the window.
	FailureCode    string
	FailureMessage string
	BuyerCanceled  bool
	MethodType     string
	ApprovalID     string
	ItemName       string
	Quantity       int64
	CreatedAt      time.Time
	ApprovedAt     time.Time
	CanceledAt     time.Time
	// Raw is the provider's answer body as received (JSON), with secrets
	// and full card numbers removed by the adapter, kept for the operator
	// to see what the provider said; nil when the answer was too large or
	// not JSON. Never sent to the shop.
	Raw []byte
}

// CancelRequest is a refund as sent to the provider. Cancelable is the
// remaining cancelable amount before this refund, which the provider checks
// so that a retried or stale refund cannot refund twice.
type CancelRequest struct {
	Amount        int64
	TaxFreeAmount int64
	Cancelable    int64
	Reason        string
	// IdempotencyKey is unique per refund (paybridge's cancellation id);
	// providers that support it (Toss) get it so a retried request cannot
	// refund twice.
	IdempotencyKey string
}

// ErrRefundAccepted is wrapped (inside an EUPSTREAM *Error) by an adapter
// whose provider accepted a refund it carries out later (PortOne V2's
// REQUESTED): the refund is neither done nor refused, and stays pending
// until the provider says which.
var ErrRefundAccepted = errors.New("the provider accepted the refund and completes it later")
