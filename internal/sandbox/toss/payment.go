package toss

import (
	crand "crypto/rand"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/sandbox"
)

// Payment statuses (docs/providers.md §4.4), the ones this sandbox reaches.
const (
	statusInProgress      = "IN_PROGRESS" // authenticated in the window; waits for confirm
	statusDone            = "DONE"
	statusPartialCanceled = "PARTIAL_CANCELED"
	statusCanceled        = "CANCELED"
	statusAborted         = "ABORTED" // a declined confirm
	statusExpired         = "EXPIRED" // not confirmed within ConfirmWindow
)

// methodCard is the only method the sandbox emulates.
const methodCard = "카드"

// tossTime formats t as Toss does: ISO 8601 in KST with its offset.
func tossTime(t time.Time) string { return t.In(sandbox.KST).Format("2006-01-02T15:04:05-07:00") }

// failure is a Payment's failure{code, message}.
type failure struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// cancellation is one entry of cancels[].
type cancellation struct {
	amount, taxFree int64
	refundable      int64 // the balance after this cancel
	reason          string
	at              time.Time
	transactionKey  string
}

// payment is the sandbox's record of one paymentKey. It is only touched
// with Sandbox.mu held.
type payment struct {
	paymentKey  string
	orderID     string
	orderName   string
	amount      int64 // authenticated in the window; never changes
	taxFree     int64 // the tax-free part of amount
	checkoutURL string

	status          string
	authenticatedAt time.Time // also reported as requestedAt
	approvedAt      time.Time
	lastTxKey       string
	approveNo       string
	failure         *failure

	balance        int64 // what can still be cancelled
	taxFreeBalance int64 // the tax-free part of balance
	cancels        []cancellation
}

// approved reports whether the payment was ever confirmed.
func (p *payment) approved() bool {
	return p.status == statusDone || p.status == statusPartialCanceled || p.status == statusCanceled
}

// expireIfDue turns an IN_PROGRESS payment whose confirm window has passed
// into EXPIRED. It runs lazily on every access, so no timer goroutine is
// needed and a fake clock controls expiry completely.
func (s *Sandbox) expireIfDue(p *payment) {
	if p.status == statusInProgress && !s.now().Before(p.authenticatedAt.Add(s.window)) {
		p.status = statusExpired
		p.failure = &failure{Code: "EXPIRED_PAYMENT", Message: "결제 유효 시간이 지나 만료되었습니다."}
		s.log.Info("toss sandbox: payment expired", "payment_key", p.paymentKey, "order_id", p.orderID)
	}
}

// approvedForOrderLocked returns the confirmed payment of orderID, if any:
// an orderId can be confirmed once (DUPLICATED_ORDER_ID otherwise).
func (s *Sandbox) approvedForOrderLocked(orderID string) *payment {
	for _, key := range s.byOrder[orderID] {
		if p := s.payments[key]; p.approved() {
			return p
		}
	}
	return nil
}

// vatOf is the VAT in a taxable amount: one eleventh, rounded half up
// (Toss's example: 15000 → vat 1364, suppliedAmount 13636).
func vatOf(taxable int64) int64 { return (2*taxable + 11) / 22 }

// newPaymentKeyLocked returns "tgen_" + the KST time (14 digits) + 6 random
// characters, the shape of Toss's test paymentKeys. It comes partly from
// crypto/rand: a paymentKey is what a confirm names.
func (s *Sandbox) newPaymentKeyLocked() string {
	for {
		var b strings.Builder
		b.WriteString("tgen_")
		b.WriteString(s.now().In(sandbox.KST).Format("20060102150405"))
		b.WriteString(crand.Text()[:6])
		if id := b.String(); !s.ids[id] {
			s.ids[id] = true
			return id
		}
	}
}

// newTransactionKeyLocked returns 32 upper-case hex digits, like Toss's
// transactionKeys.
func (s *Sandbox) newTransactionKeyLocked() string {
	const hex = "0123456789ABCDEF"
	for {
		var b [32]byte
		for i := range b {
			b[i] = hex[rand.IntN(16)]
		}
		if id := string(b[:]); !s.ids[id] {
			s.ids[id] = true
			return id
		}
	}
}

// randomDigits returns n random digits (card approval numbers).
func randomDigits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + rand.IntN(10))
	}
	return string(b)
}
