package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Error codes of paybridge's API ({"error":{"code":…}}).
const (
	CodeInvalid               = "invalid"                 // 400
	CodeUnauthorized          = "unauthorized"            // 401
	CodeDeclined              = "declined"                // 402
	CodeNotFound              = "not_found"               // 404
	CodeConflict              = "conflict"                // 409
	CodeIdempotencyInProgress = "idempotency_in_progress" // 409
	CodeIdempotencyKeyReused  = "idempotency_key_reused"  // 422
	CodeTooLarge              = "too_large"               // 413
	CodeUnsupportedMediaType  = "unsupported_media_type"  // 415
	CodeUpstream              = "upstream"                // 502
	CodeUnavailable           = "unavailable"             // 503
	CodeInternal              = "internal"                // 500
	// CodeProviderNotEnabled: the provider is not run by this paybridge
	// (live mode without its credentials), or not for this key's mode.
	CodeProviderNotEnabled = "provider_not_enabled" // 400
)

// Error is an error answer of the API.
type Error struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Code is the API's error code (one of the Code… constants, or a newer
	// one), or "" when the answer was not paybridge's error shape (a proxy's
	// page, say).
	Code string
	// Message is the server's message, meant for people.
	Message string
	// RequestID is the X-Request-Id of the answer, also in the server's log.
	RequestID string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("paybridge: ")
	if e.Code != "" {
		b.WriteString(e.Code + ": ")
	} else {
		fmt.Fprintf(&b, "HTTP %d: ", e.StatusCode)
	}
	b.WriteString(e.Message)
	if e.RequestID != "" {
		b.WriteString(" (request " + e.RequestID + ")")
	}
	return b.String()
}

// Is matches the sentinel errors (ErrNotFound …) by code: a target *Error
// with only a Code matches every *Error with that code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok || t.Code == "" || t.StatusCode != 0 || t.Message != "" || t.RequestID != "" {
		return false
	}
	return e.Code == t.Code
}

// Sentinels for errors.Is(err, client.ErrNotFound).
var (
	ErrInvalid               = &Error{Code: CodeInvalid}
	ErrUnauthorized          = &Error{Code: CodeUnauthorized}
	ErrDeclined              = &Error{Code: CodeDeclined}
	ErrNotFound              = &Error{Code: CodeNotFound}
	ErrConflict              = &Error{Code: CodeConflict}
	ErrIdempotencyInProgress = &Error{Code: CodeIdempotencyInProgress}
	ErrIdempotencyKeyReused  = &Error{Code: CodeIdempotencyKeyReused}
	ErrUpstream              = &Error{Code: CodeUpstream}
	ErrUnavailable           = &Error{Code: CodeUnavailable}
	ErrInternal              = &Error{Code: CodeInternal}
)

// ErrorCode returns err's API error code, or "" when err is not an *Error.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// IsInvalid reports a 400 invalid: the request was wrong.
func IsInvalid(err error) bool { return ErrorCode(err) == CodeInvalid }

// IsUnauthorized reports a missing or wrong API key.
func IsUnauthorized(err error) bool { return ErrorCode(err) == CodeUnauthorized }

// IsNotFound reports a 404: no such object, or not the key's merchant's.
func IsNotFound(err error) bool { return ErrorCode(err) == CodeNotFound }

// IsConflict reports a 409 conflict: a duplicate order id, or a state that
// forbids the request (an idempotency_in_progress answer is not one).
func IsConflict(err error) bool { return ErrorCode(err) == CodeConflict }

// IsDeclined reports that the provider refused.
func IsDeclined(err error) bool { return ErrorCode(err) == CodeDeclined }

// IsIdempotencyKeyReused reports a key reused with a different request.
func IsIdempotencyKeyReused(err error) bool { return ErrorCode(err) == CodeIdempotencyKeyReused }

// IsUpstream reports a provider failure or an unknown outcome, which
// paybridge settles by itself.
func IsUpstream(err error) bool { return ErrorCode(err) == CodeUpstream }

// decodeError turns a non-2xx answer into an *Error.
func decodeError(resp *http.Response, body []byte) *Error {
	e := &Error{StatusCode: resp.StatusCode, RequestID: resp.Header.Get("X-Request-Id")}
	var eb struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &eb) == nil && eb.Error.Code != "" {
		e.Code, e.Message = eb.Error.Code, eb.Error.Message
		return e
	}
	msg := http.StatusText(resp.StatusCode)
	if s := strings.TrimSpace(string(body)); s != "" && len(s) <= 200 && !strings.ContainsAny(s, "<\x00") {
		msg += ": " + s
	}
	e.Message = msg
	return e
}
