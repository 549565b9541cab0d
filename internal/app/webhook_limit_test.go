package app_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/paybridge/paybridge/client"
	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/service"
)

// Ensure the per-merchant webhook endpoint limit holds for requests that
// race through the API of two instances on one database (the engine
// PAYBRIDGE_TEST_DATABASE picks): exactly service.MaxWebhookEndpoints are
// created, and every other request is 400 invalid with the limit's message.
func TestAPI_WebhookEndpointLimitUnderRace(t *testing.T) {
	a := apptest.Start(t)
	b := apptest.Start(t, func(c *config.Config) { c.DatabaseURL, c.SecretKey = a.Config.DatabaseURL, a.Config.SecretKey })
	ctx := context.Background()
	clients := []*client.Client{client.New(a.URL(), a.Key, client.WithRetries(0)), client.New(b.URL(), a.Key, client.WithRetries(0))}
	const tries = 3 * service.MaxWebhookEndpoints
	var (
		start   = make(chan struct{})
		wg      sync.WaitGroup
		mu      sync.Mutex
		created int
		errs    []error
	)
	for i := range tries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := clients[i%2].CreateWebhookEndpoint(ctx, client.CreateWebhookEndpointParams{URL: fmt.Sprintf("https://shop.example/hooks/%d", i)})
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				created++
			} else {
				errs = append(errs, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	eps, err := a.Store.FindWebhookEndpoints(ctx, payment.DefaultMerchantID)
	if err != nil {
		t.Fatal(err)
	}
	if created != service.MaxWebhookEndpoints || len(eps) != service.MaxWebhookEndpoints {
		t.Fatalf("%d created, %d stored; want %d (errors: %v)", created, len(eps), service.MaxWebhookEndpoints, errs)
	}
	want := fmt.Sprintf("a merchant may have at most %d webhook endpoints", service.MaxWebhookEndpoints)
	for _, err := range errs {
		var e *client.Error
		if !client.IsInvalid(err) || !errors.As(err, &e) || e.StatusCode != 400 || e.Message != want {
			t.Fatalf("a request past the limit: %v, want 400 invalid %q", err, want)
		}
	}
}
