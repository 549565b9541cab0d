package store

import (
	"context"
	"database/sql"
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
