// closed.go: money owed back on a payment that did not end in a sale: a
// charge that does not match its payment (failAndRefund), a charge after
// paybridge closed the payment (refundLate), and the sweep's retries of a
// refund that failed (retryRefund). A shop's own refunds are in refund.go.

package service

import (
	"context"
	"fmt"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// FailureRefundRequired marks a closed payment whose money paybridge must
// still give back at the provider: a refund that failed is retried by the
// sweep with backoff until it goes through (refunded_after_retry); after
// maxRefundAttempts it is raised to the operator (an error in the log and
// a payment.updated event) and retried only every refundGiveUpPause.
const FailureRefundRequired = "refund_required"

// Refunds of closed payments retried by the sweep.
const (
	maxRefundAttempts  = 8
	refundGiveUpPause  = 24 * time.Hour
	maxRefundRetryWait = time.Hour
)

func (s *Service) refundBackoff(n int64) time.Duration {
	d := s.cfg.SettleAfter
	for i := int64(1); i < n && d < maxRefundRetryWait; i++ {
		d *= 2
	}
	return min(d, maxRefundRetryWait)
}

// failAndRefund fails an approving payment for reason and refunds whatever
// the provider charged for it. The provider is asked, by paybridge's own ids
// (never ids from the browser), what it holds for this payment, and exactly
// its cancelable amount is cancelled. A provider payment for another order
// is never touched: it is not this payment's money.
//
// The payment is failed first, as refund_required, and the refund is made
// only if this call made that change: a concurrent actor that settled the
// payment meanwhile (a webhook's lookup or the sweep found it paid) wins,
// and its money is left alone; refunding first would leave a payment paid
// in paybridge and refunded at the provider. Should paybridge stop between
// the two steps, the sweep's refund retry (retryRefund) finishes the
// refund; it waits one item lease (RetryAt) so that it never races this
// call. The result is then announced (payment.updated) with code.
func (s *Service) failAndRefund(ctx context.Context, p *payment.Payment, code, reason string) (*payment.Payment, error) {
	log := s.log.With("payment_id", p.ID, "provider", p.Provider)
	pending := reason + "; paybridge is refunding whatever the provider charged for it"
	// The attempt is counted, so that later refunds of this payment (a
	// retry, a late charge) never reuse its idempotency key.
	next := s.Now().Add(s.itemLease())
	np, err := s.store.TransitionPayment(ctx, p.ID, p.Status, payment.StatusFailed, payment.Update{
		Seen: p, RefundAttempts: ptr(int64(1)), RetryAt: &next,
		FailureCode: ptr(FailureRefundRequired), FailureMessage: &pending,
	}, payment.Event{Reason: code, Message: pending})
	if payment.ErrorCode(err) == payment.ECONFLICT && np != nil {
		log.Warn("payment settled by another actor first; nothing refunded", "reason", reason, "status", np.Status)
		return np, nil
	}
	if err != nil {
		return np, err
	}
	p = np

	note := reason + "; nothing was charged"
	upd := payment.Update{}
	refunded, err := s.refundOwn(ctx, p, 1)
	switch {
	case err != nil:
		// The money may still be at the provider: the sweep retries the
		// refund until it goes through (retryRefund).
		log.Error("refund at the provider failed; the sweep will retry it", "reason", reason, "error", err)
		note = reason + "; the refund at the provider failed (" + payment.ErrorMessage(err) + "): paybridge retries it"
		code = FailureRefundRequired
		next := s.Now().Add(s.refundBackoff(2))
		upd.RetryAt = &next
	case refunded > 0:
		log.Warn("payment refused and refunded at the provider", "reason", reason, "refunded", refunded)
		note = fmt.Sprintf("%s; %d won refunded at the provider", reason, refunded)
	default:
		log.Warn("payment refused", "reason", reason)
	}
	upd.FailureCode, upd.FailureMessage = ptr(code), ptr(note)
	return s.store.AnnouncePayment(ctx, p.ID, payment.StatusFailed, upd, payment.Event{Reason: code, Message: note})
}

// refundOwn cancels at the provider what it still holds for p and returns
// how much: the remaining cancelable amount with the remaining tax-free
// part, behind the provider's cancelable-amount guard, under an
// idempotency key of its own for each attempt (so a provider that replays
// a key's first answer, Toss, never answers a retry with an old failure).
func (s *Service) refundOwn(ctx context.Context, p *payment.Payment, attempt int64) (int64, error) {
	prov, err := s.provider(p.Provider)
	if err != nil {
		return 0, err
	}
	pctx, cancel := s.providerCtx(ctx)
	defer cancel()
	cur, err := prov.Lookup(pctx, p)
	if err != nil {
		return 0, err
	}
	if msg := identityMismatch(p, cur); msg != "" {
		// An answer about another payment says nothing about this one's
		// money: never "nothing left to refund".
		return 0, payment.Errorf(payment.EUPSTREAM, "the provider's lookup is about another payment (%s); the refund is still owed", msg)
	}
	charged := cur.State == payment.ProviderPaid || cur.State == payment.ProviderPartiallyCanceled
	if !charged || cur.CancelableAmount <= 0 {
		return 0, nil
	}
	// The lookup found this payment's provider id; the cancel needs it.
	q := *p
	if q.ProviderTID == "" {
		q.ProviderTID = cur.TID
	}
	amount := cur.CancelableAmount
	taxFreeLeft := p.TaxFreeAmount - p.CanceledTaxFreeAmount
	if cur.TaxFreeKnown {
		taxFreeLeft = cur.TaxFreeAmount - cur.CanceledTaxFreeAmount
	}
	res, err := prov.Cancel(pctx, &q, payment.CancelRequest{
		Amount: amount, TaxFreeAmount: min(max(taxFreeLeft, 0), amount), Cancelable: amount,
		Reason: "paybridge: the payment did not match its order", IdempotencyKey: fmt.Sprintf("refuse-%s-%d", p.ID, attempt),
	})
	if err != nil {
		return 0, err
	}
	msg := refundNotShown(&q, res, cur.CanceledAmount, amount)
	if msg == "" {
		return amount, nil
	}
	// A success that does not show this refund proves nothing (rule 3): a
	// lookup says whether the money went back; if it cannot tell, the
	// refund counts as failed, and the retry asks the provider first what
	// remains, so it never refunds twice.
	s.log.Warn("refund answer does not show this refund; looking the payment up", "payment_id", p.ID,
		"provider", p.Provider, "reason", msg)
	after, err := prov.Lookup(pctx, &q)
	if err != nil {
		return 0, payment.Wrap(payment.EUPSTREAM, err, "the refund's answer does not show it (%s) and the lookup failed", msg)
	}
	if lmsg := refundNotShown(&q, after, cur.CanceledAmount, amount); lmsg != "" {
		return 0, payment.Errorf(payment.EUPSTREAM, "the provider does not show the refund: %s; %s", msg, lmsg)
	}
	return amount, nil
}

// refundLate handles a provider that may have taken money for a payment
// paybridge has already closed (the buyer paid in a window that outlived
// the payment, or came back to it with a success). The payment stays
// closed, the money goes back to the buyer, and the change is announced
// to the shop (payment.updated) with the payment's failure message saying
// what happened.
func (s *Service) refundLate(ctx context.Context, p *payment.Payment) (*payment.Payment, error) {
	if p.FailureCode == FailureRefundRequired {
		return p, nil // the sweep's retries own it
	}
	if _, err := s.providerFor(p); err != nil {
		return p, err // nothing can be asked: not a failed refund
	}
	refunded, err := s.refundOwn(ctx, p, p.RefundAttempts+1)
	if err != nil {
		s.log.Error("a closed payment was charged and the refund failed; the sweep will retry it",
			"payment_id", p.ID, "provider", p.Provider, "status", p.Status, "error", err)
		msg := "money charged after the payment was " + string(p.Status) + " could not be refunded yet (" +
			payment.ErrorMessage(err) + "): paybridge retries it"
		n := p.RefundAttempts + 1
		next := s.Now().Add(s.refundBackoff(n + 1))
		np, uerr := s.store.AnnouncePayment(ctx, p.ID, p.Status, payment.Update{
			FailureCode: ptr(FailureRefundRequired), FailureMessage: &msg, RefundAttempts: &n, RetryAt: &next,
		}, payment.Event{Reason: FailureRefundRequired, Message: msg})
		if uerr != nil {
			return p, uerr
		}
		return np, nil
	}
	if refunded == 0 {
		return p, nil
	}
	s.log.Warn("a closed payment was charged late; refunded at the provider",
		"payment_id", p.ID, "provider", p.Provider, "status", p.Status, "refunded", refunded)
	msg := fmt.Sprintf("%d won charged after the payment was %s was refunded at the provider", refunded, p.Status)
	if p.FailureMessage != "" {
		msg = p.FailureMessage + "; " + msg
	}
	upd := payment.Update{FailureMessage: &msg, RefundAttempts: ptr(p.RefundAttempts + 1)}
	if p.FailureCode == "" {
		upd.FailureCode = ptr("late_charge_refunded")
	}
	return s.store.AnnouncePayment(ctx, p.ID, p.Status, upd, payment.Event{Reason: "late_charge_refunded", Message: msg})
}

// retryRefund retries the refund of a closed payment that still owes one.
// refundOwn asks the provider what is cancelable first, so a refund that
// went through after all is never made twice.
func (s *Service) retryRefund(ctx context.Context, p *payment.Payment) bool {
	if _, err := s.providerFor(p); err != nil {
		// Not an attempt: the money stays owed until the provider runs
		// as it did when the payment was made. The next try waits its
		// back-off, so such payments do not crowd the sweep's batch.
		s.log.Warn("refund owed but its provider cannot be asked", "payment_id", p.ID, "provider", p.Provider, "error", err)
		next := s.Now().Add(s.refundBackoff(p.RefundAttempts + 1))
		if _, err := s.store.UpdatePayment(ctx, p.ID, p.Status, payment.Update{RetryAt: &next}); err != nil {
			s.log.Error("record when to retry an owed refund", "payment_id", p.ID, "error", err)
		}
		return false
	}
	n := p.RefundAttempts + 1
	next := s.Now().Add(s.refundBackoff(n + 1))
	if n >= maxRefundAttempts {
		next = s.Now().Add(refundGiveUpPause)
	}
	// Counted before the call: a crash cannot make the budget endless.
	np, err := s.store.UpdatePayment(ctx, p.ID, p.Status, payment.Update{RefundAttempts: &n, RetryAt: &next})
	if err != nil {
		s.log.Error("record a refund attempt", "payment_id", p.ID, "error", err)
		return false
	}
	p = np
	refunded, err := s.refundOwn(ctx, p, n)
	if err != nil {
		if n == maxRefundAttempts {
			msg := fmt.Sprintf("%s; paybridge gave up after %d attempts (%s): refund it at the provider by hand; paybridge tries again every %s",
				p.FailureMessage, n, payment.ErrorMessage(err), refundGiveUpPause)
			s.log.Error("refund of a closed payment keeps failing; refund it by hand", "payment_id", p.ID,
				"provider", p.Provider, "attempts", n, "error", err)
			if _, err := s.store.AnnouncePayment(ctx, p.ID, p.Status, payment.Update{FailureMessage: &msg},
				payment.Event{Reason: "refund_given_up", Message: msg}); err != nil {
				s.log.Error("record a given-up refund", "payment_id", p.ID, "error", err)
			}
			return false
		}
		s.log.Warn("refund retry failed; the sweep tries again", "payment_id", p.ID, "provider", p.Provider,
			"attempt", n, "next_at", next, "error", err)
		return false
	}
	msg := fmt.Sprintf("%s; %d won refunded at the provider on retry", p.FailureMessage, refunded)
	if refunded == 0 {
		// An earlier attempt went through after all (its answer was
		// lost, or paybridge stopped before recording it), or nothing
		// was ever charged.
		msg = p.FailureMessage + "; nothing left to refund at the provider"
	}
	if _, err := s.store.AnnouncePayment(ctx, p.ID, p.Status, payment.Update{
		FailureCode: ptr("refunded_after_retry"), FailureMessage: &msg,
	}, payment.Event{Reason: "refunded_after_retry", Message: msg}); err != nil {
		s.log.Error("record a retried refund", "payment_id", p.ID, "error", err)
		return false
	}
	s.log.Info("refund retried and done", "payment_id", p.ID, "provider", p.Provider, "refunded", refunded)
	return true
}
