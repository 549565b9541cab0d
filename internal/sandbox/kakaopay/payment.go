package kakaopay

import (
	crand "crypto/rand"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/sandbox"
)

// Payment status values, as KakaoPay's /order reports them (docs/providers.md §1.6).
// Only the ones this sandbox can reach are listed.
const (
	statusReady        = "READY"
	statusOpenPayment  = "OPEN_PAYMENT"
	statusAuthPassword = "AUTH_PASSWORD"
	statusSuccess      = "SUCCESS_PAYMENT"
	statusPartCancel   = "PART_CANCEL_PAYMENT"
	statusCancel       = "CANCEL_PAYMENT"
	statusQuit         = "QUIT_PAYMENT"
	statusFail         = "FAIL_PAYMENT"
)

// Payment method types and payment_action_details types.
const (
	methodCard   = "CARD"
	methodMoney  = "MONEY"
	actionPay    = "PAYMENT"
	actionCancel = "CANCEL"
)

// kakaoTime formats t the way KakaoPay does: KST wall time, no offset
// (KakaoPay's timestamps mean Korean time).
func kakaoTime(t time.Time) string { return t.In(sandbox.KST).Format("2006-01-02T15:04:05") }

// amount is KakaoPay's amount object. Every field is always written: clients
// read them as integers and must not meet a missing one.
type amount struct {
	Total        int64 `json:"total"`
	TaxFree      int64 `json:"tax_free"`
	VAT          int64 `json:"vat"`
	Point        int64 `json:"point"`
	Discount     int64 `json:"discount"`
	GreenDeposit int64 `json:"green_deposit"`
}

func (a amount) plus(b amount) amount {
	return amount{a.Total + b.Total, a.TaxFree + b.TaxFree, a.VAT + b.VAT,
		a.Point + b.Point, a.Discount + b.Discount, a.GreenDeposit + b.GreenDeposit}
}

func (a amount) minus(b amount) amount {
	return amount{a.Total - b.Total, a.TaxFree - b.TaxFree, a.VAT - b.VAT,
		a.Point - b.Point, a.Discount - b.Discount, a.GreenDeposit - b.GreenDeposit}
}

// defaultVAT is KakaoPay's default: (total − tax_free)/11, rounded half up.
func defaultVAT(total, taxFree int64) int64 { return (total - taxFree + 5) / 11 }

// action is one payment_action_details entry.
type action struct {
	aid     string
	at      time.Time
	amount  amount
	kind    string // actionPay or actionCancel
	payload string
}

// payment is the sandbox's record of one tid. It is only touched with
// Sandbox.mu held.
type payment struct {
	tid, cid       string
	partnerOrderID string
	partnerUserID  string
	itemName       string
	itemCode       string
	quantity       int64
	amount         amount // fixed at ready; never changed by cancels
	approvalURL    string
	cancelURL      string
	failURL        string
	allowedMethod  string // ready's payment_method_type; "" allows both
	installMonth   int64

	status    string
	expired   bool   // FAIL_PAYMENT because Expiry passed before approval
	pgToken   string // issued when the buyer approves on the page
	method    string // chosen by the buyer
	createdAt time.Time

	aid        string // of the approval
	approvedAt time.Time
	canceledAt time.Time // of the latest cancel
	payload    string    // approve's payload
	canceled   amount    // cumulative
	actions    []action
}

// paymentHead is what approve, cancel and order all repeat about the payment:
// whose it is, what was bought and for how much. It is embedded in each
// answer, so its fields stand at the top of the JSON as at KakaoPay.
type paymentHead struct {
	TID            string `json:"tid"`
	CID            string `json:"cid"`
	PartnerOrderID string `json:"partner_order_id"`
	PartnerUserID  string `json:"partner_user_id"`
	Amount         amount `json:"amount"`
	ItemName       string `json:"item_name"`
	ItemCode       string `json:"item_code,omitempty"`
	Quantity       int64  `json:"quantity"`
	CreatedAt      string `json:"created_at"`
}

func (p *payment) head() paymentHead {
	return paymentHead{
		TID:            p.tid,
		CID:            p.cid,
		PartnerOrderID: p.partnerOrderID,
		PartnerUserID:  p.partnerUserID,
		Amount:         p.amount,
		ItemName:       p.itemName,
		ItemCode:       p.itemCode,
		Quantity:       p.quantity,
		CreatedAt:      kakaoTime(p.createdAt),
	}
}

// buyerPending reports whether the buyer can still act on the page.
func (p *payment) buyerPending() bool {
	return p.status == statusReady || p.status == statusOpenPayment
}

// unsettled reports whether the payment is neither paid nor failed: the
// states that expire.
func (p *payment) unsettled() bool { return p.buyerPending() || p.status == statusAuthPassword }

// approved reports whether approve ever succeeded, cancels included.
func (p *payment) approved() bool {
	return p.status == statusSuccess || p.status == statusPartCancel || p.status == statusCancel
}

// cancellable is the remaining amount a cancel may take; zero until approved.
func (p *payment) cancellable() amount {
	if !p.approved() {
		return amount{}
	}
	return p.amount.minus(p.canceled)
}

// expireIfDue turns an unsettled payment whose tid lifetime has passed into
// FAIL_PAYMENT. It runs lazily on every access, so no timer goroutine is
// needed and a fake clock controls expiry completely.
func (s *Sandbox) expireIfDue(p *payment) {
	if p.unsettled() && !s.now().Before(p.createdAt.Add(s.expiry)) {
		p.status = statusFail
		p.expired = true
		p.pgToken = ""
		s.log.Info("kakaopay sandbox: tid expired", "tid", p.tid)
	}
}

// newIDLocked returns prefix + 19 random digits, unique among the ids this
// sandbox issued (tid and aid are both 20 characters at KakaoPay).
func (s *Sandbox) newIDLocked(prefix string) string {
	for {
		var b strings.Builder
		b.WriteString(prefix)
		for range 19 {
			b.WriteByte(byte('0' + rand.IntN(10)))
		}
		id := b.String()
		if !s.ids[id] {
			s.ids[id] = true
			return id
		}
	}
}

// newPGToken returns a 20-character token. It comes from crypto/rand because
// it is the one value standing between a tid and its approval.
func newPGToken() string { return strings.ToLower(crand.Text()[:20]) }
