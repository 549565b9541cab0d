package app_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/sandbox"
	sbiamport "github.com/paybridge/paybridge/internal/sandbox/iamport"
	sbtoss "github.com/paybridge/paybridge/internal/sandbox/toss"
)

// Ensure a 4xx on PortOne's verification lookup never fails a payment the
// buyer paid: it stays approving, and the sweep finds it paid (issue 8
// item 2).
func TestMoney_PortOneLookupRefusedLeavesApproving(t *testing.T) {
	for _, status := range []int{400, 401, 403} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			a, _ := startQuiet(t) // no sandbox webhook settles it first
			p := MustCreateWith(t, a, "iamport", "verify-"+itoa(int64(status)), 5000)
			ret := buyer(t, a, p.RedirectURL, "approve")
			a.IamportSandbox.InjectFault(sbiamport.Fault{Fault: sandbox.Fault{Op: "payment", Kind: "error", Status: status, Count: 10}})
			follow(t, a, ret)
			wantStatus(t, a, p.ID, "approving", "while PortOne cannot be read")
			a.IamportSandbox.ClearFaults()
			sweepAt(t, a, time.Minute)
			wantStatus(t, a, p.ID, "paid", "after the sweep")
		})
	}
}

// Ensure money taken in a PortOne window after paybridge expired the
// payment goes back to the buyer even without a webhook or a return: the
// sweep re-checks recently closed payments (issue 8 item 4).
func TestMoney_LateChargeFoundBySweepWithoutWebhook(t *testing.T) {
	for _, prov := range []string{"portone", "iamport"} {
		t.Run(prov, func(t *testing.T) {
			a, _ := startQuiet(t) // no sandbox webhooks
			p := MustCreateWith(t, a, prov, "late-sweep-"+prov, 7000)
			sweepAt(t, a, 16*time.Minute)
			wantStatus(t, a, p.ID, "expired", "")
			buyer(t, a, p.RedirectURL, "approve") // the window was still open
			sweepAt(t, a, 25*time.Minute)
			got := getPayment(t, a, p.ID)
			if got.Status != "expired" || got.Failure == nil || got.Failure.Code != "late_charge_refunded" {
				t.Fatalf("after the sweep: %s %+v", got.Status, got.Failure)
			}
			if n := cancelCalls(a, prov); n != 1 {
				t.Fatalf("cancel calls = %d", n)
			}
		})
	}
}

// Ensure a buyer who edits Toss's taxFreeAmount in the window gets no sale
// with a false VAT split: the charge is refunded like an amount mismatch
// (issue 8 item 5).
func TestMoney_TossTaxFreeEditedInWindow(t *testing.T) {
	a := apptest.Start(t)
	p := MustCreateWith(t, a, "toss", "taxfree-edit", 10000)
	edited := p.RedirectURL + "&taxFreeAmount=10000"
	follow(t, a, buyer(t, a, edited, "approve"))
	got := getPayment(t, a, p.ID)
	if got.Status != "failed" || got.Failure == nil || got.Failure.Code != "amount_mismatch" ||
		!strings.Contains(got.Failure.Message, "tax-free") {
		t.Fatalf("after an edited tax-free amount: %s %+v", got.Status, got.Failure)
	}
	if n := cancelCalls(a, "toss"); n != 1 {
		t.Fatalf("cancel calls = %d, want the charge refunded", n)
	}
}

// Ensure a Toss confirm that failed before Toss acted is repeated by the
// sweep with the stored paymentKey (issue 8 item 3).
func TestMoney_TossConfirmRetried(t *testing.T) {
	a := apptest.Start(t)
	p := MustCreateWith(t, a, "toss", "toss-retry", 6000)
	ret := buyer(t, a, p.RedirectURL, "approve")
	a.TossSandbox.InjectFault(sbtoss.Fault{Fault: sandbox.Fault{Op: "confirm", Kind: "error", Status: 500}})
	follow(t, a, ret)
	wantStatus(t, a, p.ID, "approving", "")
	sweepAt(t, a, time.Minute)
	wantStatus(t, a, p.ID, "paid", "after the sweep")
	if n := a.TossSandbox.Calls("confirm"); n != 2 {
		t.Fatalf("confirm calls = %d, want 2", n)
	}
}
