package toss

import (
	"fmt"
	"net/http"

	"github.com/paybridge/paybridge/internal/sandbox"
)

// apiError is a Toss error answer: {"code", "message"} plus the HTTP status
// (docs/providers.md §4.5). Messages follow Toss's Korean wording where it is
// known, with the sandbox's reason appended where that helps a developer.
type apiError struct {
	status  int
	Code    string `json:"code"`
	Message string `json:"message"`
}

func writeError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, e.status, e)
}

// answers is how Toss writes JSON; no newline ends it.
var answers = sandbox.JSON{ContentType: "application/json"}

// writeJSON writes an answer; writeRaw an already encoded one, so that
// idempotent replays are byte for byte the first answer.
var (
	writeJSON = answers.Write
	writeRaw  = answers.WriteRaw
	mustJSON  = sandbox.MustMarshal
)

func newError(status int, code, msg string) *apiError {
	return &apiError{status: status, Code: code, Message: msg}
}

// errUnauthorized is every authentication failure: 401 UNAUTHORIZED_KEY,
// with why in the message.
func errUnauthorized(why string) *apiError {
	return newError(http.StatusUnauthorized, "UNAUTHORIZED_KEY", "인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다. ("+why+")")
}

func errInvalid(format string, a ...any) *apiError {
	return newError(http.StatusBadRequest, "INVALID_REQUEST", "잘못된 요청입니다. ("+fmt.Sprintf(format, a...)+")")
}

func errNotFoundPayment() *apiError {
	return newError(http.StatusNotFound, "NOT_FOUND_PAYMENT", "존재하지 않는 결제 정보 입니다.")
}

func errSessionExpired(why string) *apiError {
	return newError(http.StatusNotFound, "NOT_FOUND_PAYMENT_SESSION", "결제 시간이 만료되어 결제 진행 데이터가 존재하지 않습니다. ("+why+")")
}

func errAlreadyProcessed() *apiError {
	return newError(http.StatusBadRequest, "ALREADY_PROCESSED_PAYMENT", "이미 처리된 결제 입니다.")
}

// errAmountMismatch is the sandbox's answer to a confirm whose amount is not
// the one the buyer authenticated. Toss documents no code for this; the name
// follows Toss's NOT_MATCHES_* codes.
func errAmountMismatch(got, want int64) *apiError {
	return newError(http.StatusBadRequest, "NOT_MATCHES_AMOUNT",
		fmt.Sprintf("결제 금액이 일치하지 않습니다. (amount %d, authenticated %d)", got, want))
}

func errDuplicatedOrder() *apiError {
	return newError(http.StatusBadRequest, "DUPLICATED_ORDER_ID", "이미 승인 및 취소가 진행된 중복된 주문번호 입니다. 다른 주문번호로 진행해주세요.")
}

func errAlreadyCanceled() *apiError {
	return newError(http.StatusBadRequest, "ALREADY_CANCELED_PAYMENT", "이미 취소된 결제 입니다.")
}

func errNotCancelablePayment(status string) *apiError {
	return newError(http.StatusForbidden, "NOT_CANCELABLE_PAYMENT", "취소 할 수 없는 결제 입니다. (status "+status+")")
}

func errNotCancelableAmount(format string, a ...any) *apiError {
	return newError(http.StatusForbidden, "NOT_CANCELABLE_AMOUNT", "취소 할 수 없는 금액 입니다. ("+fmt.Sprintf(format, a...)+")")
}

// errIdempotencyReused answers a request whose Idempotency-Key was first
// used with another body. Toss documents no answer for this (it is known to
// replay the first result regardless); the sandbox refuses loudly instead,
// so that a client reusing keys finds out before it matters.
func errIdempotencyReused() *apiError {
	return newError(http.StatusUnprocessableEntity, "IDEMPOTENCY_KEY_REUSED",
		"이 멱등키는 다른 요청 본문으로 이미 사용되었습니다. (the Idempotency-Key was first used with a different body)")
}

func errNoRoute() *apiError {
	return newError(http.StatusNotFound, "NOT_FOUND", "존재하지 않는 정보 입니다. (no such API path)")
}

func errMethod(allow string) *apiError {
	return newError(http.StatusMethodNotAllowed, "INVALID_REQUEST", "잘못된 요청입니다. (this path accepts "+allow+" only)")
}
