package store_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/store"
)

func TestStore_ClaimPayments(t *testing.T) { forEachStore(t, testStoreClaimPayments) }

func testStoreClaimPayments(t *testing.T, ctx context.Context, s *store.Store) {
	var ids []string
	for i := range 5 {
		ids = append(ids, MustCreatePayment(t, s, "o-"+string(rune('a'+i))).ID)
	}
	now := time.Now()
	created := payment.PaymentFilter{Statuses: []payment.Status{payment.StatusCreated}, Limit: 3}

	a := payment.Claim{Owner: "a", Now: now, Lease: time.Minute}
	got, err := s.ClaimPayments(ctx, a, created)
	if err != nil || len(got) != 3 {
		t.Fatalf("first claim = %d, %v; want 3", len(got), err)
	}
	b := payment.Claim{Owner: "b", Now: now, Lease: time.Minute}
	got, err = s.ClaimPayments(ctx, b, payment.PaymentFilter{Statuses: []payment.Status{payment.StatusCreated}, Limit: 10})
	if err != nil || len(got) != 2 {
		t.Fatalf("second owner got %d, %v; want the 2 unleased", len(got), err)
	}
	if got, _ := s.ClaimPayments(ctx, b, created); len(got) != 0 {
		t.Fatalf("claimed %d payments under live leases", len(got))
	}
	// The leases of an owner that vanished run out.
	later := payment.Claim{Owner: "b", Now: now.Add(2 * time.Minute), Lease: time.Minute}
	if got, _ := s.ClaimPayments(ctx, later, payment.PaymentFilter{Statuses: []payment.Status{payment.StatusCreated}, Limit: 10}); len(got) != 5 {
		t.Fatalf("after the leases ran out: %d, want 5", len(got))
	}
	// Filters: none of these is approving, none expires before the epoch.
	if got, _ := s.ClaimPayments(ctx, payment.Claim{Owner: "c", Now: now.Add(time.Hour), Lease: time.Minute},
		payment.PaymentFilter{Statuses: []payment.Status{payment.StatusApproving}, Limit: 10}); len(got) != 0 {
		t.Fatalf("status filter ignored: %d", len(got))
	}
	if got, _ := s.ClaimPayments(ctx, payment.Claim{Owner: "c", Now: now.Add(time.Hour), Lease: time.Minute},
		payment.PaymentFilter{Statuses: []payment.Status{payment.StatusCreated}, ExpiresBefore: time.Unix(0, 0), Limit: 10}); len(got) != 0 {
		t.Fatalf("expiry filter ignored: %d", len(got))
	}
	// Claiming does not count as an update: updated_at is untouched.
	p, _ := s.FindPaymentByID(ctx, ids[0])
	if p.UpdatedAt.After(now) {
		t.Fatalf("claim moved updated_at to %v", p.UpdatedAt)
	}
}

// Ensure instances claiming at the same moment split the work: no payment
// goes to two of them.
func TestStore_ClaimPaymentsConcurrently(t *testing.T) { forEachEngine(t, testStoreClaimConcurrently) }

func testStoreClaimConcurrently(t *testing.T, url string) {
	ctx := context.Background()
	first := MustOpen(t, url)
	for i := range 60 {
		MustCreatePayment(t, first, "o-"+strconv.Itoa(i))
	}
	stores := []interface {
		ClaimPayments(context.Context, payment.Claim, payment.PaymentFilter) ([]*payment.Payment, error)
	}{first, MustOpen(t, url), MustOpen(t, url)} // separate pools, like separate instances
	var (
		mu   sync.Mutex
		seen = map[string]string{}
		wg   sync.WaitGroup
	)
	now := time.Now()
	for i := range 6 {
		wg.Go(func() {
			owner := "instance-" + strconv.Itoa(i)
			for {
				got, err := stores[i%len(stores)].ClaimPayments(ctx, payment.Claim{Owner: owner, Now: now, Lease: time.Minute},
					payment.PaymentFilter{Statuses: []payment.Status{payment.StatusCreated}, Limit: 4})
				if err != nil {
					t.Errorf("claim: %v", err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, p := range got {
					if prev, dup := seen[p.ID]; dup {
						t.Errorf("%s claimed by %s and %s", p.ID, prev, owner)
					}
					seen[p.ID] = owner
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != 60 {
		t.Fatalf("claimed %d of 60", len(seen))
	}
}

func TestStore_ClaimCancellations(t *testing.T) { forEachStore(t, testStoreClaimCancellations) }

func testStoreClaimCancellations(t *testing.T, ctx context.Context, s *store.Store) {
	p := MustPaidPayment(t, ctx, s, "o-1")
	if err := s.CreateCancellation(ctx, &payment.Cancellation{ID: "can_1", PaymentID: p.ID, Amount: 100, Reason: "r"}, payment.StatusPaid); err != nil {
		t.Fatal(err)
	}
	now := time.Now().Add(time.Second)
	if got, err := s.ClaimCancellations(ctx, payment.Claim{Owner: "a", Now: now, Lease: time.Minute}, now.Add(-time.Hour), 10); err != nil || len(got) != 0 {
		t.Fatalf("claimed a cancellation younger than asked: %d, %v", len(got), err)
	}
	got, err := s.ClaimCancellations(ctx, payment.Claim{Owner: "a", Now: now, Lease: time.Minute}, now, 10)
	if err != nil || len(got) != 1 || got[0].ID != "can_1" || got[0].Status != payment.CancellationPending {
		t.Fatalf("claim = %v, %v", got, err)
	}
	if got, _ := s.ClaimCancellations(ctx, payment.Claim{Owner: "b", Now: now, Lease: time.Minute}, now, 10); len(got) != 0 {
		t.Fatal("claimed a leased cancellation")
	}
}
