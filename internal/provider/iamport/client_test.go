package iamport

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/testutil"
)

// TestClient_Requests checks every call as it goes on the wire: method,
// path under the base URL's prefix, query (include_sandbox on every
// lookup), Bearer token, and exactly the documented body fields with their
// JSON types.
func TestClient_Requests(t *testing.T) {
	noTID := testPayment()
	noTID.ProviderTID = ""
	ctx := context.Background()
	tests := []struct {
		name      string
		file      string
		call      func(*Client) error
		method    string
		path      string
		query     string // url.Values.Encode() form
		want      map[string]any
		wantCalls int
	}{
		{
			name: "Ready", file: "prepare.json", method: http.MethodPost, path: "/payments/prepare",
			call: func(c *Client) error { _, err := c.Ready(ctx, testPayment(), testURLs); return err },
			want: map[string]any{"merchant_uid": testID, "amount": 2200, "currency": "KRW"},
		},
		{
			name: "ApproveByReturnedImpUID", file: "payment_paid.json", method: http.MethodGet,
			path: "/payments/imp_999999999999", query: "include_sandbox=true",
			call: func(c *Client) error {
				_, err := c.Approve(ctx, noTID, payment.Return{Success: true, TID: "imp_999999999999", OrderID: testID})
				return err
			},
		},
		{
			name: "ApproveWithoutImpUID", file: "payment_paid.json", method: http.MethodGet,
			path: "/payments/find/" + testID, query: "include_sandbox=true&sorting=-paid",
			call: func(c *Client) error { _, err := c.Approve(ctx, noTID, payment.Return{Success: true}); return err },
		},
		{
			name: "LookupByImpUID", file: "payment_paid.json", method: http.MethodGet,
			path: "/payments/" + testImpUID, query: "include_sandbox=true",
			call: func(c *Client) error { _, err := c.Lookup(ctx, testPayment()); return err },
		},
		{
			name: "LookupByMerchantUID", file: "payment_paid.json", method: http.MethodGet,
			path: "/payments/find/" + testID, query: "include_sandbox=true&sorting=-paid",
			call: func(c *Client) error { _, err := c.Lookup(ctx, noTID); return err },
		},
		{
			name: "Cancel", file: "cancel_partial.json", method: http.MethodPost, path: "/payments/cancel",
			call: func(c *Client) error {
				_, err := c.Cancel(ctx, testPayment(), payment.CancelRequest{Amount: 1000, TaxFreeAmount: 100, Cancelable: 2200, Reason: "size"})
				return err
			},
			want: map[string]any{
				"imp_uid": testImpUID, "merchant_uid": testID, "amount": 1000, "tax_free": 100,
				"checksum": 2200, "reason": "size",
			},
		},
		{
			// Without an imp_uid the payment is named by merchant_uid alone;
			// an empty imp_uid would be "an invalid imp_uid" at PortOne.
			name: "CancelWithoutImpUID", file: "cancel_partial.json", method: http.MethodPost, path: "/payments/cancel",
			call: func(c *Client) error {
				_, err := c.Cancel(ctx, noTID, payment.CancelRequest{Amount: 1000, Cancelable: 2200})
				return err
			},
			want: map[string]any{"merchant_uid": testID, "amount": 1000, "tax_free": 0, "checksum": 2200, "reason": ""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, _ *http.Request, req wireRequest) {
				if req.Method != tt.method || req.Path != tt.path {
					t.Errorf("request = %s %s, want %s %s", req.Method, req.Path, tt.method, tt.path)
				}
				if got := req.Query.Encode(); got != tt.query {
					t.Errorf("query = %q, want %q", got, tt.query)
				}
				if tt.method == http.MethodPost {
					assertFields(t, req, tt.want)
				}
				testutil.Reply(w, http.StatusOK, mustTestdata(t, tt.file))
			})
			if err := tt.call(MustClient(t, f.BaseURL())); err != nil {
				t.Fatal(err)
			}
			if f.Calls() != 1 || f.TokenCalls() != 1 {
				t.Errorf("calls = %d, getToken calls = %d; want 1 and 1", f.Calls(), f.TokenCalls())
			}
		})
	}
}

// TestClient_PathIDs checks that ids in paths are escaped, and that an
// imp_uid from the browser that cannot be PortOne's never reaches a path.
func TestClient_PathIDs(t *testing.T) {
	t.Run("Escaped", func(t *testing.T) {
		var got recorder
		f := newFake(t, testutil.RecordPathAndReplay(&got, wireRequest.path, http.StatusOK, mustTestdata(t, "payment_paid.json")))
		p := testPayment()
		p.ProviderTID = "imp_1/../../users/getToken"
		if _, err := MustClient(t, f.BaseURL()).Lookup(context.Background(), p); err != nil {
			t.Fatal(err)
		}
		if want := "/payments/imp_1%2F..%2F..%2Fusers%2FgetToken"; strings.Join(got.All(), ",") != want {
			t.Errorf("path = %v, want %s", got.All(), want)
		}
	})
	for _, bad := range []string{"..", "imp_1/../x", "imp 1", strings.Repeat("9", 33), "imp_1?include_sandbox=false"} {
		t.Run("Implausible/"+bad, func(t *testing.T) {
			var got recorder
			f := newFake(t, testutil.RecordPathAndReplay(&got, wireRequest.path, http.StatusOK, mustTestdata(t, "payment_paid.json")))
			p := testPayment()
			p.ProviderTID = ""
			if _, err := MustClient(t, f.BaseURL()).Approve(context.Background(), p, payment.Return{Success: true, TID: bad}); err != nil {
				t.Fatal(err)
			}
			if strings.Join(got.All(), ",") != "/payments/find/"+testID {
				t.Errorf("path = %v, want the lookup by merchant_uid", got.All())
			}
		})
	}
}

// TestClient_Preconditions checks that calls which cannot be right are not
// sent at all: nothing happened, so EINVALID.
func TestClient_Preconditions(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ wireRequest) { t.Error("request sent") })
	c := MustClient(t, f.BaseURL())
	ctx := context.Background()
	with := func(mod func(*payment.Payment)) *payment.Payment {
		p := testPayment()
		mod(p)
		return p
	}
	cancel := func(req payment.CancelRequest) func() error {
		return func() error { _, err := c.Cancel(ctx, testPayment(), req); return err }
	}
	for name, call := range map[string]func() error{
		"ready with a 41-character id": func() error {
			_, err := c.Ready(ctx, with(func(p *payment.Payment) { p.ID = strings.Repeat("p", 41) }), testURLs)
			return err
		},
		"ready with no amount": func() error {
			_, err := c.Ready(ctx, with(func(p *payment.Payment) { p.Amount = 0 }), testURLs)
			return err
		},
		"lookup with no id": func() error {
			_, err := c.Lookup(ctx, with(func(p *payment.Payment) { p.ID, p.ProviderTID = "", "" }))
			return err
		},
		// 0 would be a full refund at PortOne.
		"cancel of 0":                  cancel(payment.CancelRequest{Amount: 0, Cancelable: 2200}),
		"cancel above the balance":     cancel(payment.CancelRequest{Amount: 2300, Cancelable: 2200}),
		"cancel with no balance":       cancel(payment.CancelRequest{Amount: 100}),
		"cancel tax-free above amount": cancel(payment.CancelRequest{Amount: 100, TaxFreeAmount: 101, Cancelable: 2200}),
		"cancel with no id": func() error {
			_, err := c.Cancel(ctx, with(func(p *payment.Payment) { p.ID = "" }), payment.CancelRequest{Amount: 1, Cancelable: 1})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) { testutil.AssertCode(t, call(), payment.EINVALID) })
	}
	if f.TokenCalls() != 0 {
		t.Errorf("getToken called %d times for calls never sent", f.TokenCalls())
	}
}

// TestClient_NoRedirects checks that the default client does not follow a
// redirect, which would re-send a cancel (and its token) elsewhere.
func TestClient_NoRedirects(t *testing.T) {
	target := newFake(t, replayFile(t, "cancel_partial.json"))
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ wireRequest) {
		http.Redirect(w, r, target.BaseURL()+"/payments/cancel", http.StatusTemporaryRedirect)
	})
	c, err := New(Config{APIKey: testKey, APISecret: testSecret, BaseURL: f.BaseURL()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Cancel(context.Background(), testPayment(), payment.CancelRequest{Amount: 1000, Cancelable: 2200})
	testutil.AssertCode(t, err, payment.EUPSTREAM)
	if target.Calls() != 0 {
		t.Errorf("redirect followed %d times", target.Calls())
	}
}

// TestNew_Defaults checks what New fills in.
func TestNew_Defaults(t *testing.T) {
	c, err := New(Config{APIKey: "k", APISecret: "s"})
	if err != nil {
		t.Fatal(err)
	}
	if c.t.BaseURL != DefaultBaseURL || c.windowURL != "" {
		t.Errorf("baseURL, windowURL = %q, %q", c.t.BaseURL, c.windowURL)
	}
	if c.t.Timeout() != 15*time.Second || c.t.HTTP.CheckRedirect == nil {
		t.Errorf("call timeout %v, redirects checked %v; want 15s and no redirects", c.t.Timeout(), c.t.HTTP.CheckRedirect != nil)
	}
	if c.Name() != "iamport" {
		t.Errorf("Name() = %s", c.Name())
	}
	c, err = New(Config{APIKey: "k", APISecret: "s", BaseURL: "http://host:8080/sandbox/iamport/", WindowURL: "http://host:8080/sandbox/iamport/"})
	if err != nil {
		t.Fatal(err)
	}
	if c.t.BaseURL != "http://host:8080/sandbox/iamport" || c.windowURL != c.t.BaseURL {
		t.Errorf("baseURL, windowURL = %q, %q; want the prefix kept without the slash", c.t.BaseURL, c.windowURL)
	}
}

// TestClient_WindowLink checks the sandbox window URL Ready hands out.
func TestClient_WindowLink(t *testing.T) {
	f := newFake(t, replayFile(t, "prepare.json"))
	c := MustClient(t, f.BaseURL(), func(c *Config) { c.WindowURL = "http://localhost:8080/sandbox/iamport" })
	p := testPayment()
	p.OrderName = strings.Repeat("가", 45) // cut to the schema's 40
	rr, err := c.Ready(context.Background(), p, testURLs)
	if err != nil {
		t.Fatal(err)
	}
	want := "http://localhost:8080/sandbox/iamport/checkout?" + url.Values{
		"merchant_uid": {testID}, "amount": {"2200"}, "name": {strings.Repeat("가", 40)},
		"buyer_name": {"cus_1001"}, "pay_method": {"card"}, "m_redirect_url": {testURLs.Approval},
	}.Encode()
	if rr.RedirectPC != want || rr.RedirectMobile != want || rr.RedirectApp != want {
		t.Errorf("redirects = %q, %q, %q\nwant all %q", rr.RedirectPC, rr.RedirectMobile, rr.RedirectApp, want)
	}
}
