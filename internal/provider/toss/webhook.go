package toss

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/paybridge/paybridge/internal/payment"
)

// Toss webhook event types paybridge acts on.
const (
	eventPaymentStatusChanged = "PAYMENT_STATUS_CHANGED"
	eventDepositCallback      = "DEPOSIT_CALLBACK"
)

// maxOrderID is Toss's limit on an orderId.
const maxOrderID = 64

// ParseWebhook returns the paybridge payment id (Toss's orderId) a webhook
// concerns. Toss does not sign card-payment webhooks, so nothing here is
// authenticated and nothing in the body is used but the id: the service
// looks the payment up and believes only the answer. The header is unused.
//
// PAYMENT_STATUS_CHANGED carries the Payment in data. A virtual-account
// DEPOSIT_CALLBACK is documented flat ({createdAt, secret, status,
// transactionKey, orderId}) and also seen wrapped in {eventType, data}; both
// are read. Any other event returns "" and no error; a body that is not a
// JSON object, or an event of ours without an orderId, is EINVALID.
func (c *Client) ParseWebhook(_ http.Header, body []byte) (string, error) {
	var w webhookWire
	if b := bytes.TrimSpace(body); len(b) == 0 || b[0] != '{' {
		return "", payment.Errorf(payment.EINVALID, "the Toss webhook body is not a JSON object")
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return "", payment.Wrap(payment.EINVALID, err, "the Toss webhook body is not a JSON object")
	}
	var orderID string
	switch w.EventType {
	case eventPaymentStatusChanged, eventDepositCallback:
		var data struct {
			OrderID string `json:"orderId"`
		}
		if len(w.Data) > 0 && string(w.Data) != "null" {
			if err := json.Unmarshal(w.Data, &data); err != nil {
				return "", payment.Wrap(payment.EINVALID, err, "the Toss %s webhook's data is not a JSON object", w.EventType)
			}
		}
		orderID = data.OrderID
		if orderID == "" && w.EventType == eventDepositCallback {
			orderID = w.OrderID
		}
	case "":
		if w.OrderID == "" || (w.Secret == "" && w.TransactionKey == "" && w.Status == "") {
			return "", nil // not a deposit callback; nothing we know
		}
		orderID = w.OrderID
	default:
		return "", nil
	}
	orderID = strings.TrimSpace(orderID)
	switch {
	case orderID == "":
		return "", payment.Errorf(payment.EINVALID, "the Toss webhook names no orderId")
	case len(orderID) > maxOrderID:
		return "", payment.Errorf(payment.EINVALID, "the Toss webhook's orderId is longer than %d characters", maxOrderID)
	}
	return orderID, nil
}
