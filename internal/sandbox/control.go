package sandbox

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"
	"time"
)

// The fault kinds every sandbox offers (each names the ones it implements
// in its FaultRules): what a queued fault does to the next matching call.
const (
	FaultDelay   = "delay"   // sleep, then answer normally
	FaultError   = "error"   // change nothing, answer the provider's error body
	FaultLost    = "lost"    // act, then drop the connection without an answer
	FaultAmount  = "amount"  // act, but report another amount
	FaultDecline = "decline" // the provider refuses the money (its shape per sandbox)
)

// Faulty is a sandbox's own Fault: one that embeds Fault.
type Faulty interface{ Shared() Fault }

// ControlOptions configure a Control.
type ControlOptions[F Faulty] struct {
	Name  string         // the sandbox's name in log lines, e.g. "kakaopay"
	Rules FaultRules     // the ops and kinds a fault may name
	ID    func(F) string // the one id a fault is limited to; empty for any call
	// GET /__sandbox/stats answers {"calls": {op: n}, StatsKey: …}, with
	// the calls per op per id, or only StatsOp's when it is set. The key
	// names are part of each sandbox's documented control API.
	StatsKey, StatsOp string
	// WriteJSON sends the stats the way the sandbox sends all its JSON.
	WriteJSON func(w http.ResponseWriter, status int, body any)
}

// Control is what every sandbox offers besides its provider's API: the
// count of its API calls (Calls), a queue of injected faults, validated and
// consumed by the calls they match, and the control endpoints
// /__sandbox/faults and /__sandbox/stats that tests and operators drive
// over HTTP. A sandbox routes the paths IsControlPath accepts to
// ServeHTTP, and counts and calls Take (or Serve) on every API call.
type Control[F Faulty] struct {
	Calls
	o     ControlOptions[F]
	log   *slog.Logger
	queue FaultQueue[F]
}

// The control endpoints' paths under a sandbox's handler root.
const (
	FaultsPath = "/__sandbox/faults"
	StatsPath  = "/__sandbox/stats"
)

// NewControl returns a Control configured by o that logs the faults it
// drops and applies to log (nil discards).
func NewControl[F Faulty](o ControlOptions[F], log *slog.Logger) *Control[F] {
	return &Control[F]{o: o, log: Logger(log)}
}

// Injector is the Go side of a sandbox's fault queue, the same for every
// sandbox: each one's Sandbox type embeds it (from Control.Injector), so
// that InjectFault and ClearFaults are written once, on the sandbox's own
// Fault type.
type Injector[F Faulty] struct{ c *Control[F] }

// Injector returns c's Injector, for the sandbox to embed.
func (c *Control[F]) Injector() Injector[F] { return Injector[F]{c} }

// InjectFault queues f. Faults are consumed first-in-first-out by the calls
// they match; an invalid fault is logged and dropped (POST
// /__sandbox/faults reports why instead).
func (i Injector[F]) InjectFault(f F) { i.c.Inject(f) }

// ClearFaults drops every queued fault.
func (i Injector[F]) ClearFaults() { i.c.Clear() }

// Validate reports why f cannot be applied: an unknown op or kind, a
// negative count or delay, or a status that is not an error status.
func (c *Control[F]) Validate(f F) error {
	sp := f.Shared()
	return c.o.Rules.Check(sp.Op, sp.Kind, sp.Count, sp.delay(), sp.DelayMS, sp.Status)
}

// Inject queues f. Faults are consumed first-in-first-out by the calls they
// match; an invalid fault is logged and dropped, since a Go caller has no
// answer to read, while POST /__sandbox/faults reports why.
func (c *Control[F]) Inject(f F) {
	c.queue.Inject(f, f.Shared().Count, c.Validate(f), c.log, c.o.Name)
}

// Clear drops every queued fault.
func (c *Control[F]) Clear() { c.queue.Clear() }

// Take consumes one use of the oldest fault for op that is limited to no id
// or to one of ids, and sleeps its delay first. kind is the fault's kind,
// or "" when none matched. ok is false when the client gave up during the
// delay: nobody reads an answer then, so the call should simply return.
func (c *Control[F]) Take(r *http.Request, op string, ids ...string) (f F, kind string, ok bool) {
	f, found := c.queue.Take(func(f F) bool {
		id := c.o.ID(f)
		return f.Shared().Op == op && (id == "" || slices.Contains(ids, id))
	})
	if !found {
		return f, "", true
	}
	sp := f.Shared()
	c.log.Info(c.o.Name+" sandbox: fault applied", "op", op, "kind", sp.Kind, "ids", ids)
	if d := sp.delay(); d > 0 && !Sleep(r, d) {
		return f, sp.Kind, false
	}
	return f, sp.Kind, true
}

// IsControlPath reports whether path, relative to a sandbox's handler
// root, is one of the control endpoints Control serves.
func IsControlPath(path string) bool { return path == FaultsPath || path == StatsPath }

// ServeHTTP serves the control endpoint at r's path (relative to the
// sandbox's handler root), one that IsControlPath accepts; a sandbox
// routes those paths here.
func (c *Control[F]) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == StatsPath {
		c.ServeStats(w, r)
		return
	}
	c.ServeFaults(w, r)
}

// ServeFaults is POST (queue one fault) and DELETE (clear all) on
// /__sandbox/faults. Its answers are the sandbox's own plain JSON, not the
// provider's error shape.
func (c *Control[F]) ServeFaults(w http.ResponseWriter, r *http.Request) {
	ServeFaults(w, r, func(f *F) error { return c.Validate(*f) }, c.Inject, c.Clear)
}

// ServeStats is GET /__sandbox/stats.
func (c *Control[F]) ServeStats(w http.ResponseWriter, r *http.Request) {
	ServeStats(w, r, c.stats, c.o.WriteJSON)
}

// stats is the body of GET /__sandbox/stats, its keys in that order.
func (c *Control[F]) stats() any {
	calls, byID := c.Snapshot(c.o.Rules.Ops...)
	var ids any = byID
	if c.o.StatsOp != "" {
		ids = byID[c.o.StatsOp]
	}
	return json.RawMessage(`{"calls":` + string(MustMarshal(calls)) + `,` +
		string(MustMarshal(c.o.StatsKey)) + `:` + string(MustMarshal(ids)) + `}`)
}

// DropConnection ends the handler without an answer, the way a "lost"
// fault needs: the operation has taken effect and the client must not
// learn of it. net/http (and Transport) report it to the client as a
// connection closed without a response.
func DropConnection() { panic(http.ErrAbortHandler) }

// Clock is a sandbox's clock: now, or time.Now when the options name none.
func Clock(now func() time.Time) func() time.Time {
	if now == nil {
		return time.Now
	}
	return now
}

// Logger is a sandbox's logger: l, or one that discards when the options
// name none.
func Logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}
