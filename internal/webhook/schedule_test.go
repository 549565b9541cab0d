package webhook_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/webhook"
)

func TestBackoff(t *testing.T) {
	var total time.Duration
	for n := 1; n <= 12; n++ {
		d := webhook.Schedule[min(n, len(webhook.Schedule))-1]
		if lo, hi := webhook.Backoff(n, func() float64 { return 0 }), webhook.Backoff(n, func() float64 { return 0.999999 }); lo != d/2 || hi > d || hi < d-d/1000 {
			t.Errorf("Backoff(%d) spans [%s, %s], want [%s, %s]", n, lo, hi, d/2, d)
		}
		for range 100 {
			if got := webhook.Backoff(n, nil); got < d/2 || got > d {
				t.Fatalf("Backoff(%d) = %s, outside [%s, %s]", n, got, d/2, d)
			}
		}
		total += d
	}
	// At the longest waits, 12 attempts already cover the window; the
	// window rule, not a count, decides when to stop.
	if total < webhook.Window {
		t.Errorf("12 nominal waits cover %s, less than the %s window", total, webhook.Window)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, c := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"120", 120 * time.Second, true},
		{" 0 ", 0, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"99999999999", webhook.MaxRetryAfter, true},
		{now.Add(72 * time.Hour).Format(http.TimeFormat), webhook.MaxRetryAfter, true},
		{"", 0, false},
		{"-5", 0, false},
		{"soon", 0, false},
	} {
		got, ok := webhook.RetryAfter(c.in, now)
		if got != c.want || ok != c.ok {
			t.Errorf("RetryAfter(%q) = %s, %v; want %s, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
