package iamport

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// readWithRetry runs call, a payment lookup, and repeats it after a short,
// jittered pause while it fails in a way another try may cure: no answer,
// or a 5xx. At most 1 + len(c.lookupBackoff) attempts.
//
// Only GET /payments lookups come here (Lookup, and Approve, which for V1 is
// a lookup too). They change nothing, so repeating one is harmless. A cancel
// is never repeated: if the first one reached PortOne, a second could refund
// twice (the checksum guard would catch it, but the guard is the last line,
// not the plan); an unknown outcome is settled by looking the payment up.
func (c *Client) readWithRetry(ctx context.Context, paymentID string, call func() error) error {
	var err error
	for attempt := 0; ; attempt++ {
		err = call()
		if err == nil || !retryable(err) || attempt >= len(c.lookupBackoff) || ctx.Err() != nil {
			return err
		}
		pause := jitter(c.lookupBackoff[attempt])
		c.log.WarnContext(ctx, "iamport lookup failed, retrying",
			"provider", payment.ProviderIamport, "op", opPayment, "payment_id", paymentID,
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

// retryable reports whether another try of a lookup may succeed: the call
// got no answer (transport error, token fetch included), or PortOne failed
// with a 5xx. A 4xx will be the same next time.
func retryable(err error) bool {
	if payment.ErrorCode(err) != payment.EUPSTREAM {
		return false
	}
	pe := payment.AsProviderError(err)
	return pe == nil || pe.HTTPStatus >= 500
}

// jitter spreads d over [d/2, 3d/2) so that clients that failed together do
// not retry together.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return d/2 + rand.N(d)
}
