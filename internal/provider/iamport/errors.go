package iamport

import (
	"errors"
	"net/http"
	"strings"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
)

// How PortOne V1's answers become paybridge error codes. The one question
// every rule answers is: is it certain that PortOne did nothing?
//
//   - EINVALID: certain, because our request or credentials were refused.
//   - EUPSTREAM: not certain. A cancel may have gone through; the service
//     must look the payment up before it decides anything.
//
// V1 has no "declined" error: a payment the card company refused is a
// payment with status "failed", reported by a lookup, so EDECLINED is never
// returned. When in doubt a rule says EUPSTREAM: a needless lookup costs
// one request, a refund wrongly called failed gets retried and pays twice.
//
// The error codes V1 uses are not documented beyond "non-zero" (§2.1).
// Public client code shows -1 (not found, unauthorised, PG failures) and 1
// (refusals such as a second prepare or a cancel with nothing to cancel),
// so codes decide nothing here: the HTTP status and, for the cancel, the
// message do.

// Messages PortOne answers with (HTTP 200, code 1) when it refuses a call
// before doing anything. The first two are PortOne's own words as public
// client code quotes them; the cancel guards' wording is not public, so
// they are matched on the words paybridge's sandbox uses ("checksum",
// "취소가능잔액") and any other wording falls to EUPSTREAM.
const (
	msgPrepared      = "이미 등록된 merchant_uid" // prepare: 결제정보 사전등록에 실패하였습니다(이미 등록된 merchant_uid입니다).
	msgNothingCancel = "취소할 결제건이 존재하지 않습니다"
	msgAllCancelled  = "이미 전액취소된"
	msgChecksum      = "checksum"
	msgOverCancel    = "취소가능잔액"
)

// cancelRefused reports whether a cancel refusal's message proves that
// nothing was refunded: no such payment, already fully refunded, or one of
// the balance guards (checksum, over-cancel) that run before the PG is
// asked.
func cancelRefused(msg string) bool {
	for _, m := range []string{msgNothingCancel, msgAllCancelled, msgChecksum, msgOverCancel} {
		if strings.Contains(msg, m) {
			return true
		}
	}
	return false
}

// classify turns an envelope with a non-zero code, or any envelope with a
// non-2xx status, into a *payment.Error wrapping PortOne's code and message.
// msg has already had secrets removed.
func classify(op string, status int, code, msg string) *payment.Error {
	pe := &payment.ProviderError{
		Provider:   payment.ProviderIamport,
		HTTPStatus: status,
		Code:       code,
		Message:    provider.Truncate(msg, provider.MaxProviderText),
	}
	switch {
	case status >= 500:
		// PortOne failed while handling the call; a cancel may have got as
		// far as the PG.
		return payment.Wrap(payment.EUPSTREAM, pe,
			"PortOne failed during the %s call (HTTP %d); the outcome is unknown", op, status)

	case status == http.StatusUnauthorized && op == opGetToken:
		return payment.Wrap(payment.EINVALID, pe,
			"PortOne rejected paybridge's REST API key or secret: a configuration problem")

	case status == http.StatusUnauthorized:
		// Authentication happens before anything else: nothing was done.
		return payment.Wrap(payment.EINVALID, pe,
			"PortOne rejected paybridge's access token for the %s call; nothing was done", op)

	case op == opCancel && cancelRefused(msg):
		return payment.Wrap(payment.EINVALID, pe,
			"PortOne refused the cancel before refunding anything (code %s)", code)

	case op == opCancel:
		// A PG's refusal ("[PG] …", code -1) or any wording we do not know:
		// PortOne may have reached the PG, so the refund may have happened.
		return payment.Wrap(payment.EUPSTREAM, pe,
			"PortOne refused the cancel with code %s; the outcome is unknown until the payment is looked up", code)

	case status == http.StatusTooManyRequests:
		return payment.Wrap(payment.EUPSTREAM, pe, "PortOne is rate-limiting the %s call", op)

	case status >= 400:
		// Lookups and pre-registration move no money, so a refusal of one
		// only says our request was wrong (a 404 lookup is handled by the
		// caller before it gets here).
		return payment.Wrap(payment.EINVALID, pe,
			"PortOne refused the %s request (HTTP %d, code %s): a request or configuration problem", op, status, code)

	default:
		// A 2xx with a non-zero code that no rule above explains.
		return payment.Wrap(payment.EUPSTREAM, pe,
			"PortOne answered the %s call with code %s; the outcome is unknown", op, code)
	}
}

// codeFailed is the code of PortOne V1's failures that are not business
// refusals: not found, unauthorised, PG failures (§2.1's example error
// body; public client code).
const codeFailed = "-1"

// errUnknownPayment marks a 404 that PortOne answered in its own envelope
// (code -1, response null): PortOne does not know the payment. decode adds
// it; isNotFound looks for it.
var errUnknownPayment = errors.New("PortOne has no such payment")

// isNotFound reports whether err is PortOne saying, in its own envelope,
// that it has no such payment: HTTP 404 with code -1 and response null. Any
// other 404 (a wrong base URL behind a proxy, a gateway's
// {"code":404,"message":…}) is an error instead, so that a misconfiguration
// never passes for "not paid yet", V2's PAYMENT_NOT_FOUND rule.
func isNotFound(err error) bool {
	return errors.Is(err, errUnknownPayment)
}
