package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/httpapi"
	"github.com/paybridge/paybridge/internal/payment"
)

// lookups seeds the database up to each of --lookup-sizes payments and
// measures GET /v1/payments/{id} (random ids among the seeded) and
// GET /v1/payments?limit=100 (the newest page) at each size.
func (e *benchEnv) lookups(ctx context.Context, stdout io.Writer) error {
	fmt.Fprintf(stdout, "\nlookups: %d concurrent clients, %s per run; payments seeded straight into the database\n",
		e.o.lookupConc, e.o.lookupDuration)
	const row = "%9v  %8v  %7v  %10v  %10v  %7v  %14v  %14v  %9v\n"
	fmt.Fprintf(stdout, row, "merchant", "all", "seed s", "get p50 ms", "get p99 ms", "get/s", "list100 p50 ms", "list100 p99 ms", "list100/s")
	// A merchant of its own, so that its payments are exactly the seeded
	// ones; the table also holds the checkouts' ("all").
	m := &payment.Merchant{ID: payment.NewID("mer", time.Now()), Name: "bench lookups"}
	if err := e.store.CreateMerchant(ctx, m); err != nil {
		return fmt.Errorf("bench: create a merchant: %w", err)
	}
	key, rec := httpapi.NewAPIKey(m.ID, "bench lookups", false, time.Now())
	if err := e.store.CreateAPIKey(ctx, rec); err != nil {
		return fmt.Errorf("bench: create a key: %w", err)
	}
	var ids []string
	stored := 0
	saved := e.o
	defer func() { e.o = saved }()
	e.o.duration, e.o.warmup, e.o.rate = e.o.lookupDuration, min(e.o.lookupDuration/5, time.Second), 0
	for _, size := range e.o.lookupSizes {
		t0 := time.Now()
		if size > stored {
			more, err := e.store.SeedPayments(ctx, m.ID, size-stored, 10000)
			if err != nil {
				return err
			}
			ids = append(ids, more...)
			stored = size
		}
		seed := time.Since(t0)
		get, err := e.run(ctx, e.o.lookupConc, func(ctx context.Context, _ int64) error {
			return e.get(ctx, key, "/v1/payments/"+ids[rand.IntN(len(ids))], `"id":"pay_`)
		}, e.serverProc, "")
		if err != nil {
			return err
		}
		list, err := e.run(ctx, e.o.lookupConc, func(ctx context.Context, _ int64) error {
			return e.get(ctx, key, "/v1/payments?limit=100", `"has_more":`)
		}, e.serverProc, "")
		if err != nil {
			return err
		}
		all, err := e.store.CountPayments(ctx)
		if err != nil {
			return err
		}
		f := func(format string, v float64) string { return fmt.Sprintf(format, v) }
		fmt.Fprintf(stdout, row, stored, all, f("%.1f", seed.Seconds()),
			f("%.2f", ms(get.quantile(0.5))), f("%.2f", ms(get.quantile(0.99))), f("%.0f", get.rate()),
			f("%.2f", ms(list.quantile(0.5))), f("%.2f", ms(list.quantile(0.99))), f("%.0f", list.rate()))
	}
	return nil
}

// get fetches an API path and checks the answer is 200 and contains want.
func (e *benchEnv) get(ctx context.Context, key, path, want string) error {
	req, _ := http.NewRequestWithContext(ctx, "GET", e.server+path, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, b, err := e.do(req)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), want) {
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return nil
}
