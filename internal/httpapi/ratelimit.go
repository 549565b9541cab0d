package httpapi

import (
	"math"
	"sync"
	"time"
)

// RateLimit is a per-API-key token bucket: Rate requests a second on
// average, bursts of up to Burst. Zero Rate means no limit. It is kept in
// each instance's memory, so N instances allow up to N times the rate.
type RateLimit struct {
	Rate  float64
	Burst int
}

type bucket struct {
	tokens float64
	last   time.Time
}

// rateLimiter holds one bucket per key id.
type rateLimiter struct {
	cfg     RateLimit
	now     func() time.Time
	mu      sync.Mutex
	buckets map[string]*bucket
}

func newRateLimiter(cfg RateLimit, now func() time.Time) *rateLimiter {
	if cfg.Burst < 1 {
		cfg.Burst = 1
	}
	return &rateLimiter{cfg: cfg, now: now, buckets: map[string]*bucket{}}
}

// allow takes a token for key, or says how long until one is available.
func (l *rateLimiter) allow(key string) (bool, time.Duration) {
	if l == nil || l.cfg.Rate <= 0 {
		return true, 0
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) > 10_000 {
			l.forgetFull(now)
		}
		b = &bucket{tokens: float64(l.cfg.Burst), last: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(float64(l.cfg.Burst), b.tokens+now.Sub(b.last).Seconds()*l.cfg.Rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / l.cfg.Rate * float64(time.Second))
	return false, wait
}

// forgetFull drops buckets that have refilled: they hold no state worth
// keeping, and this bounds memory whatever the number of keys.
func (l *rateLimiter) forgetFull(now time.Time) {
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.cfg.Rate >= float64(l.cfg.Burst) {
			delete(l.buckets, k)
		}
	}
}

// retryAfterSeconds rounds a wait up to whole seconds, at least 1, for the
// Retry-After header.
func retryAfterSeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}
