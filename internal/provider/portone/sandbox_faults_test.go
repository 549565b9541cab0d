package portone

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/sandbox"
	posandbox "github.com/paybridge/paybridge/internal/sandbox/portone"
	"github.com/paybridge/paybridge/internal/testutil"
)

// TestSandbox_Faults checks the classification against the sandbox's own
// failures.
func TestSandbox_Faults(t *testing.T) {
	paidPayment := func(t *testing.T, o posandbox.Options) (*posandbox.Sandbox, *Client, *payment.Payment) {
		sb, c := MustSandbox(t, o)
		p := sandboxPayment()
		rr := mustReady(t, c, p)
		buyerActs(t, rr.RedirectPC, "approve", testutil.ReturnURLs(p).Approval)
		p.Status = payment.StatusPaid
		return sb, c, p
	}
	refund := payment.CancelRequest{Amount: 4000, Cancelable: 10000, Reason: "r"}

	t.Run("AsyncCancel", func(t *testing.T) {
		sb, c, p := paidPayment(t, posandbox.Options{AsyncCancel: true})
		_, err := c.Cancel(context.Background(), p, refund)
		testutil.AssertCode(t, err, payment.EUPSTREAM)
		if n := sb.Calls("getPayment"); n != 0 {
			t.Errorf("getPayment calls = %d: a REQUESTED refund is settled by the service, not by Cancel", n)
		}
		got, err := c.Lookup(context.Background(), p)
		if err != nil || got.State != payment.ProviderPartiallyCanceled || got.CanceledAmount != 4000 || got.CancelableAmount != 6000 {
			t.Errorf("Lookup after the requested refund = %+v, %v", got, err)
		}
	})
	t.Run("DeclinedCancel", func(t *testing.T) {
		sb, c, p := paidPayment(t, posandbox.Options{})
		sb.InjectFault(posandbox.Fault{Fault: sandbox.Fault{Op: "cancel", Kind: "decline"}})
		_, err := c.Cancel(context.Background(), p, refund)
		testutil.AssertCode(t, err, payment.EDECLINED)
		got, err := c.Lookup(context.Background(), p)
		if err != nil || got.State != payment.ProviderPaid || got.CanceledAmount != 0 {
			t.Errorf("Lookup after a declined refund = %+v, %v", got, err)
		}
	})
	t.Run("PGErrorOnCancel", func(t *testing.T) {
		sb, c, p := paidPayment(t, posandbox.Options{})
		sb.InjectFault(posandbox.Fault{Fault: sandbox.Fault{Op: "cancel", Kind: "error", Status: 502}})
		_, err := c.Cancel(context.Background(), p, refund)
		testutil.AssertCode(t, err, payment.EUPSTREAM)
		if pe := payment.AsProviderError(err); pe == nil || pe.Code != "PG_PROVIDER" || pe.Detail == "" {
			t.Errorf("ProviderError = %+v", pe)
		}
		if n := sb.CallsFor("cancel", p.ID); n != 1 {
			t.Errorf("cancel calls = %d, want 1", n)
		}
	})
	t.Run("LookupRetried", func(t *testing.T) {
		sb, c, p := paidPayment(t, posandbox.Options{})
		sb.InjectFault(posandbox.Fault{Fault: sandbox.Fault{Op: "getPayment", Kind: "error", Count: 2}})
		got, err := c.Lookup(context.Background(), p)
		if err != nil || got.State != payment.ProviderPaid {
			t.Fatalf("Lookup = %+v, %v", got, err)
		}
		if n := sb.CallsFor("getPayment", p.ID); n != 3 {
			t.Errorf("getPayment calls = %d, want 3", n)
		}
	})
	t.Run("LostLookupRetried", func(t *testing.T) {
		sb, c, p := paidPayment(t, posandbox.Options{})
		sb.InjectFault(posandbox.Fault{Fault: sandbox.Fault{Op: "getPayment", Kind: "lost"}})
		got, err := c.Approve(context.Background(), p, payment.Return{Success: true, OrderID: p.ID})
		if err != nil || got.State != payment.ProviderPaid || sb.CallsFor("getPayment", p.ID) != 2 {
			t.Errorf("Approve = %+v, %v after %d calls", got, err, sb.CallsFor("getPayment", p.ID))
		}
	})
	t.Run("AmountReported", func(t *testing.T) {
		// The adapter reports PortOne's amount as is; the service compares.
		sb, c, p := paidPayment(t, posandbox.Options{})
		sb.InjectFault(posandbox.Fault{Fault: sandbox.Fault{Op: "getPayment", Kind: "amount", Amount: 100}})
		got, err := c.Approve(context.Background(), p, payment.Return{Success: true, OrderID: p.ID})
		if err != nil || got.Amount != 100 {
			t.Errorf("Approve = %+v, %v; want amount 100", got, err)
		}
	})
	t.Run("MisreportedCancelIsUnknown", func(t *testing.T) {
		// The refund happens, but the cancellation reports another amount:
		// it is not this refund, and a lookup shows what did happen.
		sb, c, p := paidPayment(t, posandbox.Options{})
		sb.InjectFault(posandbox.Fault{Fault: sandbox.Fault{Op: "cancel", Kind: "amount", Amount: 1}})
		_, err := c.Cancel(context.Background(), p, refund)
		testutil.AssertCode(t, err, payment.EUPSTREAM)
		got, err := c.Lookup(context.Background(), p)
		if err != nil || got.CanceledAmount != 4000 || got.CancelableAmount != 6000 {
			t.Errorf("Lookup after the misreported refund = %+v, %v", got, err)
		}
	})
	t.Run("WrongSecret", func(t *testing.T) {
		sb, c := MustSandbox(t, posandbox.Options{})
		c.t.Auth = "PortOne wrong-secret"
		_, err := c.Ready(context.Background(), sandboxPayment(), testURLs)
		testutil.AssertCode(t, err, payment.EINVALID)
		if pe := payment.AsProviderError(err); pe == nil || pe.Code != "UNAUTHORIZED" || pe.HTTPStatus != 401 {
			t.Errorf("err = %v, want 401 UNAUTHORIZED", err)
		}
		if n := sb.Calls("preRegister"); n != 0 {
			t.Errorf("preRegister calls = %d: an unauthorised call is not counted", n)
		}
	})
	t.Run("WrongStore", func(t *testing.T) {
		_, c := MustSandbox(t, posandbox.Options{})
		c.storeID = "store-someone-else"
		_, err := c.Ready(context.Background(), sandboxPayment(), testURLs)
		testutil.AssertProviderCode(t, err, payment.EINVALID, "FORBIDDEN")
	})
}

// TestSandbox_InProcess runs the adapter against the sandbox through
// sandbox.Transport, as paybridge serve wires it: no listener, and a "lost"
// answer still reads as an unknown outcome.
func TestSandbox_InProcess(t *testing.T) {
	sb := posandbox.New(posandbox.Options{APISecret: testSecret})
	mux := http.NewServeMux()
	mux.Handle(testPrefix+"/", http.StripPrefix(testPrefix, sb))
	c := MustClient(t, "http://paybridge.internal"+testPrefix, func(c *Config) {
		c.HTTPClient = &http.Client{Transport: sandbox.Transport(mux), Timeout: 5 * time.Second}
		c.WindowURL = "http://paybridge.internal" + testPrefix
	})
	p := sandboxPayment()
	mustReady(t, c, p)
	got, err := c.Lookup(context.Background(), p)
	if err != nil || got.RawStatus != "NOT_FOUND" {
		t.Fatalf("Lookup = %+v, %v", got, err)
	}
	sb.InjectFault(posandbox.Fault{Fault: sandbox.Fault{Op: "preRegister", Kind: "lost"}})
	_, err = c.Ready(context.Background(), p, testutil.ReturnURLs(p))
	testutil.AssertCode(t, err, payment.EUPSTREAM)
	if n := sb.CallsFor("preRegister", p.ID); n != 2 {
		t.Errorf("preRegister calls = %d, want 2", n)
	}
}
