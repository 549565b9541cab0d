package web

import (
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
)

// TestShopURL: success_url only for a payment whose money moved; every
// unpaid status goes to the fail or cancel URL, and an approving (or
// created) payment to none, both after a return and on the result page.
func TestShopURL(t *testing.T) {
	const ok, fail, cancel = "https://shop.example/ok", "https://shop.example/fail", "https://shop.example/cancel"
	tests := []struct {
		status payment.Status
		// after each return kind, and on the result page ("")
		approve, cancelRet, failRet, page string
	}{
		{payment.StatusPaid, ok, ok, ok, ok},
		{payment.StatusPartiallyCanceled, ok, ok, ok, ok},
		{payment.StatusCanceled, ok, ok, ok, ok},
		{payment.StatusApproving, "", "", "", ""},
		{payment.StatusCreated, "", "", "", ""},
		{payment.StatusReady, fail, cancel, fail, fail},
		{payment.StatusAborted, cancel, cancel, cancel, cancel},
		{payment.StatusFailed, fail, fail, fail, fail},
		{payment.StatusExpired, fail, fail, fail, fail},
	}
	for _, tt := range tests {
		p := &payment.Payment{ID: "pay_1", Status: tt.status, SuccessURL: ok, FailURL: fail, CancelURL: cancel}
		for kind, want := range map[string]string{"approve": tt.approve, "cancel": tt.cancelRet, "fail": tt.failRet, "": tt.page} {
			if got := shopURL(p, kind); got != want {
				t.Errorf("%s after %q: shopURL = %q, want %q", tt.status, kind, got, want)
			}
		}
		wantBack := ""
		if tt.page != "" {
			wantBack = tt.page + "?payment_id=pay_1"
		}
		if got := backURL(p); got != wantBack {
			t.Errorf("%s: result page link = %q, want %q", tt.status, got, wantBack)
		}
	}
	// Every status is in the table.
	if len(tests) != len(payment.Statuses) {
		t.Fatalf("%d statuses in the table, %d exist", len(tests), len(payment.Statuses))
	}
}

// TestBackURL_DropInCarriesNoToken: the result page anyone with the id may
// open never shows the drop-in's pg_token (only the buyer's redirect does).
func TestBackURL_DropInCarriesNoToken(t *testing.T) {
	p := &payment.Payment{ID: "pay_1", Status: payment.StatusPaid, Channel: payment.ChannelDropIn,
		PGToken: "tok", SuccessURL: "http://localhost:8080/Client/success.html?userId=u1"}
	if got, want := backURL(p), "http://localhost:8080/Client/success.html?userId=u1&payment_id=pay_1"; got != want {
		t.Fatalf("backURL = %q, want %q", got, want)
	}
}
