package iamport

import (
	"net/http"
	"slices"
	"time"

	"github.com/paybridge/paybridge/internal/sandbox"
)

// Fault is a misbehaviour queued for the next matching API call, so clients
// can be tested against the failures that matter for money: slowness,
// errors, and "refunded but the response was lost".
//
// Kinds:
//   - "delay": sleep Delay (until the request is cancelled), then answer
//     normally.
//   - "error": change nothing and answer {code, message, response: null}
//     with Status (default 500), Code (default -1) and Message.
//   - "lost": perform the operation (a cancel does refund), then drop the
//     connection without a response, whatever the operation's outcome.
//   - "amount": perform the operation, but report amount = Amount in the
//     Payment (ops "payment", "cancel") or pre-registration ("prepare").
//
// A Delay on another kind is slept first, then the kind applies.
type Fault struct {
	Op      string        `json:"op"`                 // "getToken" | "prepare" | "payment" | "cancel"
	Kind    string        `json:"kind"`               // "delay" | "error" | "lost" | "amount"
	ID      string        `json:"id,omitempty"`       // only calls naming this imp_uid or merchant_uid (empty = any)
	Count   int           `json:"count,omitempty"`    // times to apply, 0 means 1
	Delay   time.Duration `json:"-"`                  // for "delay"
	DelayMS int           `json:"delay_ms,omitempty"` // JSON form of Delay
	Status  int           `json:"status,omitempty"`   // "error": HTTP status, 200 or 400-599; default 500
	Code    int           `json:"code,omitempty"`     // "error": envelope code; default -1
	Message string        `json:"message,omitempty"`  // "error": envelope message
	Amount  int64         `json:"amount,omitempty"`   // "amount": the amount to report
}

// Fault kinds.
const (
	faultDelay  = "delay"
	faultError  = "error"
	faultLost   = "lost"
	faultAmount = "amount"
)

// faultRules are the ops and kinds a Fault may name.
var faultRules = sandbox.FaultRules{
	Ops:   []string{opGetToken, opPrepare, opPayment, opCancel},
	Kinds: []string{faultDelay, faultError, faultLost, faultAmount},
	// 200 with a non-zero code is how PortOne refuses business rules.
	AllowOK: true,
}

// validate reports why f cannot be applied, for the control endpoint.
func (f Fault) validate() error {
	return faultRules.Check(f.Op, f.Kind, f.Count, f.Delay, f.DelayMS, f.Status)
}

// InjectFault queues f. Faults are consumed first-in-first-out by the calls
// they match; an invalid fault is logged and dropped (POST
// /__sandbox/faults reports why instead).
func (s *Sandbox) InjectFault(f Fault) {
	f.Delay = sandbox.FaultDelay(f.Delay, f.DelayMS)
	s.faults.Inject(f, f.Count, f.validate(), s.log, "iamport")
}

// ClearFaults drops every queued fault.
func (s *Sandbox) ClearFaults() { s.faults.Clear() }

// takeFault consumes one use of the oldest fault matching op and one of ids.
func (s *Sandbox) takeFault(op string, ids []string) (Fault, bool) {
	f, ok := s.faults.Take(func(f Fault) bool { return f.Op == op && (f.ID == "" || slices.Contains(ids, f.ID)) })
	if ok {
		s.log.Info("iamport sandbox: fault applied", "op", op, "kind", f.Kind, "id", f.ID)
	}
	return f, ok
}

// faultAnswer is the answer of an "error" fault.
func faultAnswer(f Fault) *apiError {
	e := &apiError{status: f.Status, code: f.Code, msg: f.Message}
	if e.status == 0 {
		e.status = http.StatusInternalServerError
	}
	if e.code == 0 {
		e.code = -1
	}
	if e.msg == "" {
		e.msg = "internal server error (injected by the sandbox)"
	}
	return e
}
