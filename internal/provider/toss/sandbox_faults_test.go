package toss

import (
	"context"
	"encoding/base64"
	"net/url"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/sandbox"
	tosssandbox "github.com/paybridge/paybridge/internal/sandbox/toss"
	"github.com/paybridge/paybridge/internal/testutil"
)

// TestSandbox_Faults checks the classification against the sandbox's own
// error bodies and failures.
func TestSandbox_Faults(t *testing.T) {
	ctx := context.Background()

	t.Run("LostConfirm", func(t *testing.T) {
		// Toss confirmed but the answer never arrived: unknown outcome,
		// exactly one confirm (not even the transport may resend it on the
		// warm connection), and the lookup by orderId finds it paid.
		env := MustSandbox(t)
		p := sandboxPayment()
		ret := env.mustAuthenticate(t, p)
		if _, err := env.c.Lookup(ctx, p); err != nil {
			t.Fatal(err)
		}
		env.sb.InjectFault(tosssandbox.Fault{Fault: sandbox.Fault{Op: "confirm", Kind: "lost"}, ID: p.ID})
		_, err := env.c.Approve(ctx, p, ret)
		testutil.AssertCode(t, err, payment.EUPSTREAM)
		if n := env.sb.CallsFor("confirm", p.ID); n != 1 {
			t.Errorf("confirm calls = %d, want exactly 1", n)
		}
		got, err := env.c.Lookup(ctx, p)
		if err != nil || got.State != payment.ProviderPaid || got.TID != ret.TID {
			t.Errorf("Lookup = %+v, %v; want paid", got, err)
		}
	})

	// A confirm refused for the card, or because the buyer's
	// authentication expired: declined, and the lookup shows the payment
	// failed with Toss's status.
	for _, tt := range []struct {
		name, msg, status string
		refuse            func(env *sandboxEnv)
	}{
		{"Decline", "Toss declined the payment: REJECT_CARD_COMPANY", "ABORTED", func(env *sandboxEnv) {
			env.sb.InjectFault(tosssandbox.Fault{Fault: sandbox.Fault{Op: "confirm", Kind: "decline"}})
		}},
		{"Expired", "the buyer's Toss authentication expired before the payment was confirmed (NOT_FOUND_PAYMENT_SESSION); nothing was charged", "EXPIRED", func(env *sandboxEnv) { env.clock.Advance(10 * time.Minute) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := MustSandbox(t)
			p := sandboxPayment()
			ret := env.mustAuthenticate(t, p)
			tt.refuse(env)
			_, err := env.c.Approve(ctx, p, ret)
			testutil.AssertCode(t, err, payment.EDECLINED)
			if msg := payment.ErrorMessage(err); msg != tt.msg {
				t.Errorf("message = %q, want %q", msg, tt.msg)
			}
			p.ProviderTID = ret.TID
			got, err := env.c.Lookup(ctx, p)
			if err != nil || got.State != payment.ProviderFailed || got.RawStatus != tt.status {
				t.Errorf("Lookup = %+v, %v; want failed %s", got, err, tt.status)
			}
		})
	}

	t.Run("TamperedWindowAmount", func(t *testing.T) {
		// The buyer edited the window's amount: the return claims it, and
		// confirm, sending paybridge's amount, is refused by Toss too.
		env := MustSandbox(t)
		p := sandboxPayment()
		loc := env.window(t, p, "approve", func(q url.Values) { q.Set("amount", "5000") })
		ret := env.c.ParseReturn(loc.Query())
		if !ret.HasAmount || ret.Amount != 5000 {
			t.Fatalf("ParseReturn = %+v: the claimed amount must reach the service", ret)
		}
		_, err := env.c.Approve(ctx, p, ret)
		testutil.AssertCode(t, err, payment.EDECLINED)
	})

	t.Run("ConfirmErrorThenLookupRetried", func(t *testing.T) {
		env := MustSandbox(t)
		p := sandboxPayment()
		ret := env.mustAuthenticate(t, p)
		env.sb.InjectFault(tosssandbox.Fault{Fault: sandbox.Fault{Op: "confirm", Kind: "error", Status: 503}, Code: "COMMON_ERROR"})
		_, err := env.c.Approve(ctx, p, ret)
		testutil.AssertCode(t, err, payment.EUPSTREAM)
		if n := env.sb.CallsFor("confirm", ret.TID); n != 1 {
			t.Errorf("confirm calls = %d, want 1", n)
		}
		p.ProviderTID = ret.TID
		env.sb.InjectFault(tosssandbox.Fault{Fault: sandbox.Fault{Op: "get", Kind: "error", Count: 2}})
		before := env.sb.Calls("get")
		got, err := env.c.Lookup(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if n := env.sb.Calls("get") - before; n != 3 {
			t.Errorf("get calls = %d, want 3", n)
		}
		if got.State != payment.ProviderPending || got.RawStatus != "IN_PROGRESS" {
			t.Errorf("State = %s (%s), want pending: the failed confirm changed nothing", got.State, got.RawStatus)
		}
	})

	t.Run("AmountReportedAsIs", func(t *testing.T) {
		// The adapter reports what Toss answered; comparing it with the
		// payment is the service's job.
		env := MustSandbox(t)
		p := sandboxPayment()
		ret := env.mustAuthenticate(t, p)
		env.sb.InjectFault(tosssandbox.Fault{Fault: sandbox.Fault{Op: "confirm", Kind: "amount", Amount: 100}})
		got, err := env.c.Approve(ctx, p, ret)
		if err != nil || got.Amount != 100 {
			t.Errorf("Approve = %+v, %v; want the reported 100", got, err)
		}
	})

	t.Run("WrongKey", func(t *testing.T) {
		env := MustSandbox(t)
		env.c.t.Auth = "Basic " + base64.StdEncoding.EncodeToString([]byte("test_sk_someoneElsesKey:"))
		p := sandboxPayment()
		_, err := env.c.Lookup(ctx, p)
		testutil.AssertCode(t, err, payment.EINVALID)
		if pe := payment.AsProviderError(err); pe == nil || pe.Code != "UNAUTHORIZED_KEY" || pe.HTTPStatus != 401 {
			t.Errorf("err = %v, want 401 UNAUTHORIZED_KEY", err)
		}
	})

	t.Run("NoColon", func(t *testing.T) {
		// The classic mistake (§5 item 21): base64 of the key alone.
		env := MustSandbox(t)
		env.c.t.Auth = "Basic dGVzdF9za196WExrS0V5cE5BcldtbzUwblgzbG1lYXhZRzVSTEVBSw=="
		_, err := env.c.Lookup(ctx, sandboxPayment())
		testutil.AssertCode(t, err, payment.EINVALID)
	})
}
