package main

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/payment"
)

// mustFailedPayments writes n payments straight into the store and fails
// each, which writes one payment.failed event per payment: the cheapest
// way to have many events.
func mustFailedPayments(t *testing.T, a *apptest.App, n int) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		p := &payment.Payment{ID: payment.NewID("pay", time.Now()), MerchantID: payment.DefaultMerchantID,
			Provider: payment.ProviderKakaoPay, Channel: payment.ChannelAPI, OrderID: fmt.Sprintf("events-%d", i),
			OrderName: "Tea", CustomerID: "c", Quantity: 1, Amount: 1000, Currency: payment.CurrencyKRW,
			ExpiresAt: time.Now().Add(time.Hour)}
		if err := a.Store.CreatePayment(ctx, p); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Store.TransitionPayment(ctx, p.ID, payment.StatusCreated, payment.StatusFailed,
			payment.Update{}, payment.Event{Reason: "test"}); err != nil {
			t.Fatal(err)
		}
	}
}

// eventIDs are the ids of a printed event list, in order.
func eventIDs(t *testing.T, list map[string]any) []string {
	t.Helper()
	var ids []string
	for _, e := range list["data"].([]any) {
		ids = append(ids, e.(map[string]any)["id"].(string))
	}
	return ids
}

// Ensure "paybridge events list --all" follows every page and prints each
// event exactly once, newest first, as one list; from --starting-after it
// prints every older event.
func TestRun_EventsListAll(t *testing.T) {
	a := apptest.Start(t)
	env := apiEnv(a)
	const n, limit = 25, 10 // three pages, the last a short one
	mustFailedPayments(t, a, n)
	stored, err := a.Store.FindWebhookEvents(context.Background(), payment.WebhookEventFilter{MerchantID: payment.DefaultMerchantID, Limit: 100})
	if err != nil || len(stored) != n {
		t.Fatalf("%d events stored (%v), want %d", len(stored), err, n)
	}
	var want []string // newest first, as the store and the API list them
	for _, e := range stored {
		want = append(want, e.ID)
	}

	page := mustCLI(t, env, "events", "list", "--limit", fmt.Sprint(limit))
	if got := eventIDs(t, page); !slices.Equal(got, want[:limit]) || page["has_more"] != true {
		t.Fatalf("one page: %v, has_more %v; want %v", got, page["has_more"], want[:limit])
	}

	all := mustCLI(t, env, "events", "list", "--limit", fmt.Sprint(limit), "--all")
	got := eventIDs(t, all)
	if len(got) != n || !slices.Equal(got, want) {
		t.Fatalf("--all printed %d events %v, want the %d stored, newest first: %v", len(got), got, n, want)
	}
	if all["object"] != "list" || all["has_more"] != false {
		t.Fatalf("--all: object %v, has_more %v", all["object"], all["has_more"])
	}

	rest := mustCLI(t, env, "events", "list", "--limit", fmt.Sprint(limit), "--starting-after", want[limit-1], "--all")
	if got := eventIDs(t, rest); !slices.Equal(got, want[limit:]) {
		t.Fatalf("--all after the first page: %v, want %v", got, want[limit:])
	}
}
