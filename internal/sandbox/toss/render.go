package toss

import "github.com/paybridge/paybridge/internal/sandbox"

// paymentJSON is Toss's Payment object (docs/providers.md §4.3), version
// 2022-11-16. Objects of methods the sandbox does not emulate (virtual
// account, transfer, easy pay…) are present and null, as Toss sends them.
type paymentJSON struct {
	MID                 string       `json:"mId"`
	LastTransactionKey  *string      `json:"lastTransactionKey"`
	PaymentKey          string       `json:"paymentKey"`
	OrderID             string       `json:"orderId"`
	OrderName           string       `json:"orderName"`
	TaxExemptionAmount  int64        `json:"taxExemptionAmount"`
	Status              string       `json:"status"`
	RequestedAt         string       `json:"requestedAt"`
	ApprovedAt          *string      `json:"approvedAt"`
	UseEscrow           bool         `json:"useEscrow"`
	CultureExpense      bool         `json:"cultureExpense"`
	Card                *cardJSON    `json:"card"`
	VirtualAccount      *struct{}    `json:"virtualAccount"`
	Transfer            *struct{}    `json:"transfer"`
	MobilePhone         *struct{}    `json:"mobilePhone"`
	GiftCertificate     *struct{}    `json:"giftCertificate"`
	CashReceipt         *struct{}    `json:"cashReceipt"`
	CashReceipts        *[]struct{}  `json:"cashReceipts"`
	Discount            *struct{}    `json:"discount"`
	Cancels             []cancelJSON `json:"cancels"` // null until the first cancel
	Secret              *string      `json:"secret"`  // virtual-account webhooks only; null for cards
	Type                string       `json:"type"`
	EasyPay             *struct{}    `json:"easyPay"`
	Country             string       `json:"country"`
	Failure             *failure     `json:"failure"`
	IsPartialCancelable bool         `json:"isPartialCancelable"`
	Receipt             *urlJSON     `json:"receipt"`
	Checkout            *urlJSON     `json:"checkout"`
	Currency            string       `json:"currency"`
	TotalAmount         int64        `json:"totalAmount"`
	BalanceAmount       int64        `json:"balanceAmount"`
	SuppliedAmount      int64        `json:"suppliedAmount"`
	VAT                 int64        `json:"vat"`
	TaxFreeAmount       int64        `json:"taxFreeAmount"`
	Metadata            *struct{}    `json:"metadata"`
	Method              string       `json:"method"`
	Version             string       `json:"version"`
}

// cardJSON is the Payment's card object. The values are fixed test data in
// Toss's formats.
type cardJSON struct {
	IssuerCode            string  `json:"issuerCode"`
	AcquirerCode          string  `json:"acquirerCode"`
	Number                string  `json:"number"`
	InstallmentPlanMonths int     `json:"installmentPlanMonths"`
	IsInterestFree        bool    `json:"isInterestFree"`
	InterestPayer         *string `json:"interestPayer"`
	ApproveNo             string  `json:"approveNo"`
	UseCardPoint          bool    `json:"useCardPoint"`
	CardType              string  `json:"cardType"`
	OwnerType             string  `json:"ownerType"`
	AcquireStatus         string  `json:"acquireStatus"`
	Amount                int64   `json:"amount"`
}

// cancelJSON is one entry of the Payment's cancels[].
type cancelJSON struct {
	TransactionKey         string  `json:"transactionKey"`
	CancelReason           string  `json:"cancelReason"`
	TaxExemptionAmount     int64   `json:"taxExemptionAmount"`
	CanceledAt             string  `json:"canceledAt"`
	CardDiscountAmount     int64   `json:"cardDiscountAmount"`
	TransferDiscountAmount int64   `json:"transferDiscountAmount"`
	EasyPayDiscountAmount  int64   `json:"easyPayDiscountAmount"`
	ReceiptKey             *string `json:"receiptKey"`
	CancelAmount           int64   `json:"cancelAmount"`
	TaxFreeAmount          int64   `json:"taxFreeAmount"`
	RefundableAmount       int64   `json:"refundableAmount"`
	CancelStatus           string  `json:"cancelStatus"`
	CancelRequestID        *string `json:"cancelRequestId"`
}

type urlJSON struct {
	URL string `json:"url"`
}

// Fixed values of the sandbox's merchant and test card.
const (
	sandboxMID     = "tosspayments"
	apiVersion     = "2022-11-16"
	testCardIssuer = "11" // KB국민카드
	testCardNumber = "43301234****123*"
)

// render is p as Toss's Payment object; base is the sandbox's public URL.
func (s *Sandbox) render(p *payment, base string) *paymentJSON {
	j := &paymentJSON{
		MID:                 sandboxMID,
		PaymentKey:          p.paymentKey,
		OrderID:             p.orderID,
		OrderName:           p.orderName,
		Status:              p.status,
		RequestedAt:         tossTime(p.authenticatedAt),
		ApprovedAt:          sandbox.OptTime(p.approvedAt, tossTime),
		Type:                "NORMAL",
		Country:             "KR",
		Failure:             p.failure,
		IsPartialCancelable: true,
		Checkout:            &urlJSON{URL: p.checkoutURL},
		Currency:            "KRW",
		TotalAmount:         p.amount,
		BalanceAmount:       p.amount,
		TaxFreeAmount:       p.taxFree,
		Method:              methodCard,
		Version:             apiVersion,
	}
	if p.lastTxKey != "" {
		j.LastTransactionKey = &p.lastTxKey
	}
	if p.approved() {
		j.BalanceAmount, j.TaxFreeAmount = p.balance, p.taxFreeBalance
		j.Receipt = &urlJSON{URL: base + "/receipt/" + p.paymentKey}
		acquire := "READY"
		if p.status == statusCanceled {
			acquire = "CANCELED"
		}
		j.Card = &cardJSON{
			IssuerCode: testCardIssuer, AcquirerCode: testCardIssuer, Number: testCardNumber,
			ApproveNo: p.approveNo, CardType: "신용", OwnerType: "개인", AcquireStatus: acquire,
			Amount: p.amount,
		}
	}
	j.VAT = vatOf(j.BalanceAmount - j.TaxFreeAmount)
	j.SuppliedAmount = j.BalanceAmount - j.TaxFreeAmount - j.VAT
	for _, c := range p.cancels {
		j.Cancels = append(j.Cancels, cancelJSON{
			TransactionKey:   c.transactionKey,
			CancelReason:     c.reason,
			CanceledAt:       tossTime(c.at),
			CancelAmount:     c.amount,
			TaxFreeAmount:    c.taxFree,
			RefundableAmount: c.refundable,
			CancelStatus:     "DONE",
		})
	}
	return j
}
