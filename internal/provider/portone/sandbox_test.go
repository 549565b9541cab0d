package portone

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
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

// sandboxURLs are the return URLs; the approval URL has a query of its own
// that the window must keep.
func sandboxURLs(p *payment.Payment) payment.ReturnURLs {
	return payment.ReturnURLs{
		Approval: "https://shop.example/portone/return?payment_id=" + p.ID,
		Cancel:   "https://shop.example/portone/cancel",
		Fail:     "https://shop.example/portone/fail",
	}
}

// browser does not follow redirects, so tests can read them.
var browser = testutil.Browser()

// mustReady runs Ready and records the provider ids on p, as the service does.
func mustReady(t *testing.T, c *Client, p *payment.Payment) *payment.ReadyResult {
	t.Helper()
	rr, err := c.Ready(context.Background(), p, sandboxURLs(p))
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
	resp, err := browser.Get(windowURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET window: %s", resp.Status)
	}
	resp, err = browser.PostForm(windowURL, url.Values{"action": {action}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST window: %s, want 303", resp.Status)
	}
	loc := resp.Header.Get("Location")
	if !strings.HasPrefix(loc, approvalURL+"&") {
		t.Fatalf("redirected to %s, want the approval URL %s with its own query kept", loc, approvalURL)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// near reports whether t is within a minute of now.
func near(tm time.Time) bool { d := time.Since(tm); return d > -time.Minute && d < time.Minute }

// TestSandbox_Flow runs a whole payment against the sandbox: ready, the
// buyer's approval, the return, verification, lookups, a partial refund, a
// stale refund refused by the double-refund guard, and the final refund.
func TestSandbox_Flow(t *testing.T) {
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

	ret := c.ParseReturn(buyerActs(t, rr.RedirectPC, "approve", sandboxURLs(p).Approval))
	if !ret.Success || ret.OrderID != p.ID {
		t.Fatalf("ParseReturn = %+v", ret)
	}
	before := sb.CallsFor("getPayment", p.ID)
	paid, err := c.Approve(ctx, p, ret)
	if err != nil {
		t.Fatalf("Approve: %v", err)
	}
	if n := sb.CallsFor("getPayment", p.ID) - before; n != 1 {
		t.Errorf("Approve made %d lookups, want 1", n)
	}
	if paid.State != payment.ProviderPaid || paid.RawStatus != "PAID" || paid.TID != p.ID || paid.OrderID != p.ID ||
		paid.CustomerID != p.CustomerID || paid.Amount != p.Amount || paid.TaxFreeAmount != p.TaxFreeAmount ||
		paid.CancelableAmount != p.Amount || paid.MethodType != "CARD" || paid.ApprovalID == "" ||
		paid.ItemName != p.OrderName || !near(paid.ApprovedAt) || !near(paid.CreatedAt) {
		t.Errorf("Approve = %+v", paid)
	}
	p.Status = payment.StatusPaid

	if got, err = c.Lookup(ctx, p); err != nil || got.State != payment.ProviderPaid || got.ApprovalID != paid.ApprovalID ||
		got.Amount != p.Amount || got.CancelableAmount != p.Amount {
		t.Errorf("Lookup after Approve = %+v, %v", got, err)
	}

	_, err = c.Ready(ctx, p, sandboxURLs(p))
	testutil.AssertCode(t, err, payment.EINVALID)
	if pe := payment.AsProviderError(err); pe == nil || pe.Code != "ALREADY_PAID" {
		t.Errorf("Ready after payment: %v, want ALREADY_PAID", err)
	}

	part, err := c.Cancel(ctx, p, payment.CancelRequest{Amount: 3000, Cancelable: 10000, Reason: "one cup"})
	if err != nil {
		t.Fatalf("partial Cancel: %v", err)
	}
	if part.State != payment.ProviderPartiallyCanceled || part.CanceledAmount != 3000 || part.CancelableAmount != 7000 ||
		part.ApprovalID == "" || part.ApprovalID == paid.ApprovalID || !near(part.CanceledAt) {
		t.Errorf("partial Cancel = %+v", part)
	}

	// A refund from a record that believes nothing is left: the guard goes
	// out as 0 and PortOne refuses.
	_, err = c.Cancel(ctx, p, payment.CancelRequest{Amount: 1000, Cancelable: 0, Reason: "stale"})
	testutil.AssertCode(t, err, payment.EINVALID)

	// The same refund again, still believing 10000 is cancelable: PortOne's
	// remainder is 7000, so the guard refuses it.
	_, err = c.Cancel(ctx, p, payment.CancelRequest{Amount: 3000, Cancelable: 10000, Reason: "one cup"})
	testutil.AssertCode(t, err, payment.EINVALID)
	if pe := payment.AsProviderError(err); pe == nil || pe.Code != "CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN" {
		t.Errorf("stale Cancel: %v", err)
	}
	if n := sb.CallsFor("cancel", p.ID); n != 3 {
		t.Errorf("cancel calls = %d, want 3", n)
	}

	full, err := c.Cancel(ctx, p, payment.CancelRequest{Amount: 7000, TaxFreeAmount: 1000, Cancelable: 7000, Reason: "rest"})
	if err != nil {
		t.Fatalf("final Cancel: %v", err)
	}
	if full.State != payment.ProviderCanceled || full.CanceledAmount != 10000 || full.CancelableAmount != 0 {
		t.Errorf("final Cancel = %+v", full)
	}
	_, err = c.Cancel(ctx, p, payment.CancelRequest{Amount: 1, Cancelable: 0, Reason: "again"})
	testutil.AssertCode(t, err, payment.EINVALID)
	if pe := payment.AsProviderError(err); pe == nil || pe.Code != "PAYMENT_ALREADY_CANCELLED" {
		t.Errorf("Cancel of a cancelled payment: %v", err)
	}

	got, err = c.Lookup(ctx, p)
	if err != nil || got.State != payment.ProviderCanceled || got.RawStatus != "CANCELLED" || got.CanceledAmount != 10000 {
		t.Errorf("Lookup after refunds = %+v, %v", got, err)
	}
}

// TestSandbox_BuyerGivesUp checks the cancel and fail buttons: the return
// says so, and verification finds the payment failed.
func TestSandbox_BuyerGivesUp(t *testing.T) {
	for _, action := range []string{"cancel", "fail"} {
		t.Run(action, func(t *testing.T) {
			_, c := MustSandbox(t, posandbox.Options{})
			p := sandboxPayment()
			rr := mustReady(t, c, p)
			q := buyerActs(t, rr.RedirectPC, action, sandboxURLs(p).Approval)
			ret := c.ParseReturn(q)
			if ret.Success || ret.OrderID != p.ID || ret.ErrorCode != "FAILURE_TYPE_PG" || ret.ErrorMessage == "" {
				t.Fatalf("ParseReturn(%v) = %+v", q, ret)
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
	resp, err := browser.Get(tampered)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("GET tampered window: %s, want 400", resp.Status)
	}
	resp, err = browser.PostForm(tampered, url.Values{"action": {"approve"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("approve on a tampered window: %s, want 400", resp.Status)
	}
	resp, err = browser.PostForm(tampered, url.Values{"action": {"return"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
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
