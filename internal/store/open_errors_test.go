package store_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/pgtest"
	"github.com/paybridge/paybridge/internal/store"
)

// TestOpen_PostgresDatabaseMissing: a database that does not exist is
// reported as that, first and alone, not after pgx's "server refused TLS
// connection" line for the sslmode=prefer attempt.
func TestOpen_PostgresDatabaseMissing(t *testing.T) {
	u, err := url.Parse(pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/pbtest_does_not_exist"
	// pgx's default, sslmode=prefer, is what a person's URL gets: a TLS
	// attempt first (refused by the test server), then a plain one.
	q := u.Query()
	q.Set("sslmode", "prefer")
	u.RawQuery = q.Encode()
	_, err = store.Open(context.Background(), u.String(), store.Options{})
	if err == nil {
		t.Fatal("Open of a missing database succeeded")
	}
	msg := err.Error()
	if !strings.Contains(msg, `database "pbtest_does_not_exist" does not exist`) || strings.Contains(msg, "TLS") ||
		strings.Contains(msg, "\n") {
		t.Errorf("error = %q, want one line saying the database does not exist", msg)
	}
}

// TestDefaultMerchant_CreatedAt: mer_default is created with the database,
// not in 1970.
func TestDefaultMerchant_CreatedAt(t *testing.T) {
	forEachEngine(t, func(t *testing.T, url string) {
		before := time.Now().Add(-time.Second)
		s := MustOpen(t, url)
		m, err := s.FindMerchantByID(context.Background(), payment.DefaultMerchantID)
		if err != nil {
			t.Fatal(err)
		}
		if m.CreatedAt.Before(before) || m.CreatedAt.After(time.Now().Add(time.Second)) {
			t.Errorf("mer_default created at %v, want about now", m.CreatedAt)
		}
	})
}
