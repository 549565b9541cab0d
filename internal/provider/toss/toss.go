// Package toss is paybridge's adapter for Toss Payments' core API v1
// (api.tosspayments.com): Basic auth with the secret key, JSON bodies, the
// Payment object as every answer. The contract it follows is
// docs/providers.md §4.
//
// Toss has no server-side prepare. The buyer authenticates in Toss's window
// (opened by the browser SDK, or by the sandbox's window URL), comes back to
// the success URL with paymentKey, orderId and amount, and the server
// confirms with paybridge's own orderId and amount within 10 minutes.
//
// The adapter translates; it does not decide. A Payment missing what money
// depends on is unreadable, and a cancel answer must match the refund asked
// for (answer.go). Errors say what is known about the outcome (see
// errors.go), and only lookups are ever retried.
package toss

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
)

// confirmWindow is how long Ready tells the service a payment can still be
// finished. Toss's reference says an authentication can be confirmed for 10
// minutes in one place and 30 in another (docs/providers.md §4.6); the shorter
// one is taken, so paybridge never waits on a payment Toss has already let
// expire. Counting from Ready rather than from the buyer's authentication
// makes it shorter still, which only ever refuses a late return: nothing is
// charged before confirm.
const confirmWindow = 10 * time.Minute

// Toss's limits (docs/providers.md §4.2).
const (
	maxOrderName      = 100
	maxPaymentKey     = 200
	maxCancelReason   = 200
	maxIdempotencyKey = 300
)

// orderIDPattern is what Toss accepts as an orderId: 6 to 64 of
// [A-Za-z0-9_-]. paybridge's payment ids always match.
var orderIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{6,64}$`)

// customerKeyPattern is what Toss accepts as a customerKey: 2 to 300 of
// [A-Za-z0-9-_=.,@].
var customerKeyPattern = regexp.MustCompile(`^[A-Za-z0-9_=.,@-]{2,300}$`)

// codeUserCanceled is the fail URL's code when the buyer cancelled in the
// window.
const codeUserCanceled = "PAY_PROCESS_CANCELED"

// defaultCancelReason is sent when the refund has no reason: Toss requires
// cancelReason.
const defaultCancelReason = "Refund requested by the merchant"

// Ready makes no call: Toss has no server-side prepare. Nothing stops a
// buyer from editing the amount the window is opened with; what protects
// the money is that confirm sends paybridge's amount, which Toss refuses
// when it differs from the one authenticated, and that the service compares
// the return's amount before it confirms. With a WindowURL (the sandbox) it returns the window
// URL; otherwise the redirects stay empty and paybridge's checkout page
// opens Toss's SDK with CheckoutParams.
func (c *Client) Ready(_ context.Context, p *payment.Payment, urls payment.ReturnURLs) (*payment.ReadyResult, error) {
	if err := checkOrder(p); err != nil {
		return nil, err
	}
	rr := &payment.ReadyResult{ExpiresIn: confirmWindow}
	if c.windowURL != "" {
		window := c.windowURL + "/checkout?" + c.CheckoutParams(p, urls).Encode()
		// One page serves every device; the app flow opens it like mobile.
		rr.RedirectPC, rr.RedirectMobile, rr.RedirectApp = window, window, window
	}
	return rr, nil
}

// CheckoutParams are the parameters of the SDK's requestPayment for p, as
// the sandbox window takes them: clientKey, orderId, orderName (cut to
// Toss's 100 characters), amount, customerKey (only when p's customer id is
// a valid one; otherwise the buyer pays as a guest, since Toss refuses a
// malformed key), method CARD, successUrl, failUrl, and taxFreeAmount when
// p has a tax-free part. The orderId is paybridge's
// payment id, never the merchant's order id: a payment id is never reused,
// so Toss never sees two payments under one orderId, and confirm can repeat
// it from paybridge's own record. Toss has a single failUrl, for the buyer
// cancelling too (code PAY_PROCESS_CANCELED), so urls.Cancel is not used.
func (c *Client) CheckoutParams(p *payment.Payment, urls payment.ReturnURLs) url.Values {
	q := url.Values{
		"clientKey":  {c.clientKey},
		"orderId":    {p.ID},
		"orderName":  {provider.Truncate(p.OrderName, maxOrderName)},
		"amount":     {strconv.FormatInt(p.Amount, 10)},
		"method":     {"CARD"},
		"successUrl": {urls.Approval},
		"failUrl":    {urls.Fail},
	}
	if customerKeyPattern.MatchString(p.CustomerID) {
		q.Set("customerKey", p.CustomerID)
	}
	if p.TaxFreeAmount > 0 {
		q.Set("taxFreeAmount", strconv.FormatInt(p.TaxFreeAmount, 10))
	}
	return q
}

// ParseReturn reads the success URL (?paymentKey&orderId&amount&paymentType)
// or the fail URL (?code&message&orderId). It calls nothing and trusts
// nothing: Amount is only what the browser claims, for the service to
// compare with the payment before it confirms (§5 item 20).
func (c *Client) ParseReturn(q url.Values) payment.Return {
	ret := payment.Return{
		TID:          q.Get("paymentKey"),
		OrderID:      q.Get("orderId"),
		ErrorCode:    provider.Truncate(q.Get("code"), 64),
		ErrorMessage: provider.Truncate(q.Get("message"), provider.MaxProviderText),
	}
	ret.Success = ret.TID != ""
	ret.Canceled = !ret.Success && ret.ErrorCode == codeUserCanceled
	if n, err := strconv.ParseInt(q.Get("amount"), 10, 64); err == nil && n >= 0 {
		ret.Amount, ret.HasAmount = n, true
	}
	return ret
}

// Approve confirms p with the paymentKey from the buyer's return. orderId
// and amount come from p, paybridge's record, never from the return (§5
// item 20): Toss then refuses a confirm whose amount differs from what the
// buyer authenticated. It is never retried; the Idempotency-Key makes even a
// repeated request return the first result instead of acting twice.
func (c *Client) Approve(ctx context.Context, p *payment.Payment, ret payment.Return) (*payment.ProviderPayment, error) {
	if err := checkOrder(p); err != nil {
		return nil, err
	}
	switch {
	case ret.TID == "":
		return nil, payment.Errorf(payment.EINVALID, "the Toss return carried no paymentKey to confirm")
	case len(ret.TID) > maxPaymentKey:
		return nil, payment.Errorf(payment.EINVALID, "the Toss paymentKey is longer than %d characters", maxPaymentKey)
	}
	key := confirmKey(p, ret.TID)
	var resp paymentWire
	var raw []byte
	err := c.do(ctx, provider.Call{
		Op: opConfirm, Method: "POST", Path: "/v1/payments/confirm", PaymentID: p.ID,
		IdempotencyKey: key,
		Body:           confirmRequest{PaymentKey: ret.TID, OrderID: p.ID, Amount: p.Amount},
	}, provider.Keep(&resp, &raw))
	if err != nil {
		return nil, err
	}
	if err := c.checkPayment(opConfirm, &resp); err != nil {
		return nil, err
	}
	pp := c.translate(ctx, opConfirm, &resp, "")
	pp.Raw = raw
	return pp, nil
}

// confirmKey is the Idempotency-Key of a confirm of p with paymentKey.
//
// It names the paymentKey (by a hash: keys are at most 300 characters, and
// the key is logged): a return with a forged paymentKey, which anyone who
// knows the payment id can send, is refused and the payment goes back to
// ready (service.refusedReturn), and the buyer's own confirm must not then
// be answered with that refusal, stored under a shared key for 15 days. A
// repeat of the same confirm (a lost answer) keeps its key. The service
// repeats a confirm only after a lookup showed Toss did not confirm
// (p.FinishAttempts counts the repeats); each repeat gets a key of its own,
// so Toss cannot answer it with the first attempt's stored failure. A
// paymentKey is confirmed at most once whatever the key
// (ALREADY_PROCESSED_PAYMENT), so no key can charge twice.
func confirmKey(p *payment.Payment, paymentKey string) string {
	sum := sha256.Sum256([]byte(paymentKey))
	key := "confirm-" + p.ID + "-" + hex.EncodeToString(sum[:8])
	if p.FinishAttempts > 0 {
		key = fmt.Sprintf("%s-retry-%d", key, p.FinishAttempts)
	}
	return key
}

// Lookup asks Toss for p's current state: by paymentKey when paybridge has
// one, else by orderId (= p.ID) on /v1/payments/orders/{orderId}, the
// official path (§5 item 24). A payment Toss does not know (404
// NOT_FOUND_PAYMENT) is not an error but pending with RawStatus NOT_FOUND:
// by orderId Toss finds only confirmed payments. Retried on transport
// errors, 5xx and rate limits; see retryable.
func (c *Client) Lookup(ctx context.Context, p *payment.Payment) (*payment.ProviderPayment, error) {
	path := "/v1/payments/orders/" + url.PathEscape(p.ID)
	if p.ProviderTID != "" {
		path = "/v1/payments/" + url.PathEscape(p.ProviderTID)
	}
	var resp paymentWire
	var raw []byte
	err := c.t.Lookup(ctx, p.ID, func() error {
		resp, raw = paymentWire{}, nil
		return c.do(ctx, provider.Call{Op: opGet, Method: "GET", Path: path, PaymentID: p.ID}, provider.Keep(&resp, &raw))
	})
	if pe := payment.AsProviderError(err); pe != nil && pe.HTTPStatus == 404 && pe.Code == codeNotFoundPayment {
		return &payment.ProviderPayment{State: payment.ProviderPending, RawStatus: "NOT_FOUND"}, nil
	}
	if err != nil {
		return nil, err
	}
	if err := c.checkPayment(opGet, &resp); err != nil {
		return nil, err
	}
	pp := c.translate(ctx, opGet, &resp, "")
	pp.Raw = raw
	return pp, nil
}

// Cancel refunds req.Amount of p. req.Cancelable goes out as
// refundableAmount, so Toss refuses the refund if its balance differs from
// paybridge's, and req.IdempotencyKey as Idempotency-Key, so a repeated
// request returns the first result (§4.2, §5 item 23). Never retried.
//
// ApprovalID in the result is the transactionKey of this cancellation. An
// answer that is not about this refund (another paymentKey or orderId,
// another amount) is an unknown outcome (checkCanceled).
func (c *Client) Cancel(ctx context.Context, p *payment.Payment, req payment.CancelRequest) (*payment.ProviderPayment, error) {
	if p.ProviderTID == "" {
		return nil, payment.Errorf(payment.EINVALID, "the payment has no Toss paymentKey to cancel")
	}
	// Toss would read a missing or zero amount as "cancel everything".
	if err := provider.CheckCancel("Toss", req); err != nil {
		return nil, err
	}
	if len(req.IdempotencyKey) > maxIdempotencyKey {
		return nil, payment.Errorf(payment.EINVALID, "the refund's idempotency key is longer than %d characters", maxIdempotencyKey)
	}
	key := req.IdempotencyKey
	if key == "" {
		// The remaining amount is part of the key: two refunds of the same
		// amount one after the other are different refunds, and a shared
		// key would make Toss answer the second with the first's result
		// without refunding anything.
		key = fmt.Sprintf("cancel-%s-%d-of-%d", p.ID, req.Amount, req.Cancelable)
	}
	reason := provider.Truncate(req.Reason, maxCancelReason)
	if reason == "" {
		reason = defaultCancelReason
	}
	var resp paymentWire
	var raw []byte
	err := c.do(ctx, provider.Call{
		Op: opCancel, Method: "POST", Path: "/v1/payments/" + url.PathEscape(p.ProviderTID) + "/cancel",
		PaymentID: p.ID, IdempotencyKey: key,
		Body: cancelRequest{
			CancelReason:     reason,
			CancelAmount:     req.Amount,
			TaxFreeAmount:    req.TaxFreeAmount,
			RefundableAmount: req.Cancelable,
		},
	}, provider.Keep(&resp, &raw))
	if err != nil {
		return nil, err
	}
	if err := c.checkPayment(opCancel, &resp); err != nil {
		return nil, err
	}
	if err := c.checkCanceled(p, req, &resp); err != nil {
		return nil, err
	}
	pp := c.translate(ctx, opCancel, &resp, newestCancelKey(&resp))
	pp.Raw = raw
	return pp, nil
}

// checkOrder refuses a payment Toss could never accept, before anything is
// sent.
func checkOrder(p *payment.Payment) error {
	switch {
	case !orderIDPattern.MatchString(p.ID):
		return payment.Errorf(payment.EINVALID, "the payment id is not a valid Toss orderId (6-64 of A-Z a-z 0-9 _ -)")
	case p.Amount < 1:
		return payment.Errorf(payment.EINVALID, "the payment amount must be at least 1 won")
	}
	return nil
}
