package client_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/paybridge/paybridge/client"
	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/pgtest"
)

// TestMain stops the throwaway PostgreSQL that apptest starts when
// PAYBRIDGE_TEST_DATABASE=postgres.
func TestMain(m *testing.M) { pgtest.Main(m) }

// countingTransport counts the requests the client sends.
type countingTransport struct{ n atomic.Int32 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

// Ensure AllPayments pages backward against the real server: from an
// ending_before cursor it yields every newer payment exactly once, page by
// page towards the newest (each page newest first, as the API lists it),
// in as many requests as there are pages, and stops at the newest.
func TestAllPayments_Backward(t *testing.T) {
	a := apptest.Start(t)
	ctx := context.Background()
	rt := &countingTransport{}
	c := client.New(a.URL(), a.Key, client.WithHTTPClient(&http.Client{Transport: rt}))

	// p[0] is the oldest, p[7] the newest.
	var p []string
	for i := range 8 {
		x, err := c.CreatePayment(ctx, client.CreatePaymentParams{Provider: "kakaopay", OrderID: fmt.Sprintf("page-%d", i),
			OrderName: "Tea", Amount: 1000 + int64(i), Quantity: 1, CustomerID: "cust-1"})
		if err != nil {
			t.Fatal(err)
		}
		p = append(p, x.ID)
	}
	// The API lists them newest first: the order the pages below rely on.
	l, err := c.ListPayments(ctx, client.ListPaymentsParams{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var newestFirst []string
	for _, x := range l.Data {
		newestFirst = append(newestFirst, x.ID)
	}
	want := slices.Clone(p)
	slices.Reverse(want)
	if !slices.Equal(newestFirst, want) {
		t.Fatalf("the list is not newest first: %v, created %v", newestFirst, p)
	}

	for _, tc := range []struct {
		name     string
		before   string
		limit    int
		want     []string
		requests int32
	}{
		// Two full pages and a short one.
		{"FromTheOldest", p[0], 3, []string{p[3], p[2], p[1], p[6], p[5], p[4], p[7]}, 3},
		// Two full pages: the second says no more.
		{"ExactPages", p[1], 3, []string{p[4], p[3], p[2], p[7], p[6], p[5]}, 2},
		{"OnePerPage", p[4], 1, []string{p[5], p[6], p[7]}, 3},
		{"AllInOnePage", p[2], 10, []string{p[7], p[6], p[5], p[4], p[3]}, 1},
		{"NothingNewer", p[7], 3, nil, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt.n.Store(0)
			var got []string
			for x, err := range c.AllPayments(ctx, client.ListPaymentsParams{EndingBefore: tc.before, Limit: tc.limit}) {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, x.ID)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("ending before %s, %d a page: %v, want %v", tc.before, tc.limit, got, tc.want)
			}
			if n := rt.n.Load(); n != tc.requests {
				t.Fatalf("%d requests, want %d", n, tc.requests)
			}
		})
	}

	// One page backward, as ListPayments returns it.
	page, err := c.ListPayments(ctx, client.ListPaymentsParams{EndingBefore: p[4], Limit: 2})
	if err != nil || len(page.Data) != 2 || page.Data[0].ID != p[6] || page.Data[1].ID != p[5] || !page.HasMore {
		t.Fatalf("the page before %s: %+v, %v", p[4], page, err)
	}

	// Stopping early sends no more requests than the pages it read.
	rt.n.Store(0)
	var first []string
	for x, err := range c.AllPayments(ctx, client.ListPaymentsParams{EndingBefore: p[0], Limit: 3}) {
		if err != nil {
			t.Fatal(err)
		}
		if first = append(first, x.ID); len(first) == 4 {
			break
		}
	}
	if !slices.Equal(first, []string{p[3], p[2], p[1], p[6]}) || rt.n.Load() != 2 {
		t.Fatalf("stopped after 4: %v in %d requests", first, rt.n.Load())
	}
}
