package webhook

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Schedule is the nominal wait after the nth failed attempt (the last entry
// repeats). With Window, about 10 attempts over 3 days, as Stripe and the
// Standard Webhooks example do.
var Schedule = []time.Duration{
	30 * time.Second, 2 * time.Minute, 10 * time.Minute, 30 * time.Minute, time.Hour,
	3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
}

// Window is how long a delivery is retried: an attempt that fails at least
// this long after the delivery was created is the last one.
const Window = 72 * time.Hour

// MaxRetryAfter caps how long a Retry-After header may postpone an attempt.
const MaxRetryAfter = 24 * time.Hour

// Backoff returns the wait after the given number of failed attempts (1 for
// the first), jittered uniformly in [d/2, d] for the nominal wait d. Half
// the wait is kept fixed ("equal jitter") rather than drawn from [0, d]
// ("full jitter") so that a down endpoint still gets spaced-out retries
// while a crowd of deliveries failing at once is still spread out.
func Backoff(failures int, rnd func() float64) time.Duration {
	if rnd == nil {
		rnd = rand.Float64
	}
	d := Schedule[min(max(failures, 1), len(Schedule))-1]
	return d/2 + time.Duration(rnd()*float64(d/2))
}

// RetryAfter parses a Retry-After header (seconds or an HTTP date) into a
// wait from now, capped at MaxRetryAfter; ok is false when absent or invalid.
func RetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	var d time.Duration
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		if n > int64(MaxRetryAfter/time.Second) {
			return MaxRetryAfter, true
		}
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	} else {
		return 0, false
	}
	return min(max(d, 0), MaxRetryAfter), true
}
