package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// postgresDialect serves several paybridge instances on one database.
var postgresDialect = dialect{
	name:            "postgres",
	dollar:          true,
	idColumn:        "BIGSERIAL PRIMARY KEY",
	updateReturning: true,
	oneStatement:    true,
	forUpdate:       " FOR UPDATE",
	skipLocked:      " FOR UPDATE SKIP LOCKED",
	snapshot:        &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
	bytewise:        `COLLATE "C"`,
	isUniqueViolation: func(err error) bool {
		return pgCode(err) == "23505"
	},
	// Serialization failures and deadlocks are PostgreSQL's way of saying
	// "try again"; the transaction had no effect.
	isRetryable: func(err error) bool {
		c := pgCode(err)
		return c == "40001" || c == "40P01"
	},
	lockMigrations: func(ctx context.Context, conn *sql.Conn) (func(), error) {
		// One instance migrates at a time; the others wait, then find nothing to do.
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(7420391)`); err != nil {
			return nil, err
		}
		return func() { conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(7420391)`) }, nil
	},
	resetSequence: func(ctx context.Context, tx *sql.Tx, table, column string) error {
		_, err := tx.ExecContext(ctx, fmt.Sprintf(
			`SELECT setval(pg_get_serial_sequence('%s', '%s'), COALESCE((SELECT MAX(%s) FROM %s), 0) + 1, false)`,
			table, column, column, table))
		return err
	},
}

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// openPostgres opens a pool on a PostgreSQL URL with the configured limits:
// pool size, connect timeout, and a statement timeout enforced by the server.
func openPostgres(ctx context.Context, u string, o Options) (*Store, error) {
	cfg, err := pgx.ParseConfig(u)
	if err != nil {
		// pgx's parse errors can quote the URL, password included.
		return nil, fmt.Errorf("postgres: the database URL does not parse")
	}
	cfg.ConnectTimeout = o.ConnectTimeout
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["statement_timeout"] = strconv.FormatInt(o.StatementTimeout.Milliseconds(), 10)
	cfg.RuntimeParams["application_name"] = "paybridge"
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(o.MaxConns)
	db.SetMaxIdleConns(o.MaxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, o.ConnectTimeout+time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: connect to %s@%s:%d/%s: %w", cfg.User, cfg.Host, cfg.Port, cfg.Database, scrub(connectCause(err, cfg.Database, cfg.User), cfg.Password))
	}
	return &Store{w: db, r: db, dialect: postgresDialect, stats: new(storeStats),
		URL: fmt.Sprintf("postgres://%s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)}, nil
}

// connectCause is what the server said when it refused the connection, if
// it said anything. pgx reports every attempt of sslmode=prefer, so a
// database that does not exist is otherwise announced by a "server refused
// TLS connection" line first, which sends people looking for a TLS problem.
func connectCause(err error, database, user string) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	if pe.Code == "3D000" { // invalid_catalog_name
		return fmt.Errorf("database %q does not exist: create it (createdb -O %s %s) or fix PAYBRIDGE_DATABASE_URL", database, user, database)
	}
	return fmt.Errorf("%s (SQLSTATE %s)", pe.Message, pe.Code)
}

// scrub keeps a password out of an error's text.
func scrub(err error, password string) error {
	if password == "" || err == nil {
		return err
	}
	if s := err.Error(); containsFold(s, password) {
		return errors.New("connection failed (details withheld: they contained the password)")
	}
	return err
}

// WALSyncs returns how many times PostgreSQL has synced its WAL to disk
// (pg_stat_wal.wal_sync, server-wide, PostgreSQL 14 and later): the real
// fsyncs, after the server's own grouping of concurrent commits. ok is false
// on SQLite or an older server.
func (s *Store) WALSyncs(ctx context.Context) (n int64, ok bool) {
	if s.dialect.name != "postgres" {
		return 0, false
	}
	if err := s.r.QueryRowContext(ctx, `SELECT wal_sync FROM pg_stat_wal`).Scan(&n); err != nil {
		return 0, false
	}
	return n, true
}
