package store

import (
	"context"
	"database/sql"
	"strings"
)

// ExecForTest runs a statement on the writer, for tests.
func (s *Store) ExecForTest(ctx context.Context, q string) error {
	_, err := s.w.ExecContext(ctx, q)
	return err
}

// PragmaForTest reads a pragma on the writer connection.
func (s *Store) PragmaForTest(ctx context.Context, name string) (string, error) {
	var v string
	err := s.w.QueryRowContext(ctx, "PRAGMA "+name).Scan(&v)
	return v, err
}

// WithTxForTest runs fn through the store's transaction helper, retries and all.
func (s *Store) WithTxForTest(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.withTx(ctx, fn)
}

// SetBeforeCommitForTest makes the SQLite group committer call fn before
// each group's COMMIT. Call it before the store is used.
func (s *Store) SetBeforeCommitForTest(fn func(members int)) { s.group.beforeCommit = fn }

// BeginCloseForTest starts closing the group committer without waiting
// for it (Close then finishes it).
func (s *Store) BeginCloseForTest() {
	select {
	case <-s.group.quit:
	default:
		close(s.group.quit)
	}
}

// WaitingForTest is the number of callers queued for the group committer.
func (s *Store) WaitingForTest() int64 { return s.group.waiting.Load() }

// QueryIntForTest reads one integer through the reader pool.
func (s *Store) QueryIntForTest(ctx context.Context, q string, args ...any) (int64, error) {
	var n int64
	err := s.r.QueryRowContext(ctx, s.q(q), args...).Scan(&n)
	return n, err
}

// PlanForTest is SQLite's query plan for q on the reader pool, one line per step.
func (s *Store) PlanForTest(ctx context.Context, q string, args ...any) (string, error) {
	rows, err := s.r.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int64
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return "", err
		}
		plan = append(plan, detail)
	}
	return strings.Join(plan, "\n"), rows.Err()
}

// SetBeforeSyncForTest makes the SQLite WAL syncer call fn before each fsync
// with the number of members it will answer. Call it before the store is
// used.
func (s *Store) SetBeforeSyncForTest(fn func(members int)) { s.group.wal.beforeSync = fn }

// SetSyncForTest replaces the WAL syncer's fsync. Call it before the store
// is used.
func (s *Store) SetSyncForTest(fn func(path string) error) { s.group.wal.sync = fn }

// CountRowsForTest runs q on the reader pool and counts its rows, reading
// them to the end.
func (s *Store) CountRowsForTest(ctx context.Context, q string) (int64, error) {
	rows, err := s.r.QueryContext(ctx, q)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var n int64
	for rows.Next() {
		n++
	}
	return n, rows.Err()
}

// AllowTxControlForTest lets group members run transaction-control
// statements, which stand in for SQLite dropping the transaction.
func (s *Store) AllowTxControlForTest() { s.stats.guard.allowControl.Store(true) }

// FdatasyncForTest is the WAL syncer's own fsync of a file.
func FdatasyncForTest(path string) error { return fdatasyncFile(path) }

// CheckSeenRowsForTest turns the read-back that checks a payment built
// from Update.Seen on or off (on in test binaries), and returns a function
// that restores it: benchmarks measure what production runs.
func CheckSeenRowsForTest(on bool) (restore func()) {
	was := checkSeenRows
	checkSeenRows = on
	return func() { checkSeenRows = was }
}
