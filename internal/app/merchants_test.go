package app_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/httpapi"
	"github.com/paybridge/paybridge/internal/payment"
)

// asMerchant returns a copy of a that authenticates as a new merchant.
func asMerchant(t *testing.T, a *apptest.App, name string) *apptest.App {
	t.Helper()
	m := &payment.Merchant{ID: payment.NewID("mer", time.Now()), Name: name}
	if err := a.Store.CreateMerchant(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	key, rec := httpapi.NewAPIKey(m.ID, "test", false, time.Now())
	if err := a.Store.CreateAPIKey(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	b := *a
	b.Key = key
	return &b
}

// Ensure one merchant's key never reaches another's payments: not found,
// never forbidden, so ids cannot be probed; and order ids are per merchant.
func TestMerchants_Isolation(t *testing.T) {
	a := apptest.Start(t)
	b := asMerchant(t, a, "Shop B")
	pa := MustCreatePayment(t, a, "same-order", 5000, "")
	follow(t, a, buyer(t, a, pa.RedirectURL, "approve"))

	for _, tt := range []struct{ method, path, body string }{
		{"GET", "/v1/payments/" + pa.ID, ""},
		{"POST", "/v1/payments/" + pa.ID + "/cancel", `{"reason":"not mine"}`},
	} {
		status, body := do(t, b, tt.method, tt.path, "application/json", tt.body)
		if status != http.StatusNotFound || decode[errorJSON](t, body).Error.Code != "not_found" {
			t.Fatalf("%s %s as another merchant: %d %s", tt.method, tt.path, status, body)
		}
	}
	if got := getPayment(t, a, pa.ID); got.Status != "paid" || got.CanceledAmount != 0 {
		t.Fatalf("another merchant changed the payment: %+v", got)
	}
	// The same order id is free for another merchant.
	pb := MustCreatePayment(t, b, "same-order", 7000, "")
	if pb.ID == pa.ID {
		t.Fatal("same payment")
	}
	if status, _ := do(t, a, "GET", "/v1/payments/"+pb.ID, "", ""); status != http.StatusNotFound {
		t.Fatalf("the first merchant sees the second's payment: %d", status)
	}
}
