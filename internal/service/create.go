// create.go: a shop starts a payment: its input checked, the payment
// written (claiming its order id), the provider's prepare, and ready with
// the buyer's redirect URLs, or failed with the order id released. The
// buyer's return is in returns.go; service.go lists the other flows.

package service

import (
	"context"
	"log/slog"
	"net/url"
	"unicode"
	"unicode/utf8"

	"github.com/paybridge/paybridge/internal/payment"
)

// Text limits follow KakaoPay's (partner ids and item_name ≤ 100 characters).
const (
	MaxOrderIDLen    = 100
	MaxOrderNameLen  = 100
	MaxCustomerIDLen = 100
	MaxURLLen        = 2048
)

// CreateInput is a request to start a payment. Amount is the total in won,
// fixed here on the server for the whole life of the payment.
type CreateInput struct {
	Provider      string
	Channel       string
	OrderID       string
	OrderName     string
	CustomerID    string
	Amount        int64
	Quantity      int64
	TaxFreeAmount int64
	SuccessURL    string
	FailURL       string
	CancelURL     string
	// Idempotency is the request's hold on its Idempotency-Key (nil
	// without one): the payment is recorded under the key as it is
	// written, and a request resuming the key finishes that payment.
	Idempotency *payment.IdempotencyClaim
}

// Validate checks every field and reports the first problem as EINVALID.
func (in *CreateInput) Validate() error {
	if in.Provider == "" {
		return payment.Errorf(payment.EINVALID, "provider is required")
	}
	if err := checkText("order_id", in.OrderID, MaxOrderIDLen); err != nil {
		return err
	}
	if err := checkText("order_name", in.OrderName, MaxOrderNameLen); err != nil {
		return err
	}
	if err := checkText("customer_id", in.CustomerID, MaxCustomerIDLen); err != nil {
		return err
	}
	if err := payment.CheckAmount("amount", in.Amount); err != nil {
		return err
	}
	if in.Quantity < 1 || in.Quantity > payment.MaxQuantity {
		return payment.Errorf(payment.EINVALID, "quantity must be between 1 and %d", payment.MaxQuantity)
	}
	if in.TaxFreeAmount < 0 || in.TaxFreeAmount > in.Amount {
		return payment.Errorf(payment.EINVALID, "tax_free_amount must be between 0 and amount")
	}
	for _, u := range []struct{ name, v string }{
		{"success_url", in.SuccessURL}, {"fail_url", in.FailURL}, {"cancel_url", in.CancelURL},
	} {
		if err := checkURL(u.name, u.v); err != nil {
			return err
		}
	}
	return nil
}

// checkText requires 1..max characters of valid UTF-8 with no control characters.
func checkText(field, v string, max int) error {
	if v == "" {
		return payment.Errorf(payment.EINVALID, "%s is required", field)
	}
	if !utf8.ValidString(v) {
		return payment.Errorf(payment.EINVALID, "%s must be valid UTF-8", field)
	}
	if n := utf8.RuneCountInString(v); n > max {
		return payment.Errorf(payment.EINVALID, "%s must be at most %d characters", field, max)
	}
	for _, r := range v {
		if unicode.IsControl(r) {
			return payment.Errorf(payment.EINVALID, "%s must not contain control characters", field)
		}
	}
	return nil
}

// checkURL accepts an empty value or an absolute http(s) URL.
func checkURL(field, v string) error {
	if v == "" {
		return nil
	}
	if len(v) > MaxURLLen {
		return payment.Errorf(payment.EINVALID, "%s must be at most %d bytes", field, MaxURLLen)
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return payment.Errorf(payment.EINVALID, "%s must be an absolute http or https URL", field)
	}
	return nil
}

// CreatePayment writes the payment (claiming its order id), registers it with
// the provider and returns it in status ready with the buyer's redirect URLs.
// When the provider does not accept it, the payment is kept as failed (for
// the record) and its order id is released so the shop can try again.
func (s *Service) CreatePayment(ctx context.Context, merchantID string, in CreateInput) (*payment.Payment, error) {
	if in.Idempotency.Resuming() {
		return s.resumeCreate(ctx, merchantID, in.Idempotency.ResourceID)
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	prov, err := s.provider(in.Provider)
	if err != nil {
		return nil, err
	}
	if in.Channel == "" {
		in.Channel = payment.ChannelAPI
	}
	livemode := s.cfg.Livemode[in.Provider]
	if keyLive, ok := payment.LivemodeFrom(ctx); ok && keyLive != livemode {
		if keyLive {
			return nil, payment.Errorf(payment.EPROVIDERNOTENABLED, "provider %q moves no real money here (sandbox or test credentials): a live key (sk_live_) cannot use it; use a test key", in.Provider)
		}
		return nil, payment.Errorf(payment.EPROVIDERNOTENABLED, "provider %q moves real money here: a test key (sk_test_) cannot use it; use a live key (sk_live_)", in.Provider)
	}
	now := s.Now()
	p := &payment.Payment{
		ID:            payment.NewID("pay", now),
		MerchantID:    merchantID,
		Provider:      in.Provider,
		Channel:       in.Channel,
		OrderID:       in.OrderID,
		OrderName:     in.OrderName,
		CustomerID:    in.CustomerID,
		Quantity:      in.Quantity,
		Amount:        in.Amount,
		TaxFreeAmount: in.TaxFreeAmount,
		Currency:      payment.CurrencyKRW,
		Status:        payment.StatusCreated,
		Livemode:      livemode,
		SuccessURL:    in.SuccessURL,
		FailURL:       in.FailURL,
		CancelURL:     in.CancelURL,
		ExpiresAt:     now.Add(s.cfg.Expiry),
		Idempotency:   in.Idempotency,
	}
	if err := s.store.CreatePayment(ctx, p); err != nil {
		return nil, err
	}
	pctx, cancel := s.providerCtx(ctx)
	res, err := prov.Ready(pctx, p, s.ReturnURLs(p.ID))
	cancel()
	if err != nil {
		log := s.log.With("payment_id", p.ID, "provider", p.Provider)
		log.Warn("provider did not accept the payment", "op", "ready", "error", err)
		upd := payment.Update{
			FailureCode:    ptr("provider_error"),
			FailureMessage: ptr("the provider did not accept the payment: " + payment.ErrorMessage(err)),
			ReleaseOrderID: true,
		}
		providerErrorUpdate(&upd, err)
		if _, terr := s.store.TransitionPayment(ctx, p.ID, payment.StatusCreated, payment.StatusFailed, upd,
			payment.Event{Reason: "provider_error", Message: payment.ErrorMessage(err)}); terr != nil {
			log.Error("record failed prepare", "error", terr)
		}
		// The merchant's input was validated above, so a refusal here is the
		// provider's or paybridge's configuration, never the caller's request.
		return nil, payment.Wrap(payment.EUPSTREAM, err, "%s did not accept the payment: %s", prov.Name(), payment.ErrorMessage(err))
	}
	expires := res.CreatedAt
	if expires.IsZero() || expires.After(now) {
		expires = now
	}
	window := s.cfg.Expiry
	if res.ExpiresIn > 0 {
		window = res.ExpiresIn
	}
	expires = expires.Add(window)
	// Without a provider window URL (real PortOne and Toss credentials), the
	// buyer goes to paybridge's checkout page, which opens the provider's
	// window with its browser SDK.
	if res.RedirectPC == "" {
		res.RedirectPC = s.cfg.PublicURL + "/pay/" + p.ID + "/checkout"
		res.RedirectMobile, res.RedirectApp = res.RedirectPC, res.RedirectPC
	}
	p, err = s.store.TransitionPayment(ctx, p.ID, payment.StatusCreated, payment.StatusReady, payment.Update{
		ProviderTID:       ptr(res.TID),
		ProviderCID:       ptr(res.CID),
		ProviderOrderID:   ptr(p.ID),
		ProviderUserID:    ptr(p.CustomerID),
		ProviderStatus:    ptr("READY"),
		ProviderErrorCode: ptr(""),
		RedirectPC:        ptr(res.RedirectPC),
		RedirectMobile:    ptr(res.RedirectMobile),
		RedirectApp:       ptr(res.RedirectApp),
		ExpiresAt:         &expires,
		Seen:              p, // as CreatePayment stored it
	}, payment.Event{Reason: "provider_ready", Message: "tid " + res.TID})
	if err != nil {
		return nil, err
	}
	// Checked first: With formats its attributes even for a line the
	// level leaves out, on every checkout.
	if s.log.Enabled(context.Background(), slog.LevelInfo) {
		s.log.With("payment_id", p.ID, "provider", p.Provider).Info("payment ready", "op", "ready", "amount", p.Amount)
	}
	return p, nil
}
