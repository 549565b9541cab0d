package portone

// The JSON the sandbox answers with, field for field as PortOne's OpenAPI
// schema names them. Every field a union member requires is always written
// (disputes as [] on a PAID payment, origin on every one); fields of other
// members are omitted.

// paymentJSON is the Payment union; status says which member it is.
type paymentJSON struct {
	Status          string              `json:"status"`
	ID              string              `json:"id"`
	TransactionID   string              `json:"transactionId"`
	MerchantID      string              `json:"merchantId"`
	StoreID         string              `json:"storeId"`
	Method          *methodJSON         `json:"method,omitempty"`
	Channel         channelJSON         `json:"channel"`
	Version         string              `json:"version"`
	RequestedAt     string              `json:"requestedAt"`
	UpdatedAt       string              `json:"updatedAt"`
	StatusChangedAt string              `json:"statusChangedAt"`
	OrderName       string              `json:"orderName"`
	Amount          amountJSON          `json:"amount"`
	Currency        string              `json:"currency"`
	Customer        customerJSON        `json:"customer"`
	Origin          originJSON          `json:"origin"`
	PaidAt          *string             `json:"paidAt,omitempty"`
	PGTxID          string              `json:"pgTxId,omitempty"`
	ReceiptURL      string              `json:"receiptUrl,omitempty"`
	Disputes        *[]struct{}         `json:"disputes,omitempty"`
	Cancellations   []*cancellationJSON `json:"cancellations,omitempty"`
	CancelledAt     *string             `json:"cancelledAt,omitempty"`
	FailedAt        *string             `json:"failedAt,omitempty"`
	Failure         *failureJSON        `json:"failure,omitempty"`
}

// amountJSON is PaymentAmount.
type amountJSON struct {
	Total            int64 `json:"total"`
	TaxFree          int64 `json:"taxFree"`
	VAT              int64 `json:"vat"`
	Supply           int64 `json:"supply"`
	Discount         int64 `json:"discount"`
	Paid             int64 `json:"paid"`
	Cancelled        int64 `json:"cancelled"`
	CancelledTaxFree int64 `json:"cancelledTaxFree"`
}

// channelJSON is SelectedChannel: a test channel.
type channelJSON struct {
	Type         string `json:"type"`
	ID           string `json:"id"`
	Key          string `json:"key"`
	Name         string `json:"name"`
	PGProvider   string `json:"pgProvider"`
	PGMerchantID string `json:"pgMerchantId"`
}

// sandboxChannel is the channel every sandbox payment goes through.
var sandboxChannel = channelJSON{
	Type:         "TEST",
	ID:           "channel-id-00000000-0000-4000-8000-000000000001",
	Key:          "channel-key-00000000-0000-4000-8000-000000000001",
	Name:         "paybridge sandbox",
	PGProvider:   "TOSSPAYMENTS",
	PGMerchantID: "tosstest",
}

// methodJSON is a member of the PaymentMethod union (card or easy pay).
type methodJSON struct {
	Type           string `json:"type"`
	ApprovalNumber string `json:"approvalNumber,omitempty"`
	Provider       string `json:"provider,omitempty"`
}

// customerJSON is Customer; the sandbox knows only the id.
type customerJSON struct {
	ID string `json:"id,omitempty"`
}

// originJSON is PaymentOrigin.
type originJSON struct {
	PlatformType string `json:"platformType"`
	UserAgent    string `json:"userAgent,omitempty"`
	IPAddress    string `json:"ipAddress"`
}

// failureJSON is PaymentFailure.
type failureJSON struct {
	Reason    string `json:"reason,omitempty"`
	PGCode    string `json:"pgCode,omitempty"`
	PGMessage string `json:"pgMessage,omitempty"`
}

// cancellationJSON is the PaymentCancellation union; status says which
// member it is.
type cancellationJSON struct {
	Status           string  `json:"status"`
	ID               string  `json:"id"`
	PGCancellationID string  `json:"pgCancellationId,omitempty"`
	TotalAmount      int64   `json:"totalAmount"`
	TaxFreeAmount    int64   `json:"taxFreeAmount"`
	VATAmount        int64   `json:"vatAmount"`
	Reason           string  `json:"reason"`
	CancelledAt      *string `json:"cancelledAt,omitempty"`
	RequestedAt      string  `json:"requestedAt"`
	ReceiptURL       string  `json:"receiptUrl,omitempty"`
	Trigger          string  `json:"trigger"`
}

// Browser SDK pay methods the window accepts, and the method union member
// each becomes.
var payMethods = map[string]string{
	"CARD":     "PaymentMethodCard",
	"EASY_PAY": "PaymentMethodEasyPay",
}

// render is p as GET /payments/{paymentId} answers it.
func (p *payment) render() *paymentJSON {
	doneTotal, doneTaxFree, _ := p.sums(cancelSucceeded)
	out := &paymentJSON{
		Status:          p.status,
		ID:              p.id,
		TransactionID:   p.transactionID,
		MerchantID:      merchantID,
		StoreID:         p.storeID,
		Channel:         sandboxChannel,
		Version:         "V2",
		RequestedAt:     portoneTime(p.requestedAt),
		UpdatedAt:       portoneTime(p.updatedAt),
		StatusChangedAt: portoneTime(p.statusChangedAt),
		OrderName:       p.orderName,
		Amount: amountJSON{
			Total:            p.total,
			TaxFree:          p.taxFree,
			VAT:              p.vat,
			Supply:           p.total - p.taxFree - p.vat,
			Cancelled:        doneTotal,
			CancelledTaxFree: doneTaxFree,
		},
		Currency: "KRW",
		Customer: customerJSON{ID: p.customerID},
		Origin: originJSON{
			PlatformType: p.origin.platformType,
			UserAgent:    p.origin.userAgent,
			IPAddress:    p.origin.ipAddress,
		},
	}
	for _, c := range p.cancellations {
		out.Cancellations = append(out.Cancellations, c.render())
	}
	if p.paid() {
		out.Amount.Paid = p.total
		out.Method = &methodJSON{Type: payMethods[p.payMethod]}
		if p.payMethod == "CARD" {
			out.Method.ApprovalNumber = p.approvalNumber
		} else {
			out.Method.Provider = "KAKAOPAY"
		}
		out.PaidAt = optTime(p.paidAt)
		out.PGTxID = p.pgTxID
		out.ReceiptURL = p.receiptURL
	}
	switch p.status {
	case statusPaid:
		out.Disputes = &[]struct{}{}
	case statusPartialCancelled, statusCancelled:
		out.CancelledAt = optTime(p.cancelledAt)
		if out.Cancellations == nil {
			out.Cancellations = []*cancellationJSON{}
		}
	case statusFailed:
		out.FailedAt = optTime(p.failedAt)
		out.Failure = &failureJSON{}
		if p.failure != nil {
			*out.Failure = failureJSON{Reason: p.failure.reason, PGCode: p.failure.pgCode, PGMessage: p.failure.pgMessage}
		}
	}
	return out
}

// render is c as the cancel API and the payment's cancellations show it.
func (c *cancellation) render() *cancellationJSON {
	out := &cancellationJSON{
		Status:           c.status,
		ID:               c.id,
		PGCancellationID: c.pgID,
		TotalAmount:      c.total,
		TaxFreeAmount:    c.taxFree,
		VATAmount:        c.vat,
		Reason:           c.reason,
		RequestedAt:      portoneTime(c.requestedAt),
		Trigger:          "API",
	}
	if c.status == cancelSucceeded {
		out.CancelledAt = optTime(c.cancelledAt)
		out.ReceiptURL = c.receiptURL
	}
	return out
}
