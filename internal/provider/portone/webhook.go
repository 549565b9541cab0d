package portone

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
	"github.com/paybridge/paybridge/internal/stdwebhook"
)

// transactionTypePrefix starts every webhook type about a payment
// (Transaction.Paid, Transaction.Cancelled, …, and ones added later).
const transactionTypePrefix = "Transaction."

// webhookBody is the 2024-04-25 webhook body (docs/providers.md §3.4). The legacy
// 2024-01-01 body's payment_id is read too, so that a store still on the old
// version is not silently ignored.
type webhookBody struct {
	Type string `json:"type"`
	Data struct {
		StoreID        looseString `json:"storeId"`
		PaymentID      looseString `json:"paymentId"`
		TransactionID  looseString `json:"transactionId"`
		CancellationID looseString `json:"cancellationId"`
	} `json:"data"`
	LegacyPaymentID looseString `json:"payment_id"`
}

// ParseWebhook authenticates a PortOne webhook (Standard Webhooks: HMAC-SHA256
// over "{webhook-id}.{webhook-timestamp}.{raw body}" with any configured
// secret, timestamp within 5 minutes of now) and returns the paymentId it
// concerns, which is paybridge's payment id.
//
// body must be the raw bytes as received: verifying re-serialised JSON fails
// (docs/providers.md §5.18). A webhook is only a reason to look the payment up;
// its content is never trusted for state. Types that concern no payment
// (BillingKey.*, unknown ones) return "" and no error, as PortOne adds types
// without notice.
func (c *Client) ParseWebhook(h http.Header, body []byte) (string, error) {
	if len(c.webhookSecrets) == 0 {
		return "", payment.Errorf(payment.EUNAUTHORIZED, "webhook secret not configured")
	}
	if _, err := stdwebhook.Verify(h, body, c.webhookSecrets, c.now()); err != nil {
		return "", payment.Wrap(payment.EUNAUTHORIZED, err, "%s", webhookFailure(err))
	}
	var w webhookBody
	if err := json.Unmarshal(body, &w); err != nil {
		// Signed by PortOne, yet not JSON: PortOne will retry it, and
		// someone should look.
		return "", payment.Wrap(payment.EINVALID, err, "the PortOne webhook body is not a JSON object")
	}
	switch {
	case strings.HasPrefix(w.Type, transactionTypePrefix):
		if w.Data.PaymentID == "" {
			return "", payment.Errorf(payment.EINVALID, "the PortOne %s webhook names no paymentId", provider.Truncate(w.Type, 64))
		}
		return string(w.Data.PaymentID), nil
	case w.Type == "" && w.LegacyPaymentID != "":
		return string(w.LegacyPaymentID), nil
	default:
		return "", nil
	}
}

// webhookFailure names the class of a verification failure for the caller,
// never a secret or a signature.
func webhookFailure(err error) string {
	switch {
	case errors.Is(err, stdwebhook.ErrMissingHeaders):
		return "webhook signature headers are missing"
	case errors.Is(err, stdwebhook.ErrBadTimestamp):
		return "webhook timestamp is malformed"
	case errors.Is(err, stdwebhook.ErrTooOld), errors.Is(err, stdwebhook.ErrTooNew):
		return "webhook timestamp is outside the 5-minute tolerance"
	case errors.Is(err, stdwebhook.ErrNoMatch):
		return "webhook signature does not match"
	default:
		return "webhook could not be verified"
	}
}
