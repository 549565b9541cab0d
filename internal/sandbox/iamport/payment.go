package iamport

import (
	"math/rand/v2"
	"strings"
	"time"
)

// Payment statuses (PaymentAnnotation.status; docs/providers.md §2.3). There is
// no partial-refund status: a partly refunded payment stays paid with
// cancel_amount > 0.
const (
	statusReady     = "ready"
	statusPaid      = "paid"
	statusCancelled = "cancelled"
	statusFailed    = "failed"
)

// payment is the sandbox's record of one imp_uid: one opening of the
// payment window. It is only touched with Sandbox.mu held.
type payment struct {
	seq         int
	impUID      string
	merchantUID string
	name        string
	buyerName   string
	payMethod   string
	pgProvider  string
	pgID        string
	channel     string
	userAgent   string
	receiptURL  string
	amount      int64

	status       string
	pgTID        string
	applyNum     string
	cancelAmount int64
	failReason   string
	cancelReason string
	startedAt    time.Time
	paidAt       time.Time
	failedAt     time.Time
	cancelledAt  time.Time // of the latest refund, partial ones included
	updatedAt    time.Time
	cancels      []cancelRecord
}

// cancelRecord is one refund.
type cancelRecord struct {
	pgTID          string
	amount         int64
	taxFree        int64
	at             time.Time
	reason         string
	cancellationID string
	receiptURL     string
}

// balance is what a cancel may still refund; zero unless paid.
func (p *payment) balance() int64 {
	if p.status != statusPaid {
		return 0
	}
	return p.amount - p.cancelAmount
}

// paymentJSON is the Payment object (PaymentAnnotation) with every field of
// the schema. Fields that do not apply are null, as at PortOne, except the
// required ones and the timestamps, which are 0 when not set.
type paymentJSON struct {
	ImpUID            string       `json:"imp_uid"`
	MerchantUID       string       `json:"merchant_uid"`
	PayMethod         string       `json:"pay_method"`
	Channel           string       `json:"channel"`
	PGProvider        string       `json:"pg_provider"`
	EmbPGProvider     *string      `json:"emb_pg_provider"`
	PGTID             *string      `json:"pg_tid"`
	PGID              string       `json:"pg_id"`
	Sandbox           bool         `json:"sandbox"`
	Escrow            bool         `json:"escrow"`
	ApplyNum          *string      `json:"apply_num"`
	BankCode          *string      `json:"bank_code"`
	BankName          *string      `json:"bank_name"`
	CardCode          *string      `json:"card_code"`
	CardName          *string      `json:"card_name"`
	CardIssuerCode    *string      `json:"card_issuer_code"`
	CardIssuerName    *string      `json:"card_issuer_name"`
	CardPublisherCode *string      `json:"card_publisher_code"`
	CardPublisherName *string      `json:"card_publisher_name"`
	CardQuota         int          `json:"card_quota"`
	CardNumber        *string      `json:"card_number"`
	CardType          int          `json:"card_type"` // 0 credit, 1 check: an integer, never null (schema)
	VbankCode         *string      `json:"vbank_code"`
	VbankName         *string      `json:"vbank_name"`
	VbankNum          *string      `json:"vbank_num"`
	VbankHolder       *string      `json:"vbank_holder"`
	VbankDate         int64        `json:"vbank_date"`
	VbankIssuedAt     int64        `json:"vbank_issued_at"`
	Name              string       `json:"name"`
	Amount            int64        `json:"amount"`
	CancelAmount      int64        `json:"cancel_amount"`
	Currency          string       `json:"currency"`
	BuyerName         string       `json:"buyer_name"`
	BuyerEmail        *string      `json:"buyer_email"`
	BuyerTel          *string      `json:"buyer_tel"`
	BuyerAddr         *string      `json:"buyer_addr"`
	BuyerPostcode     *string      `json:"buyer_postcode"`
	CustomData        *string      `json:"custom_data"`
	UserAgent         string       `json:"user_agent"`
	Status            string       `json:"status"`
	StartedAt         int64        `json:"started_at"`
	PaidAt            int64        `json:"paid_at"`
	FailedAt          int64        `json:"failed_at"`
	CancelledAt       int64        `json:"cancelled_at"`
	FailReason        *string      `json:"fail_reason"`
	CancelReason      *string      `json:"cancel_reason"`
	ReceiptURL        string       `json:"receipt_url"`
	CancelHistory     []cancelJSON `json:"cancel_history"`
	CancelReceiptURLs []string     `json:"cancel_receipt_urls"`
	CashReceiptIssued bool         `json:"cash_receipt_issued"`
	CustomerUID       *string      `json:"customer_uid"`
	CustomerUIDUsage  *string      `json:"customer_uid_usage"`
	Promotion         *struct{}    `json:"promotion,omitempty"` // an object when present: absent, not null
}

// cancelJSON is one cancel_history entry (PaymentCancelAnnotation).
type cancelJSON struct {
	PGTID          string `json:"pg_tid"`
	Amount         int64  `json:"amount"`
	CancelledAt    int64  `json:"cancelled_at"`
	Reason         string `json:"reason"`
	CancellationID string `json:"cancellation_id"`
	ReceiptURL     string `json:"receipt_url"`
}

// Test card the sandbox "pays" with.
const (
	testCardCode   = "361"
	testCardName   = "BC카드"
	testCardNumber = "910020*********7"
)

// json renders p. Every payment of the sandbox is a test-channel payment:
// sandbox is true.
func (p *payment) json() *paymentJSON {
	j := &paymentJSON{
		ImpUID:            p.impUID,
		MerchantUID:       p.merchantUID,
		PayMethod:         p.payMethod,
		Channel:           p.channel,
		PGProvider:        p.pgProvider,
		PGID:              p.pgID,
		Sandbox:           true,
		Name:              p.name,
		Amount:            p.amount,
		CancelAmount:      p.cancelAmount,
		Currency:          "KRW",
		BuyerName:         p.buyerName,
		UserAgent:         p.userAgent,
		Status:            p.status,
		StartedAt:         unix(p.startedAt),
		PaidAt:            unix(p.paidAt),
		FailedAt:          unix(p.failedAt),
		CancelledAt:       unix(p.cancelledAt),
		FailReason:        opt(p.failReason),
		CancelReason:      opt(p.cancelReason),
		ReceiptURL:        p.receiptURL,
		CancelHistory:     []cancelJSON{},
		CancelReceiptURLs: []string{},
		PGTID:             opt(p.pgTID),
		ApplyNum:          opt(p.applyNum),
	}
	if p.payMethod == "card" && !p.paidAt.IsZero() {
		j.CardCode, j.CardName = opt(testCardCode), opt(testCardName)
		j.CardNumber = opt(testCardNumber)
	}
	for _, c := range p.cancels {
		j.CancelHistory = append(j.CancelHistory, cancelJSON{
			PGTID: c.pgTID, Amount: c.amount, CancelledAt: unix(c.at), Reason: c.reason,
			CancellationID: c.cancellationID, ReceiptURL: c.receiptURL,
		})
		j.CancelReceiptURLs = append(j.CancelReceiptURLs, c.receiptURL)
	}
	return j
}

// unix is t in UNIX seconds, 0 for the zero time (the schema's "not set").
func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// opt is s, or nil (JSON null) when empty.
func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// newIDLocked returns prefix + n random digits, unique among the ids this
// sandbox handed out; the caller holds s.mu. imp_uids are "imp_" + 12
// digits, as PortOne's are.
func (s *Sandbox) newIDLocked(prefix string, n int) string {
	for {
		var b strings.Builder
		b.WriteString(prefix)
		for range n {
			b.WriteByte(byte('0' + rand.IntN(10)))
		}
		id := b.String()
		if !s.ids[id] {
			s.ids[id] = true
			return id
		}
	}
}
