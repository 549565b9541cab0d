package portone

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/testutil"
)

// TestClient_Requests checks every call as it goes on the wire: method,
// path under the base URL's prefix, Authorization (checked by the fake),
// query and every body field, including the ones that are easy to drop:
// taxFreeAmount = 0 and currentCancellableAmount.
func TestClient_Requests(t *testing.T) {
	p := testPayment()
	tests := []struct {
		name      string
		store     string
		file      string
		call      func(*Client) error
		method    string
		path      string
		wantQuery string
		want      map[string]any // nil: no body
	}{
		{
			name: "Ready", store: testStoreID, file: "pre_register.json",
			call:   func(c *Client) error { _, err := c.Ready(context.Background(), p, testURLs); return err },
			method: http.MethodPost, path: "/payments/" + p.ID + "/pre-register",
			want: map[string]any{"storeId": testStoreID, "totalAmount": 2200, "taxFreeAmount": 0, "currency": "KRW"},
		},
		{
			name: "ReadyWithoutStore", file: "pre_register.json",
			call:   func(c *Client) error { _, err := c.Ready(context.Background(), p, testURLs); return err },
			method: http.MethodPost, path: "/payments/" + p.ID + "/pre-register",
			want: map[string]any{"totalAmount": 2200, "taxFreeAmount": 0, "currency": "KRW"},
		},
		{
			name: "Approve", store: testStoreID, file: "payment_paid.json",
			call: func(c *Client) error {
				_, err := c.Approve(context.Background(), p, payment.Return{Success: true, OrderID: p.ID})
				return err
			},
			method: http.MethodGet, path: "/payments/" + p.ID, wantQuery: "storeId=" + testStoreID,
		},
		{
			name: "Lookup", store: testStoreID, file: "payment_paid.json",
			call:   func(c *Client) error { _, err := c.Lookup(context.Background(), p); return err },
			method: http.MethodGet, path: "/payments/" + p.ID, wantQuery: "storeId=" + testStoreID,
		},
		{
			name: "LookupWithoutStore", file: "payment_paid.json",
			call:   func(c *Client) error { _, err := c.Lookup(context.Background(), p); return err },
			method: http.MethodGet, path: "/payments/" + p.ID,
		},
		{
			name: "Cancel", store: testStoreID, file: "cancel_failed.json",
			call: func(c *Client) error {
				_, err := c.Cancel(context.Background(), p, payment.CancelRequest{Amount: 1000, TaxFreeAmount: 0, Cancelable: 2200, Reason: "size"})
				return err
			},
			method: http.MethodPost, path: "/payments/" + p.ID + "/cancel",
			want: map[string]any{"storeId": testStoreID, "amount": 1000, "taxFreeAmount": 0, "currentCancellableAmount": 2200, "reason": "size"},
		},
		{
			// Nothing left to cancel, as paybridge believes: the guard must
			// still go out (as 0) so that PortOne refuses, not be dropped.
			name: "CancelGuardZero", file: "cancel_failed.json",
			call: func(c *Client) error {
				_, err := c.Cancel(context.Background(), p, payment.CancelRequest{Amount: 100, Cancelable: 0, Reason: "r"})
				return err
			},
			method: http.MethodPost, path: "/payments/" + p.ID + "/cancel",
			want: map[string]any{"amount": 100, "taxFreeAmount": 0, "currentCancellableAmount": 0, "reason": "r"},
		},
		{
			name: "CancelDefaultReason", file: "cancel_failed.json",
			call: func(c *Client) error {
				_, err := c.Cancel(context.Background(), p, payment.CancelRequest{Amount: 500, TaxFreeAmount: 100, Cancelable: 1200})
				return err
			},
			method: http.MethodPost, path: "/payments/" + p.ID + "/cancel",
			want: map[string]any{"amount": 500, "taxFreeAmount": 100, "currentCancellableAmount": 1200, "reason": defaultCancelReason},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := mustTestdata(t, tt.file)
			f := newFake(t, func(w http.ResponseWriter, _ *http.Request, req wireRequest) {
				if req.Method != tt.method || req.Path != tt.path {
					t.Errorf("%s %s, want %s %s", req.Method, req.Path, tt.method, tt.path)
				}
				if got := encodeQuery(req.Query); got != tt.wantQuery {
					t.Errorf("query = %q, want %q", got, tt.wantQuery)
				}
				if tt.want == nil && req.HasBody {
					t.Errorf("%s sent a body", tt.method)
				}
				if tt.want != nil {
					assertFields(t, req, tt.want)
				}
				testutil.Reply(w, http.StatusOK, body)
			})
			c := MustClient(t, f.BaseURL(), func(c *Config) { c.StoreID = tt.store })
			_ = tt.call(c) // the cancel's FAILED answer is an error; only the request matters here
			if f.Calls() != 1 {
				t.Errorf("calls = %d, want 1", f.Calls())
			}
		})
	}
}

func encodeQuery(q map[string][]string) string {
	var parts []string
	for k, vs := range q {
		for _, v := range vs {
			parts = append(parts, k+"="+v)
		}
	}
	return strings.Join(parts, "&")
}

// TestClient_PathEscape checks that a paymentId is one escaped path segment
// (docs/providers.md §5.19): "/" and "?" must not change the resource.
func TestClient_PathEscape(t *testing.T) {
	var rec recorder
	f := newFake(t, testutil.RecordPathAndReplay(&rec, wireRequest.path, http.StatusOK, mustTestdata(t, "payment_paid.json")))
	p := testPayment()
	p.ID, p.ProviderTID = "pay/../1 2?x=%", ""
	if _, err := MustClient(t, f.BaseURL()).Lookup(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	if got := rec.All(); len(got) != 1 || got[0] != "/payments/pay%2F..%2F1%202%3Fx=%25" {
		t.Errorf("paths = %q", got)
	}
}

// TestClient_NoRedirects checks that the default client does not follow a
// redirect: that would re-send the secret somewhere not configured.
func TestClient_NoRedirects(t *testing.T) {
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the redirect was followed to %s (Authorization %q)", r.URL, r.Header.Get("Authorization"))
	}))
	defer elsewhere.Close()
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ wireRequest) {
		w.Header().Set("Location", elsewhere.URL+"/payments/x")
		w.WriteHeader(http.StatusFound)
	})
	c, err := New(Config{APISecret: testSecret, BaseURL: f.BaseURL(), AcceptTestPayments: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Cancel(context.Background(), testPayment(), payment.CancelRequest{Amount: 1, Cancelable: 1})
	testutil.AssertCode(t, err, payment.EUPSTREAM)
}

// TestClient_Logs checks that the per-call log line names the call and never
// carries the secret or a body.
func TestClient_Logs(t *testing.T) {
	var buf syncBuffer
	logger := newTestLogger(&buf)
	f := newFake(t, replay(http.StatusUnauthorized, []byte(`{"type":"UNAUTHORIZED","message":"bad secret `+testSecret+`"}`)))
	c := MustClient(t, f.BaseURL(), func(c *Config) { c.Logger = logger })
	_, err := c.Lookup(context.Background(), testPayment())
	testutil.AssertCode(t, err, payment.EINVALID)
	out := buf.String()
	for _, want := range []string{"op=getPayment", "payment_id=pay_01hzx3k4m5n6p7q8r9s0t1v2w3", "http_status=401", "provider_code=UNAUTHORIZED"} {
		if !strings.Contains(out, want) {
			t.Errorf("log %q lacks %q", out, want)
		}
	}
	if strings.Contains(out, "LEAK") || strings.Contains(err.Error(), "LEAK") {
		t.Errorf("the secret leaked: log %q, err %v", out, err)
	}
}

// TestClient_ContextDeadline checks that a call ends with its context.
func TestClient_ContextDeadline(t *testing.T) {
	release := make(chan struct{})
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ wireRequest) { <-release })
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := MustClient(t, f.BaseURL()).Cancel(ctx, testPayment(), payment.CancelRequest{Amount: 1, Cancelable: 1})
	testutil.AssertCode(t, err, payment.EUPSTREAM)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
	if !strings.Contains(payment.ErrorMessage(err), "in time") {
		t.Errorf("message %q, want a timeout message", payment.ErrorMessage(err))
	}
}
