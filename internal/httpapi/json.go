package httpapi

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/paybridge/paybridge/internal/payment"
)

// MaxBodyBytes is the largest request body the API reads (1 MiB).
const MaxBodyBytes = 1 << 20

// statusOf is the one map from error code to HTTP status.
var statusOf = map[string]int{
	payment.EINVALID:            http.StatusBadRequest,
	payment.EUNAUTHORIZED:       http.StatusUnauthorized,
	payment.ENOTFOUND:           http.StatusNotFound,
	payment.ECONFLICT:           http.StatusConflict,
	payment.EDECLINED:           http.StatusPaymentRequired,
	payment.EUPSTREAM:           http.StatusBadGateway,
	payment.EUNAVAILABLE:        http.StatusServiceUnavailable,
	payment.EINTERNAL:           http.StatusInternalServerError,
	payment.ETOOLARGE:           http.StatusRequestEntityTooLarge,
	payment.EUNSUPPORTED:        http.StatusUnsupportedMediaType,
	"method_not_allowed":        http.StatusMethodNotAllowed,
	payment.EKEYREUSED:          http.StatusUnprocessableEntity,
	payment.ERATELIMITED:        http.StatusTooManyRequests,
	payment.EPROVIDERNOTENABLED: http.StatusBadRequest,
	payment.EINPROGRESS:         http.StatusConflict,
}

// ErrorStatus returns the HTTP status for an error code.
func ErrorStatus(code string) int {
	if s, ok := statusOf[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// WriteError writes the one error shape, {"error":{"code","message"}}.
// Internal and upstream errors are logged here, once; their causes never
// reach the caller.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code := payment.ErrorCode(err)
	if code == payment.EINTERNAL || code == payment.EUPSTREAM {
		log.Error("request failed", "method", r.Method, "path", r.URL.Path, "request_id", RequestID(r.Context()), "error", err)
	}
	WriteJSON(w, ErrorStatus(code), errorBody{Error: errorDetail{Code: code, Message: payment.ErrorMessage(err)}})
}

// WriteJSON writes v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
