package store_test

import (
	"context"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/store"
)

// forEachStore runs fn once per engine (see forEachEngine) with a store
// opened and migrated on a fresh database, the way most store tests start.
func forEachStore(t *testing.T, fn func(t *testing.T, ctx context.Context, s *store.Store)) {
	forEachEngine(t, func(t *testing.T, url string) { fn(t, context.Background(), MustOpen(t, url)) })
}

// MustPaidPayment creates a payment and moves it through ready and
// approving to paid, as a finished checkout leaves it.
func MustPaidPayment(t *testing.T, ctx context.Context, s *store.Store, orderID string) *payment.Payment {
	t.Helper()
	p := MustCreatePayment(t, s, orderID)
	for _, step := range [][2]payment.Status{{"created", "ready"}, {"ready", "approving"}, {"approving", "paid"}} {
		if _, err := s.TransitionPayment(ctx, p.ID, step[0], step[1], payment.Update{}, payment.Event{}); err != nil {
			t.Fatal(err)
		}
	}
	return p
}
