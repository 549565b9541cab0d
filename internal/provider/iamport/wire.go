package iamport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/paybridge/paybridge/internal/provider"
)

// Wire structs mirror PortOne V1's field names (portone-v1.openapi.json;
// docs/providers.md §2). Fields paybridge does not read are left out: the
// decoder ignores them, so a new field at PortOne changes nothing here.

// envelope is the shape of every V1 answer, success or error (§2.1):
// code 0 means success and response holds the result; any other code is a
// refusal explained by message, with response null. The official
// verification snippet forgets to unwrap it (§5 item 10).
type envelope struct {
	Code     json.RawMessage `json:"code"`
	Message  *string         `json:"message"`
	Response json.RawMessage `json:"response"`
}

// hasNullResponse reports whether the envelope carries response, as null:
// PortOne's refusals do (§2.1), a gateway's or proxy's JSON error does not.
func (e *envelope) hasNullResponse() bool {
	return string(bytes.TrimSpace(e.Response)) == "null"
}

// tokenRequest is the body of POST /users/getToken.
type tokenRequest struct {
	ImpKey    string `json:"imp_key"`
	ImpSecret string `json:"imp_secret"`
}

// tokenResponse is getToken's response (AuthAnnotation).
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	ExpiredAt   int64  `json:"expired_at"` // UNIX seconds, PortOne's clock
	Now         int64  `json:"now"`        // UNIX seconds, PortOne's clock
}

// prepareRequest is the body of POST /payments/prepare. currency is always
// sent: an absent one is PortOne's "do not check it" (§2.4), and the buyer's
// browser chooses the currency of IMP.request_pay.
type prepareRequest struct {
	MerchantUID string `json:"merchant_uid"`
	Amount      int64  `json:"amount"`
	Currency    string `json:"currency"`
}

// prepareResponse is the pre-registration (PaymentPrepareAnnotation).
type prepareResponse struct {
	MerchantUID string `json:"merchant_uid"`
	Amount      won    `json:"amount"`
	Currency    string `json:"currency"`
}

// cancelRequest is the body of POST /payments/cancel (§2.5). JSON, as the
// official example and the Java client send it, although the swagger says
// formData.
type cancelRequest struct {
	// ImpUID is omitted when paybridge never learnt it; merchant_uid then
	// names the payment. When both are sent, imp_uid wins.
	ImpUID      string `json:"imp_uid,omitempty"`
	MerchantUID string `json:"merchant_uid"`
	// Amount is never 0: PortOne reads 0 (or no amount) as "cancel
	// everything" (Cancel refuses to send it).
	Amount  int64 `json:"amount"`
	TaxFree int64 `json:"tax_free"`
	// Checksum is the cancellable balance before this cancel. PortOne does
	// not cancel when its own balance differs, so a retried or stale refund
	// cannot refund twice (§2.5, §5 item 14).
	Checksum int64  `json:"checksum"`
	Reason   string `json:"reason"`
}

// paymentWire is the Payment object (PaymentAnnotation) of lookups and of
// the cancel response.
type paymentWire struct {
	ImpUID        string         `json:"imp_uid"`
	MerchantUID   string         `json:"merchant_uid"`
	PayMethod     string         `json:"pay_method"`
	Channel       string         `json:"channel"`
	PGProvider    string         `json:"pg_provider"`
	PGTID         string         `json:"pg_tid"`
	Sandbox       bool           `json:"sandbox"`
	ApplyNum      string         `json:"apply_num"`
	Name          string         `json:"name"`
	Amount        won            `json:"amount"`
	CancelAmount  won            `json:"cancel_amount"`
	Currency      string         `json:"currency"`
	BuyerName     string         `json:"buyer_name"`
	Status        string         `json:"status"`
	StartedAt     unixTime       `json:"started_at"`
	PaidAt        unixTime       `json:"paid_at"`
	FailedAt      unixTime       `json:"failed_at"`
	CancelledAt   unixTime       `json:"cancelled_at"`
	FailReason    string         `json:"fail_reason"`
	CancelReason  string         `json:"cancel_reason"`
	ReceiptURL    string         `json:"receipt_url"`
	CancelHistory []cancelRecord `json:"cancel_history"`
}

// cancelRecord is one cancel_history entry (PaymentCancelAnnotation).
type cancelRecord struct {
	PGTID          string   `json:"pg_tid"`
	Amount         won      `json:"amount"`
	CancelledAt    unixTime `json:"cancelled_at"`
	Reason         string   `json:"reason"`
	CancellationID string   `json:"cancellation_id"`
	ReceiptURL     string   `json:"receipt_url"`
}

// won is an amount that the schema types as "number". PortOne sends whole
// won, but a Java BigDecimal may come out as 1000.0, so any integral number
// is accepted; a fraction or an out-of-range value is an error, which makes
// the answer unreadable: an amount is never rounded.
type won int64

// UnmarshalJSON reads an integral JSON number; null is 0.
func (w *won) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*w = 0
		return nil
	}
	n, ok := provider.WholeNumber(string(b))
	if !ok {
		return fmt.Errorf("amount %s is not a whole number of won", b)
	}
	*w = won(n)
	return nil
}

// unixTime is a V1 timestamp: UNIX seconds, 0 (or null) when not set.
type unixTime struct{ time.Time }

// UnmarshalJSON reads UNIX seconds; 0 and null are the zero time.
func (t *unixTime) UnmarshalJSON(b []byte) error {
	var n won // integral seconds, with the same tolerance as amounts
	if err := n.UnmarshalJSON(b); err != nil {
		return fmt.Errorf("timestamp %s is not UNIX seconds", b)
	}
	if n <= 0 {
		t.Time = time.Time{}
		return nil
	}
	t.Time = time.Unix(int64(n), 0)
	return nil
}
