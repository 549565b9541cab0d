package app_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/provider/portone"
	"github.com/paybridge/paybridge/internal/sandbox"
	sbportone "github.com/paybridge/paybridge/internal/sandbox/portone"
)

// Ensure a buyer who pays in a window that outlives paybridge's expiry
// (PortOne's does) gets a paid payment, not an expired one.
func TestLate_PaidFoundAtExpiry(t *testing.T) {
	a, _ := startQuiet(t)
	p, _ := paidAtProvider(t, a, "portone", "late-found")
	sweepAt(t, a, 16*time.Minute)
	got := getPayment(t, a, p.ID)
	if got.Status != "paid" {
		t.Fatalf("status = %s, want paid", got.Status)
	}
	if want := []string{"created", "ready", "approving", "paid"}; !slices.Equal(mustEvents(t, a, p.ID), want) {
		t.Fatalf("events = %v", mustEvents(t, a, p.ID))
	}
}

// Ensure money taken after paybridge closed the payment goes back to the
// buyer, and the operator can read that it did.
func TestLate_ChargedAfterExpiryIsRefunded(t *testing.T) {
	a, secrets := startQuiet(t)
	p := MustCreateWith(t, a, "portone", "late-refund", 7000)
	sweepAt(t, a, 16*time.Minute)
	wantStatus(t, a, p.ID, "expired", "")
	// The buyer still had the window open, and pays.
	buyer(t, a, p.RedirectURL, "approve")
	body := v2Body(p.ID, "Transaction.Paid")
	if status := postWebhook(t, a, "/webhooks/portone", signed(t, secrets[0], time.Now(), body), body); status != 200 {
		t.Fatalf("webhook: %d", status)
	}
	deadline := time.Now().Add(10 * time.Second)
	got := getPayment(t, a, p.ID)
	for got.Failure == nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		got = getPayment(t, a, p.ID)
	}
	if got.Status != "expired" || got.Failure == nil || !strings.Contains(got.Failure.Message, "7000 won charged after the payment was expired was refunded") {
		t.Fatalf("after a late charge: %s %+v", got.Status, got.Failure)
	}
	if a.PortOneSandbox.Calls("cancel") != 1 {
		t.Fatalf("cancel calls = %d", a.PortOneSandbox.Calls("cancel"))
	}
}

// Ensure an asynchronous refund (PortOne V2 answers REQUESTED) is reported
// as pending with 202, and settled later by lookup.
func TestRefund_AsynchronousAtPortOne(t *testing.T) {
	sb := sbportone.New(sbportone.Options{AsyncCancel: true})
	po := httptest.NewServer(sb)
	defer po.Close()
	a := apptest.Start(t, func(c *config.Config) {
		// The standalone sandbox's channel is a test channel.
		config.Put(c, portone.Settings{APISecret: "v2-secret", StoreID: sbportone.DefaultStoreID, ChannelKey: "ch", BaseURL: po.URL, TestChannel: true})
	})
	status, b := do(t, a, "POST", "/v1/payments", "application/json",
		`{"provider":"portone","order_id":"async","order_name":"Latte","amount":9000,"quantity":1,"customer_id":"c-1"}`)
	p := decode[paymentJSON](t, b)
	if status != 201 {
		t.Fatalf("create: %d %s", status, b)
	}
	// The window the browser SDK would open, at the standalone sandbox.
	q := url.Values{"storeId": {sbportone.DefaultStoreID}, "paymentId": {p.ID}, "orderName": {"Latte"}, "totalAmount": {"9000"},
		"currency": {"KRW"}, "payMethod": {"CARD"}, "customerId": {"c-1"}, "redirectUrl": {a.Config.PublicURL + "/pay/" + p.ID + "/approve"}}
	follow(t, a, buyer(t, a, po.URL+"/checkout?"+q.Encode(), "approve"))
	waitStatus(t, a, p.ID, "paid")

	// PortOne accepts the refund (REQUESTED) and, for a moment, cannot be
	// asked about it (every lookup attempt fails).
	sb.InjectFault(sbportone.Fault{Fault: sandbox.Fault{Op: "getPayment", Kind: "error", Status: 503, Count: 3}})
	status, b = do(t, a, "POST", "/v1/payments/"+p.ID+"/cancel", "application/json", `{"amount":4000,"reason":"async"}`)
	got := decode[paymentJSON](t, b)
	if status != http.StatusAccepted || got.Status != "paid" || len(got.Cancellations) != 1 || got.Cancellations[0].Status != "pending" {
		t.Fatalf("async refund: %d %s", status, b)
	}
	// A second refund waits for the first to settle.
	if status, _ := do(t, a, "POST", "/v1/payments/"+p.ID+"/cancel", "application/json", `{"amount":1000,"reason":"second"}`); status != http.StatusConflict {
		t.Fatalf("refund while one is pending: %d", status)
	}
	sweepAt(t, a, time.Minute)
	got = getPayment(t, a, p.ID)
	if got.Status != "partially_canceled" || got.CanceledAmount != 4000 || got.Cancellations[0].Status != "succeeded" {
		t.Fatalf("after the sweep: %+v", got)
	}
}
