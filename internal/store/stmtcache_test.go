package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/paybridge/paybridge/internal/pgtest"
	"github.com/paybridge/paybridge/internal/store"
)

// Each distinct query is prepared once per connection and reused, and a
// query whose statement is still in use (its rows are open) gets its own.
func TestSQLite_StatementsPreparedOnce(t *testing.T) {
	s := MustOpen(t, "sqlite:"+filepath.Join(t.TempDir(), "pb.db"))
	ctx := context.Background()
	p := MustCreatePayment(t, s, "o-1")
	if _, err := s.FindPaymentByID(ctx, p.ID); err != nil { // warm every reader up once
		t.Fatal(err)
	}
	before := s.Stats().Prepares
	for range 200 {
		if _, err := s.FindPaymentByID(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
	}
	// At most one prepare per reader connection (4) for 200 lookups.
	if n := s.Stats().Prepares - before; n > 4 {
		t.Fatalf("200 lookups prepared %d statements", n)
	}
	err := s.WithTxForTest(ctx, func(tx *sql.Tx) error {
		const q = `SELECT k FROM (SELECT 1 AS k UNION ALL SELECT 2) ORDER BY k`
		rows, err := tx.QueryContext(ctx, q)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k, inner int
			if err := rows.Scan(&k); err != nil {
				return err
			}
			if err := tx.QueryRowContext(ctx, q).Scan(&inner); err != nil || inner != 1 {
				return fmt.Errorf("the same query inside its own rows: %d, %v", inner, err)
			}
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
}

// On PostgreSQL, pgx (through database/sql) prepares each query once per
// connection and reuses it (its default QueryExecModeCacheStatement): after
// many lookups on one connection the server holds one prepared statement for
// the lookup's text, not one per call.
func TestPostgres_StatementsPreparedOnce(t *testing.T) {
	url := pgtest.NewDatabase(t)
	s, err := store.Open(context.Background(), url, store.Options{MaxConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	p := MustCreatePayment(t, s, "o-1")
	for range 50 {
		if _, err := s.FindPaymentByID(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.QueryIntForTest(ctx, `SELECT COUNT(*) FROM pg_prepared_statements WHERE statement LIKE '%FROM payments WHERE id = $1'`)
	if err != nil || n != 1 {
		t.Fatalf("prepared statements for the lookup on its one connection: %d, %v", n, err)
	}
}

// The statement cache is bounded: past its size the least recently used
// statements are closed, and a query whose statement was evicted is
// prepared again and still answers right.
func TestSQLite_StatementCacheEvicts(t *testing.T) {
	s := MustOpen(t, "sqlite:"+filepath.Join(t.TempDir(), "pb.db"))
	ctx := context.Background()
	run := func(i int) {
		t.Helper()
		err := s.WithTxForTest(ctx, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, fmt.Sprintf(`SELECT %d`, i)).Scan(&n); err != nil || n != i {
				return fmt.Errorf("SELECT %d = %d, %v", i, n, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range 600 { // the writer's one connection; the cache keeps 256
		run(i)
	}
	before := s.Stats().Prepares
	run(599) // recent: still prepared
	if n := s.Stats().Prepares - before; n != 0 {
		t.Fatalf("a recent statement was prepared again (%d)", n)
	}
	run(0) // evicted long ago: prepared again, and right
	if n := s.Stats().Prepares - before; n != 1 {
		t.Fatalf("an evicted statement: %d prepares, want 1", n)
	}
}
