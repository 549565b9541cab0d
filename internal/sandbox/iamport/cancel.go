package iamport

import (
	"net/http"
)

func (s *Sandbox) cancelRoute() route {
	return route{op: opCancel, ids: bodyIDs("imp_uid", "merchant_uid"), do: s.cancel}
}

// cancel refunds part or all of a paid payment (docs/providers.md §2.5):
//
//   - imp_uid wins over merchant_uid; an unknown imp_uid fails the call even
//     when merchant_uid is valid. By merchant_uid, the paid payment is the one
//     refunded.
//   - amount omitted or 0 means the whole remaining balance.
//   - checksum, when sent (null skips it), must equal the balance before the
//     refund, otherwise nothing is done: the double-refund guard.
//   - a refund above the balance is refused.
//
// Every refusal changes nothing, so a client may correct and retry.
func (s *Sandbox) cancel(r *http.Request, in params) (any, *apiError) {
	f := newFields(in)
	impUID := f.Str("imp_uid", false, 0)
	merchantUID := f.Str("merchant_uid", false, 0)
	amount, _ := f.amount("amount", false, 0)
	taxFree, _ := f.amount("tax_free", false, 0)
	f.amount("vat_amount", false, 0) // checked, not used: the sandbox keeps no VAT
	checksum, hasChecksum := f.amount("checksum", false, 0)
	reason := f.Str("reason", false, 0)
	webhook := f.boolean("enable_webhook")
	if f.Err != nil {
		return nil, f.Err
	}
	if impUID == "" && merchantUID == "" {
		return nil, errBadRequest("imp_uid or merchant_uid is required")
	}

	s.mu.Lock()
	p, e := s.cancelTargetLocked(impUID, merchantUID)
	if e != nil {
		s.mu.Unlock()
		return nil, e
	}
	balance := p.balance()
	if amount == 0 {
		amount = balance
	}
	switch {
	case hasChecksum && checksum != balance:
		s.mu.Unlock()
		return nil, errChecksum(checksum, balance)
	case amount > balance:
		s.mu.Unlock()
		return nil, errOverCancel(amount, balance)
	case taxFree > amount:
		s.mu.Unlock()
		return nil, errTaxFree(taxFree, amount)
	}

	now := s.now()
	rec := cancelRecord{
		pgTID:          s.newIDLocked("StdpayCancel", 12),
		amount:         amount,
		taxFree:        taxFree,
		at:             now,
		reason:         reason,
		cancellationID: s.newIDLocked("cancel_", 12),
	}
	rec.receiptURL = p.receiptURL + "?cancellation_id=" + rec.cancellationID
	p.cancels = append(p.cancels, rec)
	p.cancelAmount += amount
	p.cancelReason = reason
	p.cancelledAt, p.updatedAt = now, now
	if p.cancelAmount == p.amount {
		p.status = statusCancelled
	}
	resp := p.json()
	note := notice{ImpUID: p.impUID, MerchantUID: p.merchantUID, Status: statusCancelled, CancellationID: rec.cancellationID}
	s.mu.Unlock()

	s.log.Info("iamport sandbox: cancelled", "imp_uid", p.impUID, "amount", amount, "status", resp.Status)
	if webhook {
		// API cancels notify only when asked to (enable_webhook, default
		// false: docs/providers.md §2.5).
		s.notify(note)
	}
	return resp, nil
}

// cancelTargetLocked finds the payment a cancel is about; the caller holds
// s.mu.
func (s *Sandbox) cancelTargetLocked(impUID, merchantUID string) (*payment, *apiError) {
	var p *payment
	if impUID != "" {
		p = s.payments[impUID]
	} else {
		// The paid one if any; else a fully refunded one, so the answer
		// can say so.
		for _, c := range s.byMerchant[merchantUID] {
			if c.status == statusPaid || c.status == statusCancelled && (p == nil || p.status != statusPaid) {
				p = c
			}
		}
	}
	switch {
	case p == nil:
		return nil, errNothingToCancel()
	case p.status == statusCancelled:
		return nil, errAllCancelled()
	case p.status != statusPaid:
		// ready or failed: no money to give back.
		return nil, errNothingToCancel()
	}
	return p, nil
}
