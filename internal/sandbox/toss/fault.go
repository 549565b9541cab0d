package toss

import (
	"fmt"
	"net/http"
	"slices"
	"time"
)

// Fault is a misbehaviour queued for the next matching API call, so clients
// can be tested against the failures that matter for money: slowness,
// errors, declines, and "confirmed but the response was lost".
//
// Kinds:
//   - "delay": sleep Delay (until the request is cancelled), then answer
//     normally.
//   - "error": change nothing and answer Status (default 500) with Code
//     (default FAILED_INTERNAL_SYSTEM_PROCESSING) and Message.
//   - "lost": perform the operation (a confirm does confirm, a cancel does
//     refund, and its Idempotency-Key answer is stored), then drop the
//     connection without a response, whatever the operation's outcome.
//   - "amount": perform the operation, but report totalAmount = Amount in
//     the response (confirm, get, cancel); the stored replay keeps the
//     truth.
//   - "decline": a confirm of an IN_PROGRESS payment is refused with Status
//     (default 403) and Code (default REJECT_CARD_COMPANY) and the payment
//     becomes ABORTED with that failure; a cancel is refused the same way
//     and changes nothing; a lookup just answers the error.
//
// A Delay on another kind is slept first, then the kind applies.
type Fault struct {
	Op      string        `json:"op"`                 // "confirm" | "get" | "cancel"
	Kind    string        `json:"kind"`               // "delay" | "error" | "lost" | "amount" | "decline"
	ID      string        `json:"id,omitempty"`       // only for calls naming this paymentKey or orderId (empty = any)
	Count   int           `json:"count,omitempty"`    // times to apply, 0 means 1
	Delay   time.Duration `json:"-"`                  // for "delay"
	DelayMS int           `json:"delay_ms,omitempty"` // JSON form of Delay
	Status  int           `json:"status,omitempty"`   // "error", "decline": the HTTP status
	Code    string        `json:"code,omitempty"`     // "error", "decline": Toss's error code
	Message string        `json:"message,omitempty"`  // "error", "decline": the error message
	Amount  int64         `json:"amount,omitempty"`   // "amount": totalAmount to report
}

// Fault kinds.
const (
	faultDelay   = "delay"
	faultError   = "error"
	faultLost    = "lost"
	faultAmount  = "amount"
	faultDecline = "decline"
)

// validate reports why f cannot be applied, for the control endpoint.
func (f Fault) validate() error {
	switch f.Op {
	case opConfirm, opGet, opCancel:
	default:
		return fmt.Errorf("op %q: want confirm, get or cancel", f.Op)
	}
	switch f.Kind {
	case faultDelay, faultError, faultLost, faultAmount, faultDecline:
	default:
		return fmt.Errorf("kind %q: want delay, error, lost, amount or decline", f.Kind)
	}
	if f.Count < 0 || f.Delay < 0 || f.DelayMS < 0 {
		return fmt.Errorf("count and delay must not be negative")
	}
	if f.Status != 0 && (f.Status < 400 || f.Status > 599) {
		return fmt.Errorf("status %d: want 400-599", f.Status)
	}
	return nil
}

// InjectFault queues f. Faults are consumed first-in-first-out by the calls
// they match; an invalid fault is logged and dropped (POST /__sandbox/faults
// reports why instead).
func (s *Sandbox) InjectFault(f Fault) {
	if f.Delay == 0 {
		f.Delay = time.Duration(f.DelayMS) * time.Millisecond
	}
	if err := f.validate(); err != nil {
		s.log.Warn("toss sandbox: fault dropped", "err", err)
		return
	}
	s.faults.Add(f, f.Count)
}

// ClearFaults drops every queued fault.
func (s *Sandbox) ClearFaults() { s.faults.Clear() }

// takeFault consumes one use of the oldest fault matching op and one of ids.
func (s *Sandbox) takeFault(op string, ids []string) (Fault, bool) {
	f, ok := s.faults.Take(func(f Fault) bool { return f.Op == op && (f.ID == "" || slices.Contains(ids, f.ID)) })
	if ok {
		s.log.Info("toss sandbox: fault applied", "op", op, "kind", f.Kind, "id", f.ID)
	}
	return f, ok
}

// faultErrorAnswer is the answer of an "error" fault.
func faultErrorAnswer(f Fault) *apiError {
	e := newError(f.Status, f.Code, f.Message)
	if e.status == 0 {
		e.status = http.StatusInternalServerError
	}
	if e.Code == "" {
		e.Code = "FAILED_INTERNAL_SYSTEM_PROCESSING"
	}
	if e.Message == "" {
		e.Message = "내부 시스템 처리 작업이 실패했습니다. 잠시 후 다시 시도해주세요. (injected by the sandbox)"
	}
	return e
}

// declineAnswer is the answer of a "decline" fault.
func declineAnswer(f Fault) *apiError {
	e := newError(f.Status, f.Code, f.Message)
	if e.status == 0 {
		e.status = http.StatusForbidden
	}
	if e.Code == "" {
		e.Code = "REJECT_CARD_COMPANY"
	}
	if e.Message == "" {
		e.Message = "결제 승인이 거절되었습니다. (injected by the sandbox)"
	}
	return e
}
