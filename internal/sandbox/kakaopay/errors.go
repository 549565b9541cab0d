package kakaopay

import (
	"fmt"
	"net/http"

	"github.com/paybridge/paybridge/internal/sandbox"
)

// apiError is a KakaoPay error answer, before it is given its generation's
// shape by writeError.
type apiError struct {
	status int
	code   int
	msg    string
	extras map[string]string
}

// legacyError is kapi.kakao.com's error body.
type legacyError struct {
	Code   int               `json:"code"`
	Msg    string            `json:"msg"`
	Extras map[string]string `json:"extras,omitempty"`
}

// currentError is open-api.kakaopay.com's error body: the same content under
// other names, which is exactly what clients parsing only one shape miss.
type currentError struct {
	ErrorCode    int               `json:"error_code"`
	ErrorMessage string            `json:"error_message"`
	Extras       map[string]string `json:"extras,omitempty"`
}

func writeError(w http.ResponseWriter, gen generation, e *apiError) {
	var body any = legacyError{e.code, e.msg, e.extras}
	if gen == current {
		body = currentError{e.code, e.msg, e.extras}
	}
	writeJSON(w, e.status, body)
}

// writeJSON writes an answer as KakaoPay does, charset and all.
var writeJSON = sandbox.JSON{ContentType: "application/json;charset=UTF-8", Newline: true}.Write

func errMissingAuth() *apiError {
	return &apiError{status: http.StatusUnauthorized, code: -400, msg: "Authorization header is missing"}
}

func errBadKey(why string) *apiError {
	return &apiError{status: http.StatusUnauthorized, code: -401, msg: "invalid key: " + why}
}

// errInvalid is KakaoPay's common "invalid parameter" answer, -2.
func errInvalid(format string, a ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: -2, msg: "invalid request: " + fmt.Sprintf(format, a...)}
}

func errInvalidCID() *apiError {
	return &apiError{status: http.StatusBadRequest, code: -731, msg: "invalid cid"}
}

func errAlreadyApproved() *apiError {
	return &apiError{status: http.StatusBadRequest, code: -702, msg: "payment already approved"}
}

// errApprovalFailure is -780 with KakaoPay's sample message; extras is nil
// unless a card/bank result is to be reported.
func errApprovalFailure(extras map[string]string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: -780, msg: "approval failure!", extras: extras}
}

func errNotFound() *apiError {
	return &apiError{status: http.StatusNotFound, code: -404, msg: "wrong URL: no such API"}
}

func errMethod() *apiError {
	return &apiError{status: http.StatusMethodNotAllowed, code: -404, msg: "wrong URL: payment APIs accept POST only"}
}
