// Package store keeps paybridge's data in SQLite (the default) or PostgreSQL
// through database/sql. Queries are written once with ? placeholders and
// rebound for PostgreSQL; the few differences between the engines live in
// dialect.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// Store implements payment.Store.
type Store struct {
	w       *sql.DB // writes: one connection on SQLite
	r       *sql.DB // reads: a pool (the same *sql.DB on PostgreSQL)
	dialect dialect
	// Now is the clock; tests replace it.
	Now func() time.Time
	// URL is the database URL with any password removed, for logs.
	URL string
	// eventRenderer renders outbound webhook bodies (SetEventRenderer).
	eventRenderer EventRenderer
	// observer hears what was committed (SetObserver), for metrics.
	observer Observer
	// box seals secrets at rest (SetSecretBox); nil stores them as given.
	box SecretBox
	// group runs SQLite's write transactions with group commit (nil on
	// PostgreSQL, whose server groups concurrent commits itself).
	group *groupCommitter
	stats *storeStats
}

var _ payment.Store = (*Store)(nil)

// Options tune Open.
type Options struct {
	// NoMigrate leaves pending migrations alone; Open then fails unless the
	// schema is exactly the one this binary knows.
	NoMigrate bool
	// SkipCheck skips even that check (for the migrate command itself).
	SkipCheck bool
	// MaxConns is the PostgreSQL pool size (default 10).
	MaxConns int
	// StatementTimeout bounds every PostgreSQL statement (default 30s).
	StatementTimeout time.Duration
	// ConnectTimeout bounds connecting to PostgreSQL (default 5s).
	ConnectTimeout time.Duration
}

func (o *Options) setDefaults() {
	if o.MaxConns <= 0 {
		o.MaxConns = 10
	}
	if o.StatementTimeout <= 0 {
		o.StatementTimeout = 30 * time.Second
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 5 * time.Second
	}
}

// IsPostgres reports whether a database URL names PostgreSQL.
func IsPostgres(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

// Open opens the database named by url: "sqlite:PATH" or "file:PATH" for
// SQLite, "postgres://…" or "postgresql://…" for PostgreSQL; anything else
// is refused before any file or connection is made (see ParseURL). It
// applies pending migrations unless told not to, and refuses a schema newer
// than this binary knows.
func Open(ctx context.Context, url string, o Options) (*Store, error) {
	o.setDefaults()
	pg, err := ParseURL(url)
	if err != nil {
		return nil, err
	}
	var s *Store
	if pg {
		s, err = openPostgres(ctx, url, o)
	} else {
		s, err = openSQLite(ctx, url)
	}
	if err != nil {
		return nil, err
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	if o.SkipCheck {
		return s, nil
	}
	if err := s.checkSchema(ctx, !o.NoMigrate); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error {
	if s.group != nil {
		s.group.close()
	}
	err := s.w.Close()
	if s.r != s.w {
		if e := s.r.Close(); err == nil {
			err = e
		}
	}
	return err
}

// now returns the store's time, truncated to microseconds (what is stored).
func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// q rebinds a query written with ? placeholders for the dialect.
func (s *Store) q(query string) string { return s.dialect.rebind(query) }

// withTx runs fn in a write transaction and commits it; it returns nil only
// once the commit is durable. On SQLite fn runs in the group committer
// (groupcommit.go): inside its own savepoint of a BEGIN IMMEDIATE
// transaction shared with the other transactions waiting at that moment, so
// a read-then-write never fails half way with SQLITE_BUSY and many
// transactions share one fsync. On PostgreSQL a
// serialization failure or deadlock is retried, a bounded number of times
// with jittered exponential backoff, so it never reaches a caller as a 500;
// fn must therefore be safe to run again (it only talks to the database;
// SQLite's group commit also runs it again when another member of its group
// made SQLite drop the group). fn must never wait on anything but the
// database (on SQLite every writer waits with it) and never call withTx
// itself (on SQLite it would wait for itself).
func (s *Store) withTx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	start := time.Now()
	defer func() { s.observeTx(start, err) }()
	if s.group != nil {
		return s.group.do(ctx, fn)
	}
	return s.retry(ctx, func() error { return s.tryTx(ctx, fn) })
}

// withStatement runs fn, which runs one writing statement on s.w (not in a
// transaction), as a write transaction of its own: the server commits a
// statement alone atomically, and it returns once that commit is durable.
// After a lost compare-and-set fn may run a second, read-only statement
// (whyNotUpdated), which changes nothing.
// Only for a dialect with oneStatement (PostgreSQL); a serialization
// failure or deadlock is retried as in withTx.
func (s *Store) withStatement(ctx context.Context, fn func() error) (err error) {
	start := time.Now()
	defer func() { s.observeTx(start, err) }()
	err = s.retry(ctx, fn)
	if err == nil {
		s.stats.commits.Add(1)
		s.stats.transactions.Add(1)
	}
	return err
}

// retry runs try again, with jittered exponential backoff, while it fails
// only because of concurrency (dialect.isRetryable), a bounded number of
// times.
func (s *Store) retry(ctx context.Context, try func() error) error {
	const attempts = 6
	delay := 5 * time.Millisecond
	for i := 1; ; i++ {
		err := try()
		if err == nil || s.dialect.isRetryable == nil || !s.dialect.isRetryable(err) || i == attempts {
			return err
		}
		// Full jitter: sleep a random time up to the current delay.
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(rand.Int64N(int64(delay))) + time.Millisecond):
		}
		delay *= 2
	}
}

func (s *Store) tryTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	s.stats.commits.Add(1)
	s.stats.transactions.Add(1)
	return nil
}

// micros converts a time to the stored representation.
func micros(t time.Time) int64 { return t.UTC().UnixMicro() }

// nullMicros stores the zero time as NULL.
func nullMicros(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: micros(t), Valid: true}
}

func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

func fromNullMicros(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMicros(v.Int64)
}

// notFound turns sql.ErrNoRows into ENOTFOUND.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return payment.Errorf(payment.ENOTFOUND, "%s not found", what)
	}
	return err
}
