package kakaopay

import (
	"fmt"
	"time"
)

// Fault is a misbehaviour queued for the next matching API call, so clients
// can be tested against the failures that matter for money: slowness,
// errors, declines, and "approved but the response was lost".
//
// Kinds:
//   - "delay": sleep Delay (until the request is cancelled), then answer normally.
//   - "error": change nothing and answer the error body with Status and Code.
//   - "lost": perform the operation (an approve does approve), then drop the
//     connection without a response, whatever the operation's outcome.
//   - "amount": perform the operation, but report amount.total = Amount in
//     the approve (or, for Op "order", the order) response.
//   - "decline": refuse an approve with 400, -780 and extras; the payment
//     becomes FAIL_PAYMENT unless it was already approved. On another op it
//     only answers the same error.
//
// A Delay on another kind is slept first, then the kind applies.
type Fault struct {
	Op               string        `json:"op"`                           // "ready" | "approve" | "cancel" | "order"
	Kind             string        `json:"kind"`                         // "delay" | "error" | "lost" | "amount" | "decline"
	TID              string        `json:"tid,omitempty"`                // only for this tid (empty = any)
	Count            int           `json:"count,omitempty"`              // times to apply, 0 means 1
	Delay            time.Duration `json:"-"`                            // for "delay"
	DelayMS          int           `json:"delay_ms,omitempty"`           // JSON form of Delay
	Status           int           `json:"status,omitempty"`             // "error": HTTP status, default 500
	Code             int           `json:"code,omitempty"`               // "error": default -500; "decline": default -780
	MethodResultCode string        `json:"method_result_code,omitempty"` // "decline": default "USER_LOCKED"
	Amount           int64         `json:"amount,omitempty"`             // "amount": amount.total to report
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
	case opReady, opApprove, opCancel, opOrder:
	default:
		return fmt.Errorf("op %q: want ready, approve, cancel or order", f.Op)
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
		s.log.Warn("kakaopay sandbox: fault dropped", "err", err)
		return
	}
	s.faults.Add(f, f.Count)
}

// ClearFaults drops every queued fault.
func (s *Sandbox) ClearFaults() { s.faults.Clear() }

// takeFault consumes one use of the oldest fault matching op and tid.
func (s *Sandbox) takeFault(op, tid string) (Fault, bool) {
	f, ok := s.faults.Take(func(f Fault) bool { return f.Op == op && (f.TID == "" || f.TID == tid) })
	if ok {
		s.log.Info("kakaopay sandbox: fault applied", "op", op, "kind", f.Kind, "tid", tid)
	}
	return f, ok
}

// faultErrorAnswer is the answer of an "error" fault.
func faultErrorAnswer(f Fault) *apiError {
	e := &apiError{status: f.Status, code: f.Code, msg: "internal server error (injected by the sandbox)"}
	if e.status == 0 {
		e.status = 500
	}
	if e.code == 0 {
		e.code = -500
	}
	return e
}

// declineAnswer is the answer of a "decline" fault: KakaoPay's documented
// -780 sample, with the card/bank result in extras.
func declineAnswer(f Fault) *apiError {
	e := errApprovalFailure(map[string]string{
		"method_result_code":    f.MethodResultCode,
		"method_result_message": "승인에 실패했습니다. (sandbox)",
	})
	if f.Code != 0 {
		e.code = f.Code
	}
	if f.MethodResultCode == "" {
		e.extras["method_result_code"] = "USER_LOCKED"
	}
	if e.extras["method_result_code"] == "USER_LOCKED" {
		e.extras["method_result_message"] = "진행중인 거래가 있습니다. 잠시 후 다시 시도해 주세요."
	}
	return e
}

// decline applies a "decline" fault to the approve of tid: a payment not yet
// approved fails, so /order tells the client the truth afterwards.
func (s *Sandbox) decline(cid, tid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.payments[tid]
	if p == nil || p.cid != cid || p.approved() {
		return
	}
	s.expireIfDue(p)
	if p.unsettled() {
		p.status = statusFail
		p.pgToken = ""
	}
}
