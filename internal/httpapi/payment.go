package httpapi

import (
	"net/http"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/service"
)

// paymentJSON is the payment object of the API.
type paymentJSON struct {
	ID               string              `json:"id"`
	Object           string              `json:"object"`
	Provider         string              `json:"provider"`
	Status           payment.Status      `json:"status"`
	Livemode         bool                `json:"livemode"`
	OrderID          string              `json:"order_id"`
	OrderName        string              `json:"order_name"`
	CustomerID       string              `json:"customer_id"`
	Amount           int64               `json:"amount"`
	Quantity         int64               `json:"quantity"`
	TaxFreeAmount    int64               `json:"tax_free_amount"`
	Currency         string              `json:"currency"`
	CanceledAmount   int64               `json:"canceled_amount"`
	CancelableAmount int64               `json:"cancelable_amount"`
	RedirectURL      string              `json:"redirect_url,omitempty"`
	RedirectURLs     *redirectURLsJSON   `json:"redirect_urls,omitempty"`
	ProviderIDs      providerIDsJSON     `json:"provider_ids"`
	ProviderStatus   string              `json:"provider_status,omitempty"`
	MethodType       string              `json:"payment_method_type,omitempty"`
	Failure          *failureJSON        `json:"failure"`
	SuccessURL       string              `json:"success_url,omitempty"`
	FailURL          string              `json:"fail_url,omitempty"`
	CancelURL        string              `json:"cancel_url,omitempty"`
	Cancellations    []*cancellationJSON `json:"cancellations,omitempty"`
	ExpiresAt        time.Time           `json:"expires_at"`
	ApprovedAt       *time.Time          `json:"approved_at"`
	CanceledAt       *time.Time          `json:"canceled_at"`
	CreatedAt        time.Time           `json:"created_at"`
	UpdatedAt        time.Time           `json:"updated_at"`
}

type redirectURLsJSON struct {
	PC     string `json:"pc"`
	Mobile string `json:"mobile"`
	App    string `json:"app"`
}

// providerIDsJSON names the provider's ids. provider_payment_id is the
// provider's id of the payment whatever the provider, and the provider's
// own name for it is there too (tid, payment_key, imp_uid, payment_id), so
// that it can be searched for in the provider's console and documentation
// as is. tid used to hold every provider's id; it is kept, for KakaoPay
// where it is the real name and for the other providers for compatibility.
type providerIDsJSON struct {
	ProviderPaymentID string `json:"provider_payment_id,omitempty"`
	PaymentKey        string `json:"payment_key,omitempty"` // Toss paymentKey
	ImpUID            string `json:"imp_uid,omitempty"`     // PortOne V1 imp_uid
	PaymentID         string `json:"payment_id,omitempty"`  // PortOne V2 paymentId
	TID               string `json:"tid,omitempty"`
	CID               string `json:"cid,omitempty"`
	PartnerOrderID    string `json:"partner_order_id,omitempty"`
	PartnerUserID     string `json:"partner_user_id,omitempty"`
	AID               string `json:"aid,omitempty"`
}

type failureJSON struct {
	Code            string `json:"code"`
	Message         string `json:"message"`
	ProviderCode    string `json:"provider_code,omitempty"`
	ProviderMessage string `json:"provider_message,omitempty"`
}

type cancellationJSON struct {
	ID            string    `json:"id"`
	Amount        int64     `json:"amount"`
	TaxFreeAmount int64     `json:"tax_free_amount"`
	Reason        string    `json:"reason"`
	Status        string    `json:"status"`
	FailureCode   string    `json:"failure_code,omitempty"`
	FailureMsg    string    `json:"failure_message,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func toPaymentJSON(p *payment.Payment, cs []*payment.Cancellation) *paymentJSON {
	j := &paymentJSON{
		ID: p.ID, Object: "payment", Provider: p.Provider, Status: p.Status, Livemode: p.Livemode, OrderID: p.OrderID,
		OrderName: p.OrderName, CustomerID: p.CustomerID, Amount: p.Amount, Quantity: p.Quantity,
		TaxFreeAmount: p.TaxFreeAmount, Currency: p.Currency, CanceledAmount: p.CanceledAmount,
		CancelableAmount: p.CancelableAmount(),
		ProviderIDs: providerIDsJSON{TID: p.ProviderTID, CID: p.ProviderCID, PartnerOrderID: p.ProviderOrderID,
			PartnerUserID: p.ProviderUserID, AID: p.ProviderApprovalID},
		ProviderStatus: p.ProviderStatus, MethodType: p.ProviderMethodType,
		SuccessURL: p.SuccessURL, FailURL: p.FailURL, CancelURL: p.CancelURL,
		ExpiresAt: p.ExpiresAt, ApprovedAt: timePtr(p.ApprovedAt), CanceledAt: timePtr(p.CanceledAt),
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
		j.RedirectURLs = &redirectURLsJSON{PC: p.RedirectPC, Mobile: p.RedirectMobile, App: p.RedirectApp}
	}
	if p.FailureCode != "" || p.ProviderErrorCode != "" || p.ProviderErrorMessage != "" {
		j.Failure = &failureJSON{Code: p.FailureCode, Message: p.FailureMessage,
			ProviderCode: p.ProviderErrorCode, ProviderMessage: p.ProviderErrorMessage}
	}
	for _, c := range cs {
		j.Cancellations = append(j.Cancellations, &cancellationJSON{ID: c.ID, Amount: c.Amount, TaxFreeAmount: c.TaxFreeAmount,
			Reason: c.Reason, Status: c.Status, FailureCode: c.FailureCode, FailureMsg: c.FailureMessage, CreatedAt: c.CreatedAt})
	}
	return j
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
