package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/paybridge/paybridge/internal/payment"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations, ordered by their number. One
// numbered history serves both engines; {{ID}} is the only dialect hole.
func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, n := range names {
		base := strings.TrimPrefix(n, "migrations/")
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and _", base)
		}
		b, err := migrationFiles.ReadFile(n)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected number %d", m.name, i+1)
		}
	}
	return ms, nil
}

// LatestVersion is the newest schema version this binary knows.
func LatestVersion() int {
	ms, err := migrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// SchemaVersion returns the version of the database's schema (0 when empty).
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	return schemaVersion(ctx, conn)
}

func schemaVersion(ctx context.Context, conn *sql.Conn) (int, error) {
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		return 0, fmt.Errorf("schema_migrations: %w", err)
	}
	var v sql.NullInt64
	if err := conn.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return int(v.Int64), nil
}

// Migrate applies every pending migration, each in its own transaction, and
// returns the names applied. Everything happens on one connection, which on
// PostgreSQL holds an advisory lock throughout, so instances starting
// together migrate one after the other.
func (s *Store) Migrate(ctx context.Context) (applied []string, err error) {
	ms, err := migrations()
	if err != nil {
		return nil, err
	}
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if s.group != nil && s.group.wal != nil {
		// The migrations commit on the writer beside the group committer,
		// without an fsync of their own (synchronous=NORMAL): sync those
		// applied, also when a later one fails, while the connection is
		// still held (deferred calls run last first).
		defer func() {
			if len(applied) > 0 {
				if serr := s.group.wal.syncNow(ctx); serr != nil && err == nil {
					err = serr
				}
			}
		}()
	}
	if s.dialect.lockMigrations != nil {
		unlock, err := s.dialect.lockMigrations(ctx, conn)
		if err != nil {
			return nil, fmt.Errorf("lock migrations: %w", err)
		}
		defer unlock()
	}
	cur, err := schemaVersion(ctx, conn)
	if err != nil {
		return nil, err
	}
	if cur > len(ms) {
		return nil, payment.Errorf(payment.EINVALID,
			"database schema is version %d but this paybridge knows only up to %d: upgrade paybridge", cur, len(ms))
	}
	for _, m := range ms[cur:] {
		if err := s.applyMigration(ctx, conn, m); err != nil {
			return applied, fmt.Errorf("migration %s: %w", m.name, err)
		}
		applied = append(applied, m.name)
	}
	return applied, nil
}

func (s *Store) applyMigration(ctx context.Context, conn *sql.Conn, m migration) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, strings.ReplaceAll(m.sql, "{{ID}}", s.dialect.idColumn)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`),
		m.version, m.name, micros(s.now())); err != nil {
		return err
	}
	return tx.Commit()
}

// checkSchema migrates (when migrate is true) or checks that the schema is
// exactly what this binary expects.
func (s *Store) checkSchema(ctx context.Context, migrate bool) error {
	if migrate {
		_, err := s.Migrate(ctx)
		return err
	}
	cur, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if want := LatestVersion(); cur != want {
		return payment.Errorf(payment.EINVALID,
			"database schema is version %d, this paybridge needs %d: run 'paybridge migrate'", cur, want)
	}
	return nil
}
