package portone

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/sandbox"
	"github.com/paybridge/paybridge/internal/stdwebhook"
)

// Webhook types the sandbox sends (2024-04-25 version, docs/providers.md §3.4).
const (
	eventPaid             = "Transaction.Paid"
	eventFailed           = "Transaction.Failed"
	eventCancelPending    = "Transaction.CancelPending"
	eventPartialCancelled = "Transaction.PartialCancelled"
	eventCancelled        = "Transaction.Cancelled"
)

// event is a webhook body. timestamp is when the event happened, and stays
// the same across retries; the webhook-timestamp header is when it was
// sent.
type event struct {
	Type      string    `json:"type"`
	Timestamp string    `json:"timestamp"`
	Data      eventData `json:"data"`
}

// eventData names the payment; cancellationId only for the cancel types.
type eventData struct {
	StoreID        string `json:"storeId"`
	PaymentID      string `json:"paymentId"`
	TransactionID  string `json:"transactionId"`
	CancellationID string `json:"cancellationId,omitempty"`
}

// eventLocked is the webhook announcing typ for p now.
func (s *Sandbox) eventLocked(p *payment, typ, cancellationID string) event {
	return event{
		Type:      typ,
		Timestamp: portoneTime(s.now()),
		Data: eventData{
			StoreID:        p.storeID,
			PaymentID:      p.id,
			TransactionID:  p.transactionID,
			CancellationID: cancellationID,
		},
	}
}

// notify sends events to Options.WebhookURL, each in its own goroutine, as
// PortOne does: a webhook is not ordered against the API answer or the
// buyer's redirect, nor against other webhooks. Call it without the lock.
func (s *Sandbox) notify(events []event) {
	if s.opts.WebhookURL == "" {
		return
	}
	s.mu.Lock()
	delays := s.webhookDelays
	s.mu.Unlock()
	for _, e := range events {
		body, err := json.Marshal(e)
		if err != nil {
			panic("portone sandbox: marshal webhook: " + err.Error())
		}
		id := "msg_" + strings.ReplaceAll(newUUID(), "-", "")
		go s.deliver(id, e.Type, body, delays)
	}
}

// deliver POSTs one webhook, signed anew for each attempt, until an attempt
// gets a 2xx or the attempts run out. The webhook-id stays the same, so the
// receiver can drop duplicates.
func (s *Sandbox) deliver(id, typ string, body []byte, delays []time.Duration) {
	for attempt, delay := range delays {
		if delay > 0 {
			time.Sleep(delay)
		}
		status, err := s.sendWebhook(id, body)
		if err == nil && status >= 200 && status <= 299 {
			s.log.Info("portone sandbox: webhook delivered", "type", typ, "webhook_id", id, "attempt", attempt+1)
			return
		}
		s.log.Warn("portone sandbox: webhook not accepted", "type", typ, "webhook_id", id,
			"attempt", attempt+1, "http_status", status, "err", err)
	}
}

// sendWebhook makes one delivery attempt.
func (s *Sandbox) sendWebhook(id string, body []byte) (int, error) {
	req, err := http.NewRequest(http.MethodPost, s.opts.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if err := stdwebhook.SignHeaders(req.Header, []string{s.opts.WebhookSecret}, id, s.now(), body); err != nil {
		return 0, err
	}
	resp, err := s.hook.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, sandbox.MaxBody))
	return resp.StatusCode, nil
}
