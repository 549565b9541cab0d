package toss

import (
	"context"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// codeConsecutive is Toss's "too many requests in a row" (403): a pause
// cures it.
const codeConsecutive = "FORBIDDEN_CONSECUTIVE_REQUEST"

// lookupWithRetry runs get, a lookup, and repeats it after a short, jittered
// pause while it fails in a way another try may cure: no answer, a 5xx, or
// a rate limit. At most 1+len(c.lookupBackoff) attempts, and never past ctx.
//
// Only lookups come here. They read and change nothing, so repeating one is
// harmless. Confirm and cancel are never repeated: if the first call reached
// Toss, a second confirm is ALREADY_PROCESSED_PAYMENT at best and a second
// cancel could refund twice; an unknown outcome is settled by a lookup.
func (c *Client) lookupWithRetry(ctx context.Context, paymentID string, get func() error) error {
	var err error
	for attempt := 0; ; attempt++ {
		err = get()
		if err == nil || !retryable(err) || attempt >= len(c.lookupBackoff) || ctx.Err() != nil {
			return err
		}
		pause := jitter(c.lookupBackoff[attempt])
		c.log.WarnContext(ctx, "toss lookup failed, retrying",
			"provider", payment.ProviderToss, "op", opGet, "payment_id", paymentID,
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
// got no answer, Toss failed with a 5xx, or it asked us to slow down. Any
// other 4xx will be the same next time.
func retryable(err error) bool {
	if payment.ErrorCode(err) != payment.EUPSTREAM {
		return false
	}
	pe := payment.AsProviderError(err)
	return pe == nil || pe.HTTPStatus >= 500 || pe.HTTPStatus == http.StatusTooManyRequests || pe.Code == codeConsecutive
}

// jitter spreads d over [d/2, 3d/2) so that clients that failed together do
// not retry together.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return d/2 + rand.N(d)
}
