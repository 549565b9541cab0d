package portone

import (
	"math"
	"net/http"
)

// preRegisterBody is PreRegisterPaymentBody.
type preRegisterBody struct {
	StoreID       string  `json:"storeId"`
	TotalAmount   *int64  `json:"totalAmount"`
	TaxFreeAmount *int64  `json:"taxFreeAmount"`
	Currency      *string `json:"currency"`
}

// preRegister records the amount the window must charge for paymentId
// (POST /payments/{paymentId}/pre-register). Registering again before the
// payment is paid replaces the amount; once it is paid, 409 ALREADY_PAID.
// The schema requires no field; the sandbox requires totalAmount, since a
// registration without one protects nothing.
func (s *Sandbox) preRegister(r *http.Request, id string, _ *Fault) (any, []event, *apiError) {
	var b preRegisterBody
	if e := decodeBody(r, &b); e != nil {
		return nil, nil, e
	}
	switch {
	case b.TotalAmount == nil:
		return nil, nil, errInvalid("totalAmount is required")
	case *b.TotalAmount <= 0 || *b.TotalAmount > math.MaxInt64/2:
		return nil, nil, errInvalid("totalAmount must be positive")
	case b.TaxFreeAmount != nil && (*b.TaxFreeAmount < 0 || *b.TaxFreeAmount > *b.TotalAmount):
		return nil, nil, errInvalid("taxFreeAmount must be between 0 and totalAmount")
	case b.Currency != nil && *b.Currency != "KRW":
		return nil, nil, errInvalid("the sandbox settles KRW only")
	}
	store, ok := s.storeFor(b.StoreID)
	if !ok {
		return nil, nil, errForbiddenStore()
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.payments[id]
	if p == nil {
		p = &payment{id: id, storeID: store}
		s.payments[id] = p
	}
	if p.paid() {
		return nil, nil, errConflict(typeAlreadyPaid, "결제가 이미 완료되었습니다.")
	}
	p.registered = true
	p.regTotal = *b.TotalAmount
	p.regTaxFree = 0
	if b.TaxFreeAmount != nil {
		p.regTaxFree = *b.TaxFreeAmount
	}
	s.log.Info("portone sandbox: pre-registered", "payment_id", id, "total", p.regTotal)
	return struct{}{}, nil, nil
}
