package kakaopay

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider/providertest"
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
	u := providertest.Env{Browser: testutil.Browser()}.Press(t, checkoutURL, "approve", "method", method)
	if loc := u.String(); !strings.HasPrefix(loc, approvalURL) {
		t.Fatalf("redirected to %s, want the approval URL %s", loc, approvalURL)
	}
	token := u.Query().Get("pg_token")
	if token == "" {
		t.Fatalf("no pg_token in %s", u)
	}
	return token
}

// mustReadyAndAuthorize runs ready and the buyer's approval and records the
// provider ids on p, as the service does.
func mustReadyAndAuthorize(t *testing.T, c *Client, p *payment.Payment, method string) string {
	t.Helper()
	urls := testutil.ReturnURLs(p)
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

// approveUnder starts a sandbox of gen, takes a payment to its approve (the
// buyer authorised it with method), queues f and approves. It returns the
// sandbox, the client and the payment for the checks that follow, and
// approve's error.
func approveUnder(t *testing.T, gen, method string, f kpsandbox.Fault) (*kpsandbox.Sandbox, *Client, *payment.Payment, error) {
	t.Helper()
	sb, c := MustSandbox(t, gen)
	p := sandboxPayment()
	token := mustReadyAndAuthorize(t, c, p, method)
	sb.InjectFault(f)
	_, err := c.Approve(context.Background(), p, payment.Return{Success: true, Token: token})
	return sb, c, p, err
}

// TestSandbox_Flow runs the provider contract (providertest.Flow: ready,
// window, approve, lookup, partial, stale and final cancel) against the
// sandbox in both generations (the registry builds the current one only),
// then checks what is KakaoPay's own in its answers.
func TestSandbox_Flow(t *testing.T) {
	for _, tt := range []struct{ gen, method string }{
		{GenerationCurrent, "CARD"},
		{GenerationLegacy, "MONEY"},
	} {
		t.Run(tt.gen, func(t *testing.T) {
			_, c := MustSandbox(t, tt.gen)
			p := sandboxPayment()
			r := providertest.Flow(t, providertest.Env{Provider: c, Browser: testutil.Browser(), Fields: []string{"method", tt.method}}, p)
			if paid := r.Paid; paid.CustomerID != p.CustomerID || paid.TaxFreeAmount != p.TaxFreeAmount ||
				paid.MethodType != tt.method || paid.Quantity != 2 {
				t.Errorf("Approve = %+v", providertest.Show(paid))
			}
			if got := r.Cancelled; got.RawStatus != "CANCEL_PAYMENT" {
				t.Errorf("Lookup after cancels = %+v", providertest.Show(got))
			}
		})
	}
}

// TestSandbox_ApproveTwice checks, both generations, that a payment the
// buyer approved is pending until approve, and that a second approve (a
// double click that slipped through) is -702: not a decline, an unknown
// outcome to look up.
func TestSandbox_ApproveTwice(t *testing.T) {
	for _, gen := range generations {
		t.Run(gen, func(t *testing.T) {
			sb, c := MustSandbox(t, gen)
			ctx := context.Background()
			p := sandboxPayment()
			token := mustReadyAndAuthorize(t, c, p, "CARD")

			got, err := c.Lookup(ctx, p)
			if err != nil {
				t.Fatalf("Lookup before approve: %v", err)
			}
			if got.State != payment.ProviderPending {
				t.Errorf("before approve: State = %s (%s), want pending", got.State, got.RawStatus)
			}
			if _, err := c.Approve(ctx, p, payment.Return{Success: true, Token: token}); err != nil {
				t.Fatalf("Approve: %v", err)
			}
			_, err = c.Approve(ctx, p, payment.Return{Success: true, Token: token})
			testutil.AssertProviderCode(t, err, payment.EUPSTREAM, "-702")
			if n := sb.CallsFor("approve", p.ProviderTID); n != 2 {
				t.Errorf("approve calls = %d, want 2", n)
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
			sb, c, p, err := approveUnder(t, gen, "MONEY", kpsandbox.Fault{Fault: sandbox.Fault{Op: "approve", Kind: "lost"}})
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

		// A decline's method result decides: a refusal, a bank that does
		// not know (the money may have moved), or a transaction in
		// progress (which may be an earlier approve, still charging).
		for _, tt := range []struct{ name, method, result, code, msg string }{
			{"Decline", "CARD", "", payment.EDECLINED, "KakaoPay declined the payment: CARD_DECLINED"},
			{"BankUnknown", "MONEY", "BANK_FIRM_UNKNOWN", payment.EUPSTREAM, ""},
			{"UserLocked", "CARD", "USER_LOCKED", payment.EUPSTREAM, "KakaoPay reports a transaction in progress (USER_LOCKED); the outcome is unknown"},
		} {
			t.Run(gen+"/"+tt.name, func(t *testing.T) {
				_, _, _, err := approveUnder(t, gen, tt.method, kpsandbox.Fault{Fault: sandbox.Fault{Op: "approve", Kind: "decline"}, MethodResultCode: tt.result})
				testutil.AssertCode(t, err, tt.code)
				if msg := payment.ErrorMessage(err); tt.msg != "" && msg != tt.msg {
					t.Errorf("Message = %q, want %q", msg, tt.msg)
				}
			})
		}

		t.Run(gen+"/LookupRetriedApproveNot", func(t *testing.T) {
			sb, c, p, err := approveUnder(t, gen, "MONEY", kpsandbox.Fault{Fault: sandbox.Fault{Op: "approve", Kind: "error", Status: 503}, Code: -503})
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
			testutil.AssertProviderCode(t, err, payment.EINVALID, "-401")
		})
	}
}
