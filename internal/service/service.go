// Package service holds paybridge's use cases: create, finish, refund and
// reconcile payments. It is the one place that orchestrates the store and the
// providers; HTTP handlers, pages and workers call it and nothing else.
//
// Each flow has its file, so "how does X work?" is one file to read:
//
//   - create.go: a shop starts a payment (validation, the provider's prepare).
//   - returns.go: the buyer's browser comes back (Return), or leaves (buyerLeft).
//   - finish.go: the one finishing call (approve, confirm or verify) and
//     the wait of concurrent returns for it.
//   - answer.go: what a provider's answer means for an approving payment:
//     is it about this payment, and paid, failed or still pending.
//   - settle.go: outcomes left unknown, settled by lookup; a finishing call
//     the provider provably did not act on, repeated.
//   - refund.go: a shop's refund, and a refund whose outcome is unknown.
//   - closed.go: money owed back on a closed payment (a mismatch, a late
//     charge), refunded at once or retried by the sweep.
//   - sync.go: provider webhooks: stored, then a lookup brings the payment
//     in line.
//   - sweep.go: the background pass that settles what no request will.
//   - resume.go: a request retried under its Idempotency-Key after a crash.
//   - dropin.go: the original sample's /ready and /approve.
//   - query.go, webhooks.go: the thin reads and writes the API and the
//     pages need (payments, keys, webhook endpoints and events).
//   - store.go: what the service needs of the store; config.go: settings.
package service

import (
	"context"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// Service implements paybridge's use cases.
type Service struct {
	store     Store
	providers map[string]payment.Provider
	log       *slog.Logger
	cfg       Config
	// instance names this process when it claims background work.
	instance string
	// clock is the time source; tests replace it with SetNow while the
	// background sweep may be reading it, hence atomic.
	clock atomic.Pointer[func() time.Time]
}

// Now is the service's time.
func (s *Service) Now() time.Time { return (*s.clock.Load())() }

// SetNow replaces the service's clock (tests).
func (s *Service) SetNow(now func() time.Time) { s.clock.Store(&now) }

// New returns a Service. providers are keyed by Name().
func New(store Store, providers []payment.Provider, log *slog.Logger, cfg Config) *Service {
	cfg.setDefaults()
	m := make(map[string]payment.Provider, len(providers))
	for _, p := range providers {
		m[p.Name()] = p
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	svc := &Service{store: store, providers: m, log: log, cfg: cfg, instance: payment.NewID("ins", time.Now())}
	svc.SetNow(time.Now)
	return svc
}

func (s *Service) provider(name string) (payment.Provider, error) {
	p, ok := s.providers[name]
	if !ok {
		if slices.Contains(payment.Providers, name) {
			return nil, payment.Errorf(payment.EPROVIDERNOTENABLED, "provider %q is not enabled on this paybridge (live mode without its credentials)", name)
		}
		return nil, payment.Errorf(payment.EINVALID, "provider %q is not available", name)
	}
	return p, nil
}

// ProviderLivemode reports whether payments through the named provider
// move real money.
func (s *Service) ProviderLivemode(name string) bool { return s.cfg.Livemode[name] }

// providerFor returns the provider of an existing payment p, and refuses
// (provider_not_enabled, nothing asked) while that provider does not move
// money the way it did when p was created: paybridge restarted with a live
// provider on its sandbox or test credentials, or the other way round. A
// live payment "paid" in a sandbox moved no money, yet it and its
// payment.paid webhook would say livemode true; a test payment's ids mean
// nothing to the live provider. p is left as it is, for when paybridge
// runs the provider as it did.
func (s *Service) providerFor(p *payment.Payment) (payment.Provider, error) {
	prov, err := s.provider(p.Provider)
	if err != nil {
		return nil, err
	}
	if live := s.cfg.Livemode[p.Provider]; live != p.Livemode {
		return nil, payment.Errorf(payment.EPROVIDERNOTENABLED,
			"payment %s was made in %s; provider %q now runs in %s here: it is left as it is until %s is configured as it was",
			p.ID, modeName(p.Livemode), p.Provider, modeName(live), p.Provider)
	}
	return prov, nil
}

// CheckProvider reports, as an error, why p's provider cannot handle p
// now (see providerFor): for the pages, which must not open a provider's
// window for a payment it would not settle.
func (s *Service) CheckProvider(p *payment.Payment) error {
	_, err := s.providerFor(p)
	return err
}

func modeName(live bool) string {
	if live {
		return "live mode"
	}
	return "test mode (sandbox or test credentials)"
}

// WebhookParser returns the named provider's webhook parser, if it has one.
func (s *Service) WebhookParser(name string) (payment.WebhookParser, bool) {
	wp, ok := s.providers[name].(payment.WebhookParser)
	return wp, ok
}

// providerCtx detaches a provider call from the caller's cancellation: a
// buyer closing the tab must not cut an approve or a refund in half, which
// would turn a clean answer into an unknown outcome.
func (s *Service) providerCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ProviderTimeout)
}

// lookup asks p's provider, by paybridge's own ids, what it holds for p
// (providerCtx bounds the call). prov is nil when p's provider is not
// enabled on this paybridge, or not in p's mode (providerFor): nothing was
// asked, and err says why. With a
// provider, err is the lookup's own: the answer is unknown. Callers treat
// the two differently.
func (s *Service) lookup(ctx context.Context, p *payment.Payment) (prov payment.Provider, res *payment.ProviderPayment, err error) {
	prov, err = s.providerFor(p)
	if err != nil {
		return nil, nil, err
	}
	pctx, cancel := s.providerCtx(ctx)
	defer cancel()
	res, err = prov.Lookup(pctx, p)
	return prov, res, err
}

// transition moves p from its current status to to. When someone else moved
// it first, it returns the payment as it now is, without an error: both
// actors were settling the same truth.
//
// p must be the payment as the store last returned it: it is handed to the
// store as upd.Seen, which then need not read the changed row back.
func (s *Service) transition(ctx context.Context, p *payment.Payment, to payment.Status, upd payment.Update, reason, msg string) (*payment.Payment, error) {
	upd.Seen = p
	np, err := s.store.TransitionPayment(ctx, p.ID, p.Status, to, upd, payment.Event{Reason: reason, Message: msg})
	if payment.ErrorCode(err) == payment.ECONFLICT && np != nil {
		return np, nil
	}
	return np, err
}

// ReturnURLs are the URLs handed to the provider for a payment: they carry
// only paybridge's payment id; everything else is read from the database.
func (s *Service) ReturnURLs(id string) payment.ReturnURLs {
	base := s.cfg.PublicURL + "/pay/" + id
	return payment.ReturnURLs{Approval: base + "/approve", Cancel: base + "/cancel", Fail: base + "/fail"}
}

// closed reports whether a payment ended without money (as paybridge sees it).
func closed(s payment.Status) bool {
	return s == payment.StatusAborted || s == payment.StatusFailed || s == payment.StatusExpired
}

func ptr[T any](v T) *T { return &v }

func nonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// providerErrorUpdate records what the provider said on the payment.
func providerErrorUpdate(upd *payment.Update, err error) {
	if pe := payment.AsProviderError(err); pe != nil {
		upd.ProviderErrorCode = ptr(pe.Code)
		msg := pe.Message
		if pe.Detail != "" {
			msg += " (" + pe.Detail + ")"
		}
		upd.ProviderErrorMessage = ptr(msg)
	}
}
