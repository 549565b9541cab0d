package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestListIndexes_UsedByTheMerchantList: every list a key makes (its mode
// always given) walks an index in its order and stops after a page, and an
// order or customer filter finds its rows by their own index, whatever the
// planner's statistics say. A plan that walked the merchant's payments
// instead reads every one of them for a list of a mode (or an order) that
// has few. The queries are the ones ListPayments builds.
func TestListIndexes_UsedByTheMerchantList(t *testing.T) {
	s := MustOpen(t, "sqlite:"+filepath.Join(t.TempDir(), "pb.db"))
	ctx := context.Background()
	for i := range 50 {
		MustCreatePayment(t, s, fmt.Sprintf("o-%d", i))
	}
	const cols = `SELECT id FROM payments WHERE merchant_id = ? AND livemode = ?`
	for _, analyzed := range []bool{false, true} {
		if analyzed {
			if err := s.ExecForTest(ctx, "ANALYZE"); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range []struct {
			query string
			args  []any
			index string
		}{
			{cols + ` ORDER BY created_at DESC, id DESC LIMIT ?`, []any{"mer_default", 1, 101},
				"payments_merchant_livemode_created_id (merchant_id=? AND livemode=?)"},
			{cols + ` AND (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT ?`, []any{"mer_default", 0, 5, "pay_x", 101},
				"payments_merchant_livemode_created_id (merchant_id=? AND livemode=? AND (created_at,id)<(?,?))"},
			{cols + ` AND (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?`, []any{"mer_default", 0, 5, "pay_x", 101},
				"payments_merchant_livemode_created_id (merchant_id=? AND livemode=? AND (created_at,id)>(?,?))"},
			{cols + ` AND order_id = ? ORDER BY +created_at DESC, id DESC LIMIT ?`, []any{"mer_default", 0, "o-1", 101},
				"payments_merchant_order (merchant_id=? AND order_id=?)"},
			{cols + ` AND customer_id = ? ORDER BY +created_at DESC, id DESC LIMIT ?`, []any{"mer_default", 0, "c", 101},
				"payments_merchant_customer (merchant_id=? AND customer_id=?)"},
			// The console, an operator of one merchant (both modes).
			{`SELECT id FROM payments WHERE 1 = 1 AND merchant_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`, []any{"mer_default", 51},
				"payments_merchant_created_id (merchant_id=?)"},
		} {
			plan, err := s.PlanForTest(ctx, c.query, c.args...)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(plan, c.index) {
				t.Errorf("analyzed=%v: plan of %s:\n%s\nwant index %s", analyzed, c.query, plan, c.index)
			}
			// A walk in the list's order needs no sort (and so stops after a page).
			if strings.Contains(c.index, "created_id") && strings.Contains(plan, "TEMP B-TREE") {
				t.Errorf("analyzed=%v: plan of %s sorts:\n%s", analyzed, c.query, plan)
			}
		}
	}
}
