package toss

import (
	"fmt"
	"net/http"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
)

// Checks of Toss's 2xx Payment answers before they are translated. A field
// money depends on that is missing would otherwise be read as zero: a DONE
// without totalAmount becomes "paid, 0 won", which the service takes for an
// amount mismatch and refunds; a DONE without balanceAmount becomes "wholly
// refunded", which the service records as a refund made outside paybridge.
// Such an answer is unreadable instead (EUPSTREAM): the payment is looked
// up, as after a lost answer. PortOne V2's checkPayment does the same.
//
// These checks ask only whether the answer can be read. Whether its ids and
// amount are this payment's is the service's question (service.mismatch),
// with one exception: a cancel answer, which the service records as the
// refund it asked for without comparing (checkCanceled).

// checkPayment rejects a Payment without its paymentKey, orderId or status,
// or a confirmed one (DONE, PARTIAL_CANCELED, CANCELED) without totalAmount
// or balanceAmount. A confirmed payment is at least 1 won.
func (c *Client) checkPayment(op string, w *paymentWire) error {
	why := ""
	switch {
	case w.PaymentKey == "" || w.OrderID == "" || w.Status == "":
		why = "payment has no paymentKey, orderId or status"
	case approved(w.Status) && (w.TotalAmount == nil || *w.TotalAmount < 1):
		why = "confirmed payment has no totalAmount"
	case approved(w.Status) && w.BalanceAmount == nil:
		why = "confirmed payment has no balanceAmount"
	default:
		return nil
	}
	return c.t.Unreadable(op, http.StatusOK, why)
}

// checkCanceled holds a cancel answer to the refund paybridge asked for.
// The service records a successful Cancel as exactly that refund, so an
// answer about another payment, or one that refunded another amount, must
// not come back as a success: it is an unknown outcome, and the service
// settles the refund from a lookup of the refunded total
// (service.settleCancellation).
//
// The amounts compared: this cancellation (the newest cancels[] entry,
// newestCancel) against the request's amount and tax-free part, and the
// balance left against the refundableAmount paybridge sent minus the
// refund. Toss checked refundableAmount against its balance before
// refunding (docs/providers.md §4.2), so the refunded total
// (totalAmount − balanceAmount) rose by exactly this refund.
func (c *Client) checkCanceled(p *payment.Payment, req payment.CancelRequest, w *paymentWire) error {
	if msg := cancelMismatch(p, req, w); msg != "" {
		return provider.CancelNotShown("Toss", &payment.ProviderError{Provider: payment.ProviderToss, HTTPStatus: http.StatusOK,
			Message: "cancel answer does not match the refund"}, msg)
	}
	return nil
}

// cancelMismatch says how w differs from the refund req of p, or "". w
// has passed checkPayment.
func cancelMismatch(p *payment.Payment, req payment.CancelRequest, w *paymentWire) string {
	cn := newestCancel(w)
	switch {
	case w.PaymentKey != p.ProviderTID:
		return fmt.Sprintf("cancel answer is about paymentKey %q, not %q", w.PaymentKey, p.ProviderTID)
	case w.OrderID != p.ID:
		return fmt.Sprintf("cancel answer is about orderId %q, not %q", w.OrderID, p.ID)
	case w.Status != statusPartialCanceled && w.Status != statusCanceled:
		return fmt.Sprintf("cancel answer reports status %q, not a refund", w.Status)
	case cn == nil:
		return "cancel answer lists no cancellation"
	case int64(cn.CancelAmount) != req.Amount:
		return fmt.Sprintf("cancel answer's cancellation is of %d, not %d", cn.CancelAmount, req.Amount)
	case int64(cn.TaxFreeAmount) != req.TaxFreeAmount:
		return fmt.Sprintf("cancel answer's cancellation has a tax-free part of %d, not %d", cn.TaxFreeAmount, req.TaxFreeAmount)
	case w.BalanceAmount.orZero() != req.Cancelable-req.Amount:
		return fmt.Sprintf("cancel answer leaves a balance of %d, not %d", w.BalanceAmount.orZero(), req.Cancelable-req.Amount)
	}
	return ""
}
