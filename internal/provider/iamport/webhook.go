package iamport

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
)

// webhookBody is a V1 notification (§2.6). Only merchant_uid is acted on;
// the rest goes to a debug line.
type webhookBody struct {
	ImpUID         string `json:"imp_uid"`
	MerchantUID    string `json:"merchant_uid"`
	Status         string `json:"status"`
	CancellationID string `json:"cancellation_id"`
}

// ParseWebhook reads a V1 notification and returns the paybridge payment it
// names: its merchant_uid, which is the payment id (see Ready).
//
// V1 webhooks are not signed (§2.6), so there is nothing to verify and
// nothing in the body is believed: not the status, not the imp_uid. The
// service looks the payment up by its own ids, which makes a forged
// notification cost one lookup and change nothing (§5 item 11). The body is
// JSON or a form, as the merchant configured in PortOne's console.
func (c *Client) ParseWebhook(h http.Header, body []byte) (string, error) {
	var w webhookBody
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	if mt == "" {
		// No declared type: a JSON object starts with '{', anything else is
		// read as a form.
		mt = "application/x-www-form-urlencoded"
		if t := bytes.TrimSpace(body); len(t) > 0 && t[0] == '{' {
			mt = "application/json"
		}
	}
	switch mt {
	case "application/json":
		if err := json.Unmarshal(body, &w); err != nil {
			return "", payment.Errorf(payment.EINVALID, "the PortOne notification is not a JSON object")
		}
	case "application/x-www-form-urlencoded":
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return "", payment.Errorf(payment.EINVALID, "the PortOne notification is not a valid form")
		}
		w = webhookBody{
			ImpUID: form.Get("imp_uid"), MerchantUID: form.Get("merchant_uid"),
			Status: form.Get("status"), CancellationID: form.Get("cancellation_id"),
		}
	default:
		return "", payment.Errorf(payment.EUNSUPPORTED, "a PortOne notification is JSON or a form, not %s", mt)
	}
	id := strings.TrimSpace(w.MerchantUID)
	switch {
	case id == "":
		return "", payment.Errorf(payment.EINVALID, "the PortOne notification has no merchant_uid")
	case len(id) > maxMerchantUID:
		return "", payment.Errorf(payment.EINVALID, "the PortOne notification's merchant_uid is longer than PortOne allows")
	}
	// Anyone can send this body: what it claims is logged short.
	c.t.Log.Debug("iamport notification", "provider", payment.ProviderIamport, "payment_id", id,
		"imp_uid", provider.Truncate(w.ImpUID, maxImpUID), "claimed_status", provider.Truncate(w.Status, 16),
		"cancellation_id", provider.Truncate(w.CancellationID, 64))
	return id, nil
}
