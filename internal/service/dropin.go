// dropin.go: the original sample's POST /ready and /approve, on top of
// CreatePayment (create.go) and Finish (finish.go).

package service

import (
	"context"
	"crypto/subtle"
	"net/url"
	"strings"

	"github.com/paybridge/paybridge/internal/payment"
)

// DropInURLs are the original sample's pages the buyer's browser is sent to
// after a drop-in payment; "{userId}" is replaced by the escaped user id.
type DropInURLs struct {
	Success string
	Cancel  string
	Fail    string
}

// DefaultDropInURLs are the sample web client's own pages.
var DefaultDropInURLs = DropInURLs{
	Success: "http://localhost:8080/Client/success.html?userId={userId}",
	Cancel:  "http://localhost:8080/Client/cancel.html",
	Fail:    "http://localhost:8080/Client/fail.html",
}

func (u DropInURLs) expand(userID string) DropInURLs {
	r := strings.NewReplacer("{userId}", url.QueryEscape(userID))
	return DropInURLs{Success: r.Replace(u.Success), Cancel: r.Replace(u.Cancel), Fail: r.Replace(u.Fail)}
}

// DropInReady starts a KakaoPay payment the way the original sample's
// POST /ready did, but safely: the total is computed here with an overflow
// check, and the payment is an ordinary payment of merchantID.
func (s *Service) DropInReady(ctx context.Context, merchantID string, urls DropInURLs, userID, product string, price, quantity int64) (*payment.Payment, error) {
	if price < 1 {
		return nil, payment.Errorf(payment.EINVALID, "price must be at least 1 won")
	}
	if quantity < 1 || quantity > payment.MaxQuantity {
		return nil, payment.Errorf(payment.EINVALID, "quantity must be between 1 and %d", payment.MaxQuantity)
	}
	total, ok := payment.MulAmount(price, quantity)
	if !ok || total > payment.MaxAmount {
		return nil, payment.Errorf(payment.EINVALID, "price × quantity must be at most %d won", payment.MaxAmount)
	}
	u := urls.expand(userID)
	return s.CreatePayment(ctx, merchantID, CreateInput{
		Provider:   payment.ProviderKakaoPay,
		Channel:    payment.ChannelDropIn,
		OrderID:    payment.NewID("ord", s.Now()),
		OrderName:  product,
		CustomerID: userID,
		Amount:     total,
		Quantity:   quantity,
		SuccessURL: u.Success,
		FailURL:    u.Fail,
		CancelURL:  u.Cancel,
	})
}

// DropInApprove is the sample's POST /approve. The tid must belong to a
// drop-in payment created for userID; otherwise it is "not found", so tids
// cannot be probed. It never calls the provider: paybridge finishes a
// drop-in payment itself when the buyer's browser comes back through its
// own return route (KakaoPay's approval_url is /pay/{id}/approve, not the
// sample's success page), and only then sends the browser to the sample's
// success page, whose POST /approve is answered here from the database
// after checking that pgToken is the one the buyer's return carried.
//
// A payment still ready (or created) has not been approved by the buyer:
// it is answered ECONFLICT "not approved yet". Finishing it here with the
// caller's pg_token would let anyone who read the tid and userId off the
// public /pay/{id} page spoil it: KakaoPay refuses a made-up pg_token
// (-780) and the payment would fail for good while the buyer is still in
// the window.
func (s *Service) DropInApprove(ctx context.Context, merchantID, userID, pgToken, tid string) (*payment.Payment, error) {
	p, err := s.store.FindPaymentByTID(ctx, payment.ProviderKakaoPay, tid)
	if err != nil || p.MerchantID != merchantID || p.Channel != payment.ChannelDropIn ||
		subtle.ConstantTimeCompare([]byte(p.CustomerID), []byte(userID)) != 1 {
		return nil, payment.Errorf(payment.ENOTFOUND, "no payment with this tid for this userId")
	}
	if p.Status == payment.StatusReady || p.Status == payment.StatusCreated {
		return nil, payment.Errorf(payment.ECONFLICT,
			"the payment is not approved yet: the buyer has not finished in KakaoPay's window; paybridge approves it when the buyer returns")
	}
	if p.PGToken == "" || subtle.ConstantTimeCompare([]byte(p.PGToken), []byte(pgToken)) != 1 {
		return nil, payment.Errorf(payment.EINVALID, "pg_token does not match this payment")
	}
	return s.awaitApproval(ctx, p)
}
