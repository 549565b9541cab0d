package httpapi

import (
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// Inbound provider webhooks. A webhook's body is never trusted for state: it
// only names the payment, which is then looked up at the provider (Sync).
// PortOne V2 signs its webhooks (Standard Webhooks) and a bad signature is
// refused; PortOne V1 and Toss do not sign, so all they can do is make
// paybridge ask the provider, which is harmless.
//
// A delivery is written to the inbox (provider_webhooks) before it is
// answered 200, and the inbox worker looks the payment up: a crash after
// the answer loses nothing, and a delivery that cannot be stored, or whose
// payment cannot be read, gets 503 so that the provider sends it again.

// SetWebhookInbox names what to call once a provider webhook was written to
// the inbox (the worker's Notify), so it is processed without waiting for
// the worker's next poll. Call it before serving.
func (a *API) SetWebhookInbox(notify func()) { a.inboxNotify = notify }

func (a *API) handleWebhook(w http.ResponseWriter, r *http.Request, provider string) {
	parser, ok := a.svc.WebhookParser(provider)
	if !ok {
		WriteError(w, r, a.log, payment.Errorf(payment.ENOTFOUND, "%s is not configured", provider))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			WriteError(w, r, a.log, payment.Errorf(payment.ETOOLARGE, "webhook body must be at most %d bytes", MaxBodyBytes))
			return
		}
		WriteError(w, r, a.log, payment.Errorf(payment.EINVALID, "could not read the webhook body"))
		return
	}
	id, err := parser.ParseWebhook(r.Header, body)
	if err != nil {
		a.log.Warn("webhook refused", "provider", provider, "request_id", RequestID(r.Context()), "error", err)
		WriteError(w, r, a.log, err)
		return
	}
	log := a.log.With("provider", provider, "payment_id", id, "request_id", RequestID(r.Context()))
	if id == "" {
		WriteJSON(w, http.StatusOK, map[string]any{"received": true})
		return
	}
	p, err := a.svc.PaymentByID(r.Context(), id)
	switch {
	case payment.ErrorCode(err) == payment.ENOTFOUND || (err == nil && p.Provider != provider):
		// Acknowledge, so the provider stops retrying something that is not ours.
		log.Info("webhook for no payment of this provider; ignored")
		WriteJSON(w, http.StatusOK, map[string]any{"received": true})
		return
	case err != nil:
		log.Error("webhook: the payment could not be read; refusing so that the provider retries", "error", err)
		WriteError(w, r, a.log, payment.Errorf(payment.EUNAVAILABLE, "the webhook could not be processed now: retry later"))
		return
	}
	// The wall clock, as the inbox worker uses to tell what is due.
	e, err := a.svc.ReceiveProviderWebhook(r.Context(), provider, id, time.Now())
	if err != nil {
		log.Error("webhook: could not be stored; refusing so that the provider retries", "error", err)
		WriteError(w, r, a.log, payment.Errorf(payment.EUNAVAILABLE, "the webhook could not be stored: retry later"))
		return
	}
	log.Info("webhook stored; the inbox worker looks the payment up", "inbox_id", e.ID, "deliveries", e.Deliveries)
	if a.inboxNotify != nil {
		a.inboxNotify()
	}
	WriteJSON(w, http.StatusOK, map[string]any{"received": true})
}
