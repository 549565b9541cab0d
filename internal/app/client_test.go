package app_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/paybridge/paybridge/client"
	"github.com/paybridge/paybridge/internal/apptest"
)

// Ensure the Go client works against the real server: a payment created,
// approved by the buyer in the sandbox, partly refunded and listed.
func TestClient_PaymentLifecycle(t *testing.T) {
	a := apptest.Start(t)
	c := client.New(a.URL(), a.Key, client.WithBackoff(time.Millisecond, 10*time.Millisecond))
	ctx := context.Background()

	p, err := c.CreatePayment(ctx, client.CreatePaymentParams{Provider: "kakaopay", OrderID: "client-1",
		OrderName: "Americano", Amount: 9000, Quantity: 1, CustomerID: "cust-1"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != client.StatusReady || p.RedirectURL == "" || p.ProviderIDs.TID == "" || p.Object != "payment" {
		t.Fatalf("created: %+v", p)
	}
	// KakaoPay's own name for its id is tid; provider_payment_id is the
	// same for every provider, and no other provider's name is filled in.
	if ids := p.ProviderIDs; ids.ProviderPaymentID != ids.TID || ids.PaymentKey != "" || ids.ImpUID != "" || ids.PaymentID != "" {
		t.Fatalf("provider ids: %+v", ids)
	}
	follow(t, a, buyer(t, a, p.RedirectURL, "approve"))

	got, err := c.GetPayment(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != client.StatusPaid || got.CancelableAmount != 9000 || got.ApprovedAt == nil || got.ProviderIDs.AID == "" {
		t.Fatalf("after approve: %+v", got)
	}

	cp, err := c.CancelPayment(ctx, p.ID, client.CancelParams{Amount: client.Int64(3000), Reason: "one cup returned"})
	if err != nil {
		t.Fatal(err)
	}
	if cp.Status != client.StatusPartiallyCanceled || cp.CanceledAmount != 3000 || cp.CancelableAmount != 6000 ||
		len(cp.Cancellations) != 1 || cp.Cancellations[0].Amount != 3000 || cp.PendingCancellation() != nil {
		t.Fatalf("after partial cancel: %+v", cp)
	}

	// Another payment, so the list has two pages of one.
	if _, err := c.CreatePayment(ctx, client.CreatePaymentParams{Provider: "kakaopay", OrderID: "client-2",
		OrderName: "Latte", Amount: 5000, Quantity: 1, CustomerID: "cust-2"}); err != nil {
		t.Fatal(err)
	}
	l, err := c.ListPayments(ctx, client.ListPaymentsParams{Statuses: []client.Status{client.StatusPartiallyCanceled}})
	if err != nil || len(l.Data) != 1 || l.Data[0].ID != p.ID || l.HasMore || len(l.Data[0].Cancellations) != 1 {
		t.Fatalf("list by status: %+v, %v", l, err)
	}
	var ids []string
	for x, err := range c.AllPayments(ctx, client.ListPaymentsParams{Limit: 1}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, x.ID)
	}
	if len(ids) != 2 || ids[1] != p.ID {
		t.Fatalf("all payments: %v", ids)
	}
	if l, err := c.ListPayments(ctx, client.ListPaymentsParams{CustomerID: "cust-1", CreatedGTE: p.CreatedAt}); err != nil ||
		len(l.Data) != 1 || l.Data[0].ID != p.ID {
		t.Fatalf("list by customer and time: %+v, %v", l, err)
	}

	// The refund made events; with no endpoint they have no deliveries.
	evs, err := c.ListEvents(ctx, client.ListEventsParams{Limit: 100})
	if err != nil || len(evs.Data) == 0 {
		t.Fatalf("events: %+v, %v", evs, err)
	}
	e, err := c.GetEvent(ctx, evs.Data[0].ID)
	if err != nil || e.ID != evs.Data[0].ID {
		t.Fatal(e, err)
	}
	if ep, err := e.Payment(); err != nil || ep == nil || ep.ID == "" {
		t.Fatalf("event payment: %+v, %v", ep, err)
	}
}

func TestClient_Errors(t *testing.T) {
	a := apptest.Start(t)
	c := client.New(a.URL(), a.Key, client.WithBackoff(time.Millisecond, 10*time.Millisecond))
	ctx := context.Background()

	_, err := c.GetPayment(ctx, "pay_nope")
	var e *client.Error
	if !errors.As(err, &e) || e.StatusCode != 404 || e.Code != client.CodeNotFound || e.Message == "" || e.RequestID == "" {
		t.Fatalf("err = %#v", err)
	}
	if !client.IsNotFound(err) || !errors.Is(err, client.ErrNotFound) {
		t.Fatal("not found helpers do not match")
	}

	_, err = c.CreatePayment(ctx, client.CreatePaymentParams{Provider: "kakaopay", OrderID: "bad", OrderName: "x", Amount: 0, Quantity: 1, CustomerID: "c"})
	if !client.IsInvalid(err) {
		t.Fatalf("amount 0: %v", err)
	}
	// Refunding an unpaid payment: a conflict, not retried.
	p, err := c.CreatePayment(ctx, client.CreatePaymentParams{Provider: "kakaopay", OrderID: "unpaid", OrderName: "x", Amount: 1000, Quantity: 1, CustomerID: "c"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CancelPayment(ctx, p.ID, client.CancelParams{Reason: "nope"}); !client.IsConflict(err) {
		t.Fatalf("cancel unpaid: %v", err)
	}
	bad := client.New(a.URL(), "sk_test_wrong")
	if _, err := bad.GetPayment(ctx, p.ID); !client.IsUnauthorized(err) {
		t.Fatalf("wrong key: %v", err)
	}
}

func TestClient_IdempotencyKey(t *testing.T) {
	a := apptest.Start(t)
	c := client.New(a.URL(), a.Key)
	ctx := context.Background()
	params := client.CreatePaymentParams{Provider: "kakaopay", OrderID: "idem-1", OrderName: "Americano",
		Amount: 4500, Quantity: 1, CustomerID: "cust-1", IdempotencyKey: "order-idem-1"}
	p1, err := c.CreatePayment(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := c.CreatePayment(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	if p1.ID != p2.ID || countPayments(t, a) != 1 {
		t.Fatalf("two payments for one key: %s, %s", p1.ID, p2.ID)
	}
	// Without the key, the same order is a duplicate.
	params.IdempotencyKey = ""
	if _, err := c.CreatePayment(ctx, params); !client.IsConflict(err) {
		t.Fatalf("duplicate order: %v", err)
	}
	// The key with another request is refused.
	params.IdempotencyKey, params.Amount = "order-idem-1", 5000
	if _, err := c.CreatePayment(ctx, params); !errors.Is(err, client.ErrIdempotencyKeyReused) {
		t.Fatalf("reused key: %v", err)
	}

	// Webhook endpoints through the client.
	we, err := c.CreateWebhookEndpoint(ctx, client.CreateWebhookEndpointParams{URL: "https://shop.example/hook",
		EnabledEvents: []string{"payment.paid"}})
	if err != nil || we.Secret == "" {
		t.Fatal(we, err)
	}
	rot, err := c.RotateWebhookEndpointSecret(ctx, we.ID)
	if err != nil || rot.Secret == "" || rot.Secret == we.Secret || rot.PreviousSecretExpiresAt == nil {
		t.Fatalf("rotate: %+v, %v", rot, err)
	}
	l, err := c.ListWebhookEndpoints(ctx)
	if err != nil || len(l.Data) != 1 || l.Data[0].Secret != "" || !slices.Equal(l.Data[0].EnabledEvents, []string{"payment.paid"}) {
		t.Fatalf("list: %+v, %v", l, err)
	}
	if d, err := c.DeleteWebhookEndpoint(ctx, we.ID); err != nil || !d.Deleted {
		t.Fatal(d, err)
	}
	if _, err := c.DeleteWebhookEndpoint(ctx, we.ID); !client.IsNotFound(err) {
		t.Fatalf("delete twice: %v", err)
	}
}
