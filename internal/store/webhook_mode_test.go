package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/store"
)

// mustCreateModeEndpoint registers an endpoint of the given mode.
func mustCreateModeEndpoint(tb testing.TB, s *store.Store, live bool) *payment.WebhookEndpoint {
	tb.Helper()
	e := &payment.WebhookEndpoint{
		ID: payment.NewID("we", time.Now()), MerchantID: payment.DefaultMerchantID, URL: "https://shop.example/hooks",
		Secret: "whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTIzNA==", Livemode: live,
	}
	if err := s.CreateWebhookEndpoint(context.Background(), e); err != nil {
		tb.Fatal(err)
	}
	return e
}

// deliveredTo lists the endpoints an event has deliveries to.
func deliveredTo(t *testing.T, s *store.Store, eventID string) map[string]int {
	t.Helper()
	ev, err := s.FindWebhookEventByID(context.Background(), payment.DefaultMerchantID, eventID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, d := range ev.Deliveries {
		got[d.EndpointID]++
	}
	return got
}

// Ensure the outbox delivers a live event only to live endpoints and a test
// event only to test endpoints: a live endpoint's secret never signs a test
// event (a test key could otherwise have a signed payment.paid sent to the
// shop's live URL), and a test endpoint never hears of real money. On
// PostgreSQL "paid" takes the pipelined transition and a refund the
// one-statement outbox, so both readers of the endpoints are covered; so
// is a resend, to all endpoints and to one of the other mode.
func TestStore_OutboxDeliversOnlyToEndpointsOfTheEventsMode(t *testing.T) {
	forEachStore(t, func(t *testing.T, ctx context.Context, s *store.Store) {
		liveEP, testEP := mustCreateModeEndpoint(t, s, true), mustCreateModeEndpoint(t, s, false)
		for _, c := range []struct {
			name        string
			live        bool
			mine, other *payment.WebhookEndpoint
		}{
			{"live", true, liveEP, testEP},
			{"test", false, testEP, liveEP},
		} {
			t.Run(c.name, func(t *testing.T) {
				p := &payment.Payment{
					ID: payment.NewID("pay", time.Now()), MerchantID: payment.DefaultMerchantID, Provider: "kakaopay",
					Channel: "api", OrderID: "o-" + c.name, OrderName: "Tea", CustomerID: "c", Quantity: 1, Amount: 10000,
					Currency: "KRW", ExpiresAt: time.Now().Add(15 * time.Minute), Livemode: c.live,
				}
				if err := s.CreatePayment(ctx, p); err != nil {
					t.Fatal(err)
				}
				mustPay(t, s, p.ID)
				can := &payment.Cancellation{ID: payment.NewID("can", time.Now()), PaymentID: p.ID, Amount: 10000, Reason: "r"}
				if err := s.CreateCancellation(ctx, can, payment.StatusPaid); err != nil {
					t.Fatal(err)
				}
				if _, err := s.CompleteCancellation(ctx, can, true, payment.Update{}, payment.Event{Reason: "refunded"}); err != nil {
					t.Fatal(err)
				}
				evs, err := s.FindWebhookEvents(ctx, payment.WebhookEventFilter{MerchantID: payment.DefaultMerchantID, Livemode: &c.live, Limit: 100})
				if err != nil {
					t.Fatal(err)
				}
				var n int
				for _, ev := range evs {
					if ev.PaymentID != p.ID {
						continue
					}
					n++
					if got := deliveredTo(t, s, ev.ID); len(got) != 1 || got[c.mine.ID] != 1 {
						t.Errorf("%s: deliveries to %v, want one to the %s endpoint %s only", ev.Type, got, c.name, c.mine.ID)
					}
				}
				if n < 2 {
					t.Fatalf("%d events of the payment, want paid and refunded", n)
				}

				ev := evs[0]
				if _, err := s.ResendWebhookEvent(ctx, payment.DefaultMerchantID, ev.ID, ""); err != nil {
					t.Fatal(err)
				}
				if got := deliveredTo(t, s, ev.ID); len(got) != 1 || got[c.mine.ID] != 2 {
					t.Errorf("resend to all: deliveries to %v, want two to %s only", got, c.mine.ID)
				}
				if _, err := s.ResendWebhookEvent(ctx, payment.DefaultMerchantID, ev.ID, c.other.ID); payment.ErrorCode(err) != payment.ENOTFOUND {
					t.Errorf("resend to the other mode's endpoint: %v, want ENOTFOUND", err)
				}
			})
		}
	})
}

// Ensure an endpoint keeps its mode through the store, and the limit of
// endpoints is per mode: test endpoints filling it cannot keep a live key
// from adding the endpoint real payments are announced to.
func TestStore_WebhookEndpointModeAndLimitPerMode(t *testing.T) {
	forEachStore(t, func(t *testing.T, ctx context.Context, s *store.Store) {
		add := func(live bool) error {
			return s.AddWebhookEndpoint(ctx, &payment.WebhookEndpoint{
				ID: payment.NewID("we", time.Now()), MerchantID: payment.DefaultMerchantID, URL: "https://shop.example/hooks",
				Secret: "whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTIzNA==", Livemode: live,
			}, 2)
		}
		for range 2 {
			if err := add(false); err != nil {
				t.Fatal(err)
			}
		}
		if err := add(false); payment.ErrorCode(err) != payment.EINVALID {
			t.Fatalf("a third test endpoint: %v, want EINVALID", err)
		}
		if err := add(true); err != nil {
			t.Fatalf("a live endpoint beside two test ones: %v", err)
		}
		es, err := s.FindWebhookEndpoints(ctx, payment.DefaultMerchantID)
		if err != nil {
			t.Fatal(err)
		}
		var live int
		for _, e := range es {
			got, err := s.FindWebhookEndpointByID(ctx, payment.DefaultMerchantID, e.ID)
			if err != nil || got.Livemode != e.Livemode {
				t.Fatalf("find %s: %+v, %v", e.ID, got, err)
			}
			if e.Livemode {
				live++
			}
		}
		if len(es) != 3 || live != 1 {
			t.Errorf("%d endpoints, %d live; want 3, 1", len(es), live)
		}
	})
}

// Ensure the endpoints registered before endpoints had a mode become live
// endpoints: they keep receiving live events (the shop's real payments),
// only live keys can reach their secrets, and they no longer receive test
// events (no test copy is made).
func TestStore_EndpointsFromBeforeModesBecomeLive(t *testing.T) {
	forEachEngine(t, func(t *testing.T, url string) {
		ctx := context.Background()
		s, err := store.Open(ctx, url, store.Options{SkipCheck: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if err := s.MigrateBeforeForTest(ctx, "ALTER TABLE webhook_endpoints ADD COLUMN livemode"); err != nil {
			t.Fatal(err)
		}
		if err := s.ExecForTest(ctx, `INSERT INTO webhook_endpoints (id, merchant_id, url, description, enabled_events,
			secret, previous_secret, previous_secret_expires_at, status, disabled_reason, created_at, updated_at)
			VALUES ('we_old', '`+payment.DefaultMerchantID+`', 'https://shop.example/hooks', '', '*',
			'whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTIzNA==', '', 0, 'enabled', '', 1, 1)`); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		e, err := s.FindWebhookEndpointByID(ctx, payment.DefaultMerchantID, "we_old")
		if err != nil || !e.Livemode {
			t.Fatalf("the old endpoint after the migration: %+v, %v; want a live endpoint", e, err)
		}
		for _, live := range []bool{true, false} {
			p := &payment.Payment{
				ID: payment.NewID("pay", time.Now()), MerchantID: payment.DefaultMerchantID, Provider: "kakaopay",
				Channel: "api", OrderID: fmt.Sprint("o-", live), OrderName: "Tea", CustomerID: "c", Quantity: 1, Amount: 10000,
				Currency: "KRW", ExpiresAt: time.Now().Add(15 * time.Minute), Livemode: live,
			}
			if err := s.CreatePayment(ctx, p); err != nil {
				t.Fatal(err)
			}
			mustPay(t, s, p.ID)
			evs, err := s.FindWebhookEvents(ctx, payment.WebhookEventFilter{MerchantID: payment.DefaultMerchantID, Livemode: &live, Limit: 10})
			if err != nil || len(evs) != 1 {
				t.Fatalf("events of livemode=%v: %d, %v", live, len(evs), err)
			}
			if got, want := deliveredTo(t, s, evs[0].ID)["we_old"], map[bool]int{true: 1, false: 0}[live]; got != want {
				t.Errorf("livemode=%v: %d deliveries to the old endpoint, want %d", live, got, want)
			}
		}
	})
}
