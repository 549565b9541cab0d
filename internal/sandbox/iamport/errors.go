package iamport

import (
	"fmt"
	"net/http"

	"github.com/paybridge/paybridge/internal/sandbox"
)

// envelopeJSON is the shape of every V1 answer (docs/providers.md §2.1): code 0
// with the result in response, or a non-zero code with message and a null
// response.
type envelopeJSON struct {
	Code     int     `json:"code"`
	Message  *string `json:"message"`
	Response any     `json:"response"`
}

// apiError is a V1 refusal.
type apiError struct {
	status int // HTTP status; 200 for PortOne's business refusals
	code   int
	msg    string
}

// writeOK writes a success envelope. message is null, as PortOne's is.
func writeOK(w http.ResponseWriter, resp any) {
	writeJSON(w, http.StatusOK, envelopeJSON{Code: 0, Response: resp})
}

// writeError writes a refusal: {code, message, response: null}.
func writeError(w http.ResponseWriter, e *apiError) {
	msg := e.msg
	writeJSON(w, e.status, envelopeJSON{Code: e.code, Message: &msg})
}

// writeJSON writes an answer as PortOne V1 does.
var writeJSON = sandbox.JSON{ContentType: "application/json; charset=utf-8", Newline: true}.Write

// Authentication failures: HTTP 401, code -1 (the swagger's 401 for every
// operation; "Unauthorized" is the message public client code checks for).
func errUnauthorized() *apiError {
	return &apiError{http.StatusUnauthorized, -1, "Unauthorized"}
}

func errBadCredentials() *apiError {
	return &apiError{http.StatusUnauthorized, -1, "imp_key, imp_secret 인증에 실패하였습니다."}
}

// errBadRequest is a malformed request: a missing or invalid parameter.
func errBadRequest(format string, a ...any) *apiError {
	return &apiError{http.StatusBadRequest, -1, fmt.Sprintf(format, a...)}
}

// errPaymentNotFound is the lookups' 404, in PortOne's words.
func errPaymentNotFound() *apiError {
	return &apiError{http.StatusNotFound, -1, "존재하지 않는 결제정보입니다."}
}

func errPrepareNotFound() *apiError {
	return &apiError{http.StatusNotFound, -1, "사전등록된 결제정보가 존재하지 않습니다."}
}

func errNoRoute(r *http.Request) *apiError {
	return &apiError{http.StatusNotFound, -1, "no such API: " + r.Method + " " + r.URL.EscapedPath()}
}

func errMethod(allowed string) *apiError {
	return &apiError{http.StatusMethodNotAllowed, -1, "method not allowed; use " + allowed}
}

// Business refusals come as HTTP 200 with code 1, which is how public
// client code shows PortOne refusing a second prepare and a cancel with
// nothing to cancel. The wording of the first two is PortOne's; the cancel
// guards' wording is the sandbox's (PortOne's is not public).
func errAlreadyPrepared() *apiError {
	return &apiError{http.StatusOK, 1, "결제정보 사전등록에 실패하였습니다(이미 등록된 merchant_uid입니다)."}
}

func errNothingToCancel() *apiError {
	return &apiError{http.StatusOK, 1, "취소할 결제건이 존재하지 않습니다."}
}

func errAllCancelled() *apiError {
	return &apiError{http.StatusOK, 1, "이미 전액취소된 주문입니다."}
}

func errChecksum(checksum, balance int64) *apiError {
	return &apiError{http.StatusOK, 1, fmt.Sprintf(
		"checksum(%d)이 취소가능잔액(%d)과 일치하지 않아 취소하지 않았습니다.", checksum, balance)}
}

func errOverCancel(amount, balance int64) *apiError {
	return &apiError{http.StatusOK, 1, fmt.Sprintf(
		"취소요청금액(%d)이 취소가능잔액(%d)을 초과합니다.", amount, balance)}
}

func errTaxFree(taxFree, amount int64) *apiError {
	return &apiError{http.StatusOK, 1, fmt.Sprintf(
		"면세금액(%d)이 취소요청금액(%d)보다 클 수 없습니다.", taxFree, amount)}
}
