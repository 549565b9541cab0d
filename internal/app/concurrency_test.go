package app_test

import (
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/paybridge/paybridge/internal/apptest"
)

// Ensure 200 buyers creating and finishing payments at the same moment all
// succeed: on SQLite no SQLITE_BUSY (or any other error) reaches a caller,
// and every payment is paid with one approve call.
func TestConcurrency_200Checkouts(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	a := apptest.Start(t)
	const n = 200
	var (
		wg     sync.WaitGroup
		failed atomic.Int64
	)
	ids := make([]string, n)
	for i := range n {
		wg.Go(func() {
			status, b := do(t, a, "POST", "/v1/payments", "application/json",
				`{"provider":"kakaopay","order_id":"c-`+strconv.Itoa(i)+`","order_name":"Tea","amount":1000,"quantity":1,"customer_id":"c"}`)
			if status != http.StatusCreated {
				failed.Add(1)
				t.Errorf("create %d: %d %s", i, status, b)
				return
			}
			p := decode[paymentJSON](t, b)
			ids[i] = p.ID
			if _, loc := follow(t, a, buyer(t, a, p.RedirectURL, "approve")); loc != "/pay/"+p.ID {
				failed.Add(1)
				t.Errorf("finish %d: → %q", i, loc)
			}
		})
	}
	wg.Wait()
	if failed.Load() > 0 {
		t.Fatalf("%d of %d checkouts failed", failed.Load(), n)
	}
	for i, id := range ids {
		if got := getPayment(t, a, id); got.Status != "paid" {
			t.Fatalf("payment %d is %s", i, got.Status)
		}
	}
	if c := a.KakaoPaySandbox.Calls("approve"); c != n {
		t.Fatalf("approve calls = %d, want %d", c, n)
	}
}
