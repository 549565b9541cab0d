package service

import "github.com/paybridge/paybridge/internal/payment"

// answer is res's raw body (already redacted by the adapter) to store as
// the payment's last provider answer, for the operator to read in the
// console; nil, leaving the stored one, when the adapter kept none (a
// synthetic answer such as NOT_FOUND, or one too large). It is stamped
// with the service's clock when the answer is applied, a moment after it
// was received.
func (s *Service) answer(res *payment.ProviderPayment) *payment.ProviderAnswer {
	if res == nil || len(res.Raw) == 0 {
		return nil
	}
	return &payment.ProviderAnswer{Body: res.Raw, At: s.Now()}
}
