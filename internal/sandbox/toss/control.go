package toss

import (
	"github.com/paybridge/paybridge/internal/sandbox"
	"net/http"
)

// stats is the body of GET /__sandbox/stats.
type stats struct {
	Calls      map[string]int            `json:"calls"`
	CallsForID map[string]map[string]int `json:"calls_by_id"` // op → paymentKey or orderId → calls
}

// serveFaults is POST (queue one Fault) and DELETE (clear all) on
// /__sandbox/faults.
func (s *Sandbox) serveFaults(w http.ResponseWriter, r *http.Request) {
	sandbox.ServeFaults(w, r, func(f *Fault) error { return f.validate() }, s.InjectFault, s.ClearFaults)
}

// serveStats is GET /__sandbox/stats.
func (s *Sandbox) serveStats(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "use GET"})
		return
	}
	s.mu.Lock()
	st := stats{Calls: map[string]int{}, CallsForID: map[string]map[string]int{}}
	for _, op := range []string{opConfirm, opGet, opCancel} {
		st.Calls[op] = s.calls[op]
		st.CallsForID[op] = map[string]int{}
		for id, n := range s.callsFor[op] {
			st.CallsForID[op][id] = n
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, st)
}
