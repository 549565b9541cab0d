package testutil

import "github.com/paybridge/paybridge/internal/payment"

// RecordedOrder is RecordedPayment with the order of provider's testdata
// files (its name and amount) and the status the adapter is handed it in.
func RecordedOrder(provider, orderName string, amount int64, status payment.Status) *payment.Payment {
	p := RecordedPayment(provider)
	p.OrderName, p.Amount, p.Status = orderName, amount, status
	return p
}
