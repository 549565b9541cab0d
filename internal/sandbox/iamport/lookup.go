package iamport

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

func (s *Sandbox) paymentRoute() route {
	return route{op: opPayment, ids: pathIDs("imp_uid"), do: s.paymentByImpUID}
}

func (s *Sandbox) findRoute() route {
	return route{op: opPayment, ids: pathIDs("merchant_uid"), do: s.paymentByMerchantUID}
}

// paymentByImpUID is GET /payments/{imp_uid}. Every payment of the sandbox
// is a test-channel payment, and PortOne leaves those out unless the query
// says include_sandbox=true (default false; docs/providers.md §2.3, §5 item 12):
// without it the answer is the same 404 as for an unknown imp_uid, which is
// exactly the surprise a client that forgets it meets in production.
func (s *Sandbox) paymentByImpUID(r *http.Request, _ params) (any, *apiError) {
	include, _ := strconv.ParseBool(r.URL.Query().Get("include_sandbox"))
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.payments[r.PathValue("imp_uid")]
	if p == nil || !include {
		return nil, errPaymentNotFound()
	}
	return p.json(), nil
}

// paymentByMerchantUID is GET /payments/find/{merchant_uid}[/{payment_status}]:
// the first of the merchant_uid's payments (one per opening of the window)
// by sorting, optionally only those in payment_status. The schema gives
// this endpoint no include_sandbox parameter, so none is required here.
func (s *Sandbox) paymentByMerchantUID(r *http.Request, _ params) (any, *apiError) {
	status := r.PathValue("payment_status")
	switch status {
	case "", statusReady, statusPaid, statusFailed, statusCancelled:
	default:
		return nil, errBadRequest("payment_status must be ready, paid, failed or cancelled")
	}
	sorting := r.URL.Query().Get("sorting")
	if sorting == "" {
		sorting = "-started"
	}
	key, ok := sortKeys[strings.TrimPrefix(sorting, "-")]
	if !ok {
		return nil, errBadRequest("sorting must be one of -started, started, -paid, paid, -updated, updated")
	}
	desc := strings.HasPrefix(sorting, "-")

	s.mu.Lock()
	defer s.mu.Unlock()
	var found []*payment
	for _, p := range s.byMerchant[r.PathValue("merchant_uid")] {
		if status == "" || p.status == status {
			found = append(found, p)
		}
	}
	if len(found) == 0 {
		return nil, errPaymentNotFound()
	}
	// Ties (e.g. two unpaid payments under "paid") keep the order the
	// windows opened in, newest first when descending.
	slices.SortFunc(found, func(a, b *payment) int {
		c := cmp.Or(key(a).Compare(key(b)), cmp.Compare(a.seq, b.seq))
		if desc {
			return -c
		}
		return c
	})
	return found[0].json(), nil
}

// sortKeys are find's sorting criteria.
var sortKeys = map[string]func(*payment) time.Time{
	"started": func(p *payment) time.Time { return p.startedAt },
	"paid":    func(p *payment) time.Time { return p.paidAt },
	"updated": func(p *payment) time.Time { return p.updatedAt },
}
