package sandbox

import (
	"encoding/json"
	"net/http"
	"sync"
)

// FaultQueue is the queue of injected faults every provider sandbox keeps.
// Faults are consumed first-in-first-out by the calls they match, each up
// to its count. F is the sandbox's own Fault type.
type FaultQueue[F any] struct {
	mu    sync.Mutex
	items []*queuedFault[F]
}

type queuedFault[F any] struct {
	f    F
	left int
}

// Add queues f for count matching calls (at least one).
func (q *FaultQueue[F]) Add(f F, count int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.items = append(q.items, &queuedFault[F]{f: f, left: max(count, 1)})
}

// Clear drops every queued fault.
func (q *FaultQueue[F]) Clear() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.items = nil
}

// Take consumes one use of the oldest fault that match accepts.
func (q *FaultQueue[F]) Take(match func(F) bool) (F, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, it := range q.items {
		if !match(it.f) {
			continue
		}
		if it.left--; it.left <= 0 {
			q.items = append(q.items[:i:i], q.items[i+1:]...)
		}
		return it.f, true
	}
	var zero F
	return zero, false
}

// maxFaultBody bounds a fault posted to a control endpoint.
const maxFaultBody = 64 << 10

// ServeFaults is the /__sandbox/faults control endpoint every sandbox
// offers: POST queues one fault (decoded strictly, since a misspelt field
// would silently change it, then validated), DELETE clears the queue.
func ServeFaults[F any](w http.ResponseWriter, r *http.Request, validate func(*F) error, inject func(F), clear func()) {
	switch r.Method {
	case http.MethodPost:
		var f F
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxFaultBody))
		dec.DisallowUnknownFields()
		err := dec.Decode(&f)
		if err == nil {
			err = validate(&f)
		}
		if err != nil {
			writeControlJSON(w, http.StatusBadRequest, map[string]string{"error": "fault: " + err.Error()})
			return
		}
		inject(f)
		w.WriteHeader(http.StatusNoContent)
	case http.MethodDelete:
		clear()
		w.WriteHeader(http.StatusNoContent)
	default:
		w.Header().Set("Allow", "POST, DELETE")
		writeControlJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "use POST or DELETE"})
	}
}

// writeControlJSON writes the control endpoints' own plain JSON answers.
var writeControlJSON = JSON{ContentType: "application/json", Newline: true}.Write
