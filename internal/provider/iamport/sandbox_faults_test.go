package iamport

import (
	"context"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/sandbox"
	sbiamport "github.com/paybridge/paybridge/internal/sandbox/iamport"
	"github.com/paybridge/paybridge/internal/testutil"
)

// TestSandbox_Faults checks the classification against the sandbox's own
// failures.
func TestSandbox_Faults(t *testing.T) {
	paidPayment := func(t *testing.T, sb *sbiamport.Sandbox, c *Client) *payment.Payment {
		t.Helper()
		p := sandboxPayment()
		rr := mustReady(t, c, p)
		_, impUID := openWindow(t, rr.RedirectPC)
		ret := c.ParseReturn(press(t, rr.RedirectPC, impUID, "approve", testutil.ReturnURLs(p).Approval))
		p.ProviderTID, p.Status = ret.TID, payment.StatusPaid
		return p
	}

	t.Run("LookupRetried", func(t *testing.T) {
		sb, c := MustSandbox(t, sbiamport.Options{})
		p := paidPayment(t, sb, c)
		sb.InjectFault(sbiamport.Fault{Fault: sandbox.Fault{Op: "payment", Kind: "error", Count: 2}})
		before := sb.CallsFor("payment", p.ProviderTID)
		got, err := c.Lookup(context.Background(), p)
		if err != nil || got.State != payment.ProviderPaid {
			t.Fatalf("Lookup = %+v, %v", got, err)
		}
		if n := sb.CallsFor("payment", p.ProviderTID) - before; n != 3 {
			t.Errorf("lookups = %d, want 3", n)
		}
	})

	t.Run("CancelErrorNotRetried", func(t *testing.T) {
		sb, c := MustSandbox(t, sbiamport.Options{})
		p := paidPayment(t, sb, c)
		sb.InjectFault(sbiamport.Fault{Fault: sandbox.Fault{Op: "cancel", Kind: "error", Status: 503}})
		_, err := c.Cancel(context.Background(), p, payment.CancelRequest{Amount: 1000, Cancelable: 10000})
		testutil.AssertCode(t, err, payment.EUPSTREAM)
		if n := sb.Calls("cancel"); n != 1 {
			t.Errorf("cancel calls = %d, want 1", n)
		}
	})

	t.Run("AmountPassedThrough", func(t *testing.T) {
		sb, c := MustSandbox(t, sbiamport.Options{})
		p := paidPayment(t, sb, c)
		sb.InjectFault(sbiamport.Fault{Fault: sandbox.Fault{Op: "payment", Kind: "amount", Amount: 1}})
		got, err := c.Approve(context.Background(), p, payment.Return{Success: true, TID: p.ProviderTID})
		if err != nil || got.Amount != 1 {
			t.Errorf("Approve = %+v, %v; want the reported amount 1 for the service to refuse", got, err)
		}
	})

	t.Run("MisreportedCancelIsUnknown", func(t *testing.T) {
		// The refund happens, but the answer's Payment reports another
		// amount: the answer is not this refund, and a lookup shows what
		// did happen.
		sb, c := MustSandbox(t, sbiamport.Options{})
		p := paidPayment(t, sb, c)
		sb.InjectFault(sbiamport.Fault{Fault: sandbox.Fault{Op: "cancel", Kind: "amount", Amount: 1}})
		_, err := c.Cancel(context.Background(), p, payment.CancelRequest{Amount: 4000, Cancelable: 10000})
		testutil.AssertCode(t, err, payment.EUPSTREAM)
		got, err := c.Lookup(context.Background(), p)
		if err != nil || got.CanceledAmount != 4000 || got.CancelableAmount != 6000 {
			t.Errorf("Lookup after the misreported refund = %+v, %v", got, err)
		}
	})

	t.Run("WrongSecret", func(t *testing.T) {
		_, c := MustSandbox(t, sbiamport.Options{APIKey: testKey, APISecret: "another"})
		_, err := c.Ready(context.Background(), sandboxPayment(), testutil.ReturnURLs(sandboxPayment()))
		testutil.AssertCode(t, err, payment.EINVALID)
		if pe := payment.AsProviderError(err); pe == nil || pe.HTTPStatus != 401 {
			t.Errorf("err = %v, want a 401", err)
		}
	})
}

// TestSandbox_TokenLifetime runs the token cache against the sandbox's
// token rules with one clock: refreshing in the last minute gets the same
// token, extended by 5 minutes.
func TestSandbox_TokenLifetime(t *testing.T) {
	clock := testutil.NewClock(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
	sb, c := MustSandbox(t, sbiamport.Options{Now: clock.Now}, func(c *Config) { c.Now = clock.Now })
	p := sandboxPayment()
	lookup := func() {
		t.Helper()
		if _, err := c.Lookup(context.Background(), p); err != nil {
			t.Fatal(err)
		}
	}
	lookup()
	tok1, _ := c.tokens.get(context.Background())
	clock.Advance(29*time.Minute + 30*time.Second) // 30 s left: refresh
	lookup()
	tok2, _ := c.tokens.get(context.Background())
	clock.Advance(4 * time.Minute) // 1 min 30 s left of the extended token
	lookup()
	if n := sb.Calls("getToken"); n != 2 || tok1 != tok2 {
		t.Errorf("getToken calls = %d, same token %v; want 2 calls and the same, extended token", n, tok1 == tok2)
	}
	clock.Advance(2 * time.Minute) // past the extension: a new token
	lookup()
	if n := sb.Calls("getToken"); n != 3 {
		t.Errorf("getToken calls = %d, want 3", n)
	}
}
