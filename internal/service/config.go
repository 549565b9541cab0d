// config.go: the service's settings (timeouts, the provider's window, the
// sweep's pace) and their defaults. service.go lists the flows' files.

package service

import (
	"strings"
	"time"
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

// setDefaults fills every zero setting with its default (see each field).
func (c *Config) setDefaults() {
	orDefault(&c.ProviderTimeout, 20*time.Second)
	orDefault(&c.ApproveWait, 25*time.Second)
	orDefault(&c.Expiry, 15*time.Minute)
	orDefault(&c.SettleAfter, 30*time.Second)
	orDefault(&c.GiveUpAfter, 5*time.Minute)
	orDefault(&c.SweepLease, time.Minute)
	orDefault(&c.RefundGiveUpAfter, 2*time.Minute)
	orDefault(&c.UnknownAfter, 30*time.Minute)
	orDefault(&c.LateCheckFor, 2*time.Hour)
	orDefault(&c.LateCheckEvery, 5*time.Minute)
	if c.SweepConcurrency <= 0 {
		c.SweepConcurrency = 4
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
}

// orDefault sets *v to def when it is zero (unset).
func orDefault(v *time.Duration, def time.Duration) {
	if *v == 0 {
		*v = def
	}
}
