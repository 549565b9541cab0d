package portone

import (
	"encoding/json"
	"time"

	"github.com/paybridge/paybridge/internal/provider"
)

// Wire structs mirror PortOne V2's JSON (portone-v2.openapi.json, docs/providers.md
// §3). Responses are read tolerantly: unknown fields are ignored (§3.1), and
// fields paybridge only records (names, ids, times, the method) are lenient,
// so that an odd value there cannot turn a paid payment into an unreadable
// answer. The fields money depends on (status, id, amount) are strict: if
// they cannot be read, the answer is unreadable and the outcome unknown.

// preRegisterRequest is the body of POST /payments/{paymentId}/pre-register
// (PreRegisterPaymentBody). Its answer is an empty object.
type preRegisterRequest struct {
	StoreID       string `json:"storeId,omitempty"`
	TotalAmount   int64  `json:"totalAmount"`
	TaxFreeAmount int64  `json:"taxFreeAmount"`
	Currency      string `json:"currency"`
}

// cancelRequest is the body of POST /payments/{paymentId}/cancel
// (CancelPaymentBody). No field is omitempty but storeId: an omitted amount
// means "cancel everything" to PortOne, and an omitted
// currentCancellableAmount switches the double-refund guard off.
type cancelRequest struct {
	StoreID                  string `json:"storeId,omitempty"`
	Amount                   int64  `json:"amount"`
	TaxFreeAmount            int64  `json:"taxFreeAmount"`
	CurrentCancellableAmount int64  `json:"currentCancellableAmount"`
	Reason                   string `json:"reason"`
}

// cancelResponse is CancelPaymentResponse.
type cancelResponse struct {
	Cancellation *cancellationWire `json:"cancellation"`
}

// Cancellation statuses (the PaymentCancellation union's discriminator).
const (
	cancellationRequested = "REQUESTED" // accepted, not done yet (§5.17)
	cancellationSucceeded = "SUCCEEDED"
	cancellationFailed    = "FAILED"
)

// cancellationWire is one member of the PaymentCancellation union; they
// share their fields.
type cancellationWire struct {
	Status           string      `json:"status"`
	ID               looseString `json:"id"`
	PGCancellationID looseString `json:"pgCancellationId"`
	TotalAmount      int64       `json:"totalAmount"`
	TaxFreeAmount    int64       `json:"taxFreeAmount"`
	VATAmount        int64       `json:"vatAmount"`
	Reason           looseString `json:"reason"`
	CancelledAt      looseTime   `json:"cancelledAt"`
	RequestedAt      looseTime   `json:"requestedAt"`
}

// paymentWire is the Payment union (discriminated by status), reduced to what
// paybridge reads. Fields of one member only (paidAt, failure, cancelledAt)
// are simply absent in the others.
type paymentWire struct {
	Status        string                   `json:"status"`
	ID            string                   `json:"id"`
	TransactionID looseString              `json:"transactionId"`
	StoreID       looseString              `json:"storeId"`
	Method        lenient[methodWire]      `json:"method"`
	OrderName     looseString              `json:"orderName"`
	Amount        *amountWire              `json:"amount"`
	Currency      looseString              `json:"currency"`
	Customer      lenient[customerWire]    `json:"customer"`
	RequestedAt   looseTime                `json:"requestedAt"`
	PaidAt        looseTime                `json:"paidAt"`
	CancelledAt   looseTime                `json:"cancelledAt"`
	FailedAt      looseTime                `json:"failedAt"`
	Failure       lenient[failureWire]     `json:"failure"`
	Channel       lenient[channelWire]     `json:"channel"`
	PGTxID        looseString              `json:"pgTxId"`
	Cancellations []lenient[cancelSummary] `json:"cancellations"`
}

// channelWire is SelectedChannel, reduced to its type: LIVE or TEST.
type channelWire struct {
	Type looseString `json:"type"`
}

// amountWire is PaymentAmount. total, taxFree, cancelled and cancelledTaxFree
// are required by the schema; a missing total is caught by the caller.
type amountWire struct {
	Total            *int64 `json:"total"`
	TaxFree          int64  `json:"taxFree"`
	VAT              int64  `json:"vat"`
	Supply           int64  `json:"supply"`
	Discount         int64  `json:"discount"`
	Paid             int64  `json:"paid"`
	Cancelled        int64  `json:"cancelled"`
	CancelledTaxFree int64  `json:"cancelledTaxFree"`
}

// methodWire is the PaymentMethod union's discriminator.
type methodWire struct {
	Type looseString `json:"type"`
}

// customerWire is Customer; only the id is read.
type customerWire struct {
	ID looseString `json:"id"`
}

// failureWire is PaymentFailure.
type failureWire struct {
	Reason    looseString `json:"reason"`
	PGCode    looseString `json:"pgCode"`
	PGMessage looseString `json:"pgMessage"`
}

// cancelSummary is what is read of a payment's cancellations.
type cancelSummary struct {
	Status      string      `json:"status"`
	ID          looseString `json:"id"`
	TotalAmount int64       `json:"totalAmount"`
}

// looseString is provider.LooseString: a scalar of a type the public
// material does not pin down, kept as text.
type looseString = provider.LooseString

// looseTime is an RFC 3339 date-time. One that does not parse is kept as
// Raw with a zero Time instead of failing the whole answer; the adapter
// logs it.
type looseTime struct {
	Time time.Time
	Raw  string
}

// UnmarshalJSON parses an RFC 3339 string; anything else leaves Time zero.
func (t *looseTime) UnmarshalJSON(b []byte) error {
	*t = looseTime{}
	var s string
	if json.Unmarshal(b, &s) != nil {
		if string(b) != "null" {
			t.Raw = string(b)
		}
		return nil
	}
	if s == "" {
		return nil
	}
	t.Raw = s
	if parsed, err := time.Parse(time.RFC3339Nano, s); err == nil {
		t.Time = parsed
	}
	return nil
}

// bad reports whether t was sent but could not be read.
func (t looseTime) bad() bool { return t.Raw != "" && t.Time.IsZero() }

// lenient decodes a T when it can and is empty otherwise, for informational
// objects whose shape must not decide whether an answer is readable.
type lenient[T any] struct {
	V  T
	OK bool
}

// UnmarshalJSON never fails.
func (l *lenient[T]) UnmarshalJSON(b []byte) error {
	var v T
	if json.Unmarshal(b, &v) == nil && string(b) != "null" {
		l.V, l.OK = v, true
	}
	return nil
}
