// Package iamport is paybridge's adapter for PortOne V1, the iamport REST
// API at api.iamport.kr. The contract it follows is
// docs/providers.md §2 and PortOne's own V1 OpenAPI schema.
//
// A V1 payment is not approved by the server: the buyer pays inside
// PortOne's window (opened by the IMP.request_pay browser SDK), and the
// server verifies the result by looking the payment up. So Ready
// pre-registers the amount (POST /payments/prepare), Approve and Lookup read
// GET /payments/…, and Cancel refunds with the balance as a checksum.
//
// The adapter translates; it does not decide. It reports what PortOne says
// about a payment, and the service compares that with the payment it holds,
// the same way for every provider. Errors say what is known about the
// outcome (errors.go); only lookups are ever retried (retry.go); the access
// token is cached and shared (token.go).
package iamport

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
)

// maxMerchantUID is PortOne's limit on merchant_uid (§2.4); paybridge's
// payment ids are 30 characters.
const maxMerchantUID = 40

// maxName is the schema's limit on a payment's name.
const maxName = 40

// Ready pre-registers p's amount under its id (POST /payments/prepare), so
// that PortOne refuses to open its window for any other amount (§2.4). It
// is not verification: Approve's lookup is, and the service compares the
// amount there too (§5 item 13).
//
// The merchant_uid is paybridge's payment id, never the merchant's order
// id: a payment id is never reused, so PortOne never sees two payments
// under one merchant_uid, and every later call can name it from our own
// record. There is no tid yet (the imp_uid exists only once the buyer pays),
// so ReadyResult.TID is empty.
func (c *Client) Ready(ctx context.Context, p *payment.Payment, urls payment.ReturnURLs) (*payment.ReadyResult, error) {
	if p.ID == "" || len(p.ID) > maxMerchantUID {
		return nil, payment.Errorf(payment.EINVALID, "the payment id cannot be a PortOne merchant_uid (1 to %d characters)", maxMerchantUID)
	}
	if p.Amount <= 0 {
		return nil, payment.Errorf(payment.EINVALID, "a PortOne payment needs a positive amount")
	}
	if p.Currency != "" && p.Currency != payment.CurrencyKRW {
		return nil, payment.Errorf(payment.EINVALID, "the PortOne V1 adapter settles KRW only, not %s", p.Currency)
	}
	var resp prepareResponse
	err := c.call(ctx, provider.Call{
		Op: opPrepare, Method: http.MethodPost, Path: "/payments/prepare", PaymentID: p.ID,
		// The amount comes from paybridge's record, never from a browser;
		// the currency is pre-registered too, so PortOne's window refuses
		// another one.
		Body: prepareRequest{MerchantUID: p.ID, Amount: p.Amount, Currency: payment.CurrencyKRW},
	}, &resp)
	var refusal *payment.ProviderError
	if pe := payment.AsProviderError(err); pe != nil && strings.Contains(pe.Message, msgPrepared) {
		// PortOne refuses a second prepare of the same merchant_uid, even
		// with the same amount. That is a retried Ready (a timeout after
		// PortOne registered it): read the registration back and accept it
		// if it holds our amount.
		refusal, resp = pe, prepareResponse{}
		err = c.call(ctx, provider.Call{
			Op: opPrepare, Method: http.MethodGet, PaymentID: p.ID,
			Path: "/payments/prepare/" + url.PathEscape(p.ID),
		}, &resp)
	}
	if err != nil {
		return nil, err
	}
	if int64(resp.Amount) != p.Amount || (resp.Currency != "" && resp.Currency != payment.CurrencyKRW) {
		// An older registration (a retried Ready) for another amount, or
		// one without our currency check.
		held := strconv.FormatInt(int64(resp.Amount), 10)
		if resp.Currency != "" {
			held += " " + provider.Truncate(resp.Currency, 16)
		}
		detail := "merchant_uid pre-registered with amount " + held
		if refusal == nil {
			refusal = &payment.ProviderError{Provider: payment.ProviderIamport, HTTPStatus: http.StatusOK, Code: "0", Message: detail}
		} else {
			refusal.Detail = detail
		}
		// PortOne would block the buyer's window: nothing can be paid
		// under this id.
		return nil, payment.Wrap(payment.EINVALID, refusal,
			"the payment id is pre-registered at PortOne with amount %s, not %d KRW", held, p.Amount)
	}

	rr := &payment.ReadyResult{CreatedAt: c.now()}
	if c.windowURL != "" {
		// The sandbox's window. PortOne V1 has one return URL for a redirect
		// payment (m_redirect_url), used on PC and mobile alike.
		rr.RedirectPC = c.windowLink(p, urls.Approval)
		rr.RedirectMobile, rr.RedirectApp = rr.RedirectPC, rr.RedirectPC
	}
	return rr, nil
}

// windowLink is the sandbox window's URL for p, carrying what paybridge's
// checkout page would pass to IMP.request_pay.
func (c *Client) windowLink(p *payment.Payment, returnURL string) string {
	q := url.Values{
		"merchant_uid":   {p.ID},
		"amount":         {strconv.FormatInt(p.Amount, 10)},
		"name":           {provider.Truncate(p.OrderName, maxName)},
		"buyer_name":     {p.CustomerID},
		"pay_method":     {"card"},
		"m_redirect_url": {returnURL},
	}
	return c.windowURL + "/checkout?" + q.Encode()
}

// ParseReturn reads the query PortOne's window appends to m_redirect_url:
// imp_uid, merchant_uid, imp_success, error_code, error_msg (§2.6). Older
// integrations see "success" instead of "imp_success"; either is read.
// Nothing here is trusted for money: Approve looks the payment up.
func (c *Client) ParseReturn(q url.Values) payment.Return {
	success := q.Get("imp_success")
	if !q.Has("imp_success") {
		success = q.Get("success")
	}
	return payment.Return{
		Success:      strings.EqualFold(strings.TrimSpace(success), "true"),
		TID:          q.Get("imp_uid"),
		OrderID:      q.Get("merchant_uid"),
		ErrorCode:    q.Get("error_code"),
		ErrorMessage: q.Get("error_msg"),
	}
}
