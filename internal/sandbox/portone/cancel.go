package portone

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/paybridge/paybridge/internal/sandbox"
)

// cancelBody is CancelPaymentBody, every field of the schema, so that only
// a misspelt one is refused.
type cancelBody struct {
	StoreID                       string          `json:"storeId"`
	Amount                        *int64          `json:"amount"`
	TaxFreeAmount                 *int64          `json:"taxFreeAmount"`
	VATAmount                     *int64          `json:"vatAmount"`
	Reason                        string          `json:"reason"`
	Requester                     string          `json:"requester"`
	PromotionDiscountRetainOption string          `json:"promotionDiscountRetainOption"`
	CurrentCancellableAmount      *int64          `json:"currentCancellableAmount"`
	RefundAccount                 json.RawMessage `json:"refundAccount"`
	RefundEmail                   string          `json:"refundEmail"`
	SkipWebhook                   bool            `json:"skipWebhook"`
}

// cancelResponseJSON is CancelPaymentResponse.
type cancelResponseJSON struct {
	Cancellation *cancellationJSON `json:"cancellation"`
}

// cancel refunds part or all of a paid payment (POST
// /payments/{paymentId}/cancel). The checks run in this order, each
// refusing with nothing refunded:
//
//	400 INVALID_REQUEST      no reason, a non-positive amount, a bad enum value
//	403 FORBIDDEN            a storeId this sandbox does not serve
//	404 PAYMENT_NOT_FOUND    unknown paymentId (or not a payment yet)
//	409 PAYMENT_ALREADY_CANCELLED, PAYMENT_NOT_PAID
//	409 CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN   currentCancellableAmount ≠ the remainder
//	409 CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT
//	409 SUM_OF_PARTS_EXCEEDS_CANCEL_AMOUNT      taxFreeAmount (+ vatAmount) > amount
//	409 CANCEL_TAX_FREE_AMOUNT_EXCEEDS_CANCELLABLE_TAX_FREE_AMOUNT
//	409 CANCEL_TAX_AMOUNT_EXCEEDS_CANCELLABLE_TAX_AMOUNT
//
// An omitted amount cancels the whole remainder (tax-free part included);
// an omitted taxFreeAmount otherwise means an all-taxable refund.
func (s *Sandbox) cancel(r *http.Request, id string, f *Fault) (any, []event, *apiError) {
	var b cancelBody
	if e := decodeBody(r, &b); e != nil {
		return nil, nil, e
	}
	switch {
	case strings.TrimSpace(b.Reason) == "":
		return nil, nil, errInvalid("reason is required")
	case b.Amount != nil && *b.Amount <= 0:
		return nil, nil, errInvalid("amount must be positive")
	case b.TaxFreeAmount != nil && *b.TaxFreeAmount < 0, b.VATAmount != nil && *b.VATAmount < 0:
		return nil, nil, errInvalid("taxFreeAmount and vatAmount must not be negative")
	case b.Requester != "" && b.Requester != "CUSTOMER" && b.Requester != "ADMIN":
		return nil, nil, errInvalid("requester must be CUSTOMER or ADMIN")
	case b.PromotionDiscountRetainOption != "" && b.PromotionDiscountRetainOption != "RETAIN" && b.PromotionDiscountRetainOption != "RELEASE":
		return nil, nil, errInvalid("promotionDiscountRetainOption must be RETAIN or RELEASE")
	}
	if _, ok := s.storeFor(b.StoreID); !ok {
		return nil, nil, errForbiddenStore()
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.payments[id]
	if p == nil || !p.exists() || (b.StoreID != "" && b.StoreID != p.storeID) {
		return nil, nil, errPaymentNotFound()
	}
	switch p.status {
	case statusCancelled:
		return nil, nil, errConflict(typeAlreadyCancelled, "결제가 이미 취소되었습니다.")
	case statusPaid, statusPartialCancelled:
	default:
		return nil, nil, errConflict(typeNotPaid, "결제가 완료되지 않았습니다.")
	}
	left, leftTaxFree, leftVAT := p.cancellable()
	if b.CurrentCancellableAmount != nil && *b.CurrentCancellableAmount != left {
		return nil, nil, errConflict(typeConsistency, "취소 가능 잔액 검증에 실패했습니다.")
	}
	amount, taxFree := left, leftTaxFree // omitted amount: everything left
	if b.Amount != nil {
		amount, taxFree = *b.Amount, 0
	}
	if b.TaxFreeAmount != nil {
		taxFree = *b.TaxFreeAmount
	}
	if amount <= 0 || amount > left {
		return nil, nil, errConflict(typeExceeds, "결제 취소 금액이 취소 가능 금액을 초과했습니다.")
	}
	if taxFree > amount || (b.VATAmount != nil && taxFree+*b.VATAmount > amount) {
		return nil, nil, errConflict(typeSumOfParts, "면세 금액 등 하위 항목들의 합이 전체 취소 금액을 초과했습니다.")
	}
	if taxFree > leftTaxFree {
		return nil, nil, errConflict(typeTaxFreeExceeds, "취소 면세 금액이 취소 가능한 면세 금액을 초과했습니다.")
	}
	taxable := amount - taxFree
	if taxable > left-leftTaxFree {
		return nil, nil, errConflict(typeTaxExceeds, "취소 과세 금액이 취소 가능한 과세 금액을 초과했습니다.")
	}
	vat := defaultVAT(taxable)
	switch {
	case b.VATAmount != nil:
		vat = *b.VATAmount
	case taxable == left-leftTaxFree:
		vat = leftVAT // the last taxable won takes the VAT left, so rounding leaves none
	}

	now := s.now()
	c := &cancellation{
		status:      cancelSucceeded,
		id:          s.newCancellationIDLocked(),
		pgID:        "pgc-" + newUUID()[:13],
		total:       amount,
		taxFree:     taxFree,
		vat:         vat,
		reason:      b.Reason,
		requestedAt: now,
		receiptURL:  p.receiptURL,
		skipWebhook: b.SkipWebhook,
	}
	var events []event
	switch {
	case f != nil && f.Kind == sandbox.FaultDecline:
		// The PG refused: the refusal is recorded, nothing is refunded.
		c.status = cancelFailed
		p.updatedAt = now
	case s.opts.AsyncCancel:
		c.status = cancelRequested
		p.updatedAt = now
		if !c.skipWebhook {
			events = append(events, s.eventLocked(p, eventCancelPending, c.id))
		}
	default:
		c.cancelledAt = now
	}
	p.cancellations = append(p.cancellations, c)
	if c.status == cancelSucceeded {
		p.settleCancellations(now)
		if !c.skipWebhook {
			events = append(events, s.eventLocked(p, cancelEventType(p), c.id))
		}
	}
	s.log.Info("portone sandbox: cancellation", "payment_id", id, "cancellation_id", c.id,
		"status", c.status, "amount", amount, "payment_status", p.status)
	return &cancelResponseJSON{Cancellation: c.render()}, events, nil
}
