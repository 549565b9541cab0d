package portone

import (
	crand "crypto/rand"
	"encoding/hex"
	"fmt"
	"time"
)

// Payment statuses, the discriminator of the Payment union. The sandbox
// never reaches PAY_PENDING or VIRTUAL_ACCOUNT_ISSUED: it offers no virtual
// accounts.
const (
	statusReady            = "READY"
	statusPaid             = "PAID"
	statusFailed           = "FAILED"
	statusPartialCancelled = "PARTIAL_CANCELLED"
	statusCancelled        = "CANCELLED"
)

// Cancellation statuses, the discriminator of the PaymentCancellation union.
const (
	cancelRequested = "REQUESTED"
	cancelSucceeded = "SUCCEEDED"
	cancelFailed    = "FAILED"
)

// payment is one paymentId's state. A paymentId can be pre-registered
// before it is a payment: it becomes one (READY) when the buyer opens the
// window, and until then GET answers PAYMENT_NOT_FOUND, as PortOne does for
// an id no window was opened for.
type payment struct {
	id      string
	storeID string

	// Pre-registration (POST …/pre-register).
	registered bool
	regTotal   int64
	regTaxFree int64

	// The payment, once the window was opened; status "" until then.
	status          string
	transactionID   string // one per attempt: a FAILED payment may be tried again
	orderName       string
	customerID      string
	payMethod       string
	total           int64
	taxFree         int64
	vat             int64
	origin          origin
	requestedAt     time.Time
	updatedAt       time.Time
	statusChangedAt time.Time
	paidAt          time.Time
	failedAt        time.Time
	cancelledAt     time.Time
	failure         *failure
	pgTxID          string
	approvalNumber  string
	receiptURL      string
	cancellations   []*cancellation
}

// origin is where the window was opened from.
type origin struct {
	platformType string
	ipAddress    string
	userAgent    string
}

// failure is PaymentFailure.
type failure struct {
	reason, pgCode, pgMessage string
}

// cancellation is one refund request.
type cancellation struct {
	status      string
	id          string
	pgID        string
	total       int64
	taxFree     int64
	vat         int64
	reason      string
	requestedAt time.Time
	cancelledAt time.Time
	receiptURL  string
	skipWebhook bool
}

// exists reports whether the paymentId is a payment yet.
func (p *payment) exists() bool { return p.status != "" }

// paid reports whether money was taken (whatever was refunded since).
func (p *payment) paid() bool {
	return p.status == statusPaid || p.status == statusPartialCancelled || p.status == statusCancelled
}

// sums adds up the cancellations in one status.
func (p *payment) sums(status string) (total, taxFree, vat int64) {
	for _, c := range p.cancellations {
		if c.status == status {
			total += c.total
			taxFree += c.taxFree
			vat += c.vat
		}
	}
	return
}

// cancellable is what can still be refunded: what was paid, less what was
// refunded and what is being refunded (REQUESTED holds its amount).
func (p *payment) cancellable() (total, taxFree, vat int64) {
	if p.status != statusPaid && p.status != statusPartialCancelled {
		return 0, 0, 0
	}
	dt, df, dv := p.sums(cancelSucceeded)
	rt, rf, rv := p.sums(cancelRequested)
	return p.total - dt - rt, p.taxFree - df - rf, p.vat - dv - rv
}

// setStatus changes the status and its timestamps.
func (p *payment) setStatus(status string, now time.Time) {
	p.status = status
	p.statusChangedAt = now
	p.updatedAt = now
}

// settleCancellations recomputes the status after a cancellation succeeded.
func (p *payment) settleCancellations(now time.Time) {
	done, _, _ := p.sums(cancelSucceeded)
	switch {
	case done >= p.total:
		p.setStatus(statusCancelled, now)
	case done > 0:
		p.setStatus(statusPartialCancelled, now)
	}
	p.cancelledAt = now
}

// defaultVAT is the VAT included in a taxable amount: 1/11, rounded half up.
func defaultVAT(taxable int64) int64 { return (taxable + 5) / 11 }

// portoneTime formats t as PortOne does: RFC 3339 in UTC, milliseconds.
func portoneTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// optTime is portoneTime for timestamps that may be unset (omitted).
func optTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := portoneTime(t)
	return &s
}

// newUUID returns a random version-4 UUID, the shape of PortOne's
// transaction ids.
func newUUID() string {
	var b [16]byte
	_, _ = crand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// nextSeqLocked returns a per-sandbox sequence number for readable ids.
func (s *Sandbox) nextSeqLocked() int {
	s.sequence++
	return s.sequence
}

// newCancellationIDLocked returns a cancellation id.
func (s *Sandbox) newCancellationIDLocked() string {
	return fmt.Sprintf("cancellation-%06d-%s", s.nextSeqLocked(), newUUID()[:8])
}
