package pgtest_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/paybridge/paybridge/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestNewDatabase(t *testing.T) {
	u1, u2 := pgtest.NewDatabase(t), pgtest.NewDatabase(t)
	if u1 == u2 {
		t.Fatal("two tests share a database")
	}
	db, err := sql.Open("pgx", u1)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(context.Background(), `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("fresh database has %d tables, %v", n, err)
	}
}
