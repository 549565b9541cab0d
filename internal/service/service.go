// Package service holds paybridge's use cases: create, finish, refund and
// reconcile payments. It is the one place that orchestrates the store and the
// providers; HTTP handlers and workers call it and nothing else.
package service

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// Config tunes the service.
type Config struct {
	// PublicURL is where buyers' browsers reach paybridge, e.g.
	// "http://localhost:8080". Provider return URLs are built from it.
	PublicURL string
	// ProviderTimeout bounds one provider call (default 20s).
	ProviderTimeout time.Duration
	// ApproveWait is how long a second, concurrent return for the same
	// payment waits for the first one to finish (default 25s).
	ApproveWait time.Duration
	// Expiry is the provider's window between ready and approve (default
	// 15 minutes, KakaoPay's tid lifetime).
	Expiry time.Duration
	// SettleAfter is how long an approving payment or a pending refund is left
	// to its own request before the sweep looks it up (default 30s).
	SettleAfter time.Duration
	// GiveUpAfter is how long past the provider's window a payment whose
	// approve outcome is unknown and which the provider still reports as
	// unfinished stays approving before it is failed (default 5 minutes).
	GiveUpAfter time.Duration
	// SweepLease is how long a sweep holds the payments it claimed (default
	// 1 minute): if an instance dies mid-sweep, another picks its work up
	// after that. It also spaces out lookups of one unsettled payment.
	SweepLease time.Duration
	// RefundGiveUpAfter is how old a pending refund must be before a lookup
	// showing no refund fails it (default 2 minutes): long enough for any
	// request in flight to land.
	RefundGiveUpAfter time.Duration
	// Livemode names the providers whose payments move real money (live
	// credentials); a payment's livemode is fixed from it at creation.
	Livemode map[string]bool
	// SweepConcurrency is how many items of one provider the sweep works
	// on at once (default 4); each provider gets its own, so one slow
	// provider cannot stall the others.
	SweepConcurrency int
	// UnknownAfter is how long past the provider's window a payment may
	// stay approving with an outcome paybridge cannot learn (lookups fail,
	// or the provider reports a status paybridge does not know) before it
	// is surfaced: failure code outcome_unknown, a payment.updated event
	// and an error in the log (default 30 minutes).
	UnknownAfter time.Duration
	// LateCheckFor is how long after a payment of a provider whose window
	// outlives paybridge's expiry (PortOne) was closed the sweep keeps
	// looking it up, every LateCheckEvery, to refund a late charge
	// (defaults 2 hours and 5 minutes).
	LateCheckFor   time.Duration
	LateCheckEvery time.Duration
}

func (c *Config) setDefaults() {
	if c.ProviderTimeout == 0 {
		c.ProviderTimeout = 20 * time.Second
	}
	if c.ApproveWait == 0 {
		c.ApproveWait = 25 * time.Second
	}
	if c.Expiry == 0 {
		c.Expiry = 15 * time.Minute
	}
	if c.SettleAfter == 0 {
		c.SettleAfter = 30 * time.Second
	}
	if c.GiveUpAfter == 0 {
		c.GiveUpAfter = 5 * time.Minute
	}
	if c.SweepLease == 0 {
		c.SweepLease = time.Minute
	}
	if c.RefundGiveUpAfter == 0 {
		c.RefundGiveUpAfter = 2 * time.Minute

	}
	if c.SweepConcurrency <= 0 {
		c.SweepConcurrency = 4
	}
	if c.UnknownAfter == 0 {
		c.UnknownAfter = 30 * time.Minute
	}
	if c.LateCheckFor == 0 {
		c.LateCheckFor = 2 * time.Hour
	}
	if c.LateCheckEvery == 0 {
		c.LateCheckEvery = 5 * time.Minute
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
}

// Service implements paybridge's use cases.
type Service struct {
	store     payment.Store
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
func New(store payment.Store, providers []payment.Provider, log *slog.Logger, cfg Config) *Service {
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

// Store returns the service's store, for read-only views (pages, lists).
func (s *Service) Store() payment.Store { return s.store }

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

// FindPayment returns a merchant's payment. Another merchant's payment is
// reported as not found, never as forbidden, so ids cannot be probed.
func (s *Service) FindPayment(ctx context.Context, merchantID, id string) (*payment.Payment, error) {
	p, err := s.store.FindPaymentByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.MerchantID != merchantID {
		return nil, payment.Errorf(payment.ENOTFOUND, "payment not found")
	}
	// A key sees only payments of its own mode, as if the others did not exist.
	if live, ok := payment.LivemodeFrom(ctx); ok && live != p.Livemode {
		return nil, payment.Errorf(payment.ENOTFOUND, "payment not found")
	}
	return p, nil
}

// ReturnURLs are the URLs handed to the provider for a payment: they carry
// only paybridge's payment id; everything else is read from the database.
func (s *Service) ReturnURLs(id string) payment.ReturnURLs {
	base := s.cfg.PublicURL + "/pay/" + id
	return payment.ReturnURLs{Approval: base + "/approve", Cancel: base + "/cancel", Fail: base + "/fail"}
}

func ptr[T any](v T) *T { return &v }

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
