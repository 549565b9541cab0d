package store

import (
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
	// isUniqueViolation reports whether err is a unique-constraint error.
	isUniqueViolation func(err error) bool
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
