package portone

import (
	"cmp"
	"fmt"
	"net/http"

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
//
// Op is "preRegister", "getPayment" or "cancel".
type Fault struct {
	sandbox.Fault
	PaymentID string `json:"payment_id,omitempty"` // only for this paymentId (empty = any)
	Type      string `json:"type,omitempty"`       // "error": error type, default from Status
	Message   string `json:"message,omitempty"`    // "error": message
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
	ID:        func(f Fault) string { return f.PaymentID },
	StatsKey:  "calls_by_payment_id",
	WriteJSON: writeJSON,
}

// faultErrorAnswer is the answer of an "error" fault.
func faultErrorAnswer(f Fault) *apiError {
	status := f.StatusOr(http.StatusInternalServerError)
	e := &apiError{status: status, Type: f.Type, Message: cmp.Or(f.Message, "error injected by the sandbox")}
	if e.Type == "" {
		e.Type = cmp.Or(map[int]string{
			http.StatusBadRequest:   typeInvalidRequest,
			http.StatusUnauthorized: typeUnauthorized,
			http.StatusForbidden:    typeForbidden,
			http.StatusNotFound:     typePaymentNotFound,
			http.StatusBadGateway:   typePGProvider,
		}[status], typeInternal)
	}
	if e.Type == typePGProvider {
		e.PGCode, e.PGMessage = "SANDBOX_PG_ERROR", "PG사 오류 (sandbox)"
	}
	return e
}
