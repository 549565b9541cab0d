package kakaopay

import (
	"cmp"
	"github.com/paybridge/paybridge/internal/sandbox"
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
//     only answers the same error. With MethodResultCode USER_LOCKED
//     (KakaoPay's "a transaction is in progress") the payment is left as
//     it is on every op: that answer refuses this call, not the payment.
//
// A Delay on another kind is slept first, then the kind applies.
//
// Op is "ready", "approve", "cancel" or "order"; an "error" Status
// defaults to 500.
type Fault struct {
	sandbox.Fault
	TID              string `json:"tid,omitempty"`                // only for this tid (empty = any)
	Code             int    `json:"code,omitempty"`               // "error": default -500; "decline": default -780
	MethodResultCode string `json:"method_result_code,omitempty"` // "decline": default "CARD_DECLINED"
}

// Method result codes of a "decline". USER_LOCKED is KakaoPay's documented
// sample (docs/providers.md §1.7); CARD_DECLINED, a plain refusal by the
// card company, is the sandbox's own: KakaoPay's list of card and bank
// results is not public.
const (
	resultDeclined   = "CARD_DECLINED"
	resultUserLocked = "USER_LOCKED"
)

// inProgress reports whether f answers "a transaction is in progress",
// which changes nothing about the payment.
func (f Fault) inProgress() bool { return f.MethodResultCode == resultUserLocked }

// control is this sandbox's fault rules and control API: the ops and kinds
// a Fault may name, and the stats' key names.
var control = sandbox.ControlOptions[Fault]{
	Name: "kakaopay",
	Rules: sandbox.FaultRules{
		Ops:   []string{opReady, opApprove, opCancel, opOrder},
		Kinds: []string{sandbox.FaultDelay, sandbox.FaultError, sandbox.FaultLost, sandbox.FaultAmount, sandbox.FaultDecline},
	},
	ID:        func(f Fault) string { return f.TID },
	StatsKey:  "approve_calls_by_tid",
	StatsOp:   opApprove, // only the approves are counted by tid
	WriteJSON: writeJSON,
}

// faultErrorAnswer is the answer of an "error" fault.
func faultErrorAnswer(f Fault) *apiError {
	return &apiError{status: f.StatusOr(500), code: cmp.Or(f.Code, -500), msg: "internal server error (injected by the sandbox)"}
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
	switch f.MethodResultCode {
	case "":
		e.extras["method_result_code"] = resultDeclined
		e.extras["method_result_message"] = "카드사에서 승인을 거절했습니다. (sandbox)"
	case resultUserLocked:
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
