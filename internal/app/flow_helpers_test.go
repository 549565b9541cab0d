package app_test

import (
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/apptest"
	sbkakaopay "github.com/paybridge/paybridge/internal/sandbox/kakaopay"
	"github.com/paybridge/paybridge/internal/service"
)

// sweepAt runs a's sweep as if it were d from now, the way the background
// sweeper would find the payments then, and fails the test if it fails.
// The clock stays moved for the rest of the test.
func sweepAt(t *testing.T, a *apptest.App, d time.Duration) service.SweepResult {
	t.Helper()
	a.Service.SetNow(func() time.Time { return time.Now().Add(d) })
	r, err := a.Service.Sweep(t.Context())
	if err != nil {
		t.Fatalf("sweep at +%s: %v", d, err)
	}
	return r
}

// wantStatus fails the test unless the payment, as the API shows it, is in
// status want; when says at which point of the test ("" for none).
func wantStatus(t *testing.T, a *apptest.App, id, want, when string) paymentJSON {
	t.Helper()
	got := getPayment(t, a, id)
	if got.Status != want {
		if when != "" {
			when += ": "
		}
		t.Fatalf("%sstatus = %s (failure %+v), want %s", when, got.Status, got.Failure, want)
	}
	return got
}

// mustPaid creates a KakaoPay payment and has the buyer approve it, so that
// it is paid; it returns the payment as it was created (ready).
func mustPaid(t *testing.T, a *apptest.App, orderID string, amount int64) paymentJSON {
	t.Helper()
	return approveWith(t, a, orderID, amount)
}

// approveWith creates a KakaoPay payment, has the buyer approve it at
// KakaoPay, injects faults into the sandbox and only then sends the buyer
// back to paybridge, so that paybridge's finish meets them.
func approveWith(t *testing.T, a *apptest.App, orderID string, amount int64, faults ...sbkakaopay.Fault) paymentJSON {
	t.Helper()
	p := MustCreatePayment(t, a, orderID, amount, "")
	ret := buyer(t, a, p.RedirectURL, "approve")
	for _, f := range faults {
		a.KakaoPaySandbox.InjectFault(f)
	}
	follow(t, a, ret)
	return p
}
