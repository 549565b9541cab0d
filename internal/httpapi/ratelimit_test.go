package httpapi

import (
	"testing"
	"time"
)

func TestRateLimiter(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	l := newRateLimiter(RateLimit{Rate: 2, Burst: 3}, func() time.Time { return now })
	for i := range 3 {
		if ok, _ := l.allow("key_a"); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, wait := l.allow("key_a")
	if ok || wait != 500*time.Millisecond || retryAfterSeconds(wait) != 1 {
		t.Fatalf("4th request: ok=%v wait=%v", ok, wait)
	}
	if ok, _ := l.allow("key_b"); !ok {
		t.Fatal("another key is limited by the first one's use")
	}
	now = now.Add(500 * time.Millisecond)
	if ok, _ := l.allow("key_a"); !ok {
		t.Fatal("no token after the wait it announced")
	}
	if ok, _ := l.allow("key_a"); ok {
		t.Fatal("two tokens from half a second at 2/s")
	}
	now = now.Add(time.Hour)
	for range 3 {
		if ok, _ := l.allow("key_a"); !ok {
			t.Fatal("the bucket did not refill to its burst")
		}
	}
	if ok, _ := l.allow("key_a"); ok {
		t.Fatal("the bucket refilled past its burst")
	}
	if ok, _ := newRateLimiter(RateLimit{}, time.Now).allow("k"); !ok {
		t.Fatal("a zero rate must mean no limit")
	}
}
