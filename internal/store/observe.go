package store

import (
	"context"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// Observer is told what the store committed, for metrics. Every field may
// be nil.
type Observer struct {
	// Tx hears every write transaction's duration and result.
	Tx func(d time.Duration, err error)
	// Transition hears every committed payment state change (from is ""
	// for a creation).
	Transition func(provider, from, to string)
	// Delivery hears every recorded webhook attempt: succeeded, retry or dead.
	Delivery func(outcome string)
}

// SetObserver sets the store's observer; call it before the store is used.
func (s *Store) SetObserver(o Observer) { s.observer = o }

func (s *Store) observeTx(start time.Time, err error) {
	if s.observer.Tx != nil {
		s.observer.Tx(time.Since(start), err)
	}
}

func (s *Store) observeTransition(p *payment.Payment, from, to payment.Status, err error) {
	if err == nil && p != nil && s.observer.Transition != nil {
		s.observer.Transition(p.Provider, string(from), string(to))
	}
}

func (s *Store) observeDelivery(status string, err error) {
	if err != nil || s.observer.Delivery == nil {
		return
	}
	switch status {
	case payment.DeliveryPending:
		s.observer.Delivery("retry")
	default:
		s.observer.Delivery(status)
	}
}

// PendingDeliveries counts the outbound webhook deliveries not yet
// delivered or given up (the queue depth).
func (s *Store) PendingDeliveries(ctx context.Context) (int64, error) {
	var n int64
	err := s.r.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM webhook_deliveries WHERE status = ?`), payment.DeliveryPending).Scan(&n)
	return n, err
}

// Ready reports whether the database answers and its schema is the one
// this binary knows (the readiness check).
func (s *Store) Ready(ctx context.Context) error {
	v, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if v != LatestVersion() {
		return payment.Errorf(payment.EUNAVAILABLE, "the database schema is version %d, this paybridge needs %d", v, LatestVersion())
	}
	return nil
}
