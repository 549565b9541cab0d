// query.go: the reads the API and the pages make through the service: one
// payment (a merchant's, or by id for the buyer's pages), its refunds, a
// page of the payment list, an API key. They hold no flow of their own;
// service.go lists the files that do.

package service

import (
	"context"

	"github.com/paybridge/paybridge/internal/payment"
)

// FindPayment returns a merchant's payment. Another merchant's payment is
// reported as not found, never as forbidden, so ids cannot be probed.
func (s *Service) FindPayment(ctx context.Context, merchantID, id string) (*payment.Payment, error) {
	p, err := s.store.FindPaymentByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.MerchantID != merchantID {
		return nil, payment.Errorf(payment.ENOTFOUND, "payment not found")
	}
	// A key sees only payments of its own mode, as if the others did not exist.
	if live, ok := payment.LivemodeFrom(ctx); ok && live != p.Livemode {
		return nil, payment.Errorf(payment.ENOTFOUND, "payment not found")
	}
	return p, nil
}

// PaymentByID returns a payment whoever owns it: for the buyer's pages and
// provider webhooks, which name a payment by paybridge's id and know no
// merchant. Merchant-facing callers use FindPayment.
func (s *Service) PaymentByID(ctx context.Context, id string) (*payment.Payment, error) {
	return s.store.FindPaymentByID(ctx, id)
}

// Cancellations lists a payment's refunds, oldest first.
func (s *Service) Cancellations(ctx context.Context, paymentID string) ([]*payment.Cancellation, error) {
	return s.store.FindCancellations(ctx, paymentID)
}

// ListPayments returns one page of payments matching q (see
// payment.ListQuery), whether more lie beyond it, and the page's
// cancellations keyed by payment id, read in one query for the whole page.
func (s *Service) ListPayments(ctx context.Context, q payment.ListQuery) ([]*payment.Payment, map[string][]*payment.Cancellation, bool, error) {
	ps, more, err := s.store.ListPayments(ctx, q)
	if err != nil {
		return nil, nil, false, err
	}
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	cs, err := s.store.FindCancellationsOf(ctx, ids)
	if err != nil {
		return nil, nil, false, err
	}
	return ps, cs, more, nil
}

// FindAPIKey returns the unrevoked API key with this hash (ENOTFOUND
// otherwise): the API authenticates each request with it.
func (s *Service) FindAPIKey(ctx context.Context, hash string) (*payment.APIKey, error) {
	return s.store.FindAPIKeyByHash(ctx, hash)
}

// IdempotencyKeys returns where the merchant API keeps its
// Idempotency-Keys, when the store keeps them: the service's own store,
// because what a request creates is recorded under its key in the
// transaction that creates it (CreatePayment, Refund), which one store
// alone can do.
func (s *Service) IdempotencyKeys() (payment.IdempotencyStore, bool) {
	st, ok := s.store.(payment.IdempotencyStore)
	return st, ok
}
