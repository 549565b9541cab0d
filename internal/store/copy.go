package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"hash"
	"strconv"
	"strings"

	"github.com/paybridge/paybridge/internal/payment"
)

// copyTables are the tables Copy moves, parents before children, each with
// the key its rows are ordered by. schema_migrations is not copied: the
// destination has its own, and Copy insists both are at the same version.
var copyTables = []struct {
	name string
	key  []keyColumn
}{
	{"merchants", textKey("id")},
	{"api_keys", textKey("id")},
	{"payments", textKey("id")},
	{"payment_events", []keyColumn{{name: "id"}}}, // BIGINT
	{"cancellations", textKey("id")},
	{"idempotency_keys", textKey("merchant_id", "idem_key")}, // keeps the replay window across the move
	{"webhook_endpoints", textKey("id")},
	{"webhook_events", textKey("id")},
	{"webhook_deliveries", textKey("id")},
	{"provider_webhooks", textKey("id")}, // the inbox: deliveries not yet looked up move too
	{"operators", textKey("id")},
	{"audit_log", textKey("id")}, // sessions are not copied: operators sign in again
}

// keyColumn is one column of a table's ordering key.
type keyColumn struct {
	name string
	text bool
}

func textKey(cols ...string) []keyColumn {
	var k []keyColumn
	for _, c := range cols {
		k = append(k, keyColumn{name: c, text: true})
	}
	return k
}

// orderBy orders rows the same way on both engines, whatever the
// database's collation: the checksums are taken over rows in key order, and
// a PostgreSQL database created with an ICU or glibc locale (en_US…) sorts
// text by language rules ("a-1" before "B-2" before "_x"), where SQLite
// compares bytes. Text keys are compared bytewise on PostgreSQL too
// (COLLATE "C", which for UTF-8 is code-point order, as SQLite's BINARY).
func (s *Store) orderBy(key []keyColumn) string {
	var parts []string
	for _, c := range key {
		if c.text && s.dialect.bytewise != "" {
			parts = append(parts, c.name+" "+s.dialect.bytewise)
			continue
		}
		parts = append(parts, c.name)
	}
	return strings.Join(parts, ", ")
}

// TableCopy reports one copied table: row counts and a SHA-256 over every
// row (ordered by key, values in a canonical text form) on both sides.
type TableCopy struct {
	Table                string
	SourceRows, DestRows int64
	SourceHash, DestHash string
}

// Copy copies every row of from into to. to must be empty (a fresh,
// migrated database) and both must be at this binary's schema version. The
// source is read in one transaction (one consistent snapshot, so a running
// paybridge can keep writing to it), the destination written in one
// transaction, and the destination is committed only when every table's row
// count and checksum match the source's.
func Copy(ctx context.Context, from, to *Store) ([]TableCopy, error) {
	want := LatestVersion()
	for _, side := range []struct {
		name string
		s    *Store
	}{{"source", from}, {"destination", to}} {
		v, err := side.s.SchemaVersion(ctx)
		if err != nil {
			return nil, err
		}
		if v != want {
			return nil, payment.Errorf(payment.EINVALID, "the %s schema is version %d, this paybridge copies version %d: run 'paybridge migrate' on it first", side.name, v, want)
		}
	}
	src, err := from.r.BeginTx(ctx, from.dialect.snapshot)
	if err != nil {
		return nil, fmt.Errorf("source snapshot: %w", err)
	}
	defer src.Rollback()
	dst, err := to.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("destination: %w", err)
	}
	defer dst.Rollback()
	if err := to.checkEmpty(ctx, dst); err != nil {
		return nil, err
	}

	var report []TableCopy
	for _, t := range copyTables {
		r := TableCopy{Table: t.name}
		if r.SourceRows, r.SourceHash, err = from.copyTable(ctx, src, to, dst, t.name, from.orderBy(t.key)); err != nil {
			return nil, fmt.Errorf("copy %s: %w", t.name, err)
		}
		report = append(report, r)
	}
	if to.dialect.resetSequence != nil {
		if err := to.dialect.resetSequence(ctx, dst, "payment_events", "id"); err != nil {
			return nil, fmt.Errorf("reset payment_events id sequence: %w", err)
		}
	}
	// Read back what the destination now holds, inside its transaction.
	for i, t := range copyTables {
		if report[i].DestRows, report[i].DestHash, err = to.tableHash(ctx, dst, t.name, to.orderBy(t.key)); err != nil {
			return report, fmt.Errorf("check %s: %w", t.name, err)
		}
		if report[i].DestRows != report[i].SourceRows || report[i].DestHash != report[i].SourceHash {
			return report, payment.Errorf(payment.EINTERNAL, "table %s differs after the copy; nothing was committed", t.name)
		}
	}
	if err := dst.Commit(); err != nil {
		return report, fmt.Errorf("commit destination: %w", err)
	}
	if err := to.syncOutside(ctx); err != nil {
		return report, fmt.Errorf("sync destination: %w", err)
	}
	return report, nil
}

// checkEmpty refuses a destination holding anything but the default merchant.
func (s *Store) checkEmpty(ctx context.Context, tx *sql.Tx) error {
	for _, t := range copyTables {
		var n int64
		q := "SELECT COUNT(*) FROM " + t.name
		if t.name == "merchants" {
			q += " WHERE id <> '" + payment.DefaultMerchantID + "'"
		}
		if err := tx.QueryRowContext(ctx, q).Scan(&n); err != nil {
			return fmt.Errorf("inspect destination %s: %w", t.name, err)
		}
		if n > 0 {
			return payment.Errorf(payment.ECONFLICT, "the destination is not empty: %s has %d rows", t.name, n)
		}
	}
	return nil
}

// copyTable streams one table from the source snapshot into the destination
// and returns the source's row count and hash.
func (s *Store) copyTable(ctx context.Context, src *sql.Tx, to *Store, dst *sql.Tx, table, key string) (int64, string, error) {
	var stmt *sql.Stmt
	defer func() {
		if stmt != nil {
			stmt.Close()
		}
	}()
	prepare := func(cols []string) error {
		insert := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES (" +
			strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
		if table == "merchants" {
			// The destination's migration created the default merchant: take the source's.
			var set []string
			for _, c := range cols[1:] {
				set = append(set, c+" = excluded."+c)
			}
			insert += " ON CONFLICT (id) DO UPDATE SET " + strings.Join(set, ", ")
		}
		var err error
		stmt, err = dst.PrepareContext(ctx, to.q(insert))
		return err
	}
	return walkTable(ctx, src, table, key, prepare, func(vals []any) error {
		_, err := stmt.ExecContext(ctx, vals...)
		return err
	})
}

// tableHash counts and hashes a table as copyTable does.
func (s *Store) tableHash(ctx context.Context, tx *sql.Tx, table, key string) (int64, string, error) {
	return walkTable(ctx, tx, table, key, nil, nil)
}

// walkTable reads every row of table ordered by key (an ORDER BY list
// from orderBy), hashing each, and
// hands the column names to start and each row's values to row (either may
// be nil). It returns the row count and the hash.
func walkTable(ctx context.Context, tx *sql.Tx, table, key string, start func(cols []string) error, row func(vals []any) error) (int64, string, error) {
	rows, err := tx.QueryContext(ctx, "SELECT * FROM "+table+" ORDER BY "+key)
	if err != nil {
		return 0, "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, "", err
	}
	if start != nil {
		if err := start(cols); err != nil {
			return 0, "", err
		}
	}
	h := sha256.New()
	var n int64
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return 0, "", err
		}
		hashRow(h, vals)
		if row != nil {
			if err := row(vals); err != nil {
				return 0, "", err
			}
		}
		n++
	}
	return n, hex.EncodeToString(h.Sum(nil)), rows.Err()
}

// hashRow writes a row in a form that is the same whichever engine read it:
// NULL, integers in decimal, text as is, separated by control characters
// that cannot occur in paybridge's text.
func hashRow(h hash.Hash, vals []any) {
	for _, v := range vals {
		switch v := v.(type) {
		case nil:
			h.Write([]byte{0})
		case int64:
			h.Write([]byte(strconv.FormatInt(v, 10)))
		case int32:
			h.Write([]byte(strconv.FormatInt(int64(v), 10)))
		case string:
			h.Write([]byte(v))
		case []byte:
			h.Write(v)
		default:
			fmt.Fprintf(h, "%v", v)
		}
		h.Write([]byte{0x1f})
	}
	h.Write([]byte{0x1e})
}
