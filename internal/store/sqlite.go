package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// sqliteDialect is the embedded default.
var sqliteDialect = dialect{
	name:         "sqlite",
	idColumn:     "INTEGER PRIMARY KEY AUTOINCREMENT",
	lastInsertID: true,
	isUniqueViolation: func(err error) bool {
		var se *sqlite.Error
		if errors.As(err, &se) {
			c := se.Code()
			return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
		}
		return false
	},
}

// SQLitePath returns the file path of a SQLite database URL.
func SQLitePath(u string) string {
	switch {
	case strings.HasPrefix(u, "sqlite://"):
		return strings.TrimPrefix(u, "sqlite://")
	case strings.HasPrefix(u, "sqlite:"):
		return strings.TrimPrefix(u, "sqlite:")
	case strings.HasPrefix(u, "file:"):
		return strings.TrimPrefix(u, "file:")
	}
	return u
}

// openSQLite opens two pools on one file: a single writer connection whose
// transactions begin IMMEDIATE (one writer at a time, no lock upgrade
// failures), driven by the group committer, and a small pool of readers.
// WAL lets readers run beside the writer. Every commit is durable across
// power loss before anyone is told of it or can read it: the writer runs
// synchronous=NORMAL and the WAL syncer fsyncs the WAL beside it
// (walsync.go); should the file not be in WAL mode, the writer falls back to
// synchronous=FULL, where COMMIT syncs. Every connection keeps its
// statements prepared (stmtcache.go).
func openSQLite(ctx context.Context, u string) (*Store, error) {
	path := SQLitePath(u)
	if path == "" {
		return nil, fmt.Errorf("sqlite: empty path in database URL")
	}
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i] // options are ours to set
	}
	// secure_delete overwrites deleted and replaced content with zeros, so a
	// secret sealed in place (SealStoredSecrets) leaves no plain copy behind
	// in the file's free space.
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=secure_delete(1)"
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + pragmas
	stats := new(storeStats)
	w, walMode, err := openSQLiteWriter(ctx, path, dsn, stats, "NORMAL")
	if err == nil && !walMode {
		w.Close()
		w, _, err = openSQLiteWriter(ctx, path, dsn, stats, "FULL")
	}
	if err != nil {
		return nil, err
	}
	rc, err := sqlite.NewConnector(dsn + "&_pragma=synchronous(FULL)&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	var wal *walSyncer
	if walMode {
		// The WAL is beside the file SQLite opened, which is the path's
		// target if the path is a symbolic link: ask SQLite for it.
		var file string
		err := w.QueryRowContext(ctx, `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&file)
		if err == nil && file == "" {
			err = errors.New("SQLite names no file for it")
		}
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("sqlite: open %s: the database's file: %w", path, err)
		}
		wal = newWALSyncer(file, stats)
	}
	readers := cachingConnector{Connector: rc, prepares: &stats.prepares, runs: &stats.statements}
	if wal != nil {
		readers.fence = wal.fence
	}
	r := sql.OpenDB(readers)
	// Eight readers: a read holds its connection until what it saw is
	// durable (about one fsync under load), so four capped reads near
	// 4 / fsync time.
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	s := &Store{w: w, r: r, dialect: sqliteDialect, URL: "sqlite:" + path, stats: stats}
	s.group = newGroupCommitter(w, wal, stats)
	s.group.guard = &stats.guard
	return s, nil
}

// openSQLiteWriter opens the writer's pool of one connection with the given
// synchronous setting and reports whether the file is in WAL mode.
func openSQLiteWriter(ctx context.Context, path, dsn string, stats *storeStats, synchronous string) (*sql.DB, bool, error) {
	// The writer's temporary tables (RETURNING, sorts) stay in memory. (A
	// larger page cache for it was tried: no measurable gain, 25 MB more
	// RSS.)
	wc, err := sqlite.NewConnector(dsn + "&_pragma=synchronous(" + synchronous + ")&_txlock=immediate&_pragma=temp_store(MEMORY)")
	if err != nil {
		return nil, false, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	w := sql.OpenDB(cachingConnector{Connector: wc, noInterrupt: true, prepares: &stats.prepares, runs: &stats.statements,
		guard: &stats.guard})
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	var mode string
	if err := w.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
		w.Close()
		return nil, false, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return w, strings.EqualFold(mode, "wal"), nil
}
