package iamport

import (
	"cmp"
	"net/http"

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
//
// Op is "getToken", "prepare", "payment" or "cancel"; an "error" Status may
// be 200 or 400-599 (default 500).
type Fault struct {
	sandbox.Fault
	ID      string `json:"id,omitempty"`      // only calls naming this imp_uid or merchant_uid (empty = any)
	Code    int    `json:"code,omitempty"`    // "error": envelope code; default -1
	Message string `json:"message,omitempty"` // "error": envelope message
}

// control is this sandbox's fault rules and control API: the ops and kinds
// a Fault may name, and the stats' key names.
var control = sandbox.ControlOptions[Fault]{
	Name: "iamport",
	Rules: sandbox.FaultRules{
		Ops:   []string{opGetToken, opPrepare, opPayment, opCancel},
		Kinds: []string{sandbox.FaultDelay, sandbox.FaultError, sandbox.FaultLost, sandbox.FaultAmount},
		// 200 with a non-zero code is how PortOne refuses business rules.
		AllowOK: true,
	},
	ID:        func(f Fault) string { return f.ID },
	StatsKey:  "calls_by_id",
	WriteJSON: writeJSON,
}

// faultAnswer is the answer of an "error" fault.
func faultAnswer(f Fault) *apiError {
	return &apiError{
		status: f.StatusOr(http.StatusInternalServerError),
		code:   cmp.Or(f.Code, -1),
		msg:    cmp.Or(f.Message, "internal server error (injected by the sandbox)"),
	}
}
