package store

import (
	"slices"
	"strings"

	"github.com/paybridge/paybridge/internal/payment"
)

// notPaid is the condition of the partial status indexes
// (payments_status_updated, payments_provider_status_updated): paid
// payments are left out, so the last transition of every checkout deletes
// index entries rather than writing new ones. SQLite and PostgreSQL use a
// partial index only when the query states its condition literally, so it
// is a constant in the SQL, never a parameter.
const notPaid = `status <> 'paid'`

// statusIn adds "status IN (…)" for statuses (nothing when there are none)
// and, when paid is not among them, the redundant notPaid, which lets the
// planner use the partial status indexes for the sweeper's and the
// console's due lists.
func statusIn(statuses []payment.Status, where []string, args []any) ([]string, []any) {
	if len(statuses) == 0 {
		return where, args
	}
	where = append(where, "status IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(statuses)), ", ")+")")
	for _, st := range statuses {
		args = append(args, string(st))
	}
	if !slices.Contains(statuses, payment.StatusPaid) {
		where = append(where, notPaid)
	}
	return where, args
}
