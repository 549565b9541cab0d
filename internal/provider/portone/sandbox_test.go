package portone

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider/providertest"
	posandbox "github.com/paybridge/paybridge/internal/sandbox/portone"
	"github.com/paybridge/paybridge/internal/testutil"
)

// MustSandbox serves paybridge's PortOne sandbox under testPrefix (so the
// client's base URL has a path prefix to keep) and returns it with a client
// pointed at it, its window included.
func MustSandbox(t *testing.T, o posandbox.Options) (*posandbox.Sandbox, *Client) {
	t.Helper()
	if o.APISecret == "" {
		o.APISecret = testSecret
	}
	if o.StoreID == "" {
		o.StoreID = testStoreID
	}
	sb := posandbox.New(o)
	srv := testutil.ServeMounted(t, testPrefix, sb)
	c := MustClient(t, srv.URL+testPrefix, func(c *Config) {
		c.WindowURL = srv.URL + testPrefix
		c.HTTPClient = &http.Client{Timeout: 5 * time.Second}
	})
	return sb, c
}

// sandboxPayment is a fresh payment as the service creates it.
func sandboxPayment() *payment.Payment {
	return testutil.SandboxPayment(payment.ProviderPortOne)
}

// browser does not follow redirects, so tests can read them.
var browser = testutil.Browser()

// mustReady runs Ready and records the provider ids on p, as the service does.
func mustReady(t *testing.T, c *Client, p *payment.Payment) *payment.ReadyResult {
	t.Helper()
	rr, err := c.Ready(context.Background(), p, testutil.ReturnURLs(p))
	if err != nil {
		t.Fatalf("Ready: %v", err)
	}
	if rr.TID != p.ID || rr.RedirectPC == "" {
		t.Fatalf("Ready = %+v", rr)
	}
	p.ProviderTID, p.Status = rr.TID, payment.StatusReady
	return rr
}

// buyerActs plays the buyer in the window: open it, press the button
// action, and return the query of the 303 back to the approval URL.
func buyerActs(t *testing.T, windowURL, action, approvalURL string) url.Values {
	t.Helper()
	u := providertest.Env{Browser: browser}.Press(t, windowURL, action)
	if loc := u.String(); !strings.HasPrefix(loc, approvalURL+"&") {
		t.Fatalf("redirected to %s, want the approval URL %s with its own query kept", loc, approvalURL)
	}
	return u.Query()
}

// near reports whether t is within a minute of now.
func near(tm time.Time) bool { d := time.Since(tm); return d > -time.Minute && d < time.Minute }

// TestSandbox_Flow runs the provider contract (providertest.Flow: ready,
// window, verification, lookup, partial, stale and final refund) against
// the sandbox, then checks what is PortOne's own in its answers and that a
// cancelled payment refuses another refund.
func TestSandbox_Flow(t *testing.T) {
	sb, c := MustSandbox(t, posandbox.Options{})
	p := sandboxPayment()
	r := providertest.Flow(t, providertest.Env{Provider: c, Browser: browser}, p)
	if paid := r.Paid; paid.RawStatus != "PAID" || paid.TID != p.ID || paid.CustomerID != p.CustomerID ||
		paid.TaxFreeAmount != p.TaxFreeAmount || paid.CancelableAmount != p.Amount || paid.MethodType != "CARD" ||
		paid.ItemName != p.OrderName || !near(paid.CreatedAt) {
		t.Errorf("Approve = %+v", providertest.Show(paid))
	}
	if got := r.Cancelled; got.RawStatus != "CANCELLED" {
		t.Errorf("Lookup after refunds = %+v", providertest.Show(got))
	}
	_, err := c.Cancel(context.Background(), p, payment.CancelRequest{Amount: 1, Cancelable: 0, Reason: "again"})
	testutil.AssertProviderCode(t, err, payment.EINVALID, "PAYMENT_ALREADY_CANCELLED")
	// partial, stale, final and the last one: the refused ones reached
	// PortOne, which refused them.
	if n := sb.CallsFor("cancel", p.ID); n != 4 {
		t.Errorf("cancel calls = %d, want 4", n)
	}
}

// TestSandbox_Verify checks PortOne's own steps around verification: the
// payment is NOT_FOUND until the window opens, verification is one
// lookup, a paid payment refuses another Ready, and the refund guard goes
// out even as 0 and names its refusal.
func TestSandbox_Verify(t *testing.T) {
	sb, c := MustSandbox(t, posandbox.Options{})
	ctx := context.Background()
	p := sandboxPayment()

	got, err := c.Lookup(ctx, p)
	if err != nil || got.State != payment.ProviderPending || got.RawStatus != "NOT_FOUND" {
		t.Fatalf("Lookup before Ready = %+v, %v; want pending NOT_FOUND", got, err)
	}
	rr := mustReady(t, c, p)
	if got, err = c.Lookup(ctx, p); err != nil || got.RawStatus != "NOT_FOUND" {
		t.Fatalf("Lookup after pre-register = %+v, %v; want NOT_FOUND until the window opens", got, err)
	}

	ret := c.ParseReturn(buyerActs(t, rr.RedirectPC, "approve", testutil.ReturnURLs(p).Approval))
	if !ret.Success || ret.OrderID != p.ID {
		t.Fatalf("ParseReturn = %+v", ret)
	}
	before := sb.CallsFor("getPayment", p.ID)
	if _, err := c.Approve(ctx, p, ret); err != nil {
		t.Fatalf("Approve: %v", err)
	}
	if n := sb.CallsFor("getPayment", p.ID) - before; n != 1 {
		t.Errorf("Approve made %d lookups, want 1", n)
	}
	p.Status = payment.StatusPaid

	_, err = c.Ready(ctx, p, testutil.ReturnURLs(p))
	testutil.AssertProviderCode(t, err, payment.EINVALID, "ALREADY_PAID")

	if _, err := c.Cancel(ctx, p, payment.CancelRequest{Amount: 3000, Cancelable: 10000, Reason: "one cup"}); err != nil {
		t.Fatalf("partial Cancel: %v", err)
	}
	// A refund from a record that believes nothing is left: the guard goes
	// out as 0 and PortOne refuses.
	_, err = c.Cancel(ctx, p, payment.CancelRequest{Amount: 1000, Cancelable: 0, Reason: "stale"})
	testutil.AssertCode(t, err, payment.EINVALID)

	// The same refund again, still believing 10000 is cancelable: PortOne's
	// remainder is 7000, so the guard refuses it.
	_, err = c.Cancel(ctx, p, payment.CancelRequest{Amount: 3000, Cancelable: 10000, Reason: "one cup"})
	testutil.AssertProviderCode(t, err, payment.EINVALID, "CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN")
	if n := sb.CallsFor("cancel", p.ID); n != 3 {
		t.Errorf("cancel calls = %d, want 3", n)
	}
}

// TestSandbox_BuyerGivesUp checks the cancel and fail buttons (the
// contract's BuyerLeaves): the return says why, and verification finds the
// payment failed and refuses to refund it.
func TestSandbox_BuyerGivesUp(t *testing.T) {
	for _, action := range []string{"cancel", "fail"} {
		t.Run(action, func(t *testing.T) {
			_, c := MustSandbox(t, posandbox.Options{})
			p := sandboxPayment()
			loc, ret := providertest.BuyerLeaves(t, providertest.Env{Provider: c, Browser: browser}, p, action)
			// PortOne sends the buyer back to the approval URL, its query
			// kept, and says why.
			if !strings.HasPrefix(loc.String(), testutil.ReturnURLs(p).Approval+"&") || ret.OrderID != p.ID ||
				ret.ErrorCode != "FAILURE_TYPE_PG" || ret.ErrorMessage == "" {
				t.Fatalf("return %s: %+v", loc, ret)
			}
			got, err := c.Approve(context.Background(), p, ret)
			if err != nil {
				t.Fatal(err)
			}
			if got.State != payment.ProviderFailed || got.RawStatus != "FAILED" || got.CancelableAmount != 0 {
				t.Errorf("Approve = %+v", got)
			}
			_, err = c.Cancel(context.Background(), p, payment.CancelRequest{Amount: 1, Cancelable: 0, Reason: "x"})
			if pe := payment.AsProviderError(err); payment.ErrorCode(err) != payment.EINVALID || pe == nil || pe.Code != "PAYMENT_NOT_PAID" {
				t.Errorf("Cancel of a failed payment: %v", err)
			}
		})
	}
}

// TestSandbox_TamperedAmount checks that the pre-registered amount is what
// the window charges: a window asked for another amount refuses, sends the
// buyer back with a failure, and changes nothing.
func TestSandbox_TamperedAmount(t *testing.T) {
	_, c := MustSandbox(t, posandbox.Options{})
	p := sandboxPayment()
	rr := mustReady(t, c, p)
	tampered := strings.Replace(rr.RedirectPC, "totalAmount=10000", "totalAmount=100", 1)
	// sent is the window's answer, its body closed.
	sent := func(resp *http.Response, err error) *http.Response {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := sent(browser.Get(tampered)); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("GET tampered window: %s, want 400", resp.Status)
	}
	if resp := sent(browser.PostForm(tampered, url.Values{"action": {"approve"}})); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("approve on a tampered window: %s, want 400", resp.Status)
	}
	resp := sent(browser.PostForm(tampered, url.Values{"action": {"return"}}))
	u, _ := url.Parse(resp.Header.Get("Location"))
	ret := c.ParseReturn(u.Query())
	if resp.StatusCode != http.StatusSeeOther || ret.Success || ret.OrderID != p.ID || ret.ErrorCode != "FAILURE_TYPE_PG" {
		t.Fatalf("return from the refusal: %s %s → %+v", resp.Status, u, ret)
	}
	got, err := c.Lookup(context.Background(), p)
	if err != nil || got.RawStatus != "NOT_FOUND" {
		t.Errorf("Lookup = %+v, %v; want NOT_FOUND: a refused window changes nothing", got, err)
	}
}
