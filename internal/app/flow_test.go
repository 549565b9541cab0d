package app_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/sandbox"
	sbkakaopay "github.com/paybridge/paybridge/internal/sandbox/kakaopay"
)

func TestCheckout_Paid(t *testing.T) {
	a := apptest.Start(t)
	p := MustCreatePayment(t, a, "order-paid", 9000, "")

	// The approval URL handed to KakaoPay carries only paybridge's id.
	ret := buyer(t, a, p.RedirectURL, "approve")
	u, _ := url.Parse(ret)
	if u.Path != "/pay/"+p.ID+"/approve" || len(u.Query()) != 1 || u.Query().Get("pg_token") == "" {
		t.Fatalf("return URL = %s, want /pay/%s/approve?pg_token=…", ret, p.ID)
	}
	status, loc := follow(t, a, ret)
	if status != http.StatusSeeOther || loc != "/pay/"+p.ID {
		t.Fatalf("return: %d → %q, want 303 → result page", status, loc)
	}
	got := getPayment(t, a, p.ID)
	if got.Status != "paid" || got.Amount != 9000 || got.CancelableAmount != 9000 || got.ProviderIDs.AID == "" {
		t.Fatalf("after approve: %+v", got)
	}
	if got.ProviderIDs.PartnerOrderID != p.ID || got.ProviderIDs.PartnerUserID != "cust-1" {
		t.Fatalf("provider ids: %+v", got.ProviderIDs)
	}
	if want := []string{"created", "ready", "approving", "paid"}; !slices.Equal(mustEvents(t, a, p.ID), want) {
		t.Fatalf("events = %v, want %v", mustEvents(t, a, p.ID), want)
	}

	// A refresh of the return after paid shows the result without calling KakaoPay.
	if status, loc := follow(t, a, ret); status != http.StatusSeeOther || loc != "/pay/"+p.ID {
		t.Fatalf("refresh: %d → %q", status, loc)
	}
	if n := a.KakaoPaySandbox.Calls("approve"); n != 1 {
		t.Fatalf("approve calls = %d, want 1", n)
	}
	resp, err := a.Client.Get(a.URL() + "/pay/" + p.ID)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("result page: %d", resp.StatusCode)
	}
}

func TestCheckout_ShopURLs(t *testing.T) {
	a := apptest.Start(t)
	extra := `,"success_url":"https://shop.example/done?x=1","fail_url":"https://shop.example/fail","cancel_url":"https://shop.example/cancel"`

	t.Run("Success", func(t *testing.T) {
		p := MustCreatePayment(t, a, "order-s", 1000, extra)
		_, loc := follow(t, a, buyer(t, a, p.RedirectURL, "approve"))
		if loc != "https://shop.example/done?x=1&payment_id="+p.ID {
			t.Fatalf("redirect = %q", loc)
		}
	})
	t.Run("Cancel", func(t *testing.T) {
		p := MustCreatePayment(t, a, "order-c", 1000, extra)
		_, loc := follow(t, a, buyer(t, a, p.RedirectURL, "cancel"))
		if loc != "https://shop.example/cancel?payment_id="+p.ID {
			t.Fatalf("redirect = %q", loc)
		}
		wantStatus(t, a, p.ID, "aborted", "")
	})
	t.Run("Fail", func(t *testing.T) {
		p := MustCreatePayment(t, a, "order-f", 1000, extra)
		_, loc := follow(t, a, buyer(t, a, p.RedirectURL, "fail"))
		if loc != "https://shop.example/fail?payment_id="+p.ID {
			t.Fatalf("redirect = %q", loc)
		}
		got := getPayment(t, a, p.ID)
		if got.Status != "failed" || got.Failure == nil || !strings.Contains(got.Failure.Message, "FAIL_PAYMENT") {
			t.Fatalf("after fail: %+v", got)
		}
	})
}

// Ensure a forged cancel or fail return does not close a payment the
// provider still considers open.
func TestCheckout_ForgedCancelReturn(t *testing.T) {
	a := apptest.Start(t)
	p := MustCreatePayment(t, a, "order-forged", 1000, "")
	for _, path := range []string{"/cancel", "/fail"} {
		follow(t, a, a.URL()+"/pay/"+p.ID+path)
		if got := getPayment(t, a, p.ID); got.Status != "ready" {
			t.Fatalf("after forged %s return: status %s, want ready", path, got.Status)
		}
	}
	// The buyer can still pay.
	follow(t, a, buyer(t, a, p.RedirectURL, "approve"))
	wantStatus(t, a, p.ID, "paid", "")
}

func TestCheckout_ConcurrentReturns(t *testing.T) {
	a := apptest.Start(t)
	p := MustCreatePayment(t, a, "order-concurrent", 5000, "")
	ret := buyer(t, a, p.RedirectURL, "approve")
	// Hold the approve at the provider so the returns really overlap.
	a.KakaoPaySandbox.InjectFault(sbkakaopay.Fault{Fault: sandbox.Fault{Op: "approve", Kind: "delay", Delay: 300 * time.Millisecond}})

	const n = 10
	var wg sync.WaitGroup
	locs := make([]string, n)
	for i := range n {
		wg.Go(func() { _, locs[i] = follow(t, a, ret) })
	}
	wg.Wait()
	for i, loc := range locs {
		if loc != "/pay/"+p.ID {
			t.Errorf("return %d → %q, want the result page", i, loc)
		}
	}
	if c := a.KakaoPaySandbox.Calls("approve"); c != 1 {
		t.Fatalf("approve calls = %d, want exactly 1", c)
	}
	wantStatus(t, a, p.ID, "paid", "")
}

func TestCheckout_AmountMismatch(t *testing.T) {
	a := apptest.Start(t)
	p := approveWith(t, a, "order-mismatch", 10000, sbkakaopay.Fault{Fault: sandbox.Fault{Op: "approve", Kind: "amount", Amount: 100}})
	got := getPayment(t, a, p.ID)
	if got.Status != "failed" || got.Failure == nil || got.Failure.Code != "amount_mismatch" {
		t.Fatalf("after mismatched approve: %+v", got)
	}
	if !strings.Contains(got.Failure.Message, "100") || !strings.Contains(got.Failure.Message, "refunded at the provider") {
		t.Fatalf("failure message = %q", got.Failure.Message)
	}
	// The provider payment was cancelled, so the buyer is not charged.
	if c := a.KakaoPaySandbox.CallsFor("cancel", p.ProviderIDs.TID); c != 1 {
		t.Fatalf("cancel calls = %d, want 1", c)
	}
	// And the payment can never be refunded again or become paid.
	status, b := do(t, a, "POST", "/v1/payments/"+p.ID+"/cancel", "application/json", `{"reason":"x"}`)
	if status != http.StatusConflict {
		t.Fatalf("refund of failed payment: %d %s", status, b)
	}
}

func TestCheckout_Declined(t *testing.T) {
	a := apptest.Start(t)
	p := approveWith(t, a, "order-declined", 3000, sbkakaopay.Fault{Fault: sandbox.Fault{Op: "approve", Kind: "decline"}})
	got := getPayment(t, a, p.ID)
	if got.Status != "failed" || got.Failure == nil || got.Failure.ProviderCode != "-780" ||
		!strings.Contains(got.Failure.ProviderMessage, "CARD_DECLINED") {
		t.Fatalf("after decline: %+v %+v", got, got.Failure)
	}
	if c := a.KakaoPaySandbox.Calls("approve"); c != 1 {
		t.Fatalf("approve calls = %d, want 1", c)
	}
}

// Ensure an approve whose response is lost (KakaoPay approved, the answer
// never arrived) is settled by the order lookup, without a second approve.
func TestCheckout_LostApproveResponse(t *testing.T) {
	a := apptest.Start(t)
	p := approveWith(t, a, "order-lost", 7000, sbkakaopay.Fault{Fault: sandbox.Fault{Op: "approve", Kind: "lost"}})
	got := getPayment(t, a, p.ID)
	if got.Status != "paid" {
		t.Fatalf("status = %s, want paid (settled by lookup)", got.Status)
	}
	if c := a.KakaoPaySandbox.Calls("approve"); c != 1 {
		t.Fatalf("approve calls = %d, want 1", c)
	}
	if c := a.KakaoPaySandbox.CallsFor("order", p.ProviderIDs.TID); c < 1 {
		t.Fatalf("order lookups = %d, want ≥ 1", c)
	}
	evs := mustEvents(t, a, p.ID)
	if evs[len(evs)-1] != "paid" {
		t.Fatalf("events = %v", evs)
	}
}

// Ensure an unknown outcome that the lookup cannot settle at once stays
// approving, and that the sweep settles it later, never approving twice.
func TestCheckout_UnknownOutcomeSettledBySweep(t *testing.T) {
	a := apptest.Start(t)
	p := approveWith(t, a, "order-unknown", 4000,
		sbkakaopay.Fault{Fault: sandbox.Fault{Op: "approve", Kind: "lost"}},
		sbkakaopay.Fault{Fault: sandbox.Fault{Op: "order", Kind: "error", Status: 503, Count: 10}, Code: -503})
	wantStatus(t, a, p.ID, "approving", "while the provider cannot answer")
	a.KakaoPaySandbox.ClearFaults()
	// Not yet: the sweep leaves recent approvals to their own request.
	if r, err := a.Service.Sweep(t.Context()); err != nil || r.Settled != 0 {
		t.Fatalf("early sweep = %+v, %v", r, err)
	}
	r := sweepAt(t, a, time.Minute)
	if r.Settled != 1 {
		t.Fatalf("sweep = %+v; want one settled", r)
	}
	wantStatus(t, a, p.ID, "paid", "")
	if c := a.KakaoPaySandbox.Calls("approve"); c != 1 {
		t.Fatalf("approve calls = %d, want 1", c)
	}
}

// Ensure an approve that never reached KakaoPay (5xx before acting) is
// repeated by the sweep while the window is open, since KakaoPay's order
// lookup proves it did not act (and a repeat is refused with -702 if it
// had): the buyer who authenticated is charged once.
func TestCheckout_ApproveProviderDidNotActRetried(t *testing.T) {
	a := apptest.Start(t)
	p := approveWith(t, a, "order-retried", 4000, sbkakaopay.Fault{Fault: sandbox.Fault{Op: "approve", Kind: "error", Status: 500}, Code: -500})
	wantStatus(t, a, p.ID, "approving", "")
	sweepAt(t, a, time.Minute)
	wantStatus(t, a, p.ID, "paid", "after the repeated approve")
	if c := a.KakaoPaySandbox.Calls("approve"); c != 2 {
		t.Fatalf("approve calls = %d, want 2", c)
	}
}

// Ensure an approve KakaoPay keeps failing before acting ends failed
// (not_approved) once the provider's window has long passed, after a
// bounded number of repeats inside the window and none after it.
func TestCheckout_UnknownOutcomeNeverApproved(t *testing.T) {
	a := apptest.Start(t)
	p := approveWith(t, a, "order-never", 4000, sbkakaopay.Fault{Fault: sandbox.Fault{Op: "approve", Kind: "error", Status: 500, Count: 100}, Code: -500})
	wantStatus(t, a, p.ID, "approving", "")
	sweepAt(t, a, 10*time.Minute)
	wantStatus(t, a, p.ID, "approving", "still inside the window")
	sweepAt(t, a, 25*time.Minute)
	got := getPayment(t, a, p.ID)
	if got.Status != "failed" || got.Failure == nil || got.Failure.Code != "not_approved" {
		t.Fatalf("after the window: %+v", got)
	}
	if c := a.KakaoPaySandbox.Calls("approve"); c != 2 {
		t.Fatalf("approve calls = %d, want 2 (one repeat inside the window, none after)", c)
	}
}

func TestCheckout_ExpiredBySweep(t *testing.T) {
	a := apptest.Start(t)
	p := MustCreatePayment(t, a, "order-expire", 1000, "")
	if r, _ := a.Service.Sweep(t.Context()); r.Expired != 0 {
		t.Fatalf("expired a fresh payment")
	}
	r := sweepAt(t, a, 16*time.Minute)
	if r.Expired != 1 {
		t.Fatalf("sweep = %+v; want one expired", r)
	}
	if got := getPayment(t, a, p.ID); got.Status != "expired" || got.RedirectURL != "" {
		t.Fatalf("after expiry: %+v", got)
	}
}

func TestRefund_PartialThenRest(t *testing.T) {
	a := apptest.Start(t)
	p := mustPaid(t, a, "order-refund", 10000)

	status, b := do(t, a, "POST", "/v1/payments/"+p.ID+"/cancel", "application/json", `{"amount":10001,"reason":"too much"}`)
	if status != http.StatusBadRequest {
		t.Fatalf("over-refund: %d %s", status, b)
	}
	status, b = do(t, a, "POST", "/v1/payments/"+p.ID+"/cancel", "application/json", `{"amount":3000,"reason":"one item back"}`)
	got := decode[paymentJSON](t, b)
	if status != http.StatusOK || got.Status != "partially_canceled" || got.CanceledAmount != 3000 || got.CancelableAmount != 7000 {
		t.Fatalf("partial refund: %d %s", status, b)
	}
	status, b = do(t, a, "POST", "/v1/payments/"+p.ID+"/cancel", "application/json", `{"reason":"the rest"}`)
	got = decode[paymentJSON](t, b)
	if status != http.StatusOK || got.Status != "canceled" || got.CanceledAmount != 10000 || got.CancelableAmount != 0 {
		t.Fatalf("refund of the rest: %d %s", status, b)
	}
	if len(got.Cancellations) != 2 || got.Cancellations[0].Amount != 3000 || got.Cancellations[1].Amount != 7000 {
		t.Fatalf("cancellations = %+v", got.Cancellations)
	}
	status, b = do(t, a, "POST", "/v1/payments/"+p.ID+"/cancel", "application/json", `{"reason":"again"}`)
	if status != http.StatusConflict {
		t.Fatalf("refund of canceled payment: %d %s", status, b)
	}
	if want := []string{"created", "ready", "approving", "paid", "partially_canceled", "canceled"}; !slices.Equal(mustEvents(t, a, p.ID), want) {
		t.Fatalf("events = %v", mustEvents(t, a, p.ID))
	}
}

func TestRefund_ConcurrentRefundsNeverExceed(t *testing.T) {
	a := apptest.Start(t)
	p := mustPaid(t, a, "order-refund-race", 10000)
	a.KakaoPaySandbox.InjectFault(sbkakaopay.Fault{Fault: sandbox.Fault{Op: "cancel", Kind: "delay", Delay: 200 * time.Millisecond, Count: 10}})

	var wg sync.WaitGroup
	statuses := make([]int, 8)
	for i := range statuses {
		wg.Go(func() {
			statuses[i], _ = do(t, a, "POST", "/v1/payments/"+p.ID+"/cancel", "application/json", `{"amount":6000,"reason":"race"}`)
		})
	}
	wg.Wait()
	ok := 0
	for _, s := range statuses {
		if s == http.StatusOK {
			ok++
		}
	}
	got := getPayment(t, a, p.ID)
	if ok != 1 || got.CanceledAmount != 6000 {
		t.Fatalf("successful refunds = %d (statuses %v), canceled = %d; want exactly one of 6000", ok, statuses, got.CanceledAmount)
	}
}

// Ensure a refund whose response is lost is settled by the lookup.
func TestRefund_LostResponse(t *testing.T) {
	a := apptest.Start(t)
	p := mustPaid(t, a, "order-refund-lost", 8000)
	a.KakaoPaySandbox.InjectFault(sbkakaopay.Fault{Fault: sandbox.Fault{Op: "cancel", Kind: "lost"}})

	status, b := do(t, a, "POST", "/v1/payments/"+p.ID+"/cancel", "application/json", `{"amount":2000,"reason":"lost"}`)
	got := decode[paymentJSON](t, b)
	if status != http.StatusOK || got.Status != "partially_canceled" || got.CanceledAmount != 2000 {
		t.Fatalf("lost refund response: %d %s", status, b)
	}
	if c := a.KakaoPaySandbox.Calls("cancel"); c != 1 {
		t.Fatalf("cancel calls = %d, want 1", c)
	}
}

// Ensure a refused charge whose refund fails at first is not left for an
// operator to notice: it is marked refund_required and the sweep retries
// the refund until it goes through, once.
func TestCheckout_FailedRefundIsRetried(t *testing.T) {
	a := apptest.Start(t)
	p := approveWith(t, a, "order-refund-retry", 10000,
		sbkakaopay.Fault{Fault: sandbox.Fault{Op: "approve", Kind: "amount", Amount: 100}},
		sbkakaopay.Fault{Fault: sandbox.Fault{Op: "cancel", Kind: "error", Status: 500}, Code: -500})
	got := getPayment(t, a, p.ID)
	if got.Status != "failed" || got.Failure == nil || got.Failure.Code != "refund_required" {
		t.Fatalf("after a failed refund: %s %+v", got.Status, got.Failure)
	}
	r := sweepAt(t, a, time.Minute)
	if r.Refunded != 1 {
		t.Fatalf("sweep = %+v; want one refund retried", r)
	}
	got = getPayment(t, a, p.ID)
	if got.Status != "failed" || got.Failure.Code != "refunded_after_retry" || !strings.Contains(got.Failure.Message, "10000 won refunded at the provider on retry") {
		t.Fatalf("after the retry: %s %+v", got.Status, got.Failure)
	}
	// The money is back at the provider, and later sweeps leave it alone.
	a.Service.SetNow(func() time.Time { return time.Now().Add(3 * time.Minute) })
	if r, _ := a.Service.Sweep(t.Context()); r.Refunded != 0 {
		t.Fatalf("refunded again: %+v", r)
	}
	if c := a.KakaoPaySandbox.CallsFor("cancel", p.ProviderIDs.TID); c != 2 {
		t.Fatalf("cancel calls = %d, want the failed one and the retry", c)
	}
}
