package console

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paybridge/paybridge/internal/i18n"
	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/service"
)

// A refund dialog's key holds its outcome this long (a double click, a
// reload of the confirmation, a second tab all see the first result).
const (
	refundKeyLock      = 2 * time.Minute
	refundKeyRetention = 24 * time.Hour
)

// refundView is the refund dialog: the form, then the confirmation.
type refundView struct {
	P            *payment.Payment
	Refundable   int64
	RefundableTF int64
	Amount       string // as typed
	AmountWon    int64  // parsed, on the confirmation
	TaxFree      int64  // the tax-free part the refund will carry
	Reason       string
	Key          string // the dialog's idempotency key
	Confirm      bool
	Error        string
	MaxReason    int
}

// handleRefundForm opens the dialog with a fresh idempotency key.
func (c *Console) handleRefundForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p, err := c.findPayment(r, rc, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, rc, err)
		return
	}
	v := refundView{P: p, Refundable: p.CancelableAmount(), RefundableTF: p.CancelableTaxFreeAmount(),
		Amount: strconv.FormatInt(p.CancelableAmount(), 10), Key: payment.RandomToken(32), MaxReason: service.MaxReasonLen}
	if v.Refundable <= 0 {
		v.Error = "This payment has nothing left to refund."
	}
	c.render(w, r, rc, http.StatusOK, "refund", "Refund", v)
}

// handleRefund is the dialog's two steps. Without confirm it checks the
// form and shows what will happen; with confirm it refunds, once per
// dialog key, through the service (the same path as the API).
func (c *Console) handleRefund(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p, err := c.findPayment(r, rc, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, rc, err)
		return
	}
	v := refundView{P: p, Refundable: p.CancelableAmount(), RefundableTF: p.CancelableTaxFreeAmount(),
		Amount: strings.TrimSpace(r.PostFormValue("amount")), Reason: strings.TrimSpace(r.PostFormValue("reason")),
		Key: r.PostFormValue("key"), MaxReason: service.MaxReasonLen}
	if len(v.Key) < 16 || len(v.Key) > 64 {
		c.renderError(w, r, rc, http.StatusBadRequest, "This refund dialog is not valid. Open it again from the payment page.")
		return
	}
	amount, err := strconv.ParseInt(strings.ReplaceAll(v.Amount, ",", ""), 10, 64)
	switch {
	case err != nil || amount < 1:
		v.Error = "Enter the amount to refund, in won."
	case amount > v.Refundable:
		v.Error = "The amount is more than what can still be refunded."
	case v.Reason == "":
		v.Error = "A reason is required."
	case utf8.RuneCountInString(v.Reason) > service.MaxReasonLen:
		v.Error = "The reason is too long."
	}
	if v.Error != "" {
		c.render(w, r, rc, http.StatusBadRequest, "refund", "Refund", v)
		return
	}
	v.AmountWon = amount
	// The same default the service applies: the taxable remainder first.
	v.TaxFree = max(0, amount-(v.Refundable-v.RefundableTF))
	if r.PostFormValue("confirm") != "yes" {
		v.Confirm = true
		c.render(w, r, rc, http.StatusOK, "refund", "Confirm the refund", v)
		return
	}
	c.refund(w, r, rc, p, v)
}

// refundResult is what a dialog key remembers of its refund.
type refundResult struct {
	Notice       string `json:"notice"`
	Cancellation string `json:"cancellation_id,omitempty"`
}

func (c *Console) refund(w http.ResponseWriter, r *http.Request, rc *reqCtx, p *payment.Payment, v refundView) {
	ctx := r.Context()
	page := "/console/payments/" + p.ID
	key := "console-refund:" + v.Key
	sum := sha256.Sum256([]byte(p.ID + "\x00" + strconv.FormatInt(v.AmountWon, 10) + "\x00" + v.Reason))
	fp := hex.EncodeToString(sum[:])
	lock := max(refundKeyLock, c.svc.LongestRequest()+30*time.Second) // never taken over mid-refund
	rec, began, err := c.st.BeginIdempotent(ctx, p.MerchantID, key, fp, c.now(), lock, refundKeyRetention)
	if err != nil {
		c.fail(w, r, rc, err)
		return
	}
	if !began {
		switch {
		case rec.Fingerprint != fp:
			c.renderError(w, r, rc, http.StatusConflict, "This refund dialog was already used for another refund. Open it again from the payment page.")
		case rec.Status == payment.IdempotencyStarted:
			back(w, r, page, "refund.in_progress")
		default:
			var res refundResult
			_ = json.Unmarshal(rec.ResponseBody, &res)
			back(w, r, page, res.Notice)
		}
		return
	}
	// From here the dialog's key is started: whatever happens to the
	// request (the operator closes the tab), the refund runs to its end and
	// the key is finished or released, as the API's Idempotency-Key is.
	// Left to the request's context, a closed tab would leave the key
	// started until its lock expires, and could cut the provider call short
	// into an unknown outcome.
	ctx = context.WithoutCancel(ctx)
	amount := v.AmountWon
	detail := i18n.Won(amount) + ", " + v.Reason
	// Written before the provider is asked, and committed on its own: if
	// paybridge stops mid-refund, the log still says which operator started
	// it (the outcome entry below may never be written).
	c.audit(ctx, r, rc.Op, "", p.MerchantID, "refund_requested", p.ID, detail)
	// The claim records the cancellation under the key as it is written: a
	// confirmation resent after a crash mid-refund settles that refund
	// instead of refunding again.
	claim := &payment.IdempotencyClaim{MerchantID: p.MerchantID, Key: key, Token: rec.Token, ResourceID: rec.ResourceID}
	np, can, err := c.svc.Refund(ctx, p.MerchantID, p.ID, service.RefundInput{Amount: &amount, Reason: v.Reason, Idempotency: claim})
	res := refundResult{Notice: "refund.succeeded"}
	switch code := payment.ErrorCode(err); {
	case err == nil && can != nil && can.Status == payment.CancellationPending:
		res.Notice = "refund.pending"
	case err == nil:
	case can != nil:
		// The provider refused: the failed cancellation is on the payment.
		res.Notice = "refund.failed"
		detail += ": " + payment.ErrorMessage(err)
	case code == payment.EINVALID || code == payment.ECONFLICT || code == payment.ENOTFOUND:
		// Refused before anything was sent: the dialog may be used again.
		if _, aerr := c.st.AbortIdempotent(ctx, p.MerchantID, key, rec.Token); aerr != nil {
			c.log.Error("console refund: release dialog key", "error", aerr)
		}
		c.audit(ctx, r, rc.Op, "", p.MerchantID, "refund_refused", p.ID, detail+": "+payment.ErrorMessage(err))
		v.Error = payment.ErrorMessage(err)
		v.P = np
		if v.P == nil {
			v.P = p
		}
		c.render(w, r, rc, http.StatusConflict, "refund", "Refund", v)
		return
	default:
		res.Notice = "refund.unknown"
		detail += ": " + payment.ErrorMessage(err)
		c.log.Error("console refund failed", "payment_id", p.ID, "error", err)
	}
	if can != nil {
		res.Cancellation = can.ID
		detail += " (" + can.ID + ")"
	}
	body, _ := json.Marshal(res)
	if ferr := c.st.FinishIdempotent(ctx, p.MerchantID, key, rec.Token, http.StatusOK, "application/json", body, c.now()); ferr != nil {
		c.log.Error("console refund: store dialog result", "error", ferr)
	}
	c.audit(ctx, r, rc.Op, "", p.MerchantID, "refund", p.ID, strings.TrimPrefix(res.Notice, "refund.")+": "+detail)
	back(w, r, page, res.Notice)
}
