package sandbox

import "time"

// Fault is the part of a queued fault that every sandbox shares: which call
// it applies to, what it does, how often, how long it waits, and the status
// and amount it may report. Each sandbox's own Fault embeds it and adds
// only the id its provider's calls are matched by (a KakaoPay tid, a
// PortOne paymentId, …) and the fields of its provider's error body, since
// those are that sandbox's control API. Embedding keeps the JSON flat: a
// posted fault reads {"op": …, "kind": …, "tid": …} as before.
type Fault struct {
	Op      string        `json:"op"`                 // one of the sandbox's FaultRules.Ops
	Kind    string        `json:"kind"`               // one of the sandbox's FaultRules.Kinds
	Count   int           `json:"count,omitempty"`    // times to apply, 0 means 1
	Delay   time.Duration `json:"-"`                  // slept before the kind applies
	DelayMS int           `json:"delay_ms,omitempty"` // JSON form of Delay
	Status  int           `json:"status,omitempty"`   // "error", "decline": the HTTP status
	Amount  int64         `json:"amount,omitempty"`   // "amount": the amount to report
}

// Shared returns f itself; through embedding it is how Control reads the
// shared part of a sandbox's own Fault.
func (f Fault) Shared() Fault { return f }

// StatusOr is the status to answer: Status, or def when the fault sets none.
func (f Fault) StatusOr(def int) int {
	if f.Status == 0 {
		return def
	}
	return f.Status
}

// delay is the fault's wait: Delay when set in Go, otherwise the JSON
// form's milliseconds.
func (f Fault) delay() time.Duration {
	if f.Delay == 0 {
		return time.Duration(f.DelayMS) * time.Millisecond
	}
	return f.Delay
}
