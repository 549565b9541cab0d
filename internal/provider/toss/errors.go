package toss

import (
	"encoding/json"
	"strings"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
)

// How Toss's answers become paybridge error codes. The one question every
// rule answers is: is it certain that Toss did nothing?
//
//   - EDECLINED, EINVALID: certain. The service may fail the payment (or the
//     refund), and the buyer or merchant may simply try again.
//   - EUPSTREAM: not certain. Toss may have confirmed or cancelled. The
//     service must look the payment up before it decides anything.
//
// When in doubt a rule says EUPSTREAM: wrongly calling a confirmed payment
// failed loses the merchant's money or charges the buyer twice, whereas a
// needless lookup costs one request. Toss adds error codes without a new
// API version (§4.1), which is one more reason why an unknown code is
// EUPSTREAM.

// Toss error codes with a rule of their own (docs/providers.md §4.5 and Toss's
// error-code reference).
const (
	codeAlreadyProcessed       = "ALREADY_PROCESSED_PAYMENT"
	codeNotFoundPayment        = "NOT_FOUND_PAYMENT"
	codeNotFoundSession        = "NOT_FOUND_PAYMENT_SESSION"
	codePayProcessCanceled     = "PAY_PROCESS_CANCELED"
	codeNotCancelableAmount    = "NOT_CANCELABLE_AMOUNT"
	codeNotCancelablePayment   = "NOT_CANCELABLE_PAYMENT"
	codeAlreadyCanceledPayment = "ALREADY_CANCELED_PAYMENT"
	codeExceedMaxRefundDue     = "EXCEED_MAX_REFUND_DUE"
	codeForbiddenRequest       = "FORBIDDEN_REQUEST"
	codeInvalidRequest         = "INVALID_REQUEST"
	codeUnauthorizedKey        = "UNAUTHORIZED_KEY"
	codeInvalidAPIKey          = "INVALID_API_KEY"
	codeIncorrectBasicAuth     = "INCORRECT_BASIC_AUTH_FORMAT"
	// codeNotMatchesAmount is paybridge's sandbox answer to a confirm whose
	// amount differs from what the buyer authenticated. Toss documents no
	// code for that case; a code of this name can only mean the confirm was
	// refused, so it is a decline either way.
	codeNotMatchesAmount = "NOT_MATCHES_AMOUNT"
)

// declinedCodes prove that Toss, the card company or the bank refused the
// payment: nothing was charged. They come from the confirm section of
// Toss's error-code reference; docs/providers.md §4.5 lists a selection.
var declinedCodes = map[string]bool{
	codeNotFoundSession:                               true, // the buyer's authentication expired (10 min) or the orderId differs
	codePayProcessCanceled:                            true,
	codeNotMatchesAmount:                              true,
	"PAY_PROCESS_ABORTED":                             true,
	"REJECT_CARD_COMPANY":                             true,
	"REJECT_CARD_PAYMENT":                             true,
	"REJECT_ACCOUNT_PAYMENT":                          true,
	"REJECT_TOSSPAY_INVALID_ACCOUNT":                  true,
	"INVALID_REJECT_CARD":                             true,
	"INVALID_CARD_EXPIRATION":                         true,
	"INVALID_STOPPED_CARD":                            true,
	"INVALID_CARD_LOST_OR_STOLEN":                     true,
	"INVALID_CARD_NUMBER":                             true,
	"INVALID_PASSWORD":                                true,
	"NOT_SUPPORTED_CARD":                              true,
	"NOT_ALLOWED_POINT_USE":                           true,
	"BELOW_MINIMUM_AMOUNT":                            true,
	"EXCEED_MAX_CARD_INSTALLMENT_PLAN":                true,
	"INVALID_CARD_INSTALLMENT_PLAN":                   true,
	"NOT_SUPPORTED_INSTALLMENT_PLAN_CARD_OR_MERCHANT": true,
	"NOT_SUPPORTED_MONTHLY_INSTALLMENT_PLAN":          true,
	"EXCEED_MAX_DAILY_PAYMENT_COUNT":                  true,
	"EXCEED_MAX_PAYMENT_AMOUNT":                       true,
	"EXCEED_MAX_AMOUNT":                               true,
	"EXCEED_MAX_MONTHLY_PAYMENT_AMOUNT":               true,
	"EXCEED_MAX_ONE_DAY_AMOUNT":                       true,
	"EXCEED_MAX_ONE_DAY_WITHDRAW_AMOUNT":              true,
	"EXCEED_MAX_ONE_TIME_WITHDRAW_AMOUNT":             true,
	"EXCEED_MAX_AUTH_COUNT":                           true,
	"RESTRICTED_TRANSFER_ACCOUNT":                     true,
	"NOT_AVAILABLE_BANK":                              true,
	"NOT_AVAILABLE_PAYMENT":                           true,
	"FDS_ERROR":                                       true, // refused by fraud detection
}

// invalidCodes prove that Toss refused to act because of our request or
// credentials: nothing was done, and trying again will not help until the
// request or the configuration changes.
var invalidCodes = map[string]bool{
	codeUnauthorizedKey:        true,
	codeInvalidAPIKey:          true,
	codeIncorrectBasicAuth:     true,
	codeInvalidRequest:         true,
	codeForbiddenRequest:       true,
	codeNotFoundPayment:        true, // Toss does not know the paymentKey (Lookup treats it apart)
	codeNotCancelableAmount:    true, // includes a refundableAmount that differs from the balance
	codeNotCancelablePayment:   true,
	codeAlreadyCanceledPayment: true,
	codeExceedMaxRefundDue:     true,
}

// IsUnknownOutcome reports whether err leaves it open whether Toss acted
// (EUPSTREAM). After such a confirm or cancel the payment must be looked up
// before anything else is done with it.
func IsUnknownOutcome(err error) bool {
	return payment.ErrorCode(err) == payment.EUPSTREAM
}

// classify turns a non-2xx answer into a *payment.Error wrapping Toss's own
// code and message. The secrets (the key and the Authorization value) are
// redacted from everything Toss said, in case it ever echoes them.
func (c *Client) classify(op string, status int, body []byte) *payment.Error {
	var w errorWire
	if err := json.Unmarshal(body, &w); err != nil || strings.TrimSpace(w.Code) == "" {
		return c.t.UnreadableRefusal(op, status)
	}
	code := provider.Truncate(strings.TrimSpace(w.Code), 64)
	// Redact before truncating, so that a cut cannot split a secret and
	// leave part of it behind.
	pe := &payment.ProviderError{Provider: payment.ProviderToss, HTTPStatus: status, Code: code,
		Message: provider.Truncate(c.t.Redact(w.Message), provider.MaxProviderText)}

	switch {
	case status >= 500:
		// Toss failed while handling the call; it may have got as far as
		// confirming or cancelling, whatever the code says.
		return payment.Wrap(payment.EUPSTREAM, pe,
			"Toss failed during the %s call (HTTP %d, code %s); the outcome is unknown", op, status, safeCode(code))

	case op == opGet && declinedCodes[code]:
		// A lookup refuses nothing; a decline code here says nothing
		// about the payment.
		return payment.Wrap(payment.EUPSTREAM, pe,
			"Toss answered the lookup with code %s; the payment's state is unknown", safeCode(code))

	case declinedCodes[code]:
		return payment.Wrap(payment.EDECLINED, pe, "%s", declineMessage(op, code))

	case invalidCodes[code]:
		return payment.Wrap(payment.EINVALID, pe, "%s", invalidMessage(op, code))

	default:
		// ALREADY_PROCESSED_PAYMENT (the payment may well be confirmed: a
		// refreshed success page, §4.6), DUPLICATED_ORDER_ID, PROVIDER_ERROR,
		// FAILED_*_PROCESSING, COMMON_ERROR, UNKNOWN_ERROR,
		// FORBIDDEN_CONSECUTIVE_REQUEST, CARD_PROCESSING_ERROR and every
		// code not listed above. The service looks the payment up.
		return payment.Wrap(payment.EUPSTREAM, pe,
			"Toss refused the %s call with code %s; the outcome is unknown until the payment is looked up", op, safeCode(code))
	}
}

// declineMessage is the caller-safe message of a declined call. It names
// Toss's code and never repeats Toss's free text.
func declineMessage(op, code string) string {
	switch code {
	case codeNotFoundSession:
		return "the buyer's Toss authentication expired before the payment was confirmed (" + code + "); nothing was charged"
	case codePayProcessCanceled:
		return "the buyer cancelled the payment at Toss (" + code + ")"
	case codeNotMatchesAmount:
		return "Toss refused the confirm: the amount differs from what the buyer authenticated (" + code + "); nothing was charged"
	}
	if op == opCancel {
		return "Toss declined the refund: " + code
	}
	return "Toss declined the payment: " + code
}

// invalidMessage is the caller-safe message of a call Toss refused as
// malformed or unauthorised. It points at the cause without showing any
// configuration value.
func invalidMessage(op, code string) string {
	switch code {
	case codeUnauthorizedKey, codeInvalidAPIKey, codeIncorrectBasicAuth:
		return "Toss rejected paybridge's secret key (" + code + "): a configuration problem with the Toss keys"
	case codeForbiddenRequest:
		return "Toss refused the " + op + " request as forbidden (" + code + "): check that the client and secret keys belong to the same Toss merchant"
	case codeNotFoundPayment:
		return "Toss does not know this payment's paymentKey (" + code + "); nothing was done"
	case codeNotCancelableAmount:
		return "Toss refused the refund (" + code + "): the amount is not cancelable, or Toss's remaining balance differs from paybridge's; nothing was refunded"
	case codeNotCancelablePayment, codeAlreadyCanceledPayment, codeExceedMaxRefundDue:
		return "Toss refused the refund (" + code + "); nothing was refunded"
	default:
		return "Toss rejected the " + op + " request as invalid (" + code + "); nothing was done"
	}
}

// safeCode returns code if it looks like a Toss code (UPPER_SNAKE), so that
// it can be shown to an API caller, and "(unrecognised)" otherwise.
func safeCode(code string) string {
	if provider.IsCodeWord(code) {
		return code
	}
	return "(unrecognised)"
}
