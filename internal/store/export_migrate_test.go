package store

import (
	"context"
	"fmt"
	"strings"
)

// MigrateBeforeForTest applies the pending migrations up to, not
// including, the first whose SQL contains marker, so that a test can
// write rows as an older paybridge did and then see what the migration
// makes of them (marker, not a number: the numbers are renumbered).
func (s *Store) MigrateBeforeForTest(ctx context.Context, marker string) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	cur, err := schemaVersion(ctx, conn)
	if err != nil {
		return err
	}
	for _, m := range ms[cur:] {
		if strings.Contains(m.sql, marker) {
			if s.group != nil && s.group.wal != nil {
				return s.group.wal.syncNow(ctx)
			}
			return nil
		}
		if err := s.applyMigration(ctx, conn, m); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return fmt.Errorf("no pending migration contains %q", marker)
}
