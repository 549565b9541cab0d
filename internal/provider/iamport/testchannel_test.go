package iamport

import (
	"context"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
	sbiamport "github.com/paybridge/paybridge/internal/sandbox/iamport"
	"github.com/paybridge/paybridge/internal/testutil"
)

// Ensure a payment made on a PortOne test channel (sandbox: true, as every
// payment of paybridge's sandbox is) never verifies as paid unless test
// payments were allowed: it moved no money.
func TestClient_RefusesTestChannelPayments(t *testing.T) {
	for _, tt := range []struct {
		accept bool
		want   payment.ProviderState
	}{{true, payment.ProviderPaid}, {false, payment.ProviderFailed}} {
		_, c := MustSandbox(t, sbiamport.Options{}, func(cfg *Config) { cfg.AcceptTestPayments = tt.accept })
		p := sandboxPayment()
		urls := testutil.ReturnURLs(p)
		rr := mustReady(t, c, p)
		_, impUID := openWindow(t, rr.RedirectPC)
		ret := c.ParseReturn(press(t, rr.RedirectPC, impUID, "approve", urls.Approval))
		got, err := c.Approve(context.Background(), p, ret)
		if err != nil || got.State != tt.want {
			t.Fatalf("accept=%v: state %v, err %v; want %v", tt.accept, got.State, err, tt.want)
		}
	}
}
