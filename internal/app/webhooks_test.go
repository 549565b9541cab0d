package app_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/provider/portone"
	"github.com/paybridge/paybridge/internal/stdwebhook"
)

// startQuiet runs paybridge whose sandboxes send no webhooks of their own,
// with two active PortOne webhook secrets (a rotation in progress).
func startQuiet(t *testing.T) (*apptest.App, [2]string) {
	secrets := [2]string{stdwebhook.NewSecret(), stdwebhook.NewSecret()}
	a := apptest.Start(t, func(c *config.Config) {
		c.SandboxWebhooks = false
		config.Edit(c, func(s *portone.Settings) { s.WebhookSecrets = secrets[:] })
	})
	return a, secrets
}

// paidAtProvider has the buyer pay in the provider's window without the
// browser ever coming back: only a webhook can tell paybridge.
func paidAtProvider(t *testing.T, a *apptest.App, provider, orderID string) (paymentJSON, string) {
	t.Helper()
	p := MustCreateWith(t, a, provider, orderID, 8000)
	return p, buyer(t, a, p.RedirectURL, "approve")
}

func v2Body(paymentID, typ string) []byte {
	return []byte(`{"type":"` + typ + `","timestamp":"` + time.Now().UTC().Format(time.RFC3339) +
		`","data":{"storeId":"store-sandbox","paymentId":"` + paymentID + `","transactionId":"tx-1"}}`)
}

func postWebhook(t *testing.T, a *apptest.App, path string, h http.Header, body []byte) int {
	t.Helper()
	req, _ := http.NewRequest("POST", a.URL()+path, bytes.NewReader(body))
	for k, vs := range h {
		req.Header[k] = vs
	}
	if req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func signed(t *testing.T, secret string, at time.Time, body []byte) http.Header {
	t.Helper()
	h := http.Header{}
	if err := stdwebhook.SignHeaders(h, []string{secret}, "msg_"+strconv.FormatInt(at.UnixNano(), 36), at, body); err != nil {
		t.Fatal(err)
	}
	return h
}

// The PortOne V2 webhook matrix: forged or stale deliveries are refused and
// change nothing; a genuine one settles the payment through a lookup.
func TestWebhooks_PortOneV2Matrix(t *testing.T) {
	a, secrets := startQuiet(t)
	p, _ := paidAtProvider(t, a, "portone", "wh-v2")
	body := v2Body(p.ID, "Transaction.Paid")
	now := time.Now()
	oneByte := bytes.Replace(body, []byte("tx-1"), []byte("tx-2"), 1)

	refused := []struct {
		name string
		h    http.Header
		body []byte
	}{
		{"BodyChangedByOneByte", signed(t, secrets[0], now, body), oneByte},
		{"WrongSecret", signed(t, stdwebhook.NewSecret(), now, body), body},
		{"MissingHeaders", http.Header{}, body},
		{"MissingSignature", func() http.Header { h := signed(t, secrets[0], now, body); h.Del("webhook-signature"); return h }(), body},
		{"TimestampMinus301s", signed(t, secrets[0], now.Add(-301*time.Second), body), body},
		// The exact ±300 s edge is stdwebhook's unit test (a fixed clock); here
		// the test's own clock runs on while the requests are made, so a
		// future timestamp keeps a margin that no slow machine can eat.
		{"TimestampPlus330s", signed(t, secrets[0], now.Add(330*time.Second), body), body},
	}
	lookups := a.PortOneSandbox.Calls("getPayment")
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.h
			if len(h) == 0 {
				h = http.Header{"Webhook-Id": {"msg_x"}} // mark it V2 but unsigned
			}
			if status := postWebhook(t, a, "/webhooks/portone", h, tt.body); status < 400 || status >= 500 {
				t.Fatalf("status = %d, want 4xx", status)
			}
		})
	}
	if got := getPayment(t, a, p.ID); got.Status != "ready" || a.PortOneSandbox.Calls("getPayment") != lookups {
		t.Fatalf("refused webhooks changed something: status %s, lookups %d→%d", got.Status, lookups, a.PortOneSandbox.Calls("getPayment"))
	}
	if ws, err := a.Store.FindProviderWebhooks(context.Background(), p.ID); err != nil || len(ws) != 0 {
		t.Fatalf("refused webhooks were stored in the inbox: %+v %v", ws, err)
	}

	t.Run("SecondOfTwoSignatures", func(t *testing.T) {
		h := signed(t, secrets[0], now, body)
		h.Set("webhook-signature", "v1,Zm9yZ2VkIHNpZ25hdHVyZQ== "+h.Get("webhook-signature"))
		if status := postWebhook(t, a, "/webhooks/portone", h, body); status != 200 {
			t.Fatalf("status = %d", status)
		}
		waitStatus(t, a, p.ID, "paid")
	})

	t.Run("SecondSecretOfRotation", func(t *testing.T) {
		q, _ := paidAtProvider(t, a, "portone", "wh-v2-rot")
		b := v2Body(q.ID, "Transaction.Paid")
		if status := postWebhook(t, a, "/webhooks/portone", signed(t, secrets[1], time.Now(), b), b); status != 200 {
			t.Fatalf("status = %d", status)
		}
		waitStatus(t, a, q.ID, "paid")
	})

	t.Run("UnknownTypeIgnored", func(t *testing.T) {
		b := []byte(`{"type":"BillingKey.Issued","timestamp":"2026-01-01T00:00:00Z","data":{"billingKey":"bk"}}`)
		if status := postWebhook(t, a, "/webhooks/portone", signed(t, secrets[0], time.Now(), b), b); status != 200 {
			t.Fatalf("status = %d", status)
		}
	})
}

// Ensure ten concurrent copies of one webhook, and a browser return racing
// them, finish the payment exactly once; and that a late "paid" after the
// order was refunded changes nothing.
func TestWebhooks_DuplicatesAndOrder(t *testing.T) {
	a, secrets := startQuiet(t)
	p, ret := paidAtProvider(t, a, "portone", "wh-dup")
	body := v2Body(p.ID, "Transaction.Paid")
	h := signed(t, secrets[0], time.Now(), body)
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if status := postWebhook(t, a, "/webhooks/portone", h, body); status != 200 {
				t.Errorf("duplicate: status %d", status)
			}
		})
	}
	wg.Go(func() { follow(t, a, ret) })
	wg.Wait()
	waitStatus(t, a, p.ID, "paid")
	time.Sleep(200 * time.Millisecond) // let every webhook's lookup land
	want := []string{"created", "ready", "approving", "paid"}
	if evs := mustEvents(t, a, p.ID); !slices.Equal(evs, want) {
		t.Fatalf("events = %v, want exactly one finish %v", evs, want)
	}

	// Refund it all, then a late (out-of-order) Transaction.Paid arrives.
	if status, b := do(t, a, "POST", "/v1/payments/"+p.ID+"/cancel", "application/json", `{"reason":"refund"}`); status != 200 {
		t.Fatalf("refund: %d %s", status, b)
	}
	late := v2Body(p.ID, "Transaction.Paid")
	if status := postWebhook(t, a, "/webhooks/portone", signed(t, secrets[0], time.Now(), late), late); status != 200 {
		t.Fatalf("late webhook: %d", status)
	}
	time.Sleep(200 * time.Millisecond)
	if got := getPayment(t, a, p.ID); got.Status != "canceled" || len(mustEvents(t, a, p.ID)) != 5 {
		t.Fatalf("after a late paid webhook: %s %v", got.Status, mustEvents(t, a, p.ID))
	}
}

// PortOne V1 webhooks are unsigned: they only make paybridge look up.
func TestWebhooks_PortOneV1(t *testing.T) {
	a, _ := startQuiet(t)
	paid, _ := paidAtProvider(t, a, "iamport", "wh-v1")
	form := url.Values{"imp_uid": {"imp_000000000000"}, "merchant_uid": {paid.ID}, "status": {"paid"}}
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	if status := postWebhook(t, a, "/webhooks/portone", h, []byte(form.Encode())); status != 200 {
		t.Fatalf("status = %d", status)
	}
	waitStatus(t, a, paid.ID, "paid")

	// A body claiming "paid" for a payment nobody paid changes nothing.
	unpaid := MustCreateWith(t, a, "iamport", "wh-v1-unpaid", 8000)
	body := []byte(`{"imp_uid":"imp_1","merchant_uid":"` + unpaid.ID + `","status":"paid"}`)
	if status := postWebhook(t, a, "/webhooks/portone", nil, body); status != 200 {
		t.Fatalf("status = %d", status)
	}
	time.Sleep(200 * time.Millisecond)
	if got := getPayment(t, a, unpaid.ID); got.Status != "ready" {
		t.Fatalf("a forged V1 body moved the payment to %s", got.Status)
	}
	// A V1-shaped webhook naming a V2 payment is ignored.
	v2, _ := paidAtProvider(t, a, "portone", "wh-v1-for-v2")
	body = []byte(`{"imp_uid":"imp_1","merchant_uid":"` + v2.ID + `","status":"paid"}`)
	postWebhook(t, a, "/webhooks/portone", nil, body)
	time.Sleep(200 * time.Millisecond)
	if got := getPayment(t, a, v2.ID); got.Status != "ready" {
		t.Fatalf("an unsigned webhook moved a V2 payment to %s", got.Status)
	}
}

// Toss webhooks trigger a lookup: a refund made in Toss's console shows up.
func TestWebhooks_Toss(t *testing.T) {
	a, _ := startQuiet(t)
	p := MustCreateWith(t, a, "toss", "wh-toss", 6000)
	follow(t, a, buyer(t, a, p.RedirectURL, "approve"))
	got := waitStatus(t, a, p.ID, "paid")

	// Refund at Toss directly, as an operator would in Toss's console.
	req, _ := http.NewRequest("POST", a.URL()+"/sandbox/toss/v1/payments/"+got.ProviderIDs.TID+"/cancel",
		bytes.NewReader([]byte(`{"cancelReason":"console"}`)))
	req.SetBasicAuth("test_sk_console", "")
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.Client.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("cancel at toss: %v %v", err, resp)
	}
	resp.Body.Close()

	body := []byte(`{"eventType":"PAYMENT_STATUS_CHANGED","createdAt":"2026-11-21T10:00:00.000000","data":{"paymentKey":"` +
		got.ProviderIDs.TID + `","orderId":"` + p.ID + `","status":"CANCELED"}}`)
	if status := postWebhook(t, a, "/webhooks/toss", nil, body); status != 200 {
		t.Fatalf("status = %d", status)
	}
	if got := waitStatus(t, a, p.ID, "canceled"); got.CanceledAmount != 6000 {
		t.Fatalf("canceled amount = %d", got.CanceledAmount)
	}
	if status := postWebhook(t, a, "/webhooks/toss", nil, []byte(`{not json`)); status != 400 {
		t.Fatalf("malformed body: %d", status)
	}
}
