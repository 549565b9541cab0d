package toss

import (
	"cmp"
	"net/http"

	"github.com/paybridge/paybridge/internal/sandbox"
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
//
// Op is "confirm", "get" or "cancel".
type Fault struct {
	sandbox.Fault
	ID      string `json:"id,omitempty"`      // only for calls naming this paymentKey or orderId (empty = any)
	Code    string `json:"code,omitempty"`    // "error", "decline": Toss's error code
	Message string `json:"message,omitempty"` // "error", "decline": the error message
}

// control is this sandbox's fault rules and control API: the ops and kinds
// a Fault may name, and the stats' key names.
var control = sandbox.ControlOptions[Fault]{
	Name: "toss",
	Rules: sandbox.FaultRules{
		Ops:   []string{opConfirm, opGet, opCancel},
		Kinds: []string{sandbox.FaultDelay, sandbox.FaultError, sandbox.FaultLost, sandbox.FaultAmount, sandbox.FaultDecline},
	},
	ID:        func(f Fault) string { return f.ID },
	StatsKey:  "calls_by_id",
	WriteJSON: writeJSON,
}

// faultErrorAnswer is the answer of an "error" fault.
func faultErrorAnswer(f Fault) *apiError {
	return newError(f.StatusOr(http.StatusInternalServerError),
		cmp.Or(f.Code, "FAILED_INTERNAL_SYSTEM_PROCESSING"),
		cmp.Or(f.Message, "내부 시스템 처리 작업이 실패했습니다. 잠시 후 다시 시도해주세요. (injected by the sandbox)"))
}

// declineAnswer is the answer of a "decline" fault.
func declineAnswer(f Fault) *apiError {
	return newError(f.StatusOr(http.StatusForbidden),
		cmp.Or(f.Code, "REJECT_CARD_COMPANY"),
		cmp.Or(f.Message, "결제 승인이 거절되었습니다. (injected by the sandbox)"))
}
