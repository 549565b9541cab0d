package store

import (
	"context"
	"database/sql"
)

// stmtRunner runs statements: the pool or a transaction.
type stmtRunner interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// writeAlone runs fn, whose writes are each one statement that is atomic
// by itself and needs no other statement to commit with it. On PostgreSQL
// fn runs its statements on the pool, each committing alone and durable
// when it returns (withStatement): no BEGIN and COMMIT, two round trips
// fewer. Elsewhere (SQLite) fn runs in withTx, as before.
func (s *Store) writeAlone(ctx context.Context, fn func(q stmtRunner) error) error {
	if s.dialect.oneStatement {
		return s.withStatement(ctx, func() error { return fn(s.w) })
	}
	return s.withTx(ctx, func(tx *sql.Tx) error { return fn(tx) })
}
