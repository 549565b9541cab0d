package provider

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

func TestRetryLookup(t *testing.T) {
	upstream := payment.Wrap(payment.EUPSTREAM, &payment.ProviderError{HTTPStatus: 503}, "down")
	invalid := payment.Errorf(payment.EINVALID, "bad")
	l := Lookup{Backoff: []time.Duration{time.Millisecond, time.Millisecond}, Retryable: Transient,
		Log: slog.New(slog.DiscardHandler), Provider: "p", Op: "get"}
	for _, tt := range []struct {
		name  string
		errs  []error
		calls int
		want  error
	}{
		{"SucceedsAfterTwo5xx", []error{upstream, upstream, nil}, 3, nil},
		{"GivesUpAfterBackoff", []error{upstream, upstream, upstream, nil}, 3, upstream},
		{"NoRetryOn4xx", []error{invalid, nil}, 1, invalid},
	} {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			err := RetryLookup(context.Background(), l, func() error { calls++; return tt.errs[calls-1] })
			if calls != tt.calls || !errors.Is(err, tt.want) {
				t.Fatalf("calls = %d, err = %v; want %d, %v", calls, err, tt.calls, tt.want)
			}
		})
	}
	if Transient(payment.Wrap(payment.EUPSTREAM, &payment.ProviderError{HTTPStatus: 429}, "slow down")) {
		t.Error("a 429 is not transient by the base rule")
	}
	if !Transient(payment.Errorf(payment.EUPSTREAM, "no answer")) {
		t.Error("no answer at all is transient")
	}
	for range 100 {
		if j := Jitter(10 * time.Millisecond); j < 5*time.Millisecond || j >= 15*time.Millisecond {
			t.Fatalf("Jitter = %v", j)
		}
	}
}
