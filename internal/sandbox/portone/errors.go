package portone

import (
	"fmt"
	"net/http"

	"github.com/paybridge/paybridge/internal/sandbox"
)

// apiError is PortOne's error answer: HTTP status and the {type, message}
// body every V2 error shares. PG_PROVIDER adds pgCode and pgMessage.
type apiError struct {
	status    int
	Type      string `json:"type"`
	Message   string `json:"message,omitempty"`
	PGCode    string `json:"pgCode,omitempty"`
	PGMessage string `json:"pgMessage,omitempty"`
}

func writeError(w http.ResponseWriter, e *apiError) { writeJSON(w, e.status, e) }

// writeJSON writes an answer as PortOne does.
var writeJSON = sandbox.JSON{ContentType: "application/json", Newline: true}.Write

func errf(status int, typ, format string, a ...any) *apiError {
	return &apiError{status: status, Type: typ, Message: fmt.Sprintf(format, a...)}
}

// Error types, from the error unions of PortOne's OpenAPI schema.
const (
	typeInvalidRequest   = "INVALID_REQUEST"
	typeUnauthorized     = "UNAUTHORIZED"
	typeForbidden        = "FORBIDDEN"
	typePaymentNotFound  = "PAYMENT_NOT_FOUND"
	typeAlreadyPaid      = "ALREADY_PAID"
	typeNotPaid          = "PAYMENT_NOT_PAID"
	typeAlreadyCancelled = "PAYMENT_ALREADY_CANCELLED"
	typeConsistency      = "CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN"
	typeExceeds          = "CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT"
	typeSumOfParts       = "SUM_OF_PARTS_EXCEEDS_CANCEL_AMOUNT"
	typeTaxFreeExceeds   = "CANCEL_TAX_FREE_AMOUNT_EXCEEDS_CANCELLABLE_TAX_FREE_AMOUNT"
	typeTaxExceeds       = "CANCEL_TAX_AMOUNT_EXCEEDS_CANCELLABLE_TAX_AMOUNT"
	typePGProvider       = "PG_PROVIDER"
	// The schema names no type for these; the sandbox invents them, and
	// deliberately not PAYMENT_NOT_FOUND, so that a wrong base URL is never
	// mistaken for an unknown payment.
	typeNotFound         = "NOT_FOUND"
	typeMethodNotAllowed = "METHOD_NOT_ALLOWED"
	typeInternal         = "INTERNAL_SERVER_ERROR"
)

func errInvalid(format string, a ...any) *apiError {
	return errf(http.StatusBadRequest, typeInvalidRequest, format, a...)
}

func errUnauthorized(why string) *apiError {
	return errf(http.StatusUnauthorized, typeUnauthorized, "%s", why)
}

func errForbiddenStore() *apiError {
	return errf(http.StatusForbidden, typeForbidden, "the credential has no access to this storeId")
}

func errPaymentNotFound() *apiError {
	return errf(http.StatusNotFound, typePaymentNotFound, "결제 건이 존재하지 않습니다.")
}

func errConflict(typ, msg string) *apiError { return errf(http.StatusConflict, typ, "%s", msg) }

func errNoRoute() *apiError {
	return errf(http.StatusNotFound, typeNotFound, "no such API in the PortOne sandbox")
}

func errMethod(allowed string) *apiError {
	return errf(http.StatusMethodNotAllowed, typeMethodNotAllowed, "use %s", allowed)
}
