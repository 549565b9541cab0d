package payment

import (
	"errors"
	"fmt"
)

// Error codes. They are part of the API: the HTTP layer maps each to one
// status and shows the code to the caller.
const (
	EINVALID      = "invalid"                // the request is malformed or breaks a rule (400)
	EUNAUTHORIZED = "unauthorized"           // missing or wrong API key (401)
	ENOTFOUND     = "not_found"              // no such object, or not the caller's (404)
	ECONFLICT     = "conflict"               // the object's state forbids it, or a duplicate (409)
	EDECLINED     = "declined"               // the provider definitely refused; nothing happened (402)
	EUPSTREAM     = "upstream"               // the provider failed or its outcome is unknown (502)
	EUNAVAILABLE  = "unavailable"            // paybridge cannot serve now (503)
	EINTERNAL     = "internal"               // a bug or an infrastructure failure; details only in logs (500)
	ETOOLARGE     = "too_large"              // body over the limit (413)
	EUNSUPPORTED  = "unsupported_media_type" // wrong Content-Type (415)
	ERATELIMITED  = "rate_limited"           // too many requests with one key (429)
	// EPROVIDERNOTENABLED: the provider exists but this paybridge does not
	// run it (live mode without its credentials), or not for the caller's
	// key mode (a test key and a live provider, or the reverse) (400).
	EPROVIDERNOTENABLED = "provider_not_enabled"
)

// Error is paybridge's application error. Message is safe to show to an API
// caller; Err is the cause, logged and never shown.
type Error struct {
	Code    string
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a formatted, caller-safe message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error carrying cause for the logs.
func Wrap(code string, cause error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: cause}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the caller-safe message of err. Errors that are not
// application errors are reported as "Internal error." so that nothing about
// the infrastructure leaks.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ProviderError is what a provider said when it refused or failed a call. An
// adapter wraps it inside an *Error so the service can record the provider's
// own code and message on the payment.
type ProviderError struct {
	Provider   string // "kakaopay"
	HTTPStatus int
	Code       string // the provider's code, e.g. "-780"
	Message    string // the provider's message
	Detail     string // e.g. KakaoPay's extras.method_result_code
}

func (e *ProviderError) Error() string {
	s := fmt.Sprintf("%s: http %d: code %s: %s", e.Provider, e.HTTPStatus, e.Code, e.Message)
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return s
}

// AsProviderError returns the *ProviderError in err's chain, or nil.
func AsProviderError(err error) *ProviderError {
	var pe *ProviderError
	if errors.As(err, &pe) {
		return pe
	}
	return nil
}
