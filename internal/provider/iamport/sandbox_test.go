package iamport

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider/providertest"
	sbiamport "github.com/paybridge/paybridge/internal/sandbox/iamport"
	"github.com/paybridge/paybridge/internal/testutil"
)

// MustSandbox serves paybridge's PortOne V1 sandbox under testPrefix (so
// the client's base URL has a path prefix to keep) and returns it with a
// client pointed at it, its buyer window included.
func MustSandbox(t *testing.T, o sbiamport.Options, mods ...func(*Config)) (*sbiamport.Sandbox, *Client) {
	t.Helper()
	if o.APIKey == "" {
		o.APIKey, o.APISecret = testKey, testSecret
	}
	sb := sbiamport.New(o)
	// The forwarded prefix tells the sandbox where its pages live.
	srv := testutil.ServeMounted(t, testPrefix, testutil.ForwardedPrefix(testPrefix, sb))
	c := MustClient(t, srv.URL+testPrefix, append([]func(*Config){func(c *Config) {
		c.WindowURL = srv.URL + testPrefix
		c.HTTPClient = &http.Client{Timeout: 5 * time.Second}
	}}, mods...)...)
	return sb, c
}

// sandboxPayment is a fresh payment as the service creates it.
func sandboxPayment() *payment.Payment {
	p := testutil.SandboxPayment(payment.ProviderIamport)
	p.TaxFreeAmount = 0
	return p
}

// browser is a client that does not follow redirects, so tests can read
// them.
var browser = testutil.Browser()

var impUIDField = regexp.MustCompile(`name="imp_uid" value="([^"]+)"`)

// openWindow GETs the window and returns its page and the imp_uid it
// started (empty for a blocked window).
func openWindow(t *testing.T, windowURL string) (page, impUID string) {
	t.Helper()
	resp, err := browser.Get(windowURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET window: %s", resp.Status)
	}
	if m := impUIDField.FindSubmatch(b); m != nil {
		impUID = string(m[1])
	}
	return string(b), impUID
}

// press submits the window's form with action and returns the query of the
// 303 back to returnURL.
func press(t *testing.T, windowURL, impUID, action, returnURL string) url.Values {
	t.Helper()
	resp, err := browser.PostForm(windowURL, url.Values{"action": {action}, "imp_uid": {impUID}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST %s: %s, want 303", action, resp.Status)
	}
	loc := resp.Header.Get("Location")
	if !strings.HasPrefix(loc, returnURL+"&") {
		t.Fatalf("redirected to %s, want the return URL %s with its query kept", loc, returnURL)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// mustReady runs Ready and records it on p as the service does.
func mustReady(t *testing.T, c *Client, p *payment.Payment) *payment.ReadyResult {
	t.Helper()
	rr, err := c.Ready(context.Background(), p, testutil.ReturnURLs(p))
	if err != nil {
		t.Fatalf("Ready: %v", err)
	}
	if rr.TID != "" || rr.CID != "" || rr.RedirectPC == "" || rr.RedirectMobile != rr.RedirectPC {
		t.Fatalf("Ready = %+v", rr)
	}
	p.Status = payment.StatusReady
	return rr
}

// webhookSink receives the sandbox's webhooks and passes them through the
// adapter's ParseWebhook (of the client c holds once the sandbox exists).
func webhookSink(t *testing.T, c *atomic.Pointer[Client]) (string, <-chan string) {
	ids := make(chan string, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		id, err := c.Load().ParseWebhook(r.Header, body)
		if err != nil {
			t.Errorf("ParseWebhook(%s): %v", body, err)
		}
		ids <- id
	}))
	t.Cleanup(srv.Close)
	return srv.URL, ids
}

// TestSandbox_Flow runs the provider contract (providertest.Flow: ready,
// window, verification, lookup, partial, stale and final refund) against
// the sandbox, then checks what is PortOne V1's own: its answers, the
// webhook after the payment, a refund of a cancelled payment refused, and
// one token for all of it.
func TestSandbox_Flow(t *testing.T) {
	var cp atomic.Pointer[Client]
	notices, webhooks := webhookSink(t, &cp)
	sb, c := MustSandbox(t, sbiamport.Options{NoticeURL: notices})
	cp.Store(c)
	p := sandboxPayment()
	r := providertest.Flow(t, providertest.Env{Provider: c, Browser: browser}, p)
	if paid := r.Paid; paid.CancelableAmount != 10000 || paid.MethodType != "card" || paid.CustomerID != "cus_42" ||
		paid.ItemName != "Americano x2" || paid.RawStatus != "paid" {
		t.Errorf("Approve = %+v", providertest.Show(paid))
	}
	select {
	case id := <-webhooks:
		if id != p.ID {
			t.Errorf("webhook names %q, want %q", id, p.ID)
		}
	case <-time.After(5 * time.Second):
		t.Error("no webhook after the payment")
	}
	if r.Part.RawStatus != "paid" {
		t.Errorf("partial Cancel = %+v", providertest.Show(r.Part))
	}
	if r.Full.ApprovalID == r.Part.ApprovalID {
		t.Errorf("final Cancel = %+v: the partial cancel's approval id", providertest.Show(r.Full))
	}
	if r.Cancelled.RawStatus != "cancelled" {
		t.Errorf("Lookup after the refunds = %+v", providertest.Show(r.Cancelled))
	}
	_, err := c.Cancel(context.Background(), p, payment.CancelRequest{Amount: 1, Cancelable: 1})
	testutil.AssertCode(t, err, payment.EINVALID)
	// partial, stale (refused by the checksum), final and the last one.
	if n := sb.CallsFor("cancel", p.ID); n != 4 {
		t.Errorf("cancel calls = %d, want 4", n)
	}
	if n := sb.Calls("getToken"); n != 1 {
		t.Errorf("getToken calls = %d, want 1: the token is cached", n)
	}
}

// TestSandbox_Window checks PortOne V1's own steps up to verification:
// nothing is found before Ready, a second Ready is harmless, the window
// shows the payment and starts an imp_uid that the lookup finds ready, the
// return carries it, and verification is one lookup of it.
func TestSandbox_Window(t *testing.T) {
	sb, c := MustSandbox(t, sbiamport.Options{})
	ctx := context.Background()
	p := sandboxPayment()
	urls := testutil.ReturnURLs(p)

	got, err := c.Lookup(ctx, p)
	if err != nil || got.State != payment.ProviderPending || got.RawStatus != "NOT_FOUND" {
		t.Fatalf("Lookup before anything = %+v, %v; want pending/NOT_FOUND", got, err)
	}
	rr := mustReady(t, c, p)
	// Ready again (a retry after a lost answer) is harmless.
	if _, err := c.Ready(ctx, p, urls); err != nil {
		t.Fatalf("second Ready: %v", err)
	}

	page, impUID := openWindow(t, rr.RedirectPC)
	for _, want := range []string{"샌드박스 — 실제 돈은 오가지 않습니다", "10,000원", "Americano x2", p.ID} {
		if !strings.Contains(page, want) {
			t.Errorf("window does not show %q", want)
		}
	}
	if got, err := c.Lookup(ctx, p); err != nil || got.State != payment.ProviderPending || got.RawStatus != "ready" {
		t.Errorf("Lookup with the window open = %+v, %v; want pending/ready", got, err)
	}

	ret := c.ParseReturn(press(t, rr.RedirectPC, impUID, "approve", urls.Approval))
	if !ret.Success || ret.TID != impUID || ret.OrderID != p.ID {
		t.Fatalf("ParseReturn = %+v", ret)
	}
	paid, err := c.Approve(ctx, p, ret)
	if err != nil || paid.State != payment.ProviderPaid || paid.TID != impUID {
		t.Fatalf("Approve = %+v, %v", paid, err)
	}
	if n := sb.CallsFor("payment", impUID); n != 1 {
		t.Errorf("lookups of the imp_uid = %d, want 1", n)
	}
}

// TestSandbox_BuyerLeaves runs the window's cancel and fail buttons: the
// return says so, the lookups agree, and no webhook is sent.
func TestSandbox_BuyerLeaves(t *testing.T) {
	for _, tt := range []struct {
		action, wantCode, wantMsg string
	}{
		{"cancel", "", "사용자가 결제를 취소하셨습니다"},
		{"fail", "F1001", "[F1001] 카드사 승인이 거절되었습니다 (sandbox)"},
	} {
		t.Run(tt.action, func(t *testing.T) {
			var cp atomic.Pointer[Client]
			notices, webhooks := webhookSink(t, &cp)
			_, c := MustSandbox(t, sbiamport.Options{NoticeURL: notices})
			cp.Store(c)
			p := sandboxPayment()
			rr := mustReady(t, c, p)
			_, impUID := openWindow(t, rr.RedirectPC)
			ret := c.ParseReturn(press(t, rr.RedirectPC, impUID, tt.action, testutil.ReturnURLs(p).Approval))
			want := payment.Return{TID: impUID, OrderID: p.ID, ErrorCode: tt.wantCode, ErrorMessage: tt.wantMsg}
			if ret != want {
				t.Errorf("ParseReturn = %+v, want %+v", ret, want)
			}
			for name, call := range map[string]func() (*payment.ProviderPayment, error){
				"Lookup":  func() (*payment.ProviderPayment, error) { return c.Lookup(context.Background(), p) },
				"Approve": func() (*payment.ProviderPayment, error) { return c.Approve(context.Background(), p, ret) },
			} {
				got, err := call()
				if err != nil || got.State != payment.ProviderFailed || got.RawStatus != "failed" || got.TID != impUID || got.CancelableAmount != 0 {
					t.Errorf("%s = %+v, %v; want failed", name, got, err)
				}
			}
			select {
			case id := <-webhooks:
				t.Errorf("webhook for %s after a failure; PortOne sends none", id)
			case <-time.After(100 * time.Millisecond):
			}
		})
	}
}

// TestSandbox_TamperedAmount opens the window with another amount than the
// pre-registered one, as a tampered checkout page would: it refuses to
// open, and the way back says so.
func TestSandbox_TamperedAmount(t *testing.T) {
	_, c := MustSandbox(t, sbiamport.Options{})
	p := sandboxPayment()
	rr := mustReady(t, c, p)
	tampered := strings.Replace(rr.RedirectPC, "amount=10000", "amount=100", 1)
	if tampered == rr.RedirectPC {
		t.Fatal("window URL has no amount=10000")
	}
	page, impUID := openWindow(t, tampered)
	if impUID != "" || !strings.Contains(page, "결제창을 열 수 없습니다") {
		t.Fatalf("tampered window opened (imp_uid %q)", impUID)
	}
	ret := c.ParseReturn(press(t, tampered, "", "return", testutil.ReturnURLs(p).Approval))
	if ret.Success || ret.ErrorCode != "F400" || ret.OrderID != p.ID || ret.TID != "" {
		t.Errorf("ParseReturn = %+v", ret)
	}
	got, err := c.Lookup(context.Background(), p)
	if err != nil || got.RawStatus != "NOT_FOUND" {
		t.Errorf("Lookup = %+v, %v; want NOT_FOUND: nothing was paid", got, err)
	}

	// Ready with another amount under the same id cannot be right either.
	q := *p
	q.Amount = 100
	_, err = c.Ready(context.Background(), &q, testutil.ReturnURLs(p))
	testutil.AssertCode(t, err, payment.EINVALID)
}
