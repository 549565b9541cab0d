package iamport

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/testutil"
)

// tokenBody is a getToken answer for token tok living lifetime seconds, in
// a PortOne clock that reads now.
func tokenBody(tok string, now, lifetime int64) []byte {
	return fmt.Appendf(nil, `{"code":0,"message":null,"response":{"access_token":%q,"expired_at":%d,"now":%d}}`,
		tok, now+lifetime, now)
}

// TestTokenCache_Reuse checks that one token serves many calls.
func TestTokenCache_Reuse(t *testing.T) {
	f := newFake(t, replayFile(t, "payment_paid.json"))
	c := MustClient(t, f.BaseURL())
	for range 5 {
		if _, err := c.Lookup(context.Background(), testPayment()); err != nil {
			t.Fatal(err)
		}
	}
	if f.TokenCalls() != 1 || f.Calls() != 5 {
		t.Errorf("getToken calls = %d, API calls = %d; want 1 and 5", f.TokenCalls(), f.Calls())
	}
}

// TestTokenCache_Concurrent checks that 100 calls needing a token at once
// make one getToken request, and all of them use its token.
func TestTokenCache_Concurrent(t *testing.T) {
	f := newFake(t, replayFile(t, "payment_paid.json"))
	f.token = func(w http.ResponseWriter, _ int32) {
		time.Sleep(50 * time.Millisecond) // let every caller pile up behind it
		testutil.Reply(w, http.StatusOK, mustTestdata(t, "token.json"))
	}
	c := MustClient(t, f.BaseURL())
	var wg sync.WaitGroup
	var failed atomic.Int32
	for range 100 {
		wg.Go(func() {
			if _, err := c.Lookup(context.Background(), testPayment()); err != nil {
				failed.Add(1)
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if f.TokenCalls() != 1 || f.Calls() != 100 || failed.Load() != 0 {
		t.Errorf("getToken calls = %d, API calls = %d, failures = %d; want 1, 100, 0", f.TokenCalls(), f.Calls(), failed.Load())
	}
}

// TestTokenCache_Expiry checks that the expiry is kept in our clock from
// expired_at − now, refreshed a minute early: PortOne's clock here is
// decades behind ours, so reading expired_at as an instant would refetch
// on every call.
func TestTokenCache_Expiry(t *testing.T) {
	clock := testutil.NewClock(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
	f := newFake(t, replayFile(t, "payment_paid.json"))
	f.token = func(w http.ResponseWriter, n int32) {
		tok := fmt.Sprintf("tok%d", n)
		f.accept(tok)
		testutil.Reply(w, http.StatusOK, tokenBody(tok, 1000, 1800))
	}
	c := MustClient(t, f.BaseURL(), func(c *Config) { c.Now = clock.Now })
	lookup := func() {
		t.Helper()
		if _, err := c.Lookup(context.Background(), testPayment()); err != nil {
			t.Fatal(err)
		}
	}
	lookup()
	clock.Advance(1800*time.Second - refreshEarly - time.Second)
	lookup()
	if f.TokenCalls() != 1 {
		t.Fatalf("getToken calls = %d before the refresh point, want 1", f.TokenCalls())
	}
	clock.Advance(time.Second)
	lookup()
	if f.TokenCalls() != 2 {
		t.Fatalf("getToken calls = %d at the refresh point (a minute before expiry), want 2", f.TokenCalls())
	}
}

// TestTokenCache_UnusableExpiry checks that a token with nonsense times is
// used but not kept.
func TestTokenCache_UnusableExpiry(t *testing.T) {
	f := newFake(t, replayFile(t, "payment_paid.json"))
	f.token = func(w http.ResponseWriter, _ int32) {
		testutil.Reply(w, http.StatusOK, tokenBody(testToken, 2000, -10))
	}
	c := MustClient(t, f.BaseURL())
	for range 2 {
		if _, err := c.Lookup(context.Background(), testPayment()); err != nil {
			t.Fatal(err)
		}
	}
	if f.TokenCalls() != 2 {
		t.Errorf("getToken calls = %d, want 2: a token already expired must not be cached", f.TokenCalls())
	}
}

// TestTokenCache_Refused checks what a 401 on an API call does: the token
// is dropped; a lookup tries once more with a fresh one; a cancel is not
// repeated, reports EINVALID (nothing was refunded), and the next call
// fetches a fresh token.
func TestTokenCache_Refused(t *testing.T) {
	newRefusingFake := func(t *testing.T, file string) *fakePortOne {
		var f *fakePortOne
		f = newFake(t, func(w http.ResponseWriter, r *http.Request, _ wireRequest) {
			if r.Header.Get("Authorization") == "Bearer tok1" {
				testutil.Reply(w, http.StatusUnauthorized, mustTestdata(t, "error_unauthorized.json"))
				return
			}
			testutil.Reply(w, http.StatusOK, mustTestdata(t, file))
		})
		f.token = func(w http.ResponseWriter, n int32) {
			tok := fmt.Sprintf("tok%d", n)
			f.accept(tok)
			testutil.Reply(w, http.StatusOK, tokenBody(tok, 1_700_000_000, 1800))
		}
		return f
	}
	t.Run("LookupRetriedOnce", func(t *testing.T) {
		f := newRefusingFake(t, "payment_paid.json")
		got, err := MustClient(t, f.BaseURL()).Lookup(context.Background(), testPayment())
		if err != nil {
			t.Fatal(err)
		}
		if got.State != payment.ProviderPaid || f.Calls() != 2 || f.TokenCalls() != 2 {
			t.Errorf("State %s after %d calls and %d getTokens; want paid, 2, 2", got.State, f.Calls(), f.TokenCalls())
		}
	})
	t.Run("LookupNotLooping", func(t *testing.T) {
		f := newFake(t, replay(http.StatusUnauthorized, mustTestdata(t, "error_unauthorized.json")))
		_, err := MustClient(t, f.BaseURL()).Lookup(context.Background(), testPayment())
		testutil.AssertCode(t, err, payment.EINVALID)
		if f.Calls() != 2 {
			t.Errorf("API calls = %d, want 2 (one retry with a fresh token, then give up)", f.Calls())
		}
	})
	t.Run("CancelNotRepeated", func(t *testing.T) {
		f := newRefusingFake(t, "cancel_partial.json")
		c := MustClient(t, f.BaseURL())
		_, err := c.Cancel(context.Background(), testPayment(), payment.CancelRequest{Amount: 1000, Cancelable: 2200})
		testutil.AssertCode(t, err, payment.EINVALID)
		if pe := payment.AsProviderError(err); pe == nil || pe.HTTPStatus != 401 || pe.Message != "Unauthorized" {
			t.Errorf("ProviderError = %+v", pe)
		}
		if f.Calls() != 1 {
			t.Fatalf("cancel sent %d times, want 1", f.Calls())
		}
		if _, err := c.Cancel(context.Background(), testPayment(), payment.CancelRequest{Amount: 1000, Cancelable: 2200}); err != nil {
			t.Fatalf("next cancel: %v", err)
		}
		if f.TokenCalls() != 2 {
			t.Errorf("getToken calls = %d, want 2: the refused token must be dropped", f.TokenCalls())
		}
	})
}

// TestTokenCache_FetchFailures checks getToken's own failures.
func TestTokenCache_FetchFailures(t *testing.T) {
	t.Run("BadCredentials", func(t *testing.T) {
		f := newFake(t, replayFile(t, "payment_paid.json"))
		f.token = func(w http.ResponseWriter, _ int32) {
			testutil.Reply(w, http.StatusUnauthorized, envelopeError(-1, "imp_key, imp_secret 인증에 실패하였습니다."))
		}
		_, err := MustClient(t, f.BaseURL()).Lookup(context.Background(), testPayment())
		testutil.AssertCode(t, err, payment.EINVALID)
		if msg := payment.ErrorMessage(err); msg != "PortOne rejected paybridge's REST API key or secret: a configuration problem" {
			t.Errorf("Message = %q", msg)
		}
		if f.Calls() != 0 || f.TokenCalls() != 1 {
			t.Errorf("API calls %d, getToken calls %d; want 0 and 1 (credentials are not retried)", f.Calls(), f.TokenCalls())
		}
	})
	t.Run("BareBadCredentials", func(t *testing.T) {
		f := newFake(t, replayFile(t, "payment_paid.json"))
		f.token = func(w http.ResponseWriter, _ int32) { w.WriteHeader(http.StatusUnauthorized) }
		testutil.AssertCode(t, callLookup(MustClient(t, f.BaseURL())), payment.EINVALID)
	})
	t.Run("5xxRetriedByLookup", func(t *testing.T) {
		f := newFake(t, replayFile(t, "payment_paid.json"))
		f.token = func(w http.ResponseWriter, n int32) {
			if n < 3 {
				testutil.Reply(w, http.StatusServiceUnavailable, envelopeError(-1, "busy"))
				return
			}
			testutil.Reply(w, http.StatusOK, mustTestdata(t, "token.json"))
		}
		if _, err := MustClient(t, f.BaseURL()).Lookup(context.Background(), testPayment()); err != nil {
			t.Fatal(err)
		}
		if f.TokenCalls() != 3 {
			t.Errorf("getToken calls = %d, want 3", f.TokenCalls())
		}
	})
	t.Run("5xxNotRetriedByCancel", func(t *testing.T) {
		f := newFake(t, replayFile(t, "cancel_partial.json"))
		f.token = func(w http.ResponseWriter, _ int32) { testutil.Reply(w, http.StatusBadGateway, []byte("<html>")) }
		_, err := MustClient(t, f.BaseURL()).Cancel(context.Background(), testPayment(), payment.CancelRequest{Amount: 1, Cancelable: 2200})
		testutil.AssertCode(t, err, payment.EUPSTREAM)
		if f.Calls() != 0 || f.TokenCalls() != 1 {
			t.Errorf("API calls %d, getToken calls %d; want 0 and 1", f.Calls(), f.TokenCalls())
		}
	})
	t.Run("NoAccessToken", func(t *testing.T) {
		f := newFake(t, replayFile(t, "payment_paid.json"))
		f.token = func(w http.ResponseWriter, _ int32) { testutil.Reply(w, http.StatusOK, tokenBody("", 1, 1800)) }
		_, err := MustClient(t, f.BaseURL()).Cancel(context.Background(), testPayment(), payment.CancelRequest{Amount: 1, Cancelable: 2200})
		testutil.AssertCode(t, err, payment.EUPSTREAM)
		if f.Calls() != 0 {
			t.Errorf("API called without a token")
		}
	})
}

// TestTokenCache_WaiterGivesUp checks that a caller whose context ends
// stops waiting for the token, without failing the fetch for the others.
func TestTokenCache_WaiterGivesUp(t *testing.T) {
	release := make(chan struct{})
	f := newFake(t, replayFile(t, "payment_paid.json"))
	f.token = func(w http.ResponseWriter, _ int32) {
		<-release
		testutil.Reply(w, http.StatusOK, mustTestdata(t, "token.json"))
	}
	c := MustClient(t, f.BaseURL())
	done := make(chan error, 1)
	go func() { _, err := c.Lookup(context.Background(), testPayment()); done <- err }()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Lookup(ctx, testPayment())
	testutil.AssertCode(t, err, payment.EUPSTREAM)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("gave up after %v; want promptly", d)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("the patient caller failed: %v", err)
	}
	if f.TokenCalls() != 1 {
		t.Errorf("getToken calls = %d, want 1", f.TokenCalls())
	}
}
