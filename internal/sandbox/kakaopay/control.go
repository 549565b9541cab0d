package kakaopay

import (
	"net/http"

	"github.com/paybridge/paybridge/internal/sandbox"
)

// stats is the body of GET /__sandbox/stats.
type stats struct {
	Calls             map[string]int `json:"calls"`
	ApproveCallsByTID map[string]int `json:"approve_calls_by_tid"`
}

// serveFaults is POST (queue one Fault) and DELETE (clear all) on
// /__sandbox/faults.
func (s *Sandbox) serveFaults(w http.ResponseWriter, r *http.Request) {
	sandbox.ServeFaults(w, r, func(f *Fault) error { return f.validate() }, s.InjectFault, s.ClearFaults)
}

// serveStats is GET /__sandbox/stats.
func (s *Sandbox) serveStats(w http.ResponseWriter, r *http.Request) {
	sandbox.ServeStats(w, r, func() any {
		calls, byTID := s.calls.Snapshot(opReady, opApprove, opCancel, opOrder)
		return stats{Calls: calls, ApproveCallsByTID: byTID[opApprove]}
	}, writeJSON)
}
