package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/pgtest"
	"github.com/paybridge/paybridge/internal/store"
)

// mixedKeys sort differently bytewise ("B-2" < "Z" < "_x" < "a-1") and by
// an English collation ("_x" < "a-1" < "B-2" < "Z").
var mixedKeys = []string{"a-1", "B-2", "_x", "Z", "order-Ä", "order-a"}

// Ensure the SQLite → PostgreSQL copy succeeds on a database with an
// ordinary English collation: the checksums are taken in bytewise key order
// on both sides, so text keys with mixed case and punctuation, which
// en-US sorts differently, do not make a correct copy look wrong.
func TestCopy_EnglishCollation(t *testing.T) {
	ctx := context.Background()
	src := MustOpen(t, "sqlite:"+filepath.Join(t.TempDir(), "src.db"))
	MustFill(t, src)
	now := time.Now()
	for i, k := range mixedKeys {
		if _, _, err := src.BeginIdempotent(ctx, payment.DefaultMerchantID, k, "fp", now, time.Minute, 24*time.Hour); err != nil {
			t.Fatal(err)
		}
		if err := src.ExecForTest(ctx, `INSERT INTO merchants (id, name, created_at) VALUES ('mer_`+k+`', 'm', `+string(rune('0'+i))+`)`); err != nil {
			t.Fatal(err)
		}
	}
	url := pgtest.NewDatabaseWith(t, pgtest.ICUEnglish)

	// The database really does sort these keys otherwise than bytewise,
	// or this test would prove nothing.
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT k FROM unnest($1::text[]) AS k ORDER BY k`, mixedKeys)
	if err != nil {
		t.Fatal(err)
	}
	var collated []string
	for rows.Next() {
		var k string
		rows.Scan(&k)
		collated = append(collated, k)
	}
	rows.Close()
	bytewise := slices.Clone(mixedKeys)
	slices.Sort(bytewise)
	if slices.Equal(collated, bytewise) {
		t.Fatalf("the en-US database sorts bytewise (%q): it cannot show the problem", collated)
	}

	dst := MustOpen(t, url)
	report, err := store.Copy(ctx, src, dst)
	if err != nil {
		t.Fatalf("copy to an en-US database: %v", err)
	}
	for _, r := range report {
		if r.SourceRows != r.DestRows || r.SourceHash != r.DestHash {
			t.Errorf("%s: %+v", r.Table, r)
		}
	}
	// And back: the PostgreSQL side's checksums are the same bytewise ones.
	back := MustOpen(t, "sqlite:"+filepath.Join(t.TempDir(), "back.db"))
	again, err := store.Copy(ctx, dst, back)
	if err != nil {
		t.Fatalf("copy back: %v", err)
	}
	for i, r := range again {
		if r.SourceHash != report[i].SourceHash {
			t.Errorf("%s: hash after the round trip %s, before %s", r.Table, r.SourceHash, report[i].SourceHash)
		}
	}
}
