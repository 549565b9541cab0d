package toss

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider/providertest"
	tosssandbox "github.com/paybridge/paybridge/internal/sandbox/toss"
	"github.com/paybridge/paybridge/internal/testutil"
)

// sandboxEnv is paybridge's Toss sandbox served under testPrefix (so the
// client's base URL has a path prefix to keep), a client pointed at it with
// the sandbox window, and a browser that does not follow redirects.
type sandboxEnv struct {
	sb      *tosssandbox.Sandbox
	c       *Client
	browser *http.Client
	clock   *clock
}

// clock is the tests' settable time (see testutil.Clock).
type clock = testutil.Clock

func MustSandbox(t *testing.T) *sandboxEnv {
	t.Helper()
	env := &sandboxEnv{clock: testutil.NewClock(time.Now())}
	env.sb = tosssandbox.New(tosssandbox.Options{SecretKey: testSecretKey, Now: env.clock.Now})
	srv := testutil.ServeMounted(t, testPrefix, env.sb)
	env.c = MustClient(t, srv.URL+testPrefix, func(c *Config) {
		c.WindowURL = srv.URL + testPrefix
		c.HTTPClient = &http.Client{Timeout: 5 * time.Second}
	})
	env.browser = testutil.Browser()
	return env
}

// sandboxPayment is a fresh payment as the service creates it.
func sandboxPayment() *payment.Payment {
	return testutil.SandboxPayment(payment.ProviderToss)
}

// window runs Ready for p and plays the buyer on the window: open it,
// submit action, and return where the 303 sends the browser. edit, if not
// nil, changes the window URL first (a tampering buyer).
func (env *sandboxEnv) window(t *testing.T, p *payment.Payment, action string, edit func(url.Values)) *url.URL {
	t.Helper()
	rr, err := env.c.Ready(context.Background(), p, testutil.ReturnURLs(p))
	if err != nil {
		t.Fatalf("Ready: %v", err)
	}
	p.Status = payment.StatusReady
	target := rr.RedirectPC
	if edit != nil {
		u, _ := url.Parse(target)
		q := u.Query()
		edit(q)
		u.RawQuery = q.Encode()
		target = u.String()
	}
	return providertest.Env{Browser: env.browser}.Press(t, target, action)
}

// mustAuthenticate runs the window's approve and parses the return.
func (env *sandboxEnv) mustAuthenticate(t *testing.T, p *payment.Payment) payment.Return {
	t.Helper()
	loc := env.window(t, p, "approve", nil)
	if !strings.HasPrefix(loc.String(), testutil.ReturnURLs(p).Approval+"&") {
		t.Fatalf("approve redirected to %s, want the approval URL", loc)
	}
	ret := env.c.ParseReturn(loc.Query())
	if !ret.Success || ret.TID == "" || ret.OrderID != p.ID || !ret.HasAmount || ret.Amount != p.Amount {
		t.Fatalf("ParseReturn = %+v", ret)
	}
	return ret
}

// TestSandbox_Flow runs the provider contract (providertest.Flow: ready,
// window, confirm, lookup, partial, stale and final cancel) against this
// package's sandbox, then checks what is Toss's own in its answers.
func TestSandbox_Flow(t *testing.T) {
	env := MustSandbox(t)
	p := sandboxPayment()
	r := providertest.Flow(t, providertest.Env{Provider: env.c, Browser: env.browser}, p)
	if paid := r.Paid; paid.TaxFreeAmount != 1000 || paid.CancelableAmount != p.Amount ||
		paid.MethodType != "카드" || len(paid.ApprovalID) != 32 || paid.RawStatus != "DONE" {
		t.Errorf("Approve = %+v", providertest.Show(paid))
	}
	if got := r.Cancelled; got.TaxFreeAmount != 1000 || got.RawStatus != "CANCELED" || got.ApprovalID != "" {
		t.Errorf("Lookup after cancels = %+v", providertest.Show(got))
	}
	// partial, stale (refused by Toss, so it reached it) and final.
	if n := env.sb.CallsFor("cancel", p.ProviderTID); n != 3 {
		t.Errorf("cancel calls = %d, want 3", n)
	}
}

// TestSandbox_Replays checks Toss's own idempotency and lookups: by
// orderId Toss finds confirmed payments only; a second confirm and a
// retried cancel carry the same Idempotency-Key and get the first result
// replayed; a payment is found by orderId and by paymentKey alike.
func TestSandbox_Replays(t *testing.T) {
	env := MustSandbox(t)
	ctx := context.Background()
	p := sandboxPayment()
	ret := env.mustAuthenticate(t, p)
	p.Status = payment.StatusApproving

	got, err := env.c.Lookup(ctx, p)
	if err != nil || got.State != payment.ProviderPending || got.RawStatus != "NOT_FOUND" {
		t.Fatalf("Lookup before confirm = %+v, %v; want pending NOT_FOUND (by orderId Toss finds confirmed payments only)", got, err)
	}

	paid, err := env.c.Approve(ctx, p, ret)
	if err != nil {
		t.Fatalf("Approve: %v", err)
	}
	// A second Approve (a refreshed success page that slipped through)
	// carries the same Idempotency-Key: Toss answers the first result.
	again, err := env.c.Approve(ctx, p, ret)
	if err != nil || again.ApprovalID != paid.ApprovalID {
		t.Errorf("second Approve = %+v, %v; want the first result replayed", again, err)
	}
	if n := env.sb.CallsFor("confirm", p.ID); n != 2 {
		t.Errorf("confirm calls = %d, want 2", n)
	}

	for _, tid := range []string{"", paid.TID} { // by orderId, then by paymentKey
		q := *p
		q.ProviderTID = tid
		got, err := env.c.Lookup(ctx, &q)
		if err != nil || got.State != payment.ProviderPaid || got.TID != paid.TID || got.CancelableAmount != p.Amount ||
			got.ApprovalID != paid.ApprovalID {
			t.Errorf("Lookup (tid %q) = %+v, %v", tid, got, err)
		}
	}
	p.ProviderTID, p.Status = paid.TID, payment.StatusPaid

	first := payment.CancelRequest{Amount: 3000, Cancelable: 10000, Reason: "one cup", IdempotencyKey: "can_flow_1"}
	part, err := env.c.Cancel(ctx, p, first)
	if err != nil {
		t.Fatalf("partial Cancel: %v", err)
	}
	// The same refund again (a retry after a timeout): replayed, not redone.
	retry, err := env.c.Cancel(ctx, p, first)
	if err != nil || retry.ApprovalID != part.ApprovalID || retry.CancelableAmount != 7000 {
		t.Errorf("retried Cancel = %+v, %v; want the first result", retry, err)
	}
	if n := env.sb.CallsFor("cancel", p.ProviderTID); n != 2 {
		t.Errorf("cancel calls = %d, want 2", n)
	}
}

// TestSandbox_Windows checks the buyer leaving the window without paying
// (the contract's BuyerLeaves) and what Toss's return then says.
func TestSandbox_Windows(t *testing.T) {
	for _, tt := range []struct{ action, code string }{
		{"cancel", "PAY_PROCESS_CANCELED"},
		{"fail", "REJECT_CARD_COMPANY"},
	} {
		t.Run(tt.action, func(t *testing.T) {
			env := MustSandbox(t)
			p := sandboxPayment()
			loc, ret := providertest.BuyerLeaves(t, providertest.Env{Provider: env.c, Browser: env.browser}, p, tt.action)
			if !strings.HasPrefix(loc.String(), testutil.ReturnURLs(p).Fail+"&") {
				t.Fatalf("%s redirected to %s, want the fail URL", tt.action, loc)
			}
			if ret.TID != "" || ret.ErrorCode != tt.code || ret.ErrorMessage == "" || ret.OrderID != p.ID {
				t.Fatalf("ParseReturn = %+v", ret)
			}
			got, err := env.c.Lookup(context.Background(), p)
			if err != nil || got.State != payment.ProviderPending {
				t.Errorf("Lookup = %+v, %v; want pending: Toss has nothing for this order", got, err)
			}
		})
	}
}
