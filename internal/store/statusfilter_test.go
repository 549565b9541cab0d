package store_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestStatusIndexes_UsedByDueLists: the status indexes leave paid payments
// out (a partial index), and the due lists the sweeper and the console ask
// for still walk them, because the store states the index's condition in
// the query; the same for the partial indexes of approved payments and of
// provider ids. A plan that scanned the table would make every sweep read
// every payment ever made.
func TestStatusIndexes_UsedByDueLists(t *testing.T) {
	s := MustOpen(t, "sqlite:"+filepath.Join(t.TempDir(), "pb.db"))
	ctx := context.Background()
	for _, c := range []struct {
		query string
		args  []any
		index string
	}{
		{`SELECT id FROM payments WHERE lease_until < ? AND status IN (?) AND status <> 'paid' AND updated_at < ?
			ORDER BY updated_at, id LIMIT 10`, []any{0, "approving", 5}, "payments_status_updated"},
		{`SELECT id FROM payments WHERE status IN (?, ?) AND status <> 'paid' AND provider IN (?)
			AND updated_at > ?`, []any{"failed", "expired", "toss", 5}, "payments_provider_status_updated"},
		{`SELECT id FROM payments WHERE approved_at >= ?`, []any{5}, "payments_approved"},
		{`SELECT id FROM payments WHERE provider = ? AND provider_tid = ? AND provider_tid <> ''`, []any{"kakaopay", "T1"},
			"payments_provider_tid"},
	} {
		plan, err := s.PlanForTest(ctx, c.query, c.args...)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(plan, c.index) {
			t.Errorf("plan of %s:\n%s\nwant index %s", c.query, plan, c.index)
		}
	}
}
