package kakaopay

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/testutil"
)

// TestClient_Requests checks, for both generations, every field of every
// call as it goes on the wire, including the ones that are easy to drop:
// tax_free_amount = 0, total_amount on approve, cancel_available_amount on
// cancel.
func TestClient_Requests(t *testing.T) {
	p := testPayment()
	tests := []struct {
		op   string
		file string
		call func(*Client) error
		want map[string]any
	}{
		{
			op: opReady, file: "ready.json",
			call: func(c *Client) error { _, err := c.Ready(context.Background(), p, testURLs); return err },
			want: map[string]any{
				"cid": DefaultCID, "partner_order_id": p.ID, "partner_user_id": "cus_1001",
				"item_name": "초코파이", "quantity": 1, "total_amount": 2200, "tax_free_amount": 0,
				"approval_url": testURLs.Approval, "cancel_url": testURLs.Cancel, "fail_url": testURLs.Fail,
			},
		},
		{
			op: opApprove, file: "approve_money.json",
			call: func(c *Client) error {
				_, err := c.Approve(context.Background(), p, payment.Return{Success: true, Token: "pgtoken123"})
				return err
			},
			want: map[string]any{
				"cid": DefaultCID, "tid": p.ProviderTID, "partner_order_id": p.ID,
				"partner_user_id": "cus_1001", "pg_token": "pgtoken123", "total_amount": 2200,
			},
		},
		{
			op: opOrder, file: "order_success.json",
			call: func(c *Client) error { _, err := c.Lookup(context.Background(), p); return err },
			want: map[string]any{"cid": DefaultCID, "tid": p.ProviderTID},
		},
		{
			op: opCancel, file: "cancel_partial.json",
			call: func(c *Client) error {
				_, err := c.Cancel(context.Background(), p, payment.CancelRequest{Amount: 1000, TaxFreeAmount: 0, Cancelable: 2200, Reason: "size"})
				return err
			},
			want: map[string]any{
				"cid": DefaultCID, "tid": p.ProviderTID, "cancel_amount": 1000,
				"cancel_tax_free_amount": 0, "cancel_available_amount": 2200,
			},
		},
	}
	for _, gen := range generations {
		for _, tt := range tests {
			t.Run(gen+"/"+tt.op, func(t *testing.T) {
				body := mustTestdata(t, tt.file)
				f := newFake(t, gen, func(w http.ResponseWriter, _ *http.Request, req wireRequest) {
					if req.Op != tt.op {
						t.Errorf("op = %s, want %s", req.Op, tt.op)
					}
					assertFields(t, req, tt.want)
					testutil.Reply(w, http.StatusOK, body)
				})
				if err := tt.call(MustClient(t, gen, f.BaseURL())); err != nil {
					t.Fatal(err)
				}
				if f.Calls() != 1 {
					t.Errorf("calls = %d, want 1", f.Calls())
				}
			})
		}
	}
}

// TestClient_CID checks that calls after ready use the CID the payment was
// readied with, and the configured one only when the payment has none.
func TestClient_CID(t *testing.T) {
	for _, tt := range []struct{ paymentCID, want string }{
		{"", "TCCONFIG01"},
		{"TCOLDCID01", "TCOLDCID01"},
	} {
		t.Run("payment_cid="+tt.paymentCID, func(t *testing.T) {
			var rec recorder
			f := newFake(t, GenerationCurrent, func(w http.ResponseWriter, _ *http.Request, req wireRequest) {
				rec.Add(req.Op + "=" + req.Fields["cid"])
				file := map[string]string{opApprove: "approve_money.json", opOrder: "order_success.json", opCancel: "cancel_partial.json"}[req.Op]
				testutil.Reply(w, http.StatusOK, mustTestdata(t, file))
			})
			c := MustClient(t, GenerationCurrent, f.BaseURL(), func(c *Config) { c.CID = "TCCONFIG01" })
			p := testPayment()
			p.ProviderCID = tt.paymentCID
			ctx := context.Background()
			if _, err := c.Approve(ctx, p, payment.Return{Success: true, Token: "tok"}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Lookup(ctx, p); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Cancel(ctx, p, payment.CancelRequest{Amount: 1000, Cancelable: 2200}); err != nil {
				t.Fatal(err)
			}
			want := []string{"approve=" + tt.want, "order=" + tt.want, "cancel=" + tt.want}
			if got := rec.All(); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("cids = %v, want %v", got, want)
			}
		})
	}
}

// TestClient_ReadyItemName checks that a long order name is cut to
// KakaoPay's 100 characters (runes, not bytes) instead of failing ready.
func TestClient_ReadyItemName(t *testing.T) {
	for _, gen := range generations {
		t.Run(gen, func(t *testing.T) {
			var rec recorder
			f := newFake(t, gen, func(w http.ResponseWriter, _ *http.Request, req wireRequest) {
				rec.Add(req.Fields["item_name"])
				testutil.Reply(w, http.StatusOK, mustTestdata(t, "ready.json"))
			})
			p := testPayment()
			p.OrderName = strings.Repeat("가", 150)
			if _, err := MustClient(t, gen, f.BaseURL()).Ready(context.Background(), p, testURLs); err != nil {
				t.Fatal(err)
			}
			if sent := rec.All(); len(sent) != 1 || sent[0] != strings.Repeat("가", 100) {
				t.Errorf("item_name = %q, want 100 runes of 가", sent)
			}
		})
	}
}

// TestClient_Preconditions checks that calls which cannot be right are not
// sent at all: nothing happened, so EINVALID.
func TestClient_Preconditions(t *testing.T) {
	f := newFake(t, GenerationCurrent, func(w http.ResponseWriter, _ *http.Request, _ wireRequest) {
		t.Error("request sent")
	})
	c := MustClient(t, GenerationCurrent, f.BaseURL())
	ctx := context.Background()
	noTID := testPayment()
	noTID.ProviderTID = ""
	for name, call := range map[string]func() error{
		"approve without tid": func() error { _, err := c.Approve(ctx, noTID, payment.Return{Success: true, Token: "tok"}); return err },
		"approve without token": func() error {
			_, err := c.Approve(ctx, testPayment(), payment.Return{Success: true, Token: ""})
			return err
		},
		"lookup without tid": func() error { _, err := c.Lookup(ctx, noTID); return err },
		"cancel without tid": func() error {
			_, err := c.Cancel(ctx, noTID, payment.CancelRequest{Amount: 1, Cancelable: 1})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) { testutil.AssertCode(t, call(), payment.EINVALID) })
	}
}

// TestClient_NoRedirects checks that the default client does not follow a
// redirect, which would re-send a payment call (and its key) elsewhere.
func TestClient_NoRedirects(t *testing.T) {
	target := newFake(t, GenerationCurrent, func(w http.ResponseWriter, _ *http.Request, _ wireRequest) {
		testutil.Reply(w, http.StatusOK, mustTestdata(t, "approve_money.json"))
	})
	f := newFake(t, GenerationCurrent, func(w http.ResponseWriter, r *http.Request, _ wireRequest) {
		http.Redirect(w, r, target.BaseURL()+"/online/v1/payment/approve", http.StatusTemporaryRedirect)
	})
	cfg := testConfig(GenerationCurrent, f.BaseURL())
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Approve(context.Background(), testPayment(), payment.Return{Success: true, Token: "tok"})
	testutil.AssertCode(t, err, payment.EUPSTREAM)
	if target.Calls() != 0 {
		t.Errorf("redirect followed %d times", target.Calls())
	}
}

// TestFormValues checks the legacy form encoding of a request struct.
func TestFormValues(t *testing.T) {
	got, err := formValues(cancelRequest{CID: "TC0ONETIME", TID: "T1", CancelAmount: 1000})
	if err != nil {
		t.Fatal(err)
	}
	want := "cancel_amount=1000&cancel_available_amount=0&cancel_tax_free_amount=0&cid=TC0ONETIME&tid=T1"
	if got.Encode() != want {
		t.Errorf("form = %s, want %s", got.Encode(), want)
	}

	t.Run("ErrUnsupportedKind", func(t *testing.T) {
		type bad struct {
			F float64 `json:"f"`
		}
		if _, err := formValues(bad{}); err == nil {
			t.Error("float field encoded; want an error")
		}
	})
	t.Run("Omitempty", func(t *testing.T) {
		type opt struct {
			A string `json:"a,omitempty"`
			B int64  `json:"b"`
		}
		got, err := formValues(&opt{})
		if err != nil {
			t.Fatal(err)
		}
		if got.Encode() != "b=0" {
			t.Errorf("form = %s, want b=0", got.Encode())
		}
	})
}

// TestNew_Defaults checks what New fills in and where requests go.
func TestNew_Defaults(t *testing.T) {
	tests := []struct {
		cfg          Config
		gen          string
		wantEndpoint string
	}{
		{Config{SecretKey: "k"}, GenerationCurrent, "https://open-api.kakaopay.com/online/v1/payment/order"},
		{Config{AdminKey: "k"}, GenerationLegacy, "https://kapi.kakao.com/v1/payment/order"},
		{Config{SecretKey: "k", BaseURL: "http://host:8080/sandbox/kakaopay/"}, GenerationCurrent, "http://host:8080/sandbox/kakaopay/online/v1/payment/order"},
		{Config{AdminKey: "k", BaseURL: "http://host/pfx"}, GenerationLegacy, "http://host/pfx/v1/payment/order"},
	}
	for _, tt := range tests {
		c, err := New(tt.cfg)
		if err != nil {
			t.Fatal(err)
		}
		if c.Generation() != tt.gen {
			t.Errorf("Generation() = %s, want %s", c.Generation(), tt.gen)
		}
		if got := c.endpoint(opOrder); got != tt.wantEndpoint {
			t.Errorf("endpoint = %s, want %s", got, tt.wantEndpoint)
		}
		if c.cid != DefaultCID {
			t.Errorf("cid = %s, want %s", c.cid, DefaultCID)
		}
		if c.t.Timeout() != 15*time.Second {
			t.Errorf("call timeout = %v, want 15s", c.t.Timeout())
		}
		if c.Name() != "kakaopay" {
			t.Errorf("Name() = %s", c.Name())
		}
	}
}
