package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/config"
)

// Ensure the merchant and key commands work together: a new merchant, a key
// that authenticates as it, the key listed without the key itself, and a
// revoked key refused at once by a running paybridge.
func TestRun_MerchantsAndKeys(t *testing.T) {
	db, getenv := tempDatabase(t)
	cmd := func(args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		if err := run(context.Background(), args, getenv, &out, &errOut); err != nil {
			t.Fatalf("%v: %v %s", args, err, errOut.String())
		}
		return out.String()
	}
	id := strings.TrimSpace(cmd("merchants", "create", "--name", "둘째 상점"))
	if !strings.HasPrefix(id, "mer_") || strings.ContainsAny(id, " \n") {
		t.Fatalf("merchants create printed %q", id)
	}
	if list := cmd("merchants", "list"); !strings.Contains(list, id) || !strings.Contains(list, "둘째 상점") || !strings.Contains(list, "mer_default") {
		t.Fatalf("merchants list:\n%s", list)
	}
	key := strings.TrimSpace(cmd("keys", "create", "--merchant", id, "--name", "shop-b", "--live"))
	if !strings.HasPrefix(key, "sk_live_") {
		t.Fatalf("key = %q", key)
	}
	list := cmd("keys", "list", "--merchant", id)
	if !strings.Contains(list, "shop-b") || strings.Contains(list, key) || !strings.Contains(list, key[:12]) {
		t.Fatalf("keys list shows the key or misses it:\n%s", list)
	}
	keyID := strings.Fields(strings.Split(list, "\n")[1])[0]

	a := apptest.Start(t, func(c *config.Config) { c.DatabaseURL = db })
	status := func() int { return a.KeyStatus(t, "/v1/payments/pay_nope", key) }
	if s := status(); s != http.StatusNotFound {
		t.Fatalf("with the new key: %d, want 404 (authenticated)", s)
	}
	cmd("keys", "revoke", "--merchant", id, keyID)
	if s := status(); s != http.StatusUnauthorized {
		t.Fatalf("with the revoked key: %d, want 401", s)
	}
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"keys", "revoke", "--merchant", id, keyID}, getenv, &out, &errOut); err == nil {
		t.Fatal("revoked twice")
	}
	if err := run(context.Background(), []string{"keys", "create", "--merchant", "mer_nope"}, getenv, &out, &errOut); err == nil || !strings.Contains(err.Error(), "merchant not found") {
		t.Fatalf("key for an unknown merchant: %v", err)
	}
}
