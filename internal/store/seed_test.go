package store_test

import (
	"context"
	"testing"
)

// SeedPayments (for paybridge bench) fills the payments table fast with
// payments the store reads back whole.
func TestStore_SeedPayments(t *testing.T) { forEachEngine(t, testStoreSeedPayments) }

func testStoreSeedPayments(t *testing.T, url string) {
	s := MustOpen(t, url)
	ctx := context.Background()
	ids, err := s.SeedPayments(ctx, "mer_default", 250, 10)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := s.CountPayments(ctx); err != nil || n != 250 || len(ids) != 10 {
		t.Fatalf("count = %d (%v), sample = %d", n, err, len(ids))
	}
	p, err := s.FindPaymentByID(ctx, ids[3])
	if err != nil || p.Status != "paid" || p.Amount != 1000 || p.MerchantID != "mer_default" {
		t.Fatalf("seeded payment = %+v, %v", p, err)
	}
}
