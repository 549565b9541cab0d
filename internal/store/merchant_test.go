package store_test

import (
	"context"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/store"
)

func TestStore_Merchants(t *testing.T) { forEachStore(t, testStoreMerchants) }

func testStoreMerchants(t *testing.T, ctx context.Context, s *store.Store) {
	m := &payment.Merchant{ID: "mer_b", Name: "Shop B"}
	if err := s.CreateMerchant(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateMerchant(ctx, &payment.Merchant{ID: "mer_b", Name: "again"}); payment.ErrorCode(err) != payment.ECONFLICT {
		t.Fatalf("duplicate merchant: %v", err)
	}
	ms, err := s.FindMerchants(ctx)
	if err != nil || len(ms) != 2 || ms[0].ID != payment.DefaultMerchantID || ms[1].Name != "Shop B" {
		t.Fatalf("merchants = %v, %v", ms, err)
	}
	for i, h := range []string{"h1", "h2"} {
		if err := s.CreateAPIKey(ctx, &payment.APIKey{ID: "key_" + h, MerchantID: "mer_b", Name: "k" + string(rune('1'+i)), Prefix: "sk_test_x", Hash: h}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RevokeAPIKey(ctx, payment.DefaultMerchantID, "key_h1"); payment.ErrorCode(err) != payment.ENOTFOUND {
		t.Fatalf("revoked another merchant's key: %v", err)
	}
	if err := s.RevokeAPIKey(ctx, "mer_b", "key_h1"); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeAPIKey(ctx, "mer_b", "key_h1"); payment.ErrorCode(err) != payment.ENOTFOUND {
		t.Fatalf("revoked twice: %v", err)
	}
	if _, err := s.FindAPIKeyByHash(ctx, "h1"); payment.ErrorCode(err) != payment.ENOTFOUND {
		t.Fatalf("a revoked key still authenticates: %v", err)
	}
	if k, err := s.FindAPIKeyByHash(ctx, "h2"); err != nil || k.MerchantID != "mer_b" {
		t.Fatalf("the other key: %v, %v", k, err)
	}
	ks, err := s.FindAPIKeys(ctx, "mer_b")
	if err != nil || len(ks) != 2 || ks[0].RevokedAt.IsZero() || !ks[1].RevokedAt.IsZero() || ks[0].Hash != "" {
		t.Fatalf("keys = %+v, %v", ks, err)
	}
}
