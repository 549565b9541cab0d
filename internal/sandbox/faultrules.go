package sandbox

import (
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"
)

// FaultRules are the checks every sandbox's Fault shares (see Control);
// each sandbox keeps its own Fault type, since what a fault can do to an
// answer is its provider's (error bodies, declines, amounts).
type FaultRules struct {
	Ops   []string // the operations a fault may name
	Kinds []string // the kinds the sandbox implements
	// Applies, if set, reports why a known kind does not apply to op.
	Applies func(op, kind string) error
	// AllowOK admits status 200 for an "error" fault, for a provider that
	// refuses business rules with 200 and an error code (PortOne V1).
	AllowOK bool
}

// Check reports why a fault cannot be applied, for the control endpoint:
// an unknown op or kind, a negative count or delay, or a status that is
// not an error status.
func (r FaultRules) Check(op, kind string, count int, delay time.Duration, delayMS, status int) error {
	if !slices.Contains(r.Ops, op) {
		return fmt.Errorf("op %q: want %s", op, oneOf(r.Ops))
	}
	if !slices.Contains(r.Kinds, kind) {
		return fmt.Errorf("kind %q: want %s", kind, oneOf(r.Kinds))
	}
	if r.Applies != nil {
		if err := r.Applies(op, kind); err != nil {
			return err
		}
	}
	if count < 0 || delay < 0 || delayMS < 0 {
		return fmt.Errorf("count and delay must not be negative")
	}
	if status == 0 || status >= 400 && status <= 599 || r.AllowOK && status == http.StatusOK {
		return nil
	}
	if r.AllowOK {
		return fmt.Errorf("status %d: want 200 or 400-599", status)
	}
	return fmt.Errorf("status %d: want 400-599", status)
}

// oneOf lists choices as "a, b or c".
func oneOf(choices []string) string {
	if len(choices) < 2 {
		return strings.Join(choices, "")
	}
	return strings.Join(choices[:len(choices)-1], ", ") + " or " + choices[len(choices)-1]
}

// Inject queues f for count calls when check accepts it; an invalid fault
// is logged (as who, the sandbox's name) and dropped, since a Go caller
// has no answer to read, while POST /__sandbox/faults reports why.
func (q *FaultQueue[F]) Inject(f F, count int, check error, log *slog.Logger, who string) {
	if check != nil {
		log.Warn(who+" sandbox: fault dropped", "err", check)
		return
	}
	q.Add(f, count)
}

// Sleep is a "delay" fault's wait: d, or until the request's context ends
// (the client gave up). It reports whether the full time passed.
func Sleep(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}
