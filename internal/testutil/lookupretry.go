package testutil

import (
	"context"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// StopsAtDeadline checks an adapter's lookup of p against a provider that
// fails every time with status, the adapter's retry pauses made longer
// than ctx lives: it returns promptly, after one call to the provider
// (calls), with the provider's last answer rather than the context's
// error. It returns that error for the adapter's own checks.
func StopsAtDeadline(t testing.TB, ctx context.Context, lookup func(context.Context, *payment.Payment) (*payment.ProviderPayment, error),
	p *payment.Payment, calls func() int, status int) error {
	t.Helper()
	start := time.Now()
	_, err := lookup(ctx, p)
	AssertCode(t, err, payment.EUPSTREAM)
	if pe := payment.AsProviderError(err); pe == nil || pe.HTTPStatus != status {
		t.Errorf("err = %v, want the last real answer (%d), not the context's", err, status)
	}
	if d := time.Since(start); d > 5*time.Second || calls() != 1 {
		t.Errorf("returned after %v and %d calls; want promptly after 1", d, calls())
	}
	return err
}

// LookupRecovers checks an adapter's lookup of p against a provider that
// fails before it answers with the payment paid (FailThenReplay): the
// lookup retries through the failures and reports it paid, after want
// calls to the provider (calls).
func LookupRecovers(t testing.TB, lookup func(context.Context, *payment.Payment) (*payment.ProviderPayment, error),
	p *payment.Payment, calls func() int, want int) {
	t.Helper()
	got, err := lookup(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != payment.ProviderPaid || calls() != want {
		t.Errorf("State %s after %d calls; want paid after %d", got.State, calls(), want)
	}
}
