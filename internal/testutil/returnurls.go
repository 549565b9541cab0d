package testutil

import "github.com/paybridge/paybridge/internal/payment"

// ReturnURLs are the shop's return URLs for p, as the service hands them
// to an adapter's Ready: each names the provider in its path and carries
// the payment id in a query of its own, which a provider's window must
// keep when it sends the buyer back. The adapters only pass them on, so
// all their tests share these.
func ReturnURLs(p *payment.Payment) payment.ReturnURLs {
	base := "https://shop.example/" + p.Provider
	return payment.ReturnURLs{
		Approval: base + "/return?payment_id=" + p.ID,
		Cancel:   base + "/cancel?payment_id=" + p.ID,
		Fail:     base + "/fail?payment_id=" + p.ID,
	}
}
