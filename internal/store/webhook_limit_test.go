package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/service"
	"github.com/paybridge/paybridge/internal/store"
)

// Ensure the per-merchant webhook endpoint limit holds when adds race: many
// goroutines, split between two stores on one database (two instances),
// add endpoints for one merchant at once, and exactly
// service.MaxWebhookEndpoints are stored; every other add is refused with
// the limit's error. A count read before the insert, outside its
// transaction (or, on PostgreSQL, without the merchant's lock), lets
// several adds see room for one and all insert.
func TestStore_WebhookEndpointLimitUnderRace(t *testing.T) {
	forEachEngine(t, func(t *testing.T, url string) {
		ctx := context.Background()
		instances := []*store.Store{MustOpen(t, url), MustOpen(t, url)}
		const tries = 3 * service.MaxWebhookEndpoints
		var (
			mu      sync.Mutex
			added   int
			refused []error
		)
		raceOn(instances, tries, func(i int, s *store.Store) {
			e := &payment.WebhookEndpoint{ID: payment.NewID("we", time.Now()), MerchantID: payment.DefaultMerchantID,
				URL: fmt.Sprintf("https://shop.example/hooks/%d", i), Secret: "whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTIzNA=="}
			err := service.AddWebhookEndpoint(ctx, s, e)
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				added++
			} else {
				refused = append(refused, err)
			}
		})

		eps, err := instances[0].FindWebhookEndpoints(ctx, payment.DefaultMerchantID)
		if err != nil {
			t.Fatal(err)
		}
		if len(eps) != service.MaxWebhookEndpoints || added != service.MaxWebhookEndpoints {
			t.Fatalf("%d endpoints stored, %d adds succeeded; want %d", len(eps), added, service.MaxWebhookEndpoints)
		}
		want := fmt.Sprintf("a merchant may have at most %d webhook endpoints", service.MaxWebhookEndpoints)
		for _, err := range refused {
			var pe *payment.Error
			if !errors.As(err, &pe) || pe.Code != payment.EINVALID || pe.Message != want {
				t.Fatalf("an add past the limit failed with %v, want %s %q", err, payment.EINVALID, want)
			}
		}
		// The limit is the merchant's own: another merchant still adds one.
		if err := instances[1].CreateMerchant(ctx, &payment.Merchant{ID: "mer_other", Name: "Other"}); err != nil {
			t.Fatal(err)
		}
		other := &payment.WebhookEndpoint{ID: payment.NewID("we", time.Now()), MerchantID: "mer_other",
			URL: "https://other.example/hooks", Secret: "whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTIzNA=="}
		if err := service.AddWebhookEndpoint(ctx, instances[1], other); err != nil {
			t.Fatalf("another merchant's first endpoint: %v", err)
		}
		// A merchant that does not exist has no endpoints to add to.
		ghost := &payment.WebhookEndpoint{ID: payment.NewID("we", time.Now()), MerchantID: "mer_ghost",
			URL: "https://ghost.example/hooks", Secret: "whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTIzNA=="}
		if err := service.AddWebhookEndpoint(ctx, instances[0], ghost); payment.ErrorCode(err) != payment.ENOTFOUND {
			t.Fatalf("an endpoint for no merchant: %v, want %s", err, payment.ENOTFOUND)
		}
	})
}
