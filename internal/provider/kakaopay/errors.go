package kakaopay

import (
	"encoding/json"
	"strings"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
)

// How KakaoPay's answers become paybridge error codes. The one question every
// rule answers is: is it certain that KakaoPay did nothing?
//
//   - EDECLINED, EINVALID: certain. The service may fail the payment, and
//     the buyer or merchant may simply try again.
//   - EUPSTREAM: not certain. KakaoPay may have approved or cancelled. The
//     service must look the payment up (/order) before it decides anything.
//
// When in doubt a rule says EUPSTREAM: wrongly calling an approved payment
// failed loses the merchant's money or, after a retry, charges the buyer
// twice, whereas a needless lookup costs one request. The codes come from
// docs/providers.md §1.7, most of them from a single third-party source, which is
// one more reason why unknown codes are EUPSTREAM.

// KakaoPay error codes with a rule of their own.
const (
	codeBadRequest      = "-2"   // invalid parameter
	codeNoAuthHeader    = "-400" // Authorization header missing
	codeBadKey          = "-401" // invalid key
	codeNotRegistered   = "-403" // online payment not enabled for the app
	codeWrongURL        = "-404" // wrong URL
	codeQuota           = "-429" // daily quota exceeded
	codeInternal        = "-500" // KakaoPay internal error
	codeMaintenance     = "-503" // KakaoPay maintenance
	codeAlreadyApproved = "-702" // approve on a tid already approved
	codeBadCID          = "-731" // invalid CID
	codeApprovalFailure = "-780" // the card company or bank refused
	codeApproveStage    = "-781" // approve-stage error, meaning undocumented
	codeDuplicate       = "-785" // duplicate payment or cancel request
)

// extras.method_result_code values of a -780 that prove nothing about the
// money (docs/providers.md §1.7, shared reference §5 item 4):
//   - BANK_FIRM_UNKNOWN: the bank's result never arrived;
//   - USER_LOCKED ("진행중인 거래가 있습니다"): another transaction of this
//     buyer is in progress. The sweep repeats an approve whose first attempt
//     timed out, and that first attempt may be the transaction in progress:
//     read as a decline, the payment would fail and the first approve would
//     then charge the buyer for it.
const (
	methodResultBankUnknown = "BANK_FIRM_UNKNOWN"
	methodResultUserLocked  = "USER_LOCKED"
)

// IsUnknownOutcome reports whether err leaves it open whether KakaoPay acted
// (EUPSTREAM). After such an approve or cancel the payment must be looked up
// before anything else is done with it.
func IsUnknownOutcome(err error) bool {
	return payment.ErrorCode(err) == payment.EUPSTREAM
}

// classify turns a non-2xx answer into a *payment.Error wrapping the
// provider's own code and message. The key is redacted from everything
// KakaoPay said, in case it ever echoes the Authorization header back.
func (c *Client) classify(op string, status int, body []byte) *payment.Error {
	eb, ok := parseErrorBody(body)
	if !ok {
		return c.t.UnreadableRefusal(op, status)
	}
	pe := &payment.ProviderError{Provider: payment.ProviderKakaoPay, HTTPStatus: status, Code: eb.code}
	// Redact before truncating, so that a cut cannot split the key and
	// leave part of it behind.
	pe.Message = provider.Truncate(c.t.Redact(eb.message), provider.MaxProviderText)
	if eb.resultCode != "" || eb.resultMessage != "" {
		pe.Detail = provider.Truncate(c.t.Redact(eb.resultCode+": "+eb.resultMessage), provider.MaxProviderText)
	}

	switch code := eb.code; {
	case status >= 500 || code == codeInternal || code == codeMaintenance:
		// KakaoPay failed while handling the call; it may have got as far
		// as approving or cancelling (docs/providers.md §1.7: "query /order").
		return payment.Wrap(payment.EUPSTREAM, pe,
			"KakaoPay failed during the %s call (code %s); the outcome is unknown", op, code)

	case code == codeApprovalFailure && eb.resultCode == methodResultBankUnknown:
		// The bank's answer never reached KakaoPay: the money may have moved.
		return payment.Wrap(payment.EUPSTREAM, pe,
			"KakaoPay did not get the bank's result (%s); the outcome is unknown", methodResultBankUnknown)

	case code == codeApprovalFailure && eb.resultCode == methodResultUserLocked:
		// A transaction is in progress, perhaps our own earlier approve:
		// it may still charge the buyer.
		return payment.Wrap(payment.EUPSTREAM, pe,
			"KakaoPay reports a transaction in progress (%s); the outcome is unknown", methodResultUserLocked)

	case code == codeApprovalFailure:
		// The card company or bank refused (limit, card or account
		// refused): nothing was charged.
		return payment.Wrap(payment.EDECLINED, pe, "%s", declineMessage(op, eb.resultCode))

	case code == codeBadRequest || code == codeNoAuthHeader || code == codeBadKey ||
		code == codeNotRegistered || code == codeWrongURL || code == codeBadCID:
		// KakaoPay refused to consider the call at all: bad parameters or
		// credentials. Nothing happened, and retrying will not help until
		// the configuration or the request is fixed.
		return payment.Wrap(payment.EINVALID, pe, "%s", invalidMessage(op, code))

	default:
		// -702 (already approved), -785 (duplicate), -429 (quota), -781
		// (undocumented) and every code not listed above. A 4xx does not
		// prove nothing happened: -702 and -785 even say something did.
		// The service looks the payment up and follows its status.
		return payment.Wrap(payment.EUPSTREAM, pe,
			"KakaoPay refused the %s call with code %s; the outcome is unknown until the payment is looked up", op, code)
	}
}

// declineMessage is the caller-safe message of a -780. It names KakaoPay's
// result code when that looks like one, and never repeats free text.
func declineMessage(op, resultCode string) string {
	what := "the payment"
	if op != opApprove {
		what = "the " + op + " request"
	}
	if provider.IsCodeWord(resultCode) {
		return "KakaoPay declined " + what + ": " + resultCode
	}
	return "KakaoPay declined " + what
}

// invalidMessage is the caller-safe message of a call KakaoPay refused as
// malformed or unauthorised. It points at the configuration without showing
// any of it.
func invalidMessage(op, code string) string {
	switch code {
	case codeNoAuthHeader, codeBadKey:
		return "KakaoPay rejected paybridge's credentials (code " + code + "): a configuration problem with the KakaoPay key"
	case codeNotRegistered:
		return "KakaoPay has not enabled online payments for the configured key (code " + code + "): a configuration problem"
	case codeWrongURL:
		return "KakaoPay does not know the API address (code " + code + "): a configuration problem with the KakaoPay base URL"
	case codeBadCID:
		return "KakaoPay rejected the CID (code " + code + "): a configuration problem with the KakaoPay CID"
	default:
		return "KakaoPay rejected the " + op + " request as invalid (code " + code + "): a request or configuration problem; nothing was done"
	}
}

// errorWire holds both generations' error shapes: legacy {code, msg, extras}
// and current {error_code, error_message, extras}. Both are read whatever the
// generation, since nothing guarantees a gateway or a future API version
// sticks to one (docs/providers.md §5.5).
type errorWire struct {
	Code         json.RawMessage `json:"code"`
	Msg          looseString     `json:"msg"`
	ErrorCode    json.RawMessage `json:"error_code"`
	ErrorMessage looseString     `json:"error_message"`
	Extras       json.RawMessage `json:"extras"`
}

// errorBody is an error answer reduced to what classify needs.
type errorBody struct {
	code          string // normalised: "-780"
	message       string
	resultCode    string // extras.method_result_code
	resultMessage string // extras.method_result_message
}

// parseErrorBody reads either error shape. It fails when the body is not a
// JSON object or carries no code: without a code nothing can be concluded.
func parseErrorBody(body []byte) (errorBody, bool) {
	var w errorWire
	if err := json.Unmarshal(body, &w); err != nil {
		return errorBody{}, false
	}
	var eb errorBody
	if c, ok := provider.Code(w.ErrorCode); ok {
		eb.code, eb.message = c, string(w.ErrorMessage)
	} else if c, ok := provider.Code(w.Code); ok {
		eb.code, eb.message = c, string(w.Msg)
	} else {
		return errorBody{}, false
	}
	if eb.message == "" {
		eb.message = string(w.ErrorMessage) + string(w.Msg)
	}
	// extras is optional and informational; a strange one is ignored
	// rather than hiding the code next to it.
	var extras map[string]looseString
	if len(w.Extras) > 0 && json.Unmarshal(w.Extras, &extras) == nil {
		eb.resultCode = strings.TrimSpace(string(extras["method_result_code"]))
		eb.resultMessage = string(extras["method_result_message"])
	}
	return eb, true
}
