package iamport

import (
	"context"
	"net/http"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
)

// Cancel refunds req.Amount of p (POST /payments/cancel) and returns the
// payment as PortOne holds it afterwards. Never retried: see provider.Transport.Lookup.
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
