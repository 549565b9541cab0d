package kakaopay

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/sandbox"
	kpsandbox "github.com/paybridge/paybridge/internal/sandbox/kakaopay"
	"github.com/paybridge/paybridge/internal/testutil"
)

// MustSandbox serves paybridge's KakaoPay sandbox under testPrefix (so the
// client's base URL has a path prefix to keep) and returns it with a client
// of generation gen pointed at it.
func MustSandbox(t *testing.T, gen string) (*kpsandbox.Sandbox, *Client) {
	t.Helper()
	sb := kpsandbox.New(kpsandbox.Options{SecretKey: testSecretKey, AdminKey: testAdminKey})
	// The forwarded prefix tells the sandbox where its buyer page lives.
	srv := testutil.ServeMounted(t, testPrefix, testutil.ForwardedPrefix(testPrefix, sb))
	c := MustClient(t, gen, srv.URL+testPrefix, func(c *Config) {
		c.HTTPClient = &http.Client{Timeout: 5 * time.Second}
	})
	return sb, c
}

// sandboxPayment is a fresh payment as the service creates it.
func sandboxPayment() *payment.Payment {
	return testutil.SandboxPayment(payment.ProviderKakaoPay)
}

// buyerApproves plays the buyer on the sandbox's checkout page: open it,
// submit the approve form, and return the pg_token from the 303 back to the
// approval URL.
func buyerApproves(t *testing.T, checkoutURL, method, approvalURL string) string {
	t.Helper()
	browser := testutil.Browser()
	resp, err := browser.Get(checkoutURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET checkout: %s", resp.Status)
	}
	resp, err = browser.PostForm(checkoutURL, url.Values{"action": {"approve"}, "method": {method}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST checkout: %s, want 303", resp.Status)
	}
	loc := resp.Header.Get("Location")
	if !strings.HasPrefix(loc, approvalURL) {
		t.Fatalf("redirected to %s, want the approval URL %s", loc, approvalURL)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	token := u.Query().Get("pg_token")
	if token == "" {
		t.Fatalf("no pg_token in %s", loc)
	}
	return token
}

// mustReadyAndAuthorize runs ready and the buyer's approval and records the
// provider ids on p, as the service does.
func mustReadyAndAuthorize(t *testing.T, c *Client, p *payment.Payment, method string) string {
	t.Helper()
	urls := payment.ReturnURLs{
		Approval: "https://shop.example/kakaopay/approve?payment_id=" + p.ID,
		Cancel:   "https://shop.example/kakaopay/cancel?payment_id=" + p.ID,
		Fail:     "https://shop.example/kakaopay/fail?payment_id=" + p.ID,
	}
	rr, err := c.Ready(context.Background(), p, urls)
	if err != nil {
		t.Fatalf("Ready: %v", err)
	}
	if rr.TID == "" || rr.CID != DefaultCID || rr.RedirectPC == "" {
		t.Fatalf("Ready = %+v", rr)
	}
	if d := time.Since(rr.CreatedAt); d < -time.Minute || d > time.Minute {
		t.Errorf("CreatedAt %v is %v from now: KST misread?", rr.CreatedAt, d)
	}
	p.ProviderTID, p.ProviderCID, p.Status = rr.TID, rr.CID, payment.StatusReady
	return buyerApproves(t, rr.RedirectPC, method, urls.Approval)
}

// TestSandbox_Flow runs a whole payment against the sandbox, both
// generations: ready, buyer approval, approve, lookup, partial cancel, a
// stale cancel refused by the double-refund guard, and the final cancel.
func TestSandbox_Flow(t *testing.T) {
	for _, tt := range []struct{ gen, method string }{
		{GenerationCurrent, "CARD"},
		{GenerationLegacy, "MONEY"},
	} {
		t.Run(tt.gen, func(t *testing.T) {
			sb, c := MustSandbox(t, tt.gen)
			ctx := context.Background()
			p := sandboxPayment()
			token := mustReadyAndAuthorize(t, c, p, tt.method)

			got, err := c.Lookup(ctx, p)
			if err != nil {
				t.Fatalf("Lookup before approve: %v", err)
			}
			if got.State != payment.ProviderPending {
				t.Errorf("before approve: State = %s (%s), want pending", got.State, got.RawStatus)
			}

			paid, err := c.Approve(ctx, p, payment.Return{Success: true, Token: token})
			if err != nil {
				t.Fatalf("Approve: %v", err)
			}
			if paid.State != payment.ProviderPaid || paid.TID != p.ProviderTID || paid.OrderID != p.ID ||
				paid.CustomerID != p.CustomerID || paid.Amount != p.Amount || paid.TaxFreeAmount != p.TaxFreeAmount ||
				paid.MethodType != tt.method || paid.ApprovalID == "" || paid.Quantity != 2 {
				t.Errorf("Approve = %+v", paid)
			}
			if d := time.Since(paid.ApprovedAt); d < -time.Minute || d > time.Minute {
				t.Errorf("ApprovedAt %v is %v from now: KST misread?", paid.ApprovedAt, d)
			}

			// A second approve (a double click that slipped through) is
			// -702: not a decline, an unknown outcome to look up.
			_, err = c.Approve(ctx, p, payment.Return{Success: true, Token: token})
			testutil.AssertCode(t, err, payment.EUPSTREAM)
			if pe := payment.AsProviderError(err); pe == nil || pe.Code != "-702" {
				t.Errorf("second approve: %v, want -702", err)
			}
			if n := sb.CallsFor("approve", p.ProviderTID); n != 2 {
				t.Errorf("approve calls = %d, want 2", n)
			}

			got, err = c.Lookup(ctx, p)
			if err != nil {
				t.Fatalf("Lookup: %v", err)
			}
			if got.State != payment.ProviderPaid || got.Amount != 10000 || got.CancelableAmount != 10000 ||
				got.ApprovalID != paid.ApprovalID || got.MethodType != tt.method {
				t.Errorf("Lookup after approve = %+v", got)
			}
			p.Status = payment.StatusPaid

			part, err := c.Cancel(ctx, p, payment.CancelRequest{Amount: 3000, TaxFreeAmount: 0, Cancelable: 10000})
			if err != nil {
				t.Fatalf("partial Cancel: %v", err)
			}
			if part.State != payment.ProviderPartiallyCanceled || part.CanceledAmount != 3000 ||
				part.CancelableAmount != 7000 || part.ApprovalID == "" || part.ApprovalID == paid.ApprovalID ||
				part.CanceledAt.IsZero() {
				t.Errorf("partial Cancel = %+v", part)
			}

			// The same refund again, still believing 10000 is cancelable:
			// KakaoPay's remainder is 7000, so the guard refuses it.
			_, err = c.Cancel(ctx, p, payment.CancelRequest{Amount: 3000, Cancelable: 10000})
			testutil.AssertCode(t, err, payment.EINVALID)

			full, err := c.Cancel(ctx, p, payment.CancelRequest{Amount: 7000, TaxFreeAmount: 1000, Cancelable: 7000})
			if err != nil {
				t.Fatalf("final Cancel: %v", err)
			}
			if full.State != payment.ProviderCanceled || full.CanceledAmount != 10000 || full.CancelableAmount != 0 {
				t.Errorf("final Cancel = %+v", full)
			}

			got, err = c.Lookup(ctx, p)
			if err != nil {
				t.Fatalf("Lookup: %v", err)
			}
			if got.State != payment.ProviderCanceled || got.CanceledAmount != 10000 || got.RawStatus != "CANCEL_PAYMENT" {
				t.Errorf("Lookup after cancels = %+v", got)
			}
		})
	}
}

// TestSandbox_Faults checks the classification against the sandbox's own
// error bodies and failures, both generations.
func TestSandbox_Faults(t *testing.T) {
	for _, gen := range generations {
		t.Run(gen+"/LostApprove", func(t *testing.T) {
			// KakaoPay approved but the answer never arrived: unknown
			// outcome, exactly one approve, and the lookup finds it paid.
			sb, c := MustSandbox(t, gen)
			p := sandboxPayment()
			token := mustReadyAndAuthorize(t, c, p, "MONEY")
			sb.InjectFault(kpsandbox.Fault{Fault: sandbox.Fault{Op: "approve", Kind: "lost"}})
			_, err := c.Approve(context.Background(), p, payment.Return{Success: true, Token: token})
			testutil.AssertCode(t, err, payment.EUPSTREAM)
			if n := sb.CallsFor("approve", p.ProviderTID); n != 1 {
				t.Errorf("approve calls = %d, want 1", n)
			}
			got, err := c.Lookup(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			if got.State != payment.ProviderPaid {
				t.Errorf("State = %s, want paid", got.State)
			}
		})

		t.Run(gen+"/Decline", func(t *testing.T) {
			sb, c := MustSandbox(t, gen)
			p := sandboxPayment()
			token := mustReadyAndAuthorize(t, c, p, "CARD")
			sb.InjectFault(kpsandbox.Fault{Fault: sandbox.Fault{Op: "approve", Kind: "decline"}, MethodResultCode: "USER_LOCKED"})
			_, err := c.Approve(context.Background(), p, payment.Return{Success: true, Token: token})
			testutil.AssertCode(t, err, payment.EDECLINED)
			if msg := payment.ErrorMessage(err); msg != "KakaoPay declined the payment: USER_LOCKED" {
				t.Errorf("Message = %q", msg)
			}
		})

		t.Run(gen+"/BankUnknown", func(t *testing.T) {
			sb, c := MustSandbox(t, gen)
			p := sandboxPayment()
			token := mustReadyAndAuthorize(t, c, p, "MONEY")
			sb.InjectFault(kpsandbox.Fault{Fault: sandbox.Fault{Op: "approve", Kind: "decline"}, MethodResultCode: "BANK_FIRM_UNKNOWN"})
			_, err := c.Approve(context.Background(), p, payment.Return{Success: true, Token: token})
			testutil.AssertCode(t, err, payment.EUPSTREAM)
		})

		t.Run(gen+"/LookupRetriedApproveNot", func(t *testing.T) {
			sb, c := MustSandbox(t, gen)
			p := sandboxPayment()
			token := mustReadyAndAuthorize(t, c, p, "MONEY")
			sb.InjectFault(kpsandbox.Fault{Fault: sandbox.Fault{Op: "approve", Kind: "error", Status: 503}, Code: -503})
			_, err := c.Approve(context.Background(), p, payment.Return{Success: true, Token: token})
			testutil.AssertCode(t, err, payment.EUPSTREAM)
			if n := sb.CallsFor("approve", p.ProviderTID); n != 1 {
				t.Errorf("approve calls = %d, want 1", n)
			}
			sb.InjectFault(kpsandbox.Fault{Fault: sandbox.Fault{Op: "order", Kind: "error", Count: 2}})
			before := sb.Calls("order")
			got, err := c.Lookup(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			if n := sb.Calls("order") - before; n != 3 {
				t.Errorf("order calls = %d, want 3", n)
			}
			if got.State != payment.ProviderPending {
				t.Errorf("State = %s (%s), want pending: the failed approve changed nothing", got.State, got.RawStatus)
			}
		})

		t.Run(gen+"/WrongKey", func(t *testing.T) {
			_, c := MustSandbox(t, gen)
			c.t.Auth = strings.Replace(c.t.Auth, "LEAK", "XXXX", 1)
			_, err := c.Ready(context.Background(), sandboxPayment(), testURLs)
			testutil.AssertCode(t, err, payment.EINVALID)
			if pe := payment.AsProviderError(err); pe == nil || pe.Code != "-401" {
				t.Errorf("err = %v, want -401", err)
			}
		})
	}
}
