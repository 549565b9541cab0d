package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
)

// dialect isolates what differs between SQLite and PostgreSQL.
type dialect struct {
	name string
	// dollar rebinds ? placeholders to $1, $2, … (PostgreSQL).
	dollar bool
	// idColumn is an auto-increment BIGINT primary key.
	idColumn string
	// lastInsertID: the driver reports an inserted row's id in the Exec
	// result (SQLite), so no RETURNING is needed to learn it.
	lastInsertID bool
	// updateReturning: an UPDATE … RETURNING costs less than the UPDATE and
	// a SELECT of the row it wrote. On PostgreSQL it saves a round trip. On
	// SQLite it costs twice as much (measured: about 90 µs against 10 + 40):
	// RETURNING runs as a trigger program that loads every old and new
	// column and buffers the rows in a temporary table, on the one writer.
	updateReturning bool
	// oneStatement: a write that is one statement runs as a transaction of
	// its own, without BEGIN and COMMIT (PostgreSQL: one round trip instead
	// of three or more). On SQLite every write joins a group commit, where
	// a statement alone would save nothing.
	oneStatement bool
	// isUniqueViolation reports whether err is a unique-constraint error.
	isUniqueViolation func(err error) bool
	// isRetryable reports whether a transaction failed only because of
	// concurrency and may simply be run again (nil: never).
	isRetryable func(err error) bool
	// forUpdate locks the rows a SELECT reads until the transaction ends.
	// SQLite needs none: BEGIN IMMEDIATE already holds the one write lock.
	forUpdate string
	// skipLocked additionally passes over rows another transaction holds,
	// so that several instances claiming work never wait on each other.
	skipLocked string
	// lockMigrations serializes migrations across instances (nil: not needed).
	lockMigrations func(ctx context.Context, conn *sql.Conn) (unlock func(), err error)
	// snapshot are the options of a read transaction that sees one
	// consistent snapshot of the database.
	snapshot *sql.TxOptions
	// bytewise makes a text comparison bytewise, whatever the database's
	// collation ("": it already is).
	bytewise string
	// resetSequence moves an auto-increment past copied ids (nil: automatic).
	resetSequence func(ctx context.Context, tx *sql.Tx, table, column string) error
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// rebind rewrites ? placeholders for the dialect. Queries here never contain
// a literal question mark, so a plain scan is enough.
func (d dialect) rebind(q string) string {
	if !d.dollar {
		return q
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}
