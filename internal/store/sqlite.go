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
// WAL lets readers run beside the writer; synchronous=FULL makes every
// commit durable across power loss. Every connection keeps its statements
// prepared (stmtcache.go).
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
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_pragma=secure_delete(1)"
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + pragmas
	// The writer's temporary tables (RETURNING, sorts) stay in memory. (A
	// larger page cache for it was tried: no measurable gain, 25 MB more
	// RSS.)
	wc, err := sqlite.NewConnector(dsn + "&_txlock=immediate&_pragma=temp_store(MEMORY)")
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	stats := new(storeStats)
	w := sql.OpenDB(cachingConnector{Connector: wc, noInterrupt: true, prepares: &stats.prepares, runs: &stats.statements})
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	rc, err := sqlite.NewConnector(dsn + "&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	r := sql.OpenDB(cachingConnector{Connector: rc, prepares: &stats.prepares, runs: &stats.statements})
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	s := &Store{w: w, r: r, dialect: sqliteDialect, URL: "sqlite:" + path, stats: stats}
	s.group = newGroupCommitter(w, stats)
	return s, nil
}
