package payment

import (
	"strings"
	"time"
)

// Providers paybridge knows by name.
const (
	ProviderKakaoPay = "kakaopay"
	ProviderIamport  = "iamport" // PortOne V1 (api.iamport.kr)
	ProviderPortOne  = "portone" // PortOne V2 (api.portone.io)
	ProviderToss     = "toss"    // Toss Payments
)

// Channels say through which door a payment was created; they only change
// where the buyer's browser goes after the provider.
const (
	ChannelAPI    = "api"    // the merchant API
	ChannelDemo   = "demo"   // the demo shop at /
	ChannelDropIn = "dropin" // the original sample's POST /ready
)

// Payment is one attempt to collect money for one order. Every field that
// matters for money (amount, provider ids, customer) is fixed on the server
// when the payment is created and never taken from the browser afterwards.
type Payment struct {
	ID            string
	MerchantID    string
	Provider      string
	Channel       string
	OrderID       string
	OrderName     string
	CustomerID    string
	Quantity      int64
	Amount        int64
	TaxFreeAmount int64
	Currency      string
	Status        Status
	// Livemode is true only when the payment went to a provider with live
	// credentials, so that real money moves; sandbox payments and payments
	// on a provider's test credentials are false. Fixed at creation.
	Livemode bool

	CanceledAmount        int64
	CanceledTaxFreeAmount int64

	// Provider side. ProviderTID is KakaoPay's tid; ProviderCID the cid used.
	ProviderTID        string
	ProviderCID        string
	ProviderStatus     string // last status the provider reported, e.g. SUCCESS_PAYMENT
	ProviderMethodType string // CARD or MONEY
	ProviderApprovalID string // KakaoPay's aid of the approval
	ProviderOrderID    string // what the provider knows as the order (KakaoPay partner_order_id)
	ProviderUserID     string // what the provider knows as the buyer (KakaoPay partner_user_id)
	// ProviderErrorCode and ProviderErrorMessage keep the provider's own words
	// from the last refused or failed call, e.g. "-780" and "approval failure!".
	ProviderErrorCode    string
	ProviderErrorMessage string
	PGToken              string // the token the buyer's return carried, kept for the drop-in API and approve retries
	// ReturnTID is the provider's id the buyer's return claimed (Toss
	// paymentKey), kept so a confirm the provider provably did not act on
	// can be repeated. Never trusted for lookups: ProviderTID is set only
	// from a verified answer.
	ReturnTID string
	// FinishAttempts counts the finishing calls repeated by the sweep, and
	// RefundAttempts the refunds of a closed payment retried by it;
	// RetryAt is when the next may be made (backoff).
	FinishAttempts int64
	RefundAttempts int64
	RetryAt        time.Time

	RedirectPC     string
	RedirectMobile string
	RedirectApp    string

	SuccessURL string
	FailURL    string
	CancelURL  string

	FailureCode    string // paybridge's reason, e.g. amount_mismatch, provider_declined
	FailureMessage string // human-readable, may quote the provider's code and message

	ExpiresAt  time.Time
	ApprovedAt time.Time // zero until paid
	CanceledAt time.Time // zero until the first refund
	CreatedAt  time.Time
	UpdatedAt  time.Time

	// ProviderLastAnswer is the provider's last answer paybridge applied to
	// this payment (ProviderPayment.Raw, already redacted), received at
	// ProviderLastAnswerAt; empty until one was. Shown in the console only.
	ProviderLastAnswer   []byte
	ProviderLastAnswerAt time.Time

	// Version counts the changes made to the stored payment: every update
	// adds one. Set by the store; see Update.Seen for what it is for.
	Version int64

	// Idempotency, when set on the payment handed to Store.CreatePayment,
	// is the creating request's hold on its Idempotency-Key: the store
	// records the payment's id under the key in the same transaction (and
	// refuses with EINPROGRESS when the hold was lost). Not stored.
	Idempotency *IdempotencyClaim
}

// CancelableAmount is what can still be refunded.
func (p *Payment) CancelableAmount() int64 {
	if !p.Status.Settled() {
		return 0
	}
	return p.Amount - p.CanceledAmount
}

// CancelableTaxFreeAmount is the tax-free part that can still be refunded.
func (p *Payment) CancelableTaxFreeAmount() int64 {
	if !p.Status.Settled() {
		return 0
	}
	return p.TaxFreeAmount - p.CanceledTaxFreeAmount
}

// Update holds the fields a transition may change besides the status. Nil
// means unchanged.
type Update struct {
	ProviderTID           *string
	ProviderCID           *string
	ProviderStatus        *string
	ProviderMethodType    *string
	ProviderApprovalID    *string
	ProviderOrderID       *string
	ProviderUserID        *string
	ProviderErrorCode     *string
	ProviderErrorMessage  *string
	PGToken               *string
	ReturnTID             *string
	FinishAttempts        *int64
	RefundAttempts        *int64
	RetryAt               *time.Time
	RedirectPC            *string
	RedirectMobile        *string
	RedirectApp           *string
	FailureCode           *string
	FailureMessage        *string
	ExpiresAt             *time.Time
	ApprovedAt            *time.Time
	CanceledAt            *time.Time
	CanceledAmount        *int64
	CanceledTaxFreeAmount *int64
	// ReleaseOrderID frees the order id for a new payment; set when the
	// provider never accepted the payment, so a shop can simply try again.
	ReleaseOrderID bool
	// ProviderAnswer replaces the stored last provider answer.
	ProviderAnswer *ProviderAnswer

	// Seen, when set, is the payment exactly as the store last returned it
	// to the caller (unchanged since). It changes nothing that is written
	// or whether the compare-and-set matches: while the stored payment is
	// still that version, the store builds the changed payment from Seen
	// instead of reading the row back, which on SQLite's one writer costs
	// more than the update itself. When the payment changed since, the
	// store reads it back as without Seen.
	Seen *Payment
}

// ProviderAnswer is a provider's redacted answer body and when paybridge
// received it.
type ProviderAnswer struct {
	Body []byte
	At   time.Time
}

// Event is one row of a payment's audit trail: one per state change, written
// in the same transaction as the change.
type Event struct {
	ID         int64
	PaymentID  string
	FromStatus Status // "" for creation
	ToStatus   Status
	Reason     string // short machine reason: created, buyer_approved, provider_declined…
	Message    string // human-readable detail
	CreatedAt  time.Time
}

// Cancellation is one refund request against a paid payment.
type Cancellation struct {
	ID             string
	PaymentID      string
	Amount         int64
	TaxFreeAmount  int64
	Reason         string
	Status         string // CancellationPending, CancellationSucceeded, CancellationFailed
	FailureCode    string
	FailureMessage string
	ProviderAID    string
	// AcceptedAt is when the provider accepted the refund to carry it out
	// later (PortOne V2 REQUESTED); zero otherwise. An accepted refund is
	// never failed for looking not done: it waits for the provider's word.
	AcceptedAt time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time

	// Idempotency is as Payment.Idempotency, for Store.CreateCancellation.
	Idempotency *IdempotencyClaim
}

// Cancellation states. A pending cancellation blocks other refunds of the same
// payment until it is settled, so two refunds can never race at the provider.
const (
	CancellationPending   = "pending"
	CancellationSucceeded = "succeeded"
	CancellationFailed    = "failed"
)

// Merchant is a shop using paybridge.
type Merchant struct {
	ID        string
	Name      string
	CreatedAt time.Time
}

// DefaultMerchantID is the merchant every fresh database has.
const DefaultMerchantID = "mer_default"

// APIKey is a merchant's secret key. Only its SHA-256 hash is stored; Prefix
// (the first characters) lets an operator tell keys apart.
type APIKey struct {
	ID         string
	MerchantID string
	Name       string
	Prefix     string
	Hash       string
	CreatedAt  time.Time
	RevokedAt  time.Time
}

// Key prefixes: a live key sees and creates only livemode payments, a test
// key only the others.
const (
	KeyPrefixTest = "sk_test_"
	KeyPrefixLive = "sk_live_"
)

// Livemode reports whether the key is a live key (sk_live_).
func (k *APIKey) Livemode() bool { return strings.HasPrefix(k.Prefix, KeyPrefixLive) }
