package app_test

import (
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/payment"
)

// claimAndDie claims approving payments the way a's sweep does (a one-minute
// lease from a's clock) and then does nothing more, like a crashed instance.
func claimAndDie(t *testing.T, a *apptest.App) {
	t.Helper()
	now := a.Service.Now()
	got, err := a.Store.ClaimPayments(t.Context(), payment.Claim{Owner: "dead-instance", Now: now, Lease: time.Minute},
		payment.PaymentFilter{Statuses: []payment.Status{payment.StatusApproving}, Limit: 10})
	if err != nil || len(got) == 0 {
		t.Fatalf("claim = %d, %v", len(got), err)
	}
}
