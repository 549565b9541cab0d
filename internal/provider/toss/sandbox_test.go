package toss

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
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

// urlsFor are the return URLs the service would hand to Ready for p.
func urlsFor(p *payment.Payment) payment.ReturnURLs {
	return payment.ReturnURLs{
		Approval: "https://shop.example/toss/success?payment_id=" + p.ID,
		Cancel:   "https://shop.example/toss/cancel?payment_id=" + p.ID,
		Fail:     "https://shop.example/toss/fail?payment_id=" + p.ID,
	}
}

// window runs Ready for p and plays the buyer on the window: open it,
// submit action, and return where the 303 sends the browser. edit, if not
// nil, changes the window URL first (a tampering buyer).
func (env *sandboxEnv) window(t *testing.T, p *payment.Payment, action string, edit func(url.Values)) *url.URL {
	t.Helper()
	rr, err := env.c.Ready(context.Background(), p, urlsFor(p))
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
	resp, err := env.browser.Get(target)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET window: %s", resp.Status)
	}
	resp, err = env.browser.PostForm(target, url.Values{"action": {action}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST window (%s): %s, want 303", action, resp.Status)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// mustAuthenticate runs the window's approve and parses the return.
func (env *sandboxEnv) mustAuthenticate(t *testing.T, p *payment.Payment) payment.Return {
	t.Helper()
	loc := env.window(t, p, "approve", nil)
	if !strings.HasPrefix(loc.String(), urlsFor(p).Approval+"&") {
		t.Fatalf("approve redirected to %s, want the approval URL", loc)
	}
	ret := env.c.ParseReturn(loc.Query())
	if !ret.Success || ret.TID == "" || ret.OrderID != p.ID || !ret.HasAmount || ret.Amount != p.Amount {
		t.Fatalf("ParseReturn = %+v", ret)
	}
	return ret
}

// TestSandbox_Flow runs a whole payment against the sandbox: ready, the
// buyer's approval, the return, confirm, lookups, a partial cancel, its
// retry, a stale cancel refused by the double-refund guard, and the rest.
func TestSandbox_Flow(t *testing.T) {
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
	if paid.State != payment.ProviderPaid || paid.TID != ret.TID || paid.OrderID != p.ID || paid.Amount != p.Amount ||
		paid.TaxFreeAmount != 1000 || paid.CancelableAmount != p.Amount || paid.CanceledAmount != 0 ||
		paid.MethodType != "카드" || len(paid.ApprovalID) != 32 || paid.RawStatus != "DONE" {
		t.Errorf("Approve = %+v", paid)
	}
	if d := time.Since(paid.ApprovedAt); d < -time.Minute || d > time.Minute {
		t.Errorf("ApprovedAt %v is %v from now: offset misread?", paid.ApprovedAt, d)
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
	if part.State != payment.ProviderPartiallyCanceled || part.CanceledAmount != 3000 || part.CancelableAmount != 7000 ||
		part.ApprovalID == "" || part.ApprovalID == paid.ApprovalID || part.CanceledAt.IsZero() {
		t.Errorf("partial Cancel = %+v", part)
	}
	// The same refund again (a retry after a timeout): replayed, not redone.
	retry, err := env.c.Cancel(ctx, p, first)
	if err != nil || retry.ApprovalID != part.ApprovalID || retry.CancelableAmount != 7000 {
		t.Errorf("retried Cancel = %+v, %v; want the first result", retry, err)
	}
	// Another refund that still believes 10000 is left: Toss's balance is
	// 7000, so the guard refuses it and nothing is refunded.
	_, err = env.c.Cancel(ctx, p, payment.CancelRequest{Amount: 3000, Cancelable: 10000, IdempotencyKey: "can_flow_stale"})
	testutil.AssertCode(t, err, payment.EINVALID)

	full, err := env.c.Cancel(ctx, p, payment.CancelRequest{Amount: 7000, TaxFreeAmount: 1000, Cancelable: 7000, IdempotencyKey: "can_flow_2"})
	if err != nil {
		t.Fatalf("final Cancel: %v", err)
	}
	if full.State != payment.ProviderCanceled || full.CanceledAmount != 10000 || full.CancelableAmount != 0 {
		t.Errorf("final Cancel = %+v", full)
	}
	got, err = env.c.Lookup(ctx, p)
	if err != nil || got.State != payment.ProviderCanceled || got.CanceledAmount != 10000 || got.TaxFreeAmount != 1000 ||
		got.RawStatus != "CANCELED" || got.ApprovalID != "" {
		t.Errorf("Lookup after cancels = %+v, %v", got, err)
	}
	if n := env.sb.CallsFor("cancel", p.ProviderTID); n != 4 {
		t.Errorf("cancel calls = %d, want 4", n)
	}
}

// TestSandbox_Windows checks the buyer leaving the window without paying.
func TestSandbox_Windows(t *testing.T) {
	for _, tt := range []struct{ action, code string }{
		{"cancel", "PAY_PROCESS_CANCELED"},
		{"fail", "REJECT_CARD_COMPANY"},
	} {
		t.Run(tt.action, func(t *testing.T) {
			env := MustSandbox(t)
			p := sandboxPayment()
			loc := env.window(t, p, tt.action, nil)
			if !strings.HasPrefix(loc.String(), urlsFor(p).Fail+"&") {
				t.Fatalf("%s redirected to %s, want the fail URL", tt.action, loc)
			}
			ret := env.c.ParseReturn(loc.Query())
			if ret.Success || ret.TID != "" || ret.ErrorCode != tt.code || ret.ErrorMessage == "" || ret.OrderID != p.ID {
				t.Fatalf("ParseReturn = %+v", ret)
			}
			got, err := env.c.Lookup(context.Background(), p)
			if err != nil || got.State != payment.ProviderPending {
				t.Errorf("Lookup = %+v, %v; want pending: Toss has nothing for this order", got, err)
			}
		})
	}
}
