package webhook

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/paybridge/paybridge/client"
	"github.com/paybridge/paybridge/internal/payment"
)

// What each outbound webhook says. The body of an event is rendered once,
// when the store writes the event in the transaction of the change it
// announces (the outbox), and sent as is by the worker, on every attempt
// and re-send. It carries the payment exactly as GET /v1/payments/{id}
// shows it, so PaymentObject is also what the API answers with: one
// mapping from the domain to the client package's types, for the API and
// the webhooks.

// RenderEvent renders the body of an outbound webhook: the event's id,
// type, mode and time, and the payment with its refunds. The store calls
// it inside the transition's transaction (app hands it over with
// store.SetEventRenderer; the store does not know the API's JSON).
func RenderEvent(eventID, eventType string, p *payment.Payment, cs []*payment.Cancellation, at time.Time) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	err := enc.Encode(eventBody{
		ID: eventID, Type: eventType, Livemode: p.Livemode, CreatedAt: at.UTC().Format(time.RFC3339),
		Data: eventData{Object: PaymentObject(p, cs)},
	})
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), err
}

// eventBody is an outbound webhook's JSON.
type eventBody struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	Livemode  bool      `json:"livemode"`
	CreatedAt string    `json:"created_at"`
	Data      eventData `json:"data"`
}

type eventData struct {
	Object *client.Payment `json:"object"`
}

// PaymentObject is the payment object of the API (client.Payment), with
// the payment's refunds cs: what GET /v1/payments/{id} answers and what
// every event carries.
func PaymentObject(p *payment.Payment, cs []*payment.Cancellation) *client.Payment {
	j := &client.Payment{
		ID: p.ID, Object: "payment", Provider: p.Provider, Status: client.Status(p.Status), Livemode: p.Livemode, OrderID: p.OrderID,
		OrderName: p.OrderName, CustomerID: p.CustomerID, Amount: p.Amount, Quantity: p.Quantity,
		TaxFreeAmount: p.TaxFreeAmount, Currency: p.Currency, CanceledAmount: p.CanceledAmount,
		CancelableAmount: p.CancelableAmount(),
		ProviderIDs: client.ProviderIDs{TID: p.ProviderTID, CID: p.ProviderCID, PartnerOrderID: p.ProviderOrderID,
			PartnerUserID: p.ProviderUserID, AID: p.ProviderApprovalID},
		ProviderStatus: p.ProviderStatus, PaymentMethodType: p.ProviderMethodType,
		SuccessURL: p.SuccessURL, FailURL: p.FailURL, CancelURL: p.CancelURL,
		ExpiresAt: p.ExpiresAt, ApprovedAt: timeOrNil(p.ApprovedAt), CanceledAt: timeOrNil(p.CanceledAt),
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	}
	j.ProviderIDs.ProviderPaymentID = p.ProviderTID
	switch p.Provider {
	case payment.ProviderToss:
		j.ProviderIDs.PaymentKey = p.ProviderTID
	case payment.ProviderIamport:
		j.ProviderIDs.ImpUID = p.ProviderTID
	case payment.ProviderPortOne:
		j.ProviderIDs.PaymentID = p.ProviderTID
	}
	// The buyer can only be sent to the provider while the payment is ready.
	if p.Status == payment.StatusReady {
		j.RedirectURL = p.RedirectPC
		j.RedirectURLs = &client.RedirectURLs{PC: p.RedirectPC, Mobile: p.RedirectMobile, App: p.RedirectApp}
	}
	if p.FailureCode != "" || p.ProviderErrorCode != "" || p.ProviderErrorMessage != "" {
		j.Failure = &client.Failure{Code: p.FailureCode, Message: p.FailureMessage,
			ProviderCode: p.ProviderErrorCode, ProviderMessage: p.ProviderErrorMessage}
	}
	for _, c := range cs {
		j.Cancellations = append(j.Cancellations, &client.Cancellation{ID: c.ID, Amount: c.Amount, TaxFreeAmount: c.TaxFreeAmount,
			Reason: c.Reason, Status: c.Status, FailureCode: c.FailureCode, FailureMessage: c.FailureMessage, CreatedAt: c.CreatedAt})
	}
	return j
}

// timeOrNil is nil for a time never set, so it reads null in the JSON.
func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
