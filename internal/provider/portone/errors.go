package portone

import (
	"encoding/json"
	"strings"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
)

// How PortOne's answers become paybridge error codes. The one question every
// rule answers is: is it certain that PortOne did nothing?
//
//   - EDECLINED, EINVALID: certain. The service may fail the payment or the
//     refund, and the merchant may try again.
//   - EUPSTREAM: not certain. PortOne (or the PG behind it) may have acted.
//     The service must look the payment up before it decides anything.
//
// When in doubt a rule says EUPSTREAM: wrongly calling a refund failed can
// refund twice on the next try, whereas a needless lookup costs one request.
// A 404 PAYMENT_NOT_FOUND on a lookup is not an error at all; it comes back
// from classify as ENOTFOUND and Lookup turns it into "pending, NOT_FOUND".

// PortOne error types (the "type" of the {type, message} error body) with a
// rule of their own, from the OpenAPI schema's error unions (docs/providers.md §3).
const (
	typeInvalidRequest   = "INVALID_REQUEST" // 400
	typeUnauthorized     = "UNAUTHORIZED"    // 401
	typeForbidden        = "FORBIDDEN"       // 403
	typePaymentNotFound  = "PAYMENT_NOT_FOUND"
	typeAlreadyPaid      = "ALREADY_PAID" // 409, pre-register
	typePGProvider       = "PG_PROVIDER"  // 502: the PG answered with an error
	typeNotPaid          = "PAYMENT_NOT_PAID"
	typeAlreadyCancelled = "PAYMENT_ALREADY_CANCELLED"
	typeConsistency      = "CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN"
	typeExceeds          = "CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT"
	typeSumOfParts       = "SUM_OF_PARTS_EXCEEDS_CANCEL_AMOUNT"
	typeTaxFreeExceeds   = "CANCEL_TAX_FREE_AMOUNT_EXCEEDS_CANCELLABLE_TAX_FREE_AMOUNT"
	typeTaxExceeds       = "CANCEL_TAX_AMOUNT_EXCEEDS_CANCELLABLE_TAX_AMOUNT"
	typeMaxCancelCount   = "MAX_CANCEL_COUNT_REACHED"
	typeNegativePromo    = "NEGATIVE_PROMOTION_ADJUSTED_CANCEL_AMOUNT"
	typePromoRetain      = "PROMOTION_DISCOUNT_RETAIN_OPTION_SHOULD_NOT_BE_CHANGED"
)

// refusedTypes are the types that prove PortOne did nothing because the
// request, the credentials or the payment's state forbade it. Each is a
// validation PortOne runs before it contacts the PG. Every type not listed
// (PG_PROVIDER, new ones) is an unknown outcome.
var refusedTypes = map[string]bool{
	typeInvalidRequest:   true,
	typeUnauthorized:     true,
	typeForbidden:        true,
	typePaymentNotFound:  true, // on pre-register or cancel: there was nothing to act on
	typeAlreadyPaid:      true,
	typeNotPaid:          true,
	typeAlreadyCancelled: true,
	typeConsistency:      true, // the double-refund guard fired: nothing refunded
	typeExceeds:          true,
	typeSumOfParts:       true,
	typeTaxFreeExceeds:   true,
	typeTaxExceeds:       true,
	typeMaxCancelCount:   true,
	typeNegativePromo:    true,
	typePromoRetain:      true,
}

// errorWire is PortOne's error body. PG_PROVIDER adds the PG's own code and
// message.
type errorWire struct {
	Type      string `json:"type"`
	Message   string `json:"message"`
	PGCode    string `json:"pgCode"`
	PGMessage string `json:"pgMessage"`
}

// classify turns a non-2xx answer into a *payment.Error wrapping PortOne's
// own type and message. The secret is redacted from everything PortOne
// said, in case it ever echoes the Authorization header back.
func (c *Client) classify(op string, status int, body []byte) *payment.Error {
	var w errorWire
	if err := json.Unmarshal(body, &w); err != nil || strings.TrimSpace(w.Type) == "" {
		return c.t.UnreadableRefusal(op, status)
	}
	pe := &payment.ProviderError{Provider: payment.ProviderPortOne, HTTPStatus: status,
		Code: provider.Truncate(strings.TrimSpace(w.Type), 64)}
	// Redact before truncating, so that a cut cannot split the secret and
	// leave part of it behind.
	pe.Message = provider.Truncate(c.t.Redact(w.Message), provider.MaxProviderText)
	if w.PGCode != "" || w.PGMessage != "" {
		pe.Detail = provider.Truncate(c.t.Redact(w.PGCode+": "+w.PGMessage), provider.MaxProviderText)
	}

	switch {
	case status >= 500:
		// PortOne or the PG failed while handling the call (PG_PROVIDER is
		// a 502): it may have got as far as refunding.
		return payment.Wrap(payment.EUPSTREAM, pe,
			"PortOne failed during the %s call (%s); the outcome is unknown", op, pe.Code)

	case pe.Code == typePaymentNotFound && status == 404 && op == opGetPayment:
		// Not an error for a lookup: the buyer has not opened PortOne's
		// window yet. Lookup reports it as pending.
		return payment.Wrap(payment.ENOTFOUND, pe, "PortOne does not know the payment")

	case refusedTypes[pe.Code]:
		return payment.Wrap(payment.EINVALID, pe, "%s", refusedMessage(op, pe.Code))

	default:
		// A type the schema does not list for this API. It may be a new
		// refusal or a new failure; nothing proves nothing happened.
		return payment.Wrap(payment.EUPSTREAM, pe,
			"PortOne refused the %s call with %s; the outcome is unknown until the payment is looked up", op, pe.Code)
	}
}

// refusedMessage is the caller-safe message of a call PortOne refused. It
// names PortOne's type (a fixed enum) and never repeats free text.
func refusedMessage(op, typ string) string {
	switch typ {
	case typeUnauthorized:
		return "PortOne rejected paybridge's credentials (" + typ + "): a configuration problem with the PortOne API secret"
	case typeForbidden:
		return "PortOne refused access (" + typ + "): a configuration problem with the PortOne API secret or store id"
	case typeConsistency:
		return "PortOne refused the refund because its cancelable amount differs from paybridge's (" + typ + "); nothing was refunded"
	default:
		return "PortOne refused the " + op + " request (" + typ + "); nothing was done"
	}
}
