package httpapi

import (
	"net/http"
	"time"

	"github.com/paybridge/paybridge/client"
	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/service"
	"github.com/paybridge/paybridge/internal/webhook"
)

// paymentJSON is the payment object of the API. It is the public client
// package's type, so that the server and the Go client share one
// definition of the JSON and cannot drift apart (openapi_test checks it
// against openapi.json).
type paymentJSON = client.Payment

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// toPaymentJSON is the payment as the API and every webhook show it (see
// webhook.PaymentObject).
func toPaymentJSON(p *payment.Payment, cs []*payment.Cancellation) *paymentJSON {
	return webhook.PaymentObject(p, cs)
}

type createPaymentRequest struct {
	Provider      string `json:"provider"`
	OrderID       string `json:"order_id"`
	OrderName     string `json:"order_name"`
	Amount        *int64 `json:"amount"`
	Quantity      *int64 `json:"quantity"`
	TaxFreeAmount int64  `json:"tax_free_amount"`
	CustomerID    string `json:"customer_id"`
	SuccessURL    string `json:"success_url"`
	FailURL       string `json:"fail_url"`
	CancelURL     string `json:"cancel_url"`
}

func (a *API) handlePaymentCreate(w http.ResponseWriter, r *http.Request) {
	var req createPaymentRequest
	if err := DecodeJSON(w, r, &req); err != nil {
		WriteError(w, r, a.log, err)
		return
	}
	if req.Amount == nil {
		WriteError(w, r, a.log, payment.Errorf(payment.EINVALID, "amount is required"))
		return
	}
	if req.Quantity == nil {
		WriteError(w, r, a.log, payment.Errorf(payment.EINVALID, "quantity is required"))
		return
	}
	p, err := a.svc.CreatePayment(r.Context(), MerchantID(r.Context()), service.CreateInput{
		Provider: req.Provider, OrderID: req.OrderID, OrderName: req.OrderName, CustomerID: req.CustomerID,
		Amount: *req.Amount, Quantity: *req.Quantity, TaxFreeAmount: req.TaxFreeAmount,
		SuccessURL: req.SuccessURL, FailURL: req.FailURL, CancelURL: req.CancelURL,
		Idempotency: IdempotencyClaimFrom(r.Context()),
	})
	if err != nil {
		WriteError(w, r, a.log, err)
		return
	}
	w.Header().Set("Location", "/v1/payments/"+p.ID)
	WriteJSON(w, http.StatusCreated, toPaymentJSON(p, nil))
}

func (a *API) handlePaymentGet(w http.ResponseWriter, r *http.Request) {
	p, err := a.svc.FindPayment(r.Context(), MerchantID(r.Context()), r.PathValue("id"))
	if err != nil {
		WriteError(w, r, a.log, err)
		return
	}
	cs, err := a.svc.Cancellations(r.Context(), p.ID)
	if err != nil {
		WriteError(w, r, a.log, err)
		return
	}
	WriteJSON(w, http.StatusOK, toPaymentJSON(p, cs))
}

type cancelPaymentRequest struct {
	Amount        *int64 `json:"amount"`
	TaxFreeAmount *int64 `json:"tax_free_amount"`
	Reason        string `json:"reason"`
}

func (a *API) handlePaymentCancel(w http.ResponseWriter, r *http.Request) {
	var req cancelPaymentRequest
	if err := DecodeJSON(w, r, &req); err != nil {
		WriteError(w, r, a.log, err)
		return
	}
	ctx := r.Context()
	p, c, err := a.svc.Refund(ctx, MerchantID(ctx), r.PathValue("id"),
		service.RefundInput{Amount: req.Amount, TaxFreeAmount: req.TaxFreeAmount, Reason: req.Reason,
			Idempotency: IdempotencyClaimFrom(ctx)})
	if err != nil {
		WriteError(w, r, a.log, err)
		return
	}
	cs, err := a.svc.Cancellations(ctx, p.ID)
	if err != nil {
		WriteError(w, r, a.log, err)
		return
	}
	// 202: the provider accepted the refund but has not confirmed it; the
	// cancellation is listed as pending and paybridge settles it by lookup.
	status := http.StatusOK
	if c.Status == payment.CancellationPending {
		status = http.StatusAccepted
	}
	WriteJSON(w, status, toPaymentJSON(p, cs))
}
