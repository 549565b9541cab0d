// Package portone is paybridge's adapter for PortOne's V2 API
// (api.portone.io). The contract it follows is docs/providers.md
// §3 and PortOne's OpenAPI schema.
//
// PortOne V2 approves payments itself, inside its window: paybridge
// pre-registers the amount (Ready), the buyer pays in PortOne's window, and
// paybridge verifies the result by looking the payment up (Approve). The
// payment's id at PortOne (paymentId) is paybridge's own payment id, so
// every call can be made from paybridge's record alone.
//
// The adapter translates; it does not decide. Approve, Lookup and Cancel
// report what PortOne answered, and the service compares that with the
// payment it holds. Errors say what is known about the outcome (see
// errors.go), and only the payment lookup is ever retried.
package portone

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
)

// codeUserCanceled is the failure's pgCode when the buyer cancelled in
// PortOne's window.
const codeUserCanceled = "PAY_PROCESS_CANCELED"

func nonEmptyString(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// defaultCancelReason is sent when the refund has no reason: PortOne
// requires one.
const defaultCancelReason = "paybridge refund"

// Ready pre-registers p's amount with PortOne, so that PortOne's window
// refuses to charge any other amount for this paymentId (docs/providers.md
// §3.3), and returns where to send the buyer.
//
// The paymentId is p.ID, paybridge's own payment id, never the merchant's
// order id: a merchant may reuse an order id after a failed payment, but a
// payment id is never reused, so PortOne never sees two payments under one
// paymentId. The amount is p.Amount, fixed on the server at creation.
func (c *Client) Ready(ctx context.Context, p *payment.Payment, urls payment.ReturnURLs) (*payment.ReadyResult, error) {
	if p.Currency != "" && p.Currency != payment.CurrencyKRW {
		return nil, payment.Errorf(payment.EINVALID, "the PortOne adapter settles KRW only, not %s", p.Currency)
	}
	req := preRegisterRequest{
		StoreID:       c.storeID,
		TotalAmount:   p.Amount,
		TaxFreeAmount: p.TaxFreeAmount,
		Currency:      payment.CurrencyKRW,
	}
	// The answer is an empty object; decoding it still proves it is JSON.
	var resp struct{}
	if err := c.call(ctx, provider.Call{Op: opPreRegister, Method: http.MethodPost, Path: paymentPath(p.ID, "/pre-register"), PaymentID: p.ID, Body: req}, &resp); err != nil {
		return nil, err
	}
	rr := &payment.ReadyResult{
		// V2's paymentId is chosen by us, so it doubles as the TID.
		TID:       p.ID,
		CreatedAt: c.now(),
	}
	if c.windowURL != "" {
		// Only the sandbox has a window at a URL; PortOne's real window is
		// opened by its browser SDK from paybridge's checkout page.
		u := c.checkoutURL(p, urls.Approval)
		rr.RedirectPC, rr.RedirectMobile, rr.RedirectApp = u, u, u
	}
	return rr, nil
}

// ParseReturn reads the query PortOne's window sent the buyer back with:
// paymentId always, and code and message when the payment failed
// (transactionType and txId may also appear and are not needed). It claims;
// Approve verifies.
func (c *Client) ParseReturn(q url.Values) payment.Return {
	paymentID, code := q.Get("paymentId"), q.Get("code")
	return payment.Return{
		Success:      paymentID != "" && code == "",
		OrderID:      paymentID,
		ErrorCode:    code,
		ErrorMessage: q.Get("message"),
	}
}

// Approve verifies p after the buyer returned: PortOne has already charged
// (or not) inside its window, so verifying is a lookup. It always looks up
// p.ID, paybridge's own id, never the paymentId the browser brought back,
// which anyone can edit. The answer is translated as is: a payment PortOne
// does not know is pending with RawStatus NOT_FOUND, a failed one failed;
// comparing amount and status with p is the service's job.
//
// Being a read, the lookup is retried like Lookup's.
func (c *Client) Approve(ctx context.Context, p *payment.Payment, ret payment.Return) (*payment.ProviderPayment, error) {
	if ret.OrderID != "" && ret.OrderID != p.ID {
		c.t.Log.WarnContext(ctx, "portone return names another payment; verifying paybridge's own",
			"provider", payment.ProviderPortOne, "payment_id", p.ID)
	}
	return c.get(ctx, p.ID)
}

// Lookup asks PortOne for p's current state (GET /payments/{paymentId}) by
// p.ProviderTID, which for V2 is p.ID, or by p.ID before Ready recorded it.
// A payment PortOne does not know yet (the buyer never opened the window)
// is pending with RawStatus NOT_FOUND, not an error. Retried on transport
// errors, 5xx and unreadable answers; see retryable.
func (c *Client) Lookup(ctx context.Context, p *payment.Payment) (*payment.ProviderPayment, error) {
	id := p.ProviderTID
	if id == "" {
		id = p.ID
	}
	return c.get(ctx, id)
}

// get is the retried GET /payments/{id}, translated.
func (c *Client) get(ctx context.Context, id string) (*payment.ProviderPayment, error) {
	var query url.Values
	if c.storeID != "" {
		query = url.Values{"storeId": {c.storeID}}
	}
	var resp paymentWire
	var raw []byte
	err := c.t.Lookup(ctx, id, func() error {
		resp, raw = paymentWire{}, nil
		if err := c.call(ctx, provider.Call{Op: opGetPayment, Method: http.MethodGet, Path: paymentPath(id, ""), Query: query, PaymentID: id}, provider.Keep(&resp, &raw)); err != nil {
			return err
		}
		return c.checkPayment(&resp)
	})
	if payment.ErrorCode(err) == payment.ENOTFOUND {
		return &payment.ProviderPayment{State: payment.ProviderPending, RawStatus: rawNotFound}, nil
	}
	if err != nil {
		return nil, err
	}
	pp := c.translate(ctx, &resp)
	pp.Raw = raw
	return pp, nil
}

// errNoStatus and errNoTotal are the causes of a payment answer missing what
// money depends on.
var (
	errNoStatus = errors.New("payment has no status or id")
	errNoTotal  = errors.New("payment has no amount.total")
)

// checkPayment rejects a 200 answer without the fields money depends on.
// Reading a missing total as 0 would look like an amount mismatch, and the
// service cancels a mismatched payment: a parsing gap must not refund a good
// payment, so it is an unreadable answer (unknown outcome, looked up again).
func (c *Client) checkPayment(w *paymentWire) error {
	switch {
	case w.Status == "" || w.ID == "":
		return c.t.Unreadable(opGetPayment, http.StatusOK, errNoStatus.Error())
	case w.Amount == nil || w.Amount.Total == nil:
		return c.t.Unreadable(opGetPayment, http.StatusOK, errNoTotal.Error())
	}
	return nil
}

// translate turns a Payment into the domain's view. CanceledAmount is
// cumulative; CancelableAmount is what is left of a paid payment, and zero
// for one that was never paid (nothing can be refunded).
func (c *Client) translate(ctx context.Context, w *paymentWire) *payment.ProviderPayment {
	for name, t := range map[string]looseTime{
		"requestedAt": w.RequestedAt, "paidAt": w.PaidAt, "cancelledAt": w.CancelledAt, "failedAt": w.FailedAt,
	} {
		if t.bad() {
			c.t.Log.WarnContext(ctx, "portone sent a time that is not RFC 3339",
				"provider", payment.ProviderPortOne, "payment_id", w.ID, "field", name)
		}
	}
	if cur := string(w.Currency); cur != "" && cur != payment.CurrencyKRW {
		// paybridge pre-registers KRW, so PortOne should never report
		// another; the service refuses it (Currency below).
		c.t.Log.WarnContext(ctx, "portone reports a payment in another currency than KRW",
			"provider", payment.ProviderPortOne, "payment_id", w.ID, "currency", provider.Truncate(cur, 16))
	}
	a := w.Amount
	pp := &payment.ProviderPayment{
		TID:                   w.ID,
		OrderID:               w.ID,
		CustomerID:            string(w.Customer.V.ID),
		State:                 states.Of(w.Status),
		RawStatus:             w.Status,
		Amount:                *a.Total,
		TaxFreeAmount:         a.TaxFree,
		TaxFreeKnown:          true,
		CanceledAmount:        a.Cancelled,
		CanceledTaxFreeAmount: a.CancelledTaxFree,
		// The amounts are in it; the service compares it with the
		// payment's (16: long enough that a cut never makes "KRW").
		Currency:   provider.Truncate(string(w.Currency), 16),
		MethodType: methodTypeOf(string(w.Method.V.Type)),
		// transactionId is PortOne's id of the attempt that paid (the txId
		// of the return), the closest V2 has to an approval number.
		ApprovalID: string(w.TransactionID),
		ItemName:   string(w.OrderName),
		CreatedAt:  w.RequestedAt.Time,
		ApprovedAt: w.PaidAt.Time,
		CanceledAt: w.CancelledAt.Time,
	}
	if pp.State == payment.ProviderFailed && w.Failure.OK {
		f := w.Failure.V
		pp.FailureCode = provider.Truncate(string(f.PGCode), 64)
		pp.FailureMessage = provider.Truncate(nonEmptyString(string(f.PGMessage), string(f.Reason)), 500)
		pp.BuyerCanceled = string(f.PGCode) == codeUserCanceled
	}
	for _, cn := range w.Cancellations {
		if cn.V.Status == cancellationRequested {
			pp.PendingCancelAmount += cn.V.TotalAmount
		}
	}
	if settled(w.Status) && *a.Total > a.Cancelled {
		pp.CancelableAmount = *a.Total - a.Cancelled
	}
	if !c.acceptTest && !liveChannel(w) &&
		(pp.State == payment.ProviderPaid || pp.State == payment.ProviderPartiallyCanceled) {
		// A test-channel payment moved no money: it must never verify as
		// paid with live credentials (Rule 1: what happened to the money).
		// A channel that is missing or does not read as exactly LIVE is not
		// proof of money either: the guard fails closed.
		c.t.Log.WarnContext(ctx, "portone reports a payment not on a LIVE channel: no money was collected; refusing it",
			"provider", payment.ProviderPortOne, "payment_id", w.ID, "channel_type", provider.Truncate(string(w.Channel.V.Type), 16))
		pp.State, pp.RawStatus, pp.CancelableAmount = payment.ProviderFailed, w.Status+" (test channel)", 0
	}
	return pp
}

// channelLive is SelectedChannel.type of a live channel; TEST is the other.
const channelLive = "LIVE"

// liveChannel reports whether w's channel reads as exactly LIVE. The
// channel is decoded leniently (an odd shape must not make a refund's
// lookup unreadable), so a channel that did not decode counts as not live.
func liveChannel(w *paymentWire) bool {
	return w.Channel.OK && string(w.Channel.V.Type) == channelLive
}

// Cancel refunds req.Amount of p (POST /payments/{paymentId}/cancel). It is
// never retried. req.Cancelable goes out as currentCancellableAmount, so
// PortOne refuses the refund if its remainder differs from ours: the guard
// against refunding twice after a lost answer.
//
// PortOne answers with the cancellation only, so a SUCCEEDED one is followed
// by a lookup for the payment's state and amounts; ApprovalID is the
// cancellation's id. A SUCCEEDED one that is not this refund
// (cancellationMismatch), or a read-back of another payment, is an
// EUPSTREAM, settled by lookup. A REQUESTED one (asynchronous, docs/providers.md §5.17) is
// an EUPSTREAM: accepted but not done, to be settled by lookup. A FAILED one
// is EDECLINED.
func (c *Client) Cancel(ctx context.Context, p *payment.Payment, req payment.CancelRequest) (*payment.ProviderPayment, error) {
	if req.Amount <= 0 {
		// PortOne reads a missing amount as "everything"; paybridge always
		// names the amount, and a zero one is a bug, not a full refund.
		return nil, payment.Errorf(payment.EINVALID, "a PortOne refund needs a positive amount")
	}
	reason := req.Reason
	if reason == "" {
		reason = defaultCancelReason
	}
	body := cancelRequest{
		StoreID:                  c.storeID,
		Amount:                   req.Amount,
		TaxFreeAmount:            req.TaxFreeAmount,
		CurrentCancellableAmount: req.Cancelable,
		Reason:                   reason,
	}
	var resp cancelResponse
	if err := c.call(ctx, provider.Call{Op: opCancel, Method: http.MethodPost, Path: paymentPath(p.ID, "/cancel"), PaymentID: p.ID, Body: body}, &resp); err != nil {
		return nil, err
	}
	return c.afterCancel(ctx, p, req, resp.Cancellation)
}

// afterCancel turns the cancellation PortOne answered with into the result
// of Cancel.
func (c *Client) afterCancel(ctx context.Context, p *payment.Payment, req payment.CancelRequest, cn *cancellationWire) (*payment.ProviderPayment, error) {
	if cn == nil {
		return nil, c.t.Unreadable(opCancel, http.StatusOK, "no cancellation in the answer")
	}
	pe := &payment.ProviderError{
		Provider:   payment.ProviderPortOne,
		HTTPStatus: http.StatusOK,
		Code:       provider.Truncate(cn.Status, 64),
		Message:    "cancellation " + provider.Truncate(string(cn.ID), 100),
	}
	switch cn.Status {
	case cancellationSucceeded:
		if why := cancellationMismatch(req, cn); why != "" {
			// A refund, but not the one asked for: what was refunded is
			// settled by looking the payment up, never recorded from here.
			c.t.Log.WarnContext(ctx, "portone cancellation does not match the refund; settling it by lookup",
				"provider", payment.ProviderPortOne, "payment_id", p.ID, "reason", why)
			return nil, provider.CancelNotShown("PortOne", pe, why)
		}
		got, err := c.get(ctx, p.ID)
		if err != nil {
			// The refund is done, but the payment could not be read back;
			// the service settles it by lookup like any unknown outcome.
			return nil, payment.Wrap(payment.EUPSTREAM, errors.Join(pe, err),
				"PortOne completed the refund but the payment could not be read back; look it up")
		}
		if got.TID != p.ID {
			// The read-back is about another payment: the refund's effect
			// on this one is unknown.
			return nil, payment.Wrap(payment.EUPSTREAM, pe,
				"PortOne completed a refund but the payment read back is another; the outcome is settled by looking the payment up")
		}
		got.ApprovalID = string(cn.ID)
		if got.CanceledAt.IsZero() {
			got.CanceledAt = cn.CancelledAt.Time
		}
		return got, nil
	case cancellationRequested:
		return nil, payment.Wrap(payment.EUPSTREAM, errors.Join(pe, payment.ErrRefundAccepted),
			"PortOne accepted the refund but has not completed it yet; the outcome is settled by looking the payment up")
	case cancellationFailed:
		return nil, payment.Wrap(payment.EDECLINED, pe, "PortOne's payment gateway refused the refund; nothing was refunded")
	default:
		return nil, payment.Wrap(payment.EUPSTREAM, pe,
			"PortOne answered the refund with cancellation status %q; the outcome is unknown", provider.Truncate(cn.Status, 64))
	}
}

// cancellationMismatch says how a SUCCEEDED cancellation differs from the
// refund req asked for, or "": it must have an id, and refund exactly the
// amount and tax-free part asked (PortOne answers with this cancellation
// alone, so its totalAmount is this refund, not a cumulative one).
func cancellationMismatch(req payment.CancelRequest, cn *cancellationWire) string {
	switch {
	case cn.ID == "":
		return "a cancellation without an id"
	case cn.TotalAmount != req.Amount:
		return fmt.Sprintf("a cancellation of %d, not %d", cn.TotalAmount, req.Amount)
	case cn.TaxFreeAmount != req.TaxFreeAmount:
		return fmt.Sprintf("a cancellation with a tax-free part of %d, not %d", cn.TaxFreeAmount, req.TaxFreeAmount)
	}
	return ""
}
