package console

import (
	"fmt"
	"testing"
	"time"
)

// The limiter remembers at most max keys however many addresses try, and
// a key's window ends after window: the map never grows past its bound and
// no call has to scan it.
func TestLoginLimiter_BoundedAndWindowed(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLoginLimiter(2, time.Minute, 3)
	for i := 0; i < 2; i++ {
		if v := l.allow("a", t0); v != allowed {
			t.Fatalf("attempt %d of a: %v", i+1, v)
		}
	}
	if v := l.allow("a", t0); v != throttledFirst {
		t.Fatalf("a's third attempt: %v, want throttledFirst", v)
	}
	if v := l.allow("a", t0); v != throttled {
		t.Fatalf("a's fourth attempt: %v, want throttled (no second audit)", v)
	}
	// A flood of new keys: the map stays at its bound, the oldest window
	// (a's) is the one forgotten.
	for i := 0; i < 100; i++ {
		l.allow(fmt.Sprintf("k%d", i), t0.Add(time.Second))
		if n := l.size(); n > 3 {
			t.Fatalf("%d keys held after %d new ones, want at most 3", n, i+1)
		}
	}
	if _, ok := l.seen["a"]; ok {
		t.Fatal("the oldest key was kept while newer ones were dropped")
	}
	// The window ends: the throttled key may try again, and the ended
	// windows are dropped.
	b := newLoginLimiter(1, time.Minute, 100)
	b.allow("x", t0)
	b.allow("y", t0)
	if v := b.allow("x", t0.Add(30*time.Second)); v != throttledFirst {
		t.Fatalf("inside the window: %v", v)
	}
	if v := b.allow("x", t0.Add(time.Minute)); v != allowed {
		t.Fatalf("after the window: %v, want allowed", v)
	}
	if n := b.size(); n != 1 {
		t.Fatalf("%d keys after the window ended, want 1 (y's ended window dropped)", n)
	}
}
