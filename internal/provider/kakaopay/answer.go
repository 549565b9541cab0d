package kakaopay

import (
	"fmt"
	"net/http"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
)

// Checks of KakaoPay's 2xx answers before they are translated. A field
// money depends on that is missing would otherwise be read as zero: an
// approve answer without amount.total becomes "paid, 0 won", which the
// service takes for an amount mismatch, and fails and refunds a good
// payment. Such an answer is unreadable instead (EUPSTREAM): the payment is
// looked up, as after a lost answer. PortOne V2's checkPayment does the
// same.
//
// These checks ask only whether the answer can be read. Whether its ids and
// amount are this payment's is the service's question (service.mismatch),
// with one exception: a cancel answer, which the service records as the
// refund it asked for without comparing (checkCanceled).

// checkApproved rejects an approve answer without the tid or the amount.
// KakaoPay never approves less than 1 won, so a total below that is no
// amount at all.
func (c *Client) checkApproved(r *approveResponse) error {
	switch {
	case r.TID == "":
		return c.t.Unreadable(opApprove, http.StatusOK, "approve answer has no tid")
	case r.Amount.Total < 1:
		return c.t.Unreadable(opApprove, http.StatusOK, "approve answer has no amount.total")
	}
	return nil
}

// checkOrdered rejects an order answer without the tid, or one that reports
// money taken (paid, partly or wholly refunded) without the amount.
func (c *Client) checkOrdered(st *paymentState) error {
	switch {
	case st.TID == "":
		return c.t.Unreadable(opOrder, http.StatusOK, "order answer has no tid")
	case charged(states.Of(st.Status)) && st.Amount.Total < 1:
		return c.t.Unreadable(opOrder, http.StatusOK, "order answer of a charged payment has no amount.total")
	}
	return nil
}

// checkCanceled holds a cancel answer to the refund paybridge asked for.
// The service records a successful Cancel as exactly that refund, so an
// answer about another payment, or one that refunded another amount, must
// not come back as a success: it is an unknown outcome, and the service
// settles the refund from a lookup of the refunded total
// (service.settleCancellation).
//
// The amounts compared: this refund (approved_cancel_amount, when KakaoPay
// sends it) against the request's amount and tax-free part; the rise of the
// refunded total (canceled_amount) and what remains (cancel_available_amount)
// against the remainder paybridge sent as cancel_available_amount, which
// KakaoPay checked before refunding (docs/providers.md §1.5).
func (c *Client) checkCanceled(p *payment.Payment, req payment.CancelRequest, r *cancelResponse) error {
	if msg := cancelMismatch(p, req, r); msg != "" {
		return provider.CancelNotShown("KakaoPay", &payment.ProviderError{Provider: payment.ProviderKakaoPay, HTTPStatus: http.StatusOK,
			Message: "cancel answer does not match the refund"}, msg)
	}
	return nil
}

// cancelMismatch says how r differs from the refund req of p, or "".
func cancelMismatch(p *payment.Payment, req payment.CancelRequest, r *cancelResponse) string {
	st := states.Of(r.Status)
	before := r.Amount.Total - req.Cancelable // refunded before this cancel
	switch {
	case r.TID != p.ProviderTID:
		return fmt.Sprintf("cancel answer is about tid %q, not %q", r.TID, p.ProviderTID)
	case r.PartnerOrderID != "" && r.PartnerOrderID != p.ID:
		return fmt.Sprintf("cancel answer is about order %q, not %q", r.PartnerOrderID, p.ID)
	case st != payment.ProviderPartiallyCanceled && st != payment.ProviderCanceled:
		return fmt.Sprintf("cancel answer reports status %q, not a refund", r.Status)
	case r.Amount.Total < 1:
		return "cancel answer has no amount.total"
	case r.ApprovedCancelAmount.Total != 0 && r.ApprovedCancelAmount.Total != req.Amount:
		return fmt.Sprintf("cancel answer refunded %d, not %d", r.ApprovedCancelAmount.Total, req.Amount)
	case r.ApprovedCancelAmount.Total != 0 && r.ApprovedCancelAmount.TaxFree != req.TaxFreeAmount:
		return fmt.Sprintf("cancel answer refunded a tax-free part of %d, not %d", r.ApprovedCancelAmount.TaxFree, req.TaxFreeAmount)
	case r.CanceledAmount.Total-before != req.Amount:
		return fmt.Sprintf("cancel answer's refunded total rose by %d, not %d", r.CanceledAmount.Total-before, req.Amount)
	case r.CancelAvailableAmount.Total != req.Cancelable-req.Amount:
		return fmt.Sprintf("cancel answer leaves %d cancelable, not %d", r.CancelAvailableAmount.Total, req.Cancelable-req.Amount)
	}
	return ""
}

// charged reports whether a payment in state s took the buyer's money.
func charged(s payment.ProviderState) bool {
	return s == payment.ProviderPaid || s == payment.ProviderPartiallyCanceled || s == payment.ProviderCanceled
}
