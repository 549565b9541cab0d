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

// Fault kinds.
const (
	faultDelay   = "delay"
	faultError   = "error"
	faultLost    = "lost"
	faultAmount  = "amount"
	faultDecline = "decline"
)

// faultRules are the ops and kinds a Fault may name.
var faultRules = sandbox.FaultRules{
	Ops:   []string{opPreRegister, opGetPayment, opCancel},
	Kinds: []string{faultDelay, faultError, faultLost, faultAmount, faultDecline},
	Applies: func(op, kind string) error {
		switch {
		case kind == faultAmount && op == opPreRegister:
			return fmt.Errorf("kind amount applies to getPayment and cancel")
		case kind == faultDecline && op != opCancel:
			return fmt.Errorf("kind decline applies to cancel only")
		}
		return nil
	},
}

// validate reports why f cannot be applied, for the control endpoint.
func (f Fault) validate() error {
	return faultRules.Check(f.Op, f.Kind, f.Count, f.Delay, f.DelayMS, f.Status)
}

// InjectFault queues f. Faults are consumed first-in-first-out by the calls
// they match; an invalid fault is logged and dropped (POST /__sandbox/faults
// reports why instead).
func (s *Sandbox) InjectFault(f Fault) {
	f.Delay = sandbox.FaultDelay(f.Delay, f.DelayMS)
	s.faults.Inject(f, f.Count, f.validate(), s.log, "portone")
}

// ClearFaults drops every queued fault.
func (s *Sandbox) ClearFaults() { s.faults.Clear() }

// takeFault consumes one use of the oldest fault matching op and paymentID.
func (s *Sandbox) takeFault(op, paymentID string) (Fault, bool) {
	f, ok := s.faults.Take(func(f Fault) bool { return f.Op == op && (f.PaymentID == "" || f.PaymentID == paymentID) })
	if ok {
		s.log.Info("portone sandbox: fault applied", "op", op, "kind", f.Kind, "payment_id", paymentID)
	}
	return f, ok
}

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
