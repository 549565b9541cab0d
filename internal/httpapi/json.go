package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"

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

// DecodeJSON reads a JSON object body into v strictly: Content-Type must be
// application/json, the body at most MaxBodyBytes, unknown fields and
// trailing data are rejected. On money endpoints a field we do not know is a
// mistake the caller must hear about, not something to ignore.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return payment.Errorf(payment.EUNSUPPORTED, "Content-Type must be application/json")
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		if err != nil {
			if e := decodeError(err); payment.ErrorCode(e) == payment.ETOOLARGE {
				return e
			}
		}
		return payment.Errorf(payment.EINVALID, "request body must contain a single JSON object")
	}
	return nil
}

func decodeError(err error) error {
	var (
		maxErr    *http.MaxBytesError
		syntaxErr *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &maxErr):
		return payment.Errorf(payment.ETOOLARGE, "request body must be at most %d bytes", MaxBodyBytes)
	case errors.As(err, &syntaxErr):
		return payment.Errorf(payment.EINVALID, "malformed JSON at byte %d", syntaxErr.Offset)
	case errors.As(err, &typeErr):
		if typeErr.Field != "" {
			return payment.Errorf(payment.EINVALID, "%s must be %s", typeErr.Field, jsonKind(typeErr.Type.Kind().String()))
		}
		return payment.Errorf(payment.EINVALID, "request body must be a JSON object")
	case errors.Is(err, io.EOF):
		return payment.Errorf(payment.EINVALID, "request body is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return payment.Errorf(payment.EINVALID, "malformed JSON: unexpected end of body")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return payment.Errorf(payment.EINVALID, "unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return payment.Errorf(payment.EINVALID, "malformed JSON: %s", err.Error())
}

func jsonKind(k string) string {
	switch k {
	case "int64", "int", "int32":
		return "an integer within range"
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	}
	return fmt.Sprintf("of type %s", k)
}
