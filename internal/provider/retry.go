// Package provider holds what every provider adapter needs alike; the
// adapters themselves live in its subpackages.
package provider

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// Lookup describes a lookup to RetryLookup.
type Lookup struct {
	// Backoff are the pauses before each retry; its length is the number of
	// retries (each pause is jittered).
	Backoff []time.Duration
	// Retryable says whether another try may cure err.
	Retryable func(err error) bool
	Log       *slog.Logger
	Provider  string
	Op        string
	PaymentID string
}

// RetryLookup runs call, a lookup, and repeats it after a short, jittered
// pause while it fails in a way l.Retryable says another try may cure.
//
// Only lookups come here. They read and change nothing, so repeating one is
// harmless. Calls that move money (approve, confirm, cancel) are never
// repeated: if the first reached the provider, a second could charge or
// refund twice; an unknown outcome is settled by looking the payment up.
func RetryLookup(ctx context.Context, l Lookup, call func() error) error {
	for attempt := 0; ; attempt++ {
		err := call()
		if err == nil || !l.Retryable(err) || attempt >= len(l.Backoff) || ctx.Err() != nil {
			return err
		}
		pause := Jitter(l.Backoff[attempt])
		l.Log.WarnContext(ctx, l.Provider+" lookup failed, retrying",
			"provider", l.Provider, "op", l.Op, "payment_id", l.PaymentID,
			"attempt", attempt+1, "retry_in_ms", pause.Milliseconds(), "error_code", payment.ErrorCode(err))
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return err // the last real answer says more than "context canceled"
		case <-t.C:
		}
	}
}

// Transient is the rule every provider's lookups retry on: the outcome is
// unknown and the call got no answer (a transport error) or a 5xx. A 4xx
// will be the same next time.
func Transient(err error) bool {
	if payment.ErrorCode(err) != payment.EUPSTREAM {
		return false
	}
	pe := payment.AsProviderError(err)
	return pe == nil || pe.HTTPStatus >= 500
}

// Jitter spreads d over [d/2, 3d/2) so that clients that failed together do
// not retry together.
func Jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return d/2 + rand.N(d)
}
