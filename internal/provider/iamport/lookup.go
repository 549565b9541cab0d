package iamport

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
)

// reasonUserCanceled is how PortOne's fail_reason begins when the buyer
// cancelled in the window ("사용자가 결제를 취소하셨습니다").
const reasonUserCanceled = "사용자가 결제를 취소"

// maxImpUID is the schema's limit on imp_uid.
const maxImpUID = 32

// Approve verifies the buyer's return. V1 has no approve call: the payment
// was approved inside PortOne's window, so this is a lookup of the imp_uid
// the return carried (GET /payments/{imp_uid}), or, without one, the lookup
// by paybridge's own ids. The answer is translated as is: it may be another
// payment, another amount or not paid at all, and comparing it with p is
// the service's job (§5 item 11).
//
// Being a read, it is retried like Lookup; repeating it can do no harm.
func (c *Client) Approve(ctx context.Context, p *payment.Payment, ret payment.Return) (*payment.ProviderPayment, error) {
	if ret.TID == "" {
		return c.Lookup(ctx, p)
	}
	if !plausibleImpUID(ret.TID) {
		// The imp_uid comes from the browser. One that cannot be PortOne's
		// is ignored rather than trusted into a URL; our own ids still find
		// the payment.
		c.t.Log.WarnContext(ctx, "iamport return carries an implausible imp_uid; looking up by merchant_uid",
			"provider", payment.ProviderIamport, "payment_id", p.ID)
		return c.Lookup(ctx, p)
	}
	return c.fetch(ctx, p.ID, "/payments/"+url.PathEscape(ret.TID), nil)
}

// Lookup asks PortOne for p's current state: by imp_uid once it is known
// (GET /payments/{imp_uid}), otherwise by merchant_uid, which is p.ID (GET
// /payments/find/{merchant_uid}). A payment PortOne does not know is not an
// error but ProviderPending with RawStatus NOT_FOUND: the buyer may not
// have opened the window yet.
//
// Several payments may share a merchant_uid (each opening of the window
// makes one), and find returns only the first by its sorting. sorting=-paid
// puts the most recently paid one first (unpaid ones have paid_at 0), so an
// abandoned window opened after the buyer paid can never hide the payment.
func (c *Client) Lookup(ctx context.Context, p *payment.Payment) (*payment.ProviderPayment, error) {
	if p.ProviderTID != "" {
		return c.fetch(ctx, p.ID, "/payments/"+url.PathEscape(p.ProviderTID), nil)
	}
	if p.ID == "" {
		return nil, payment.Errorf(payment.EINVALID, "the payment has no id to look up at PortOne")
	}
	return c.fetch(ctx, p.ID, "/payments/find/"+url.PathEscape(p.ID), url.Values{"sorting": {"-paid"}})
}

// fetch GETs a Payment at path and translates it, retrying as reads may.
// include_sandbox=true is always sent: PortOne hides test-channel payments
// without it (§2.3, §5 item 12), and paybridge's own sandbox is one.
func (c *Client) fetch(ctx context.Context, paymentID, path string, query url.Values) (*payment.ProviderPayment, error) {
	q := url.Values{"include_sandbox": {"true"}}
	for k, v := range query {
		q[k] = v
	}
	var w paymentWire
	var raw []byte
	err := c.t.Lookup(ctx, paymentID, func() error {
		w, raw = paymentWire{}, nil
		return c.call(ctx, provider.Call{Op: opPayment, Method: http.MethodGet, Path: path, Query: q, PaymentID: paymentID}, provider.Keep(&w, &raw))
	})
	if isNotFound(err) {
		return &payment.ProviderPayment{State: payment.ProviderPending, RawStatus: rawNotFound}, nil
	}
	if err != nil {
		return nil, err
	}
	if w.ImpUID == "" {
		// A Payment without its id cannot be matched to anything.
		return nil, c.t.Unreadable(opPayment, http.StatusOK, "payment without imp_uid")
	}
	pp := c.translate(ctx, paymentID, &w, w.ApplyNum)
	pp.Raw = raw
	return pp, nil
}

// translate turns a V1 Payment into the domain's view. approvalID is the
// card approval number for a lookup, the refund's id for a cancel.
func (c *Client) translate(ctx context.Context, paymentID string, w *paymentWire, approvalID string) *payment.ProviderPayment {
	amount, canceled := int64(w.Amount), int64(w.CancelAmount)
	state := stateOf(w.Status, canceled)
	pp := &payment.ProviderPayment{
		TID:            w.ImpUID,
		OrderID:        w.MerchantUID,
		CustomerID:     w.BuyerName,
		State:          state,
		RawStatus:      w.Status,
		Amount:         amount,
		CanceledAmount: canceled,
		// The buyer's browser chooses IMP.request_pay's currency; the
		// service compares it with the payment's (16: long enough that a
		// cut never turns another currency into "KRW").
		Currency:   provider.Truncate(w.Currency, 16),
		MethodType: w.PayMethod,
		ApprovalID: approvalID,
		ItemName:   w.Name,
		CreatedAt:  w.StartedAt.Time,
		ApprovedAt: w.PaidAt.Time,
		CanceledAt: w.CancelledAt.Time,
	}
	if state == payment.ProviderFailed {
		pp.FailureMessage = provider.Truncate(w.FailReason, provider.MaxProviderText)
		pp.BuyerCanceled = strings.Contains(w.FailReason, reasonUserCanceled)
	}
	// Only a paid payment has anything left to refund; a ready or failed
	// one has an amount but no money behind it.
	if w.Status == statusPaid && amount > canceled {
		pp.CancelableAmount = amount - canceled
	}
	if pp.CanceledAt.IsZero() {
		// Whether cancelled_at is set after a partial refund is not
		// documented; the history says when the last refund happened.
		if rec := newestCancel(w.CancelHistory); rec != nil {
			pp.CanceledAt = rec.CancelledAt.Time
		}
	}

	attrs := []any{"provider", payment.ProviderIamport, "payment_id", paymentID, "imp_uid", w.ImpUID, "status", w.Status}
	switch {
	case state == payment.ProviderUnknown:
		c.t.Log.WarnContext(ctx, "iamport reports a status this adapter does not know", attrs...)
	case state == payment.ProviderFailed:
		// ProviderPayment has no field for it; the log keeps the reason.
		c.t.Log.InfoContext(ctx, "iamport reports a failed payment", append(attrs, "fail_reason", provider.Truncate(w.FailReason, provider.MaxProviderText))...)
	}
	if w.Sandbox && !c.acceptTest && (state == payment.ProviderPaid || state == payment.ProviderPartiallyCanceled) {
		// A test-channel payment moved no money: it must never verify as a
		// sale. Reported as failed, so the payment fails with this status.
		c.t.Log.WarnContext(ctx, "iamport reports a TEST-CHANNEL payment: no money was collected; refusing it", attrs...)
		pp.State, pp.RawStatus = payment.ProviderFailed, w.Status+" (test channel)"
	}
	return pp
}

// newestCancel is the most recent cancel_history entry (the last one among
// equal times, as the history is appended to), or nil.
func newestCancel(h []cancelRecord) *cancelRecord {
	var newest *cancelRecord
	for i := range h {
		if newest == nil || !h[i].CancelledAt.Before(newest.CancelledAt.Time) {
			newest = &h[i]
		}
	}
	return newest
}

// plausibleImpUID reports whether s can be an imp_uid: at most 32 letters,
// digits, '_' or '-' ("imp_123456789012"). Anything else from a browser is
// not put into a request path.
func plausibleImpUID(s string) bool {
	if s == "" || len(s) > maxImpUID {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}
