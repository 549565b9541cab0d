package toss

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/paybridge/paybridge/internal/provider"
)

// Wire structs mirror Toss's field names (docs/providers.md §4.2–§4.3).
//
// Response structs declare only the fields paybridge reads. A Payment
// object carries dozens more (card, easyPay, cashReceipt…), and a field we
// do not use must never be able to fail the decode of a successful confirm:
// that would turn a paid payment into an unknown outcome.

// confirmRequest is the body of POST /v1/payments/confirm.
type confirmRequest struct {
	PaymentKey string `json:"paymentKey"`
	OrderID    string `json:"orderId"`
	Amount     int64  `json:"amount"`
}

// cancelRequest is the body of POST /v1/payments/{paymentKey}/cancel.
//
// No field has omitempty. An omitted cancelAmount means "cancel everything"
// to Toss, so a zero must never silently disappear from a partial refund
// (Cancel refuses a zero before sending). refundableAmount is the guard
// against refunding twice: Toss refuses the cancel when its balance differs.
type cancelRequest struct {
	CancelReason     string `json:"cancelReason"`
	CancelAmount     int64  `json:"cancelAmount"`
	TaxFreeAmount    int64  `json:"taxFreeAmount"`
	RefundableAmount int64  `json:"refundableAmount"`
}

// paymentWire is the part of Toss's Payment object paybridge reads.
// totalAmount and balanceAmount are pointers so that a missing (or null)
// amount is told apart from zero: read as zero, a DONE payment would be
// paid 0 won, or wholly refunded (checkPayment).
type paymentWire struct {
	PaymentKey         string       `json:"paymentKey"`
	OrderID            string       `json:"orderId"`
	Status             string       `json:"status"`
	Method             string       `json:"method"`
	TotalAmount        *won         `json:"totalAmount"`   // the original amount; never changes
	BalanceAmount      *won         `json:"balanceAmount"` // what can still be cancelled
	TaxFreeAmount      won          `json:"taxFreeAmount"` // the tax-free part of the balance
	RequestedAt        tossTime     `json:"requestedAt"`
	ApprovedAt         tossTime     `json:"approvedAt"`
	LastTransactionKey string       `json:"lastTransactionKey"`
	Cancels            []cancelWire `json:"cancels"`
}

// cancelWire is one entry of a Payment's cancels[].
type cancelWire struct {
	CancelAmount   won      `json:"cancelAmount"`
	TaxFreeAmount  won      `json:"taxFreeAmount"`
	CanceledAt     tossTime `json:"canceledAt"`
	TransactionKey string   `json:"transactionKey"`
}

// errorWire is Toss's error body (§4.5).
type errorWire struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// webhookWire holds both webhook shapes: {eventType, createdAt, data} and
// the flat virtual-account deposit callback {createdAt, secret, status,
// transactionKey, orderId}.
type webhookWire struct {
	EventType      string          `json:"eventType"`
	Data           json.RawMessage `json:"data"`
	OrderID        string          `json:"orderId"`
	Secret         string          `json:"secret"`
	Status         string          `json:"status"`
	TransactionKey string          `json:"transactionKey"`
}

// won is an amount in won. Toss sends amounts as JSON numbers; the
// unofficial OpenAPI spec types totalAmount and balanceAmount as strings, so
// a numeric string is accepted too. A fraction is refused: won has no minor
// unit, and rounding money silently is worse than an unreadable answer.
type won int64

// UnmarshalJSON accepts 15000, 15000.0, "15000" and null (zero).
func (w *won) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*w = 0
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		b = []byte(s)
	}
	n, ok := provider.WholeNumber(string(b))
	if !ok {
		return fmt.Errorf("toss: amount %q is not a whole number of won", b)
	}
	*w = won(n)
	return nil
}

// orZero is the amount, or 0 when Toss sent none. Only checkPayment asks
// whether it was sent; translation runs after it.
func (w *won) orZero() int64 {
	if w == nil {
		return 0
	}
	return int64(*w)
}

// tossTime is an ISO 8601 timestamp with an offset, e.g.
// "2024-02-13T12:18:14+09:00". A timestamp without an offset is read as KST,
// Toss's own zone. An unparseable value leaves the time zero and keeps the
// text in raw, so a strange timestamp never fails the decode of a payment
// (translate logs it instead).
type tossTime struct {
	time.Time
	raw string
}

// kst is fixed rather than loaded from tzdata so the binary needs no zone
// database.
var kst = time.FixedZone("KST", 9*60*60)

// UnmarshalJSON never fails on a string or null; see tossTime.
func (t *tossTime) UnmarshalJSON(b []byte) error {
	*t = tossTime{}
	if string(bytes.TrimSpace(b)) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		t.raw = string(b)
		return nil
	}
	if s == "" {
		return nil
	}
	if v, err := time.Parse(time.RFC3339Nano, s); err == nil {
		t.Time = v
		return nil
	}
	if v, err := time.ParseInLocation("2006-01-02T15:04:05.999999999", s, kst); err == nil {
		t.Time = v
		return nil
	}
	t.raw = s
	return nil
}

// bad reports whether Toss sent a timestamp that could not be read.
func (t tossTime) bad() bool { return t.raw != "" }
