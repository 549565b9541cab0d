package portone

import (
	"fmt"
	"net/http"
	"time"

	"github.com/paybridge/paybridge/internal/sandbox"
)

// Fault is a misbehaviour queued for the next matching API call, so clients
// can be tested against the failures that matter for money: slowness,
// errors, "refunded but the answer was lost", and wrong amounts.
//
// Kinds:
//   - "delay": sleep Delay (until the request is cancelled), then answer
//     normally.
//   - "error": change nothing and answer Status (default 500) with the
//     error body {type: Type, message: Message}. Type defaults from the
//     status: 400 INVALID_REQUEST, 401 UNAUTHORIZED, 403 FORBIDDEN, 404
//     PAYMENT_NOT_FOUND, 502 PG_PROVIDER (with pgCode and pgMessage), any
//     other INTERNAL_SERVER_ERROR.
//   - "lost": perform the operation (a cancel does refund), then drop the
//     connection without an answer, whatever the operation's outcome.
//   - "amount": perform the operation, but report Amount as amount.total
//     (getPayment) or cancellation.totalAmount (cancel).
//   - "decline": cancel only: the PG refuses, the answer is a cancellation
//     with status FAILED, and nothing is refunded.
//
// A Delay on another kind is slept first, then the kind applies.
type Fault struct {
	Op        string        `json:"op"`                   // "preRegister" | "getPayment" | "cancel"
	Kind      string        `json:"kind"`                 // "delay" | "error" | "lost" | "amount" | "decline"
	PaymentID string        `json:"payment_id,omitempty"` // only for this paymentId (empty = any)
	Count     int           `json:"count,omitempty"`      // times to apply, 0 means 1
	Delay     time.Duration `json:"-"`                    // for "delay"
	DelayMS   int           `json:"delay_ms,omitempty"`   // JSON form of Delay
	Status    int           `json:"status,omitempty"`     // "error": HTTP status, default 500
	Type      string        `json:"type,omitempty"`       // "error": error type, default from Status
	Message   string        `json:"message,omitempty"`    // "error": message
	Amount    int64         `json:"amount,omitempty"`     // "amount": the amount to report
}

// control is this sandbox's fault rules and control API: the ops and kinds
// a Fault may name, and the stats' key names.
var control = sandbox.ControlOptions[Fault]{
	Name: "portone",
	Rules: sandbox.FaultRules{
		Ops:   []string{opPreRegister, opGetPayment, opCancel},
		Kinds: []string{sandbox.FaultDelay, sandbox.FaultError, sandbox.FaultLost, sandbox.FaultAmount, sandbox.FaultDecline},
		Applies: func(op, kind string) error {
			switch {
			case kind == sandbox.FaultAmount && op == opPreRegister:
				return fmt.Errorf("kind amount applies to getPayment and cancel")
			case kind == sandbox.FaultDecline && op != opCancel:
				return fmt.Errorf("kind decline applies to cancel only")
			}
			return nil
		},
	},
	Spec:      Fault.spec,
	StatsKey:  "calls_by_payment_id",
	WriteJSON: writeJSON,
}

// spec is what the shared fault machinery reads of f.
func (f Fault) spec() sandbox.FaultSpec {
	return sandbox.FaultSpec{Op: f.Op, Kind: f.Kind, ID: f.PaymentID, Count: f.Count, Delay: f.Delay, DelayMS: f.DelayMS, Status: f.Status}
}

// InjectFault queues f. Faults are consumed first-in-first-out by the calls
// they match; an invalid fault is logged and dropped (POST /__sandbox/faults
// reports why instead).
func (s *Sandbox) InjectFault(f Fault) { s.ctl.Inject(f) }

// ClearFaults drops every queued fault.
func (s *Sandbox) ClearFaults() { s.ctl.Clear() }

// faultErrorAnswer is the answer of an "error" fault.
func faultErrorAnswer(f Fault) *apiError {
	e := &apiError{status: f.Status, Type: f.Type, Message: f.Message}
	if e.status == 0 {
		e.status = http.StatusInternalServerError
	}
	if e.Type == "" {
		e.Type = map[int]string{
			http.StatusBadRequest:   typeInvalidRequest,
			http.StatusUnauthorized: typeUnauthorized,
			http.StatusForbidden:    typeForbidden,
			http.StatusNotFound:     typePaymentNotFound,
			http.StatusBadGateway:   typePGProvider,
		}[e.status]
		if e.Type == "" {
			e.Type = typeInternal
		}
	}
	if e.Message == "" {
		e.Message = "error injected by the sandbox"
	}
	if e.Type == typePGProvider {
		e.PGCode, e.PGMessage = "SANDBOX_PG_ERROR", "PG사 오류 (sandbox)"
	}
	return e
}
