package app_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/pgtest"
	"github.com/paybridge/paybridge/internal/provider/kakaopay"
	"github.com/paybridge/paybridge/internal/sandbox"
	sbkakaopay "github.com/paybridge/paybridge/internal/sandbox/kakaopay"
)

// startInstances runs two paybridge instances on one PostgreSQL database,
// both talking to one KakaoPay (a standalone sandbox over HTTP), as behind a
// load balancer.
func startInstances(t *testing.T) (a, b *apptest.App, sb *sbkakaopay.Sandbox) {
	t.Helper()
	db := pgtest.NewDatabase(t)
	sb = sbkakaopay.New(sbkakaopay.Options{})
	kp := httptest.NewServer(sb)
	t.Cleanup(kp.Close)
	opts := func(c *config.Config) {
		c.DatabaseURL = db
		config.Edit(c, func(s *kakaopay.Settings) { s.BaseURL = kp.URL })
		config.Edit(c, func(s *kakaopay.Settings) { s.SecretKey = "DEV-shared-test-key" })
	}
	return apptest.Start(t, opts), apptest.Start(t, opts), sb
}

// buyerApproves has the buyer approve at the provider and returns the
// return URL, which either instance can serve.
func buyerApproves(t *testing.T, a *apptest.App, redirectURL string) string {
	t.Helper()
	resp, err := a.Client.PostForm(redirectURL, map[string][]string{"action": {"approve"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("buyer approve: %d", resp.StatusCode)
	}
	return resp.Header.Get("Location")
}

// on points a URL built for one instance at another.
func on(b *apptest.App, from *apptest.App, u string) string { return loopback(b, swapHost(from, b, u)) }

func swapHost(from, to *apptest.App, u string) string {
	for _, prefix := range []string{from.Config.PublicURL, from.URL()} {
		if len(u) >= len(prefix) && u[:len(prefix)] == prefix {
			return to.URL() + u[len(prefix):]
		}
	}
	return u
}

func TestInstances_PaymentMovesBetweenInstances(t *testing.T) {
	a, b, sb := startInstances(t)
	p := MustCreatePayment(t, a, "order-x", 10000, "")
	ret := buyerApproves(t, a, p.RedirectURL)

	// The buyer's return reaches the other instance.
	if status, loc := follow(t, b, on(b, a, ret)); status != http.StatusSeeOther || loc != "/pay/"+p.ID {
		t.Fatalf("return on b: %d %q", status, loc)
	}
	wantStatus(t, a, p.ID, "paid", "as instance a sees it")
	status, body := do(t, b, "POST", "/v1/payments/"+p.ID+"/cancel", "application/json", `{"amount":4000,"reason":"on b"}`)
	if status != 200 {
		t.Fatalf("refund on b: %d %s", status, body)
	}
	status, body = do(t, a, "POST", "/v1/payments/"+p.ID+"/cancel", "application/json", `{"reason":"rest on a"}`)
	if got := decode[paymentJSON](t, body); status != 200 || got.Status != "canceled" || got.CanceledAmount != 10000 {
		t.Fatalf("refund on a: %d %s", status, body)
	}
	if sb.Calls("approve") != 1 || sb.Calls("cancel") != 2 {
		t.Fatalf("calls: approve %d, cancel %d", sb.Calls("approve"), sb.Calls("cancel"))
	}
}

// Ensure concurrent finishes of one payment spread over two instances make
// exactly one approve call at the provider.
func TestInstances_ConcurrentFinishesApproveOnce(t *testing.T) {
	a, b, sb := startInstances(t)
	for round := range 3 {
		p := MustCreatePayment(t, a, "order-c"+itoa(int64(round)), 5000, "")
		ret := buyerApproves(t, a, p.RedirectURL)
		sb.InjectFault(sbkakaopay.Fault{Fault: sandbox.Fault{Op: "approve", Kind: "delay", Delay: 200 * time.Millisecond}})
		var wg sync.WaitGroup
		for i := range 12 {
			inst := []*apptest.App{a, b}[i%2]
			wg.Go(func() {
				if _, loc := follow(t, inst, on(inst, a, ret)); loc != "/pay/"+p.ID {
					t.Errorf("return %d → %q", i, loc)
				}
			})
		}
		wg.Wait()
		if n := sb.CallsFor("approve", p.ProviderIDs.TID); n != 1 {
			t.Fatalf("round %d: approve calls = %d, want exactly 1", round, n)
		}
		if got := getPayment(t, b, p.ID); got.Status != "paid" {
			t.Fatalf("round %d: status %s", round, got.Status)
		}
	}
}

// Ensure sweeps running on both instances at once look each unsettled
// payment up once, not once per instance.
func TestInstances_SweepsShareTheWork(t *testing.T) {
	a, b, sb := startInstances(t)
	const n = 8
	var tids []string
	var ids []string
	for i := range n {
		p := MustCreatePayment(t, a, "order-s"+itoa(int64(i)), 1000, "")
		ret := buyerApproves(t, a, p.RedirectURL)
		sb.InjectFault(sbkakaopay.Fault{Fault: sandbox.Fault{Op: "approve", Kind: "lost"}, TID: p.ProviderIDs.TID})
		sb.InjectFault(sbkakaopay.Fault{Fault: sandbox.Fault{Op: "order", Kind: "error", Status: 503, Count: 3}, Code: -503, TID: p.ProviderIDs.TID})
		follow(t, a, ret)
		if got := getPayment(t, a, p.ID); got.Status != "approving" {
			t.Fatalf("payment %d is %s, want approving", i, got.Status)
		}
		tids, ids = append(tids, p.ProviderIDs.TID), append(ids, p.ID)
	}
	sb.ClearFaults()
	before := map[string]int{}
	for _, tid := range tids {
		before[tid] = sb.CallsFor("order", tid)
		// Slow lookups keep the sweeps overlapping while they work.
		sb.InjectFault(sbkakaopay.Fault{Fault: sandbox.Fault{Op: "order", Kind: "delay", Delay: 50 * time.Millisecond, Count: 4}, TID: tid})
	}
	later := func() time.Time { return time.Now().Add(time.Minute) }
	a.Service.SetNow(later)
	b.Service.SetNow(later)
	var wg sync.WaitGroup
	for _, inst := range []*apptest.App{a, b, a, b} {
		wg.Go(func() {
			if _, err := inst.Service.Sweep(t.Context()); err != nil {
				t.Errorf("sweep: %v", err)
			}
		})
	}
	wg.Wait()
	for i, tid := range tids {
		if d := sb.CallsFor("order", tid) - before[tid]; d != 1 {
			t.Errorf("payment %d looked up %d times by the concurrent sweeps, want 1", i, d)
		}
		if got := getPayment(t, b, ids[i]); got.Status != "paid" {
			t.Errorf("payment %d is %s, want paid", i, got.Status)
		}
	}
}

// Ensure work claimed by an instance that then died is picked up by another
// once the lease runs out, and not before.
func TestInstances_LeaseOfDeadInstanceRunsOut(t *testing.T) {
	a, b, sb := startInstances(t)
	p := MustCreatePayment(t, a, "order-dead", 2000, "")
	ret := buyerApproves(t, a, p.RedirectURL)
	sb.InjectFault(sbkakaopay.Fault{Fault: sandbox.Fault{Op: "approve", Kind: "lost"}})
	sb.InjectFault(sbkakaopay.Fault{Fault: sandbox.Fault{Op: "order", Kind: "error", Status: 503, Count: 3}, Code: -503})
	follow(t, a, ret)
	sb.ClearFaults()

	// Instance a claims the payment in its sweep and dies before settling it.
	a.Service.SetNow(func() time.Time { return time.Now().Add(time.Minute) })
	claimAndDie(t, a)

	sweepAt(t, b, 90*time.Second)
	wantStatus(t, b, p.ID, "approving", "settled under a live lease")
	sweepAt(t, b, 3*time.Minute)
	wantStatus(t, b, p.ID, "paid", "after the lease ran out")
}
