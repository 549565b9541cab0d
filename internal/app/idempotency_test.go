package app_test

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/sandbox"
	sbkakaopay "github.com/paybridge/paybridge/internal/sandbox/kakaopay"
)

// idemResponse is one answer to a request sent with an Idempotency-Key.
type idemResponse struct {
	status   int
	body     string
	replayed bool
}

// doKey sends a JSON POST with the app's API key and an Idempotency-Key.
func doKey(t *testing.T, a *apptest.App, path, key, body string) idemResponse {
	t.Helper()
	req, err := http.NewRequest("POST", a.URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+a.Key)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := a.Client.Do(req)
	if err != nil {
		t.Errorf("POST %s: %v", path, err)
		return idemResponse{}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return idemResponse{status: resp.StatusCode, body: string(b), replayed: resp.Header.Get("Idempotent-Replayed") == "true"}
}

// Ensure a retried create (same key, same request) returns the first
// response byte for byte and neither writes a second payment nor calls
// KakaoPay's ready again.
func TestIdempotency_CreateReplayed(t *testing.T) {
	a := apptest.Start(t)
	first := doKey(t, a, "/v1/payments", "create-1", validBody)
	if first.status != http.StatusCreated || first.replayed {
		t.Fatalf("first: %+v", first)
	}
	for range 3 {
		again := doKey(t, a, "/v1/payments", "create-1", validBody)
		if again.status != first.status || again.body != first.body || !again.replayed {
			t.Fatalf("retry: %+v\nfirst: %+v", again, first)
		}
	}
	if n := countPayments(t, a); n != 1 {
		t.Fatalf("%d payments, want 1", n)
	}
	if n := a.KakaoPaySandbox.Calls("ready"); n != 1 {
		t.Fatalf("%d ready calls, want 1", n)
	}

	t.Run("ErrOtherBody", func(t *testing.T) {
		w := doKey(t, a, "/v1/payments", "create-1", strings.Replace(validBody, `"amount":1000`, `"amount":2000`, 1))
		if w.status != http.StatusUnprocessableEntity || decode[errorJSON](t, []byte(w.body)).Error.Code != "idempotency_key_reused" {
			t.Fatalf("other body, same key: %+v", w)
		}
		if n := countPayments(t, a); n != 1 {
			t.Fatalf("%d payments, want 1", n)
		}
	})
	t.Run("KeysArePerMerchant", func(t *testing.T) {
		b := asMerchant(t, a, "Shop B")
		w := doKey(t, b, "/v1/payments", "create-1", validBody)
		if w.status != http.StatusCreated || w.replayed || w.body == first.body {
			t.Fatalf("another merchant with the same key: %+v", w)
		}
		if n := countPayments(t, a); n != 2 {
			t.Fatalf("%d payments, want 2", n)
		}
	})
}

// Ensure a provider failure (a 5xx) is stored and replayed too, like
// Stripe's: the retry does not call the provider again.
func TestIdempotency_ServerErrorReplayed(t *testing.T) {
	a := apptest.Start(t)
	a.KakaoPaySandbox.InjectFault(sbFault("ready", "error", 500, -500))
	first := doKey(t, a, "/v1/payments", "create-5xx", validBody)
	if first.status < 500 {
		t.Fatalf("first: %+v, want a 5xx", first)
	}
	again := doKey(t, a, "/v1/payments", "create-5xx", validBody)
	if again.status != first.status || again.body != first.body || !again.replayed {
		t.Fatalf("retry: %+v\nfirst: %+v", again, first)
	}
	if n := a.KakaoPaySandbox.Calls("ready"); n != 1 {
		t.Fatalf("%d ready calls, want 1", n)
	}
}

// Ensure a create rejected by validation stores nothing: the same key then
// serves the corrected request.
func TestIdempotency_RejectedCreateStoresNothing(t *testing.T) {
	a := apptest.Start(t)
	bad := doKey(t, a, "/v1/payments", "create-bad", strings.Replace(validBody, `"amount":1000`, `"amount":0`, 1))
	if bad.status != http.StatusBadRequest || decode[errorJSON](t, []byte(bad.body)).Error.Code != "invalid" {
		t.Fatalf("invalid create: %+v", bad)
	}
	good := doKey(t, a, "/v1/payments", "create-bad", validBody)
	if good.status != http.StatusCreated || good.replayed {
		t.Fatalf("corrected create with the same key: %+v", good)
	}
	if again := doKey(t, a, "/v1/payments", "create-bad", validBody); again.body != good.body || !again.replayed {
		t.Fatalf("retry of the corrected create: %+v", again)
	}
	if n := a.KakaoPaySandbox.Calls("ready"); n != 1 {
		t.Fatalf("%d ready calls, want 1", n)
	}
}

// Ensure a retried refund is made once at KakaoPay.
func TestIdempotency_RefundReplayed(t *testing.T) {
	a := apptest.Start(t)
	p := mustPaid(t, a, "order-refund", 5000)
	if got := getPayment(t, a, p.ID); got.Status != "paid" {
		t.Fatalf("not paid: %+v", got)
	}
	path := "/v1/payments/" + p.ID + "/cancel"
	first := doKey(t, a, path, "refund-1", `{"amount":2000,"reason":"one item back"}`)
	if first.status != http.StatusOK || first.replayed {
		t.Fatalf("refund: %+v", first)
	}
	for range 3 {
		again := doKey(t, a, path, "refund-1", `{"amount":2000,"reason":"one item back"}`)
		if again.status != first.status || again.body != first.body || !again.replayed {
			t.Fatalf("retry: %+v\nfirst: %+v", again, first)
		}
	}
	if n := a.KakaoPaySandbox.CallsFor("cancel", p.ProviderIDs.TID); n != 1 {
		t.Fatalf("%d cancel calls, want 1", n)
	}
	if got := getPayment(t, a, p.ID); got.CanceledAmount != 2000 || len(got.Cancellations) != 1 {
		t.Fatalf("after retries: %+v", got)
	}
	// The same key on another payment's path is another request.
	if w := doKey(t, a, "/v1/payments/pay_other/cancel", "refund-1", `{"amount":2000,"reason":"one item back"}`); w.status != http.StatusUnprocessableEntity {
		t.Fatalf("same key, other path: %+v", w)
	}
}

// Ensure 10 concurrent creates with one key make one payment and one ready
// call; every other answer is 409 in progress or the replayed response.
func TestIdempotency_ConcurrentCreates(t *testing.T) {
	a := apptest.Start(t)
	// A slow KakaoPay keeps the first request running while the others arrive.
	a.KakaoPaySandbox.InjectFault(sbkakaopay.Fault{Fault: sandbox.Fault{Op: "ready", Kind: "delay", Delay: 300 * time.Millisecond}})
	rs := concurrentCreates(t, []*apptest.App{a}, 10)
	checkOneEffect(t, rs)
	if n := countPayments(t, a); n != 1 {
		t.Fatalf("%d payments, want 1", n)
	}
	if n := a.KakaoPaySandbox.Calls("ready"); n != 1 {
		t.Fatalf("%d ready calls, want 1", n)
	}
}

// Ensure the key holds across instances sharing one database.
func TestIdempotency_ConcurrentCreatesAcrossInstances(t *testing.T) {
	a, b, sb := startInstances(t)
	sb.InjectFault(sbkakaopay.Fault{Fault: sandbox.Fault{Op: "ready", Kind: "delay", Delay: 300 * time.Millisecond}})
	checkOneEffect(t, concurrentCreates(t, []*apptest.App{a, b}, 10))
	if n := countPayments(t, a); n != 1 {
		t.Fatalf("%d payments, want 1", n)
	}
	if n := sb.Calls("ready"); n != 1 {
		t.Fatalf("%d ready calls, want 1", n)
	}
}

// concurrentCreates sends n identical creates with one key, spread over apps.
func concurrentCreates(t *testing.T, apps []*apptest.App, n int) []idemResponse {
	t.Helper()
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		rs    = make([]idemResponse, n)
	)
	for i := range n {
		wg.Go(func() {
			<-start
			rs[i] = doKey(t, apps[i%len(apps)], "/v1/payments", "create-race", validBody)
		})
	}
	close(start)
	wg.Wait()
	return rs
}

// checkOneEffect checks that exactly one response ran the request and that
// the rest are 409 idempotency_in_progress or its replay.
func checkOneEffect(t *testing.T, rs []idemResponse) {
	t.Helper()
	var ran []idemResponse
	for _, r := range rs {
		if r.status == http.StatusCreated && !r.replayed {
			ran = append(ran, r)
		}
	}
	if len(ran) != 1 {
		t.Fatalf("%d requests ran, want 1: %+v", len(ran), rs)
	}
	for _, r := range rs {
		switch {
		case r.status == http.StatusCreated && !r.replayed:
		case r.status == http.StatusCreated && r.replayed && r.body == ran[0].body:
		case r.status == http.StatusConflict && decode[errorJSON](t, []byte(r.body)).Error.Code == "idempotency_in_progress":
		default:
			t.Fatalf("unexpected answer: %+v", r)
		}
	}
}
