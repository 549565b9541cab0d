package iamport

import "net/http"

// maxMerchantUID is PortOne's limit on merchant_uid (docs/providers.md §2.4).
const maxMerchantUID = 40

// prepared is a pre-registered amount.
type prepared struct {
	merchantUID string
	amount      int64
	currency    string // "" when not given: no currency check
}

// prepareJSON is the pre-registration (PaymentPrepareAnnotation).
type prepareJSON struct {
	MerchantUID string  `json:"merchant_uid"`
	Amount      int64   `json:"amount"`
	Currency    *string `json:"currency"`
}

func (p *prepared) json() *prepareJSON {
	return &prepareJSON{MerchantUID: p.merchantUID, Amount: p.amount, Currency: opt(p.currency)}
}

func (s *Sandbox) prepareRoute() route {
	return route{op: opPrepare, ids: bodyIDs("merchant_uid"), do: s.prepare}
}

func (s *Sandbox) getPrepareRoute() route {
	return route{op: opPrepare, ids: pathIDs("merchant_uid"), do: s.getPrepare}
}

// prepare pre-registers an amount for a merchant_uid, so that the window
// refuses to open for any other (docs/providers.md §2.4). A merchant_uid is
// registered once: a second POST is refused whatever its amount, as public
// client code shows PortOne doing; PUT (not emulated) would change it.
func (s *Sandbox) prepare(_ *http.Request, in params) (any, *apiError) {
	f := newFields(in)
	mu := f.Str("merchant_uid", true, maxMerchantUID)
	amount, _ := f.amount("amount", true, 1)
	currency := f.Str("currency", false, 3)
	if f.Err != nil {
		return nil, f.Err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.prepared[mu] != nil {
		return nil, errAlreadyPrepared()
	}
	p := &prepared{merchantUID: mu, amount: amount, currency: currency}
	s.prepared[mu] = p
	s.log.Info("iamport sandbox: prepared", "merchant_uid", mu, "amount", amount)
	return p.json(), nil
}

// getPrepare reads a pre-registration back.
func (s *Sandbox) getPrepare(r *http.Request, _ params) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.prepared[r.PathValue("merchant_uid")]
	if p == nil {
		return nil, errPrepareNotFound()
	}
	return p.json(), nil
}
