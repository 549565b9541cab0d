package kakaopay

import (
	"math"
	"net/http"
)

// cancelResponse is KakaoPay's answer to cancel (docs/providers.md §1.5).
type cancelResponse struct {
	AID string `json:"aid"`
	paymentHead
	Status                string `json:"status"`
	PaymentMethodType     string `json:"payment_method_type"`
	ApprovedCancelAmount  amount `json:"approved_cancel_amount"`
	CanceledAmount        amount `json:"canceled_amount"`
	CancelAvailableAmount amount `json:"cancel_available_amount"`
	ApprovedAt            string `json:"approved_at"`
	CanceledAt            string `json:"canceled_at"`
	Payload               string `json:"payload,omitempty"`
}

// cancel refunds part or all of an approved payment. cancel_available_amount,
// when sent, must equal the remainder before this cancel: that is the guard
// that keeps a retried partial cancel from refunding twice.
func (s *Sandbox) cancel(_ *http.Request, in params) (any, *apiError) {
	f := newFields(in)
	cid := f.Str("cid", true, 0)
	tid := f.Str("tid", true, 0)
	amt, _ := f.num("cancel_amount", true, 1, math.MaxInt64)
	taxFree, _ := f.num("cancel_tax_free_amount", true, 0, math.MaxInt64)
	vat, hasVAT := f.num("cancel_vat_amount", false, 0, math.MaxInt64)
	avail, hasAvail := f.num("cancel_available_amount", false, 0, math.MaxInt64)
	payload := f.Str("payload", false, 200)
	p, err := s.lockPayment(f, cid, tid)
	if err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	rem := p.cancellable()
	switch {
	case p.status != statusSuccess && p.status != statusPartCancel:
		return nil, errInvalid("payment in status %s cannot be cancelled", p.status)
	case hasAvail && avail != rem.Total:
		return nil, errInvalid("cancel_available_amount %d does not equal the cancellable amount %d", avail, rem.Total)
	case amt > rem.Total:
		return nil, errInvalid("cancel_amount %d exceeds the cancellable amount %d", amt, rem.Total)
	case p.amount.GreenDeposit > 0 && amt != rem.Total:
		return nil, errInvalid("partial cancel is not possible for a payment with green_deposit")
	case taxFree > amt || taxFree > rem.TaxFree:
		return nil, errInvalid("cancel_tax_free_amount %d exceeds the cancel amount or the cancellable tax-free amount %d", taxFree, rem.TaxFree)
	case hasVAT && (vat > amt-taxFree || vat > rem.VAT):
		return nil, errInvalid("cancel_vat_amount %d exceeds the taxable cancel amount or the cancellable VAT %d", vat, rem.VAT)
	}
	full := amt == rem.Total
	switch {
	case hasVAT:
	case full:
		// Take all that is left, so rounding in earlier partial cancels
		// leaves no VAT behind on a fully cancelled payment.
		vat = rem.VAT
	default:
		vat = min(defaultVAT(amt, taxFree), rem.VAT)
	}
	this := amount{Total: amt, TaxFree: taxFree, VAT: vat}
	if full {
		this.GreenDeposit = rem.GreenDeposit
	}

	now := s.now()
	aid := s.newIDLocked("A")
	p.canceled = p.canceled.plus(this)
	p.canceledAt = now
	p.status = statusPartCancel
	if full {
		p.status = statusCancel
	}
	p.actions = append(p.actions, action{aid: aid, at: now, amount: this, kind: actionCancel, payload: payload})
	s.log.Info("kakaopay sandbox: canceled", "tid", tid, "aid", aid, "cancel_amount", amt, "status", p.status)

	return &cancelResponse{
		AID:                   aid,
		paymentHead:           p.head(),
		Status:                p.status,
		PaymentMethodType:     p.method,
		ApprovedCancelAmount:  this,
		CanceledAmount:        p.canceled,
		CancelAvailableAmount: p.cancellable(),
		ApprovedAt:            kakaoTime(p.approvedAt),
		CanceledAt:            kakaoTime(now),
		Payload:               payload,
	}, nil
}
