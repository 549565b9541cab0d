package iamport

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
)

// Cancel refunds req.Amount of p (POST /payments/cancel) and returns the
// payment as PortOne holds it afterwards. Never retried: see provider.Transport.Lookup.
// An answer that is not this refund of this payment (cancelMismatch) is an
// unknown outcome, settled by lookup.
//
// req.Cancelable goes out as checksum, the balance before this refund:
// PortOne refuses the cancel if its own balance differs, so a refund retried
// after a lost answer, or raced by another, cannot refund twice (§2.5, §5
// item 14). ApprovalID in the result is this refund's id.
func (c *Client) Cancel(ctx context.Context, p *payment.Payment, req payment.CancelRequest) (*payment.ProviderPayment, error) {
	if p.ID == "" {
		return nil, payment.Errorf(payment.EINVALID, "the payment has no id to cancel at PortOne")
	}
	// PortOne reads an amount of 0 as "refund everything" (§2.5).
	if err := provider.CheckCancel("PortOne", req); err != nil {
		return nil, err
	}
	body := cancelRequest{
		// imp_uid when paybridge knows it (it wins at PortOne); merchant_uid
		// always, so a payment whose imp_uid we never learnt can still be
		// refunded by our own id.
		ImpUID:      p.ProviderTID,
		MerchantUID: p.ID,
		Amount:      req.Amount,
		TaxFree:     req.TaxFreeAmount,
		Checksum:    req.Cancelable,
		Reason:      req.Reason,
	}
	var w paymentWire
	var raw []byte
	if err := c.call(ctx, provider.Call{Op: opCancel, Method: http.MethodPost, Path: "/payments/cancel", Body: body, PaymentID: p.ID}, provider.Keep(&w, &raw)); err != nil {
		return nil, err
	}
	if w.ImpUID == "" {
		// PortOne said yes but not to what: the refund happened, and only a
		// lookup can say to which payment.
		return nil, c.t.Unreadable(opCancel, http.StatusOK, "payment without imp_uid")
	}
	if why := cancelMismatch(p, req, &w); why != "" {
		// PortOne said yes about another payment or another amount: what
		// was refunded is not what paybridge asked for, so the refund is
		// settled by looking the payment up, never recorded from here.
		c.t.Log.WarnContext(ctx, "iamport cancel answer does not match the refund; settling it by lookup",
			"provider", payment.ProviderIamport, "payment_id", p.ID, "reason", why)
		return nil, provider.CancelNotShown("PortOne", &payment.ProviderError{Provider: payment.ProviderIamport, HTTPStatus: http.StatusOK,
			Code: "0", Message: "cancel answer does not match the refund"}, why)
	}
	pp := c.translate(ctx, p.ID, &w, refundID(w.CancelHistory))
	pp.Raw = raw
	return pp, nil
}

// refundID identifies the refund just made: the newest cancel_history
// entry's cancellation_id, which PortOne issues per refund, or else its
// pg_tid (some PGs reuse the payment's own tid there, so it comes second).
func refundID(h []cancelRecord) string {
	rec := newestCancel(h)
	if rec == nil {
		return ""
	}
	if rec.CancellationID != "" {
		return rec.CancellationID
	}
	return rec.PGTID
}

// cancelMismatch says how a cancel answer w differs from the refund req of
// p, or "": it must name p (merchant_uid, and imp_uid once known), and its
// cumulative cancel_amount must have risen by exactly req.Amount. The
// balance before the refund was req.Cancelable (PortOne checks it as the
// checksum), so cancel_amount was amount − req.Cancelable before; amount is
// PortOne's own, which may differ from p's for a tampered payment being
// refunded whole.
func cancelMismatch(p *payment.Payment, req payment.CancelRequest, w *paymentWire) string {
	before := int64(w.Amount) - req.Cancelable
	switch {
	case w.MerchantUID != p.ID:
		return "merchant_uid " + strconv.Quote(provider.Truncate(w.MerchantUID, maxMerchantUID)) + ", not " + p.ID
	case p.ProviderTID != "" && w.ImpUID != p.ProviderTID:
		return "imp_uid " + strconv.Quote(provider.Truncate(w.ImpUID, maxImpUID)) + ", not " + p.ProviderTID
	case int64(w.CancelAmount)-before != req.Amount:
		return fmt.Sprintf("cancel_amount %d after a balance of %d of %d: a refund of %d, not %d",
			int64(w.CancelAmount), req.Cancelable, int64(w.Amount), int64(w.CancelAmount)-before, req.Amount)
	}
	return ""
}
