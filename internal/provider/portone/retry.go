package portone

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// lookupWithRetry runs call, a GET of the payment, and repeats it after a
// short, jittered pause while it fails in a way another try may cure: no
// answer, a 5xx, or a 2xx body that could not be read.
//
// Only GET /payments/{id} comes here. It reads and changes nothing, so
// repeating it is harmless. Pre-register and cancel are never repeated: a
// second cancel after a lost answer could refund twice (the
// currentCancellableAmount guard would catch it, but the guard is a last
// line, not a retry policy); an unknown outcome is settled by a lookup.
func (c *Client) lookupWithRetry(ctx context.Context, paymentID string, call func() error) error {
	var err error
	for attempt := 0; ; attempt++ {
		err = call()
		if err == nil || !retryable(err) || attempt >= len(c.lookupBackoff) || ctx.Err() != nil {
			return err
		}
		pause := jitter(c.lookupBackoff[attempt])
		c.log.WarnContext(ctx, "portone lookup failed, retrying",
			"provider", payment.ProviderPortOne, "op", opGetPayment, "payment_id", paymentID,
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

// retryable reports whether another try of a lookup may succeed. A 4xx will
// be the same next time.
func retryable(err error) bool {
	if payment.ErrorCode(err) != payment.EUPSTREAM {
		return false
	}
	pe := payment.AsProviderError(err)
	return pe == nil || pe.HTTPStatus >= 500 || (pe.HTTPStatus >= 200 && pe.HTTPStatus <= 299)
}

// jitter spreads d over [d/2, 3d/2) so that clients that failed together do
// not retry together.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return d/2 + rand.N(d)
}
