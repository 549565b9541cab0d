package portone

import (
	"net/http"

	"github.com/paybridge/paybridge/internal/sandbox"
)

// stats is the body of GET /__sandbox/stats.
type stats struct {
	Calls            map[string]int            `json:"calls"`
	CallsByPaymentID map[string]map[string]int `json:"calls_by_payment_id"`
}

// serveFaults is POST (queue one Fault) and DELETE (clear all) on
// /__sandbox/faults.
func (s *Sandbox) serveFaults(w http.ResponseWriter, r *http.Request) {
	sandbox.ServeFaults(w, r, func(f *Fault) error { return f.validate() }, s.InjectFault, s.ClearFaults)
}

// serveStats is GET /__sandbox/stats.
func (s *Sandbox) serveStats(w http.ResponseWriter, r *http.Request) {
	sandbox.ServeStats(w, r, func() any {
		calls, byID := s.calls.Snapshot(opPreRegister, opGetPayment, opCancel)
		return stats{Calls: calls, CallsByPaymentID: byID}
	}, writeJSON)
}
