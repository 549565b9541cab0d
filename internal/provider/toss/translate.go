package toss

import (
	"context"

	"github.com/paybridge/paybridge/internal/payment"
)

// translate turns a Payment object into the domain's view. cancelKey is the
// transactionKey of the cancellation a Cancel call made ("" otherwise).
//
// Amounts: totalAmount is the original amount and never changes;
// balanceAmount is what can still be cancelled (§5 item 25), so
// CanceledAmount = totalAmount − balanceAmount and CancelableAmount =
// balanceAmount. Before Toss confirmed the payment its balance is not money
// anyone can refund, so both stay zero then. Toss's taxFreeAmount shrinks
// with every cancel; TaxFreeAmount here is the original tax-free part, the
// remainder plus what the cancels took, as the other adapters report it.
//
// ApprovalID is the approval's transactionKey, which Toss reports as
// lastTransactionKey only until the first cancel (then it is the latest
// cancel's); after a cancel it is this cancel's key for Cancel and unknown
// ("") for the other calls, rather than a cancel's key passed off as the
// approval's. A payment never confirmed has no approval ("" too: its
// lastTransactionKey is the failed attempt's).
func (c *Client) translate(ctx context.Context, op string, w *paymentWire, cancelKey string) *payment.ProviderPayment {
	pp := &payment.ProviderPayment{
		TID:        w.PaymentKey,
		OrderID:    w.OrderID,
		State:      states.Of(w.Status),
		RawStatus:  w.Status,
		Amount:     w.TotalAmount.orZero(),
		MethodType: w.Method,
		CreatedAt:  w.RequestedAt.Time,
		ApprovedAt: w.ApprovedAt.Time,
	}
	bad := w.RequestedAt.bad() || w.ApprovedAt.bad()
	taxFree := int64(w.TaxFreeAmount)
	for _, cn := range w.Cancels {
		taxFree += int64(cn.TaxFreeAmount)
		if cn.CanceledAt.After(pp.CanceledAt) {
			pp.CanceledAt = cn.CanceledAt.Time
		}
		bad = bad || cn.CanceledAt.bad()
	}
	pp.TaxFreeAmount, pp.TaxFreeKnown = taxFree, true
	pp.CanceledTaxFreeAmount = taxFree - int64(w.TaxFreeAmount)
	if approved(w.Status) {
		pp.CanceledAmount = w.TotalAmount.orZero() - w.BalanceAmount.orZero()
		pp.CancelableAmount = w.BalanceAmount.orZero()
	}
	switch {
	case cancelKey != "":
		pp.ApprovalID = cancelKey
	case len(w.Cancels) == 0 && approved(w.Status):
		pp.ApprovalID = w.LastTransactionKey
	}
	if bad {
		// Not fatal: the money fields are intact. Zero times fall back to
		// paybridge's clock in the service.
		c.t.Log.WarnContext(ctx, "toss sent a timestamp that could not be read",
			"provider", payment.ProviderToss, "op", op, "order_id", w.OrderID)
	}
	return pp
}

// newestCancelKey is the transactionKey of the cancellation a cancel call
// just made (newestCancel), or "".
func newestCancelKey(w *paymentWire) string {
	if cn := newestCancel(w); cn != nil {
		return cn.TransactionKey
	}
	return ""
}

// newestCancel is the cancellation a cancel call just made: the cancel
// whose key is the payment's lastTransactionKey, or, should Toss not say,
// the last one listed; nil when none is listed.
func newestCancel(w *paymentWire) *cancelWire {
	for i, cn := range w.Cancels {
		if cn.TransactionKey != "" && cn.TransactionKey == w.LastTransactionKey {
			return &w.Cancels[i]
		}
	}
	if n := len(w.Cancels); n > 0 {
		return &w.Cancels[n-1]
	}
	return nil
}
