package iamport

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
)

// refreshEarly is how long before its expiry a cached token is replaced.
// PortOne extends a token by 5 minutes when it is requested again in its
// last minute (§2.2), so refreshing then keeps the same token alive rather
// than racing its expiry with a call in flight.
const refreshEarly = 60 * time.Second

// tokenFetchTimeout bounds a getToken call that no caller is waiting for
// any more (see tokenCache.get).
const tokenFetchTimeout = 15 * time.Second

// tokenCache holds the access token that every API call needs. The Java
// client fetches one per call (§2.7); paybridge keeps it for its lifetime
// and makes sure that however many calls need a new one at once, only one
// getToken request is sent.
type tokenCache struct {
	fetch func(context.Context) (string, time.Duration, error)
	now   func() time.Time

	mu       sync.Mutex
	token    string
	expires  time.Time   // in our clock; see fetchToken
	inflight *tokenFetch // the getToken in progress, if any
}

// tokenFetch is one getToken call that callers wait on.
type tokenFetch struct {
	done  chan struct{} // closed when token and err are set
	token string
	err   error
}

// get returns a token valid for at least refreshEarly, fetching one when
// there is none. Concurrent callers share one fetch. The fetch runs on its
// own context (the first caller's values, not its cancellation) so that one
// caller giving up does not fail everyone else waiting on it; each caller
// still stops waiting when its own context ends.
func (tc *tokenCache) get(ctx context.Context) (string, error) {
	tc.mu.Lock()
	if tc.token != "" && tc.now().Before(tc.expires.Add(-refreshEarly)) {
		tok := tc.token
		tc.mu.Unlock()
		return tok, nil
	}
	f := tc.inflight
	if f == nil {
		f = &tokenFetch{done: make(chan struct{})}
		tc.inflight = f
		go tc.run(context.WithoutCancel(ctx), f)
	}
	tc.mu.Unlock()

	select {
	case <-f.done:
		return f.token, f.err
	case <-ctx.Done():
		return "", payment.Wrap(payment.EUPSTREAM, ctx.Err(),
			"gave up waiting for a PortOne access token; nothing was sent")
	}
}

// run performs fetch f and publishes its result.
func (tc *tokenCache) run(ctx context.Context, f *tokenFetch) {
	ctx, cancel := context.WithTimeout(ctx, tokenFetchTimeout)
	defer cancel()
	tok, lifetime, err := tc.fetch(ctx)

	tc.mu.Lock()
	f.token, f.err = tok, err
	if err == nil {
		tc.token, tc.expires = tok, tc.now().Add(lifetime)
	}
	tc.inflight = nil
	tc.mu.Unlock()
	close(f.done)
}

// invalidate drops tok after PortOne refused it. A token fetched since then
// is kept: only the one that failed goes.
func (tc *tokenCache) invalidate(tok string) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.token == tok {
		tc.token, tc.expires = "", time.Time{}
	}
}

// fetchToken calls POST /users/getToken and returns the token with its
// remaining lifetime. The lifetime is expired_at − now, both in PortOne's
// clock, so a skew between PortOne's clock and ours does not matter: the
// cache adds it to our own clock (§5 item 15).
func (c *Client) fetchToken(ctx context.Context) (string, time.Duration, error) {
	var resp tokenResponse
	err := c.send(ctx, provider.Call{
		Op:     opGetToken,
		Method: http.MethodPost,
		Path:   "/users/getToken",
		Body:   tokenRequest{ImpKey: c.apiKey, ImpSecret: c.apiSecret},
	}, "", &resp)
	if err != nil {
		return "", 0, err
	}
	if resp.AccessToken == "" {
		return "", 0, c.t.Unreadable(opGetToken, http.StatusOK, "no access_token")
	}
	lifetime := time.Duration(resp.ExpiredAt-resp.Now) * time.Second
	if lifetime < 0 || resp.ExpiredAt == 0 {
		// Nonsense times: use the token for the calls waiting on it, but do
		// not keep it.
		c.t.Log.WarnContext(ctx, "iamport token answer has unusable expiry times; not caching it",
			"provider", payment.ProviderIamport, "expired_at", resp.ExpiredAt, "now", resp.Now)
		lifetime = 0
	}
	return resp.AccessToken, lifetime, nil
}
