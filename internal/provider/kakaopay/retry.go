package kakaopay

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// lookupWithRetry runs call, a lookup, and repeats it after a short, jittered
// pause while it fails in a way another try may cure: no answer, or a 5xx.
//
// Only lookups come here. They read and change nothing, so repeating one is
// harmless. Approve and cancel are never repeated: if the first call reached
// KakaoPay, a second approve is at best a -702 and a second cancel could
// refund twice; an unknown outcome is settled by looking the payment up.
func (c *Client) lookupWithRetry(ctx context.Context, paymentID string, call func() error) error {
	var err error
	for attempt := 0; ; attempt++ {
		err = call()
		if err == nil || !retryable(err) || attempt >= len(c.lookupBackoff) || ctx.Err() != nil {
			return err
		}
		pause := jitter(c.lookupBackoff[attempt])
		c.log.WarnContext(ctx, "kakaopay lookup failed, retrying",
			"provider", payment.ProviderKakaoPay, "op", opOrder, "payment_id", paymentID,
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
// got no answer (transport error), or KakaoPay failed with a 5xx. A 4xx will
// be the same next time.
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
