package app_test

import (
	"testing"

	"github.com/paybridge/paybridge/internal/apptest"
)

// Ensure one forged return (GET /pay/{id}/approve?pg_token=<anything>) while
// the buyer is still in KakaoPay's window does not spoil the payment: the
// sandbox refuses the approve, KakaoPay still holds the payment for the
// buyer, so it goes back to ready and the buyer's own approval pays it
// (rule 1: decide from what happened to the money, not from one call's
// answer).
func TestReturn_ForgedTokenWhileReadyDoesNotSpoilThePayment(t *testing.T) {
	a := apptest.Start(t)
	p := MustCreatePayment(t, a, "ord-forged-1", 5000, "")
	follow(t, a, a.URL()+"/pay/"+p.ID+"/approve?pg_token=not-the-token")
	if got := getPayment(t, a, p.ID); got.Status != "ready" {
		t.Fatalf("after one forged return the payment is %s, want ready", got.Status)
	}
	follow(t, a, buyer(t, a, p.RedirectURL, "approve"))
	if got := getPayment(t, a, p.ID); got.Status != "paid" {
		t.Fatalf("the buyer approved in the window after a forged return: payment is %s, want paid", got.Status)
	}
}
