package store

import (
	"context"
	"fmt"
)

// queryAll runs query on q (the store's pool or a transaction) and scans
// every row with scan. Errors say what was being read. The rows are closed
// before it returns, so a caller inside a transaction can go on with the
// next statement on the same connection.
func queryAll[T any](ctx context.Context, q querier, what string, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// scanString scans a row of one text column, such as an id.
func scanString(row scanner) (string, error) {
	var s string
	err := row.Scan(&s)
	return s, err
}
