// Package kakaopay is paybridge's adapter for KakaoPay's single-payment
// (단건결제) API, in both of its generations: the current one at
// open-api.kakaopay.com (SECRET_KEY, JSON) and the legacy one at
// kapi.kakao.com (KakaoAK, form bodies). The contract it follows is
// docs/providers.md §1.
//
// The adapter translates; it does not decide. Approve and Lookup report what
// KakaoPay answered, and the service compares that with the payment it
// holds, the same way for every provider; an answer missing what money
// depends on is unreadable, and a cancel answer must match the refund asked
// for (answer.go). Errors say what is known about the outcome (see
// errors.go), and only the order lookup is ever retried.
package kakaopay

import (
	"context"
	"errors"
	"net/url"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
)

// errNoTID is the cause of a ready answer without a tid.
var errNoTID = errors.New("ready answer has no tid")

// maxItemName is KakaoPay's limit on item_name, in characters.
const maxItemName = 100

// Ready registers p with KakaoPay and returns the tid and where to send the
// buyer. The amount is fixed here; approve can only confirm it.
func (c *Client) Ready(ctx context.Context, p *payment.Payment, urls payment.ReturnURLs) (*payment.ReadyResult, error) {
	req := readyRequest{
		CID: c.cid,
		// partner_order_id is paybridge's payment id, not the merchant's
		// order id. A merchant may reuse its order id after a failed
		// prepare (the store releases it), but a payment id is never
		// reused, so KakaoPay never sees two different payments under one
		// partner_order_id, and approve can repeat it from our own record.
		PartnerOrderID: p.ID,
		PartnerUserID:  p.CustomerID,
		// KakaoPay rejects longer names; a cut name is better than a
		// payment that cannot start.
		ItemName:      provider.Truncate(p.OrderName, maxItemName),
		Quantity:      p.Quantity,
		TotalAmount:   p.Amount,
		TaxFreeAmount: p.TaxFreeAmount,
		ApprovalURL:   urls.Approval,
		CancelURL:     urls.Cancel,
		FailURL:       urls.Fail,
	}
	var resp readyResponse
	if err := c.call(ctx, opReady, p.ID, req, &resp); err != nil {
		return nil, err
	}
	c.warnBadTimes(ctx, opReady, resp.CreatedAt)
	if resp.TID == "" {
		// Without a tid the payment can be neither approved nor looked up.
		return nil, c.t.Unreadable(opReady, 200, errNoTID.Error())
	}
	return &payment.ReadyResult{
		TID:              resp.TID,
		CID:              c.cid, // ready's answer has no cid; it is the one we sent
		RedirectPC:       resp.NextRedirectPCURL,
		RedirectMobile:   resp.NextRedirectMobileURL,
		RedirectApp:      resp.NextRedirectAppURL,
		AndroidAppScheme: resp.AndroidAppScheme,
		IOSAppScheme:     resp.IOSAppScheme,
		CreatedAt:        resp.CreatedAt.Time,
	}, nil
}

// Approve finishes p with the buyer's pg_token. Every other field comes from
// p, i.e. from paybridge's own record of the ready call, never from the
// browser (docs/providers.md §5.1). It is never retried: a repeated approve is a
// -702 at best. The answer is translated as is; comparing it with p is the
// service's job.
//
// A successful approve's answer has no status and no cancel amounts: State
// is ProviderPaid, RawStatus SUCCESS_PAYMENT, and CanceledAmount and
// CancelableAmount are left zero. An answer without the tid or the amount
// is unreadable (checkApproved), never "paid, 0 won".
func (c *Client) Approve(ctx context.Context, p *payment.Payment, ret payment.Return) (*payment.ProviderPayment, error) {
	token := ret.Token
	if p.ProviderTID == "" {
		return nil, payment.Errorf(payment.EINVALID, "the payment has no KakaoPay tid to approve")
	}
	if token == "" {
		return nil, payment.Errorf(payment.EINVALID, "the KakaoPay approval is missing its pg_token")
	}
	req := approveRequest{
		CID:            c.cidFor(p),
		TID:            p.ProviderTID,
		PartnerOrderID: p.ID, // must equal ready's: see Ready
		PartnerUserID:  p.CustomerID,
		PGToken:        token,
		TotalAmount:    p.Amount,
	}
	var resp approveResponse
	var raw []byte
	if err := c.call(ctx, opApprove, p.ID, req, provider.Keep(&resp, &raw)); err != nil {
		return nil, err
	}
	if err := c.checkApproved(&resp); err != nil {
		return nil, err
	}
	c.warnBadTimes(ctx, opApprove, resp.CreatedAt, resp.ApprovedAt)
	return &payment.ProviderPayment{
		TID:           resp.TID,
		CID:           resp.CID,
		OrderID:       resp.PartnerOrderID,
		CustomerID:    resp.PartnerUserID,
		State:         payment.ProviderPaid,
		RawStatus:     statusSuccessPayment,
		Amount:        resp.Amount.Total,
		TaxFreeAmount: resp.Amount.TaxFree,
		TaxFreeKnown:  true,
		MethodType:    resp.PaymentMethodType,
		ApprovalID:    resp.AID,
		ItemName:      resp.ItemName,
		Quantity:      resp.Quantity,
		CreatedAt:     resp.CreatedAt.Time,
		ApprovedAt:    resp.ApprovedAt.Time,
		Raw:           raw,
	}, nil
}

// Lookup asks KakaoPay for p's current state (POST …/order). Being
// read-only, it is retried on transport errors and 5xx; see provider.Transport.Lookup.
func (c *Client) Lookup(ctx context.Context, p *payment.Payment) (*payment.ProviderPayment, error) {
	if p.ProviderTID == "" {
		// KakaoPay can look orders up only by tid (docs/providers.md §1.6).
		return nil, payment.Errorf(payment.EINVALID, "the payment has no KakaoPay tid to look up")
	}
	req := orderRequest{CID: c.cidFor(p), TID: p.ProviderTID}
	var resp orderResponse
	var raw []byte
	err := c.t.Lookup(ctx, p.ID, func() error {
		resp, raw = orderResponse{}, nil
		return c.call(ctx, opOrder, p.ID, req, provider.Keep(&resp, &raw))
	})
	if err != nil {
		return nil, err
	}
	if err := c.checkOrdered(&resp.paymentState); err != nil {
		return nil, err
	}
	pp := c.translateState(ctx, opOrder, &resp.paymentState, approvalAID(resp.PaymentActionDetails))
	pp.Raw = raw
	return pp, nil
}

// Cancel refunds req.Amount of p. req.Cancelable goes out as
// cancel_available_amount, so KakaoPay refuses the refund if its remainder
// differs from ours: the guard against refunding twice. Never retried. An
// answer that is not about this refund (another tid or order, another
// amount) is an unknown outcome (checkCanceled).
//
// ApprovalID in the result is the aid of this cancellation, not of the
// original approval.
func (c *Client) Cancel(ctx context.Context, p *payment.Payment, req payment.CancelRequest) (*payment.ProviderPayment, error) {
	if p.ProviderTID == "" {
		return nil, payment.Errorf(payment.EINVALID, "the payment has no KakaoPay tid to cancel")
	}
	body := cancelRequest{
		CID:                   c.cidFor(p),
		TID:                   p.ProviderTID,
		CancelAmount:          req.Amount,
		CancelTaxFreeAmount:   req.TaxFreeAmount,
		CancelAvailableAmount: req.Cancelable,
	}
	var resp cancelResponse
	var raw []byte
	if err := c.call(ctx, opCancel, p.ID, body, provider.Keep(&resp, &raw)); err != nil {
		return nil, err
	}
	if err := c.checkCanceled(p, req, &resp); err != nil {
		return nil, err
	}
	pp := c.translateState(ctx, opCancel, &resp.paymentState, resp.AID)
	pp.Raw = raw
	return pp, nil
}

// translateState turns an order or cancel answer into the domain's view.
// CanceledAmount is cumulative (a cancel's own refund included).
func (c *Client) translateState(ctx context.Context, op string, st *paymentState, aid string) *payment.ProviderPayment {
	c.warnBadTimes(ctx, op, st.CreatedAt, st.ApprovedAt, st.CanceledAt)
	return &payment.ProviderPayment{
		TID:                   st.TID,
		CID:                   st.CID,
		OrderID:               st.PartnerOrderID,
		CustomerID:            st.PartnerUserID,
		State:                 states.Of(st.Status),
		RawStatus:             st.Status,
		Amount:                st.Amount.Total,
		TaxFreeAmount:         st.Amount.TaxFree,
		TaxFreeKnown:          true,
		CanceledAmount:        st.CanceledAmount.Total,
		CanceledTaxFreeAmount: st.CanceledAmount.TaxFree,
		CancelableAmount:      st.CancelAvailableAmount.Total,
		MethodType:            st.PaymentMethodType,
		ApprovalID:            aid,
		ItemName:              st.ItemName,
		Quantity:              st.Quantity,
		CreatedAt:             st.CreatedAt.Time,
		ApprovedAt:            st.ApprovedAt.Time,
		CanceledAt:            st.CanceledAt.Time,
	}
}

// ParseReturn reads the approval URL's query. KakaoPay appends only
// pg_token; the buyer finished only if it is there. The cancel and fail
// URLs carry nothing documented (docs/providers.md §1.3): the service looks the
// order up instead of reading them.
func (c *Client) ParseReturn(q url.Values) payment.Return {
	tok := q.Get("pg_token")
	return payment.Return{Success: tok != "", Token: tok}
}

// cidFor is the CID p was readied with. A tid belongs to its CID, so after a
// configuration change old payments must still use the CID they started
// with.
func (c *Client) cidFor(p *payment.Payment) string {
	if p.ProviderCID != "" {
		return p.ProviderCID
	}
	return c.cid
}

// approvalAID is the aid of the approval in an order's history.
func approvalAID(details []paymentAction) string {
	for _, d := range details {
		if d.PaymentActionType == actionPayment {
			return d.AID
		}
	}
	return ""
}
