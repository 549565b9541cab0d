package app_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/httpapi"
	"github.com/paybridge/paybridge/internal/payment"
)

type hookRequest struct {
	header http.Header
	body   []byte
}

// verifyStandardWebhook checks a request as the Standard Webhooks spec
// describes, without paybridge's own code: HMAC-SHA256 keyed with the
// base64 secret after "whsec_", over "{webhook-id}.{webhook-timestamp}.{body}",
// one of the space-separated "v1,<base64>" entries.
func verifyStandardWebhook(t *testing.T, r hookRequest, secret string) {
	t.Helper()
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil || len(key) < 24 {
		t.Fatalf("secret %d bytes, %v: want at least 24 random bytes", len(key), err)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(r.header.Get("webhook-id") + "." + r.header.Get("webhook-timestamp") + "."))
	m.Write(r.body)
	want := "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
	for _, sig := range strings.Fields(r.header.Get("webhook-signature")) {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return
		}
	}
	t.Fatalf("no signature of %q verifies", r.header.Get("webhook-signature"))
}

func TestOutboundWebhooks_PaymentPaid(t *testing.T) {
	a := apptest.Start(t, func(c *config.Config) { c.WebhookAllowPrivate = true })
	got := make(chan hookRequest, 10)
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- hookRequest{r.Header.Clone(), b}
	}))
	defer rc.Close()
	next := func() hookRequest {
		t.Helper()
		select {
		case r := <-got:
			return r
		case <-time.After(15 * time.Second):
			t.Fatal("no webhook arrived within 15s")
			return hookRequest{}
		}
	}

	t.Run("ErrInvalid", func(t *testing.T) {
		for _, body := range []string{
			`{"url":"ftp://shop.example/hooks"}`,
			`{"url":"https://shop.example/hooks","enabled_events":["payment.refunded"]}`,
			`{"url":"https://shop.example/hooks","secret":"mine"}`,
			`{}`,
		} {
			if status, b := do(t, a, "POST", "/v1/webhook_endpoints", "application/json", body); status != http.StatusBadRequest {
				t.Errorf("%s: status %d: %s", body, status, b)
			}
		}
	})

	status, b := do(t, a, "POST", "/v1/webhook_endpoints", "application/json",
		`{"url":"`+rc.URL+`/hooks","enabled_events":["payment.paid"],"description":"shop"}`)
	if status != http.StatusCreated {
		t.Fatalf("create endpoint: %d %s", status, b)
	}
	ep := decode[struct {
		ID, Secret, URL, Status string
		EnabledEvents           []string `json:"enabled_events"`
	}](t, b)
	if !strings.HasPrefix(ep.ID, "we_") || !strings.HasPrefix(ep.Secret, "whsec_") || ep.Status != "enabled" {
		t.Fatalf("endpoint = %s", b)
	}
	if status, b := do(t, a, "GET", "/v1/webhook_endpoints", "", ""); status != http.StatusOK ||
		strings.Contains(string(b), ep.Secret) || strings.Contains(string(b), `"secret"`) || !strings.Contains(string(b), ep.ID) {
		t.Fatalf("list endpoints (the secret is shown only once): %d %s", status, b)
	}

	p := mustPaid(t, a, "order-webhook", 7000)

	r := next()
	verifyStandardWebhook(t, r, ep.Secret)
	var ev struct {
		ID, Type  string
		CreatedAt string `json:"created_at"`
		Data      struct {
			Object map[string]any `json:"object"`
		}
	}
	if err := json.Unmarshal(r.body, &ev); err != nil {
		t.Fatalf("body %s: %v", r.body, err)
	}
	if ev.Type != "payment.paid" || ev.ID != r.header.Get("webhook-id") || !strings.HasPrefix(ev.ID, "evt_") {
		t.Fatalf("event = %s", r.body)
	}
	if _, err := time.Parse(time.RFC3339, ev.CreatedAt); err != nil {
		t.Fatalf("created_at %q: %v", ev.CreatedAt, err)
	}
	// The payment object is exactly what GET /v1/payments/{id} shows.
	_, pb := do(t, a, "GET", "/v1/payments/"+p.ID, "", "")
	var want map[string]any
	if err := json.Unmarshal(pb, &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ev.Data.Object, want) {
		t.Fatalf("data.object = %v\nGET shows   %v", ev.Data.Object, want)
	}
	if r.header.Get("Content-Type") != "application/json" {
		t.Errorf("Content-Type = %q", r.header.Get("Content-Type"))
	}

	// Visible in the events list, delivered once.
	var evs struct {
		Data []struct {
			ID, Type   string
			Deliveries []struct {
				EndpointID     string `json:"endpoint_id"`
				Status         string
				Attempts       int
				LastStatusCode int `json:"last_status_code"`
			}
		}
	}
	webhookWaitFor(t, func() bool {
		_, b := do(t, a, "GET", "/v1/events?limit=10", "", "")
		evs.Data = nil
		json.Unmarshal(b, &evs)
		return len(evs.Data) == 1 && len(evs.Data[0].Deliveries) == 1 && evs.Data[0].Deliveries[0].Status == "succeeded"
	})
	if d := evs.Data[0].Deliveries[0]; evs.Data[0].ID != ev.ID || d.EndpointID != ep.ID || d.Attempts != 1 || d.LastStatusCode != 200 {
		t.Fatalf("events = %+v", evs)
	}

	// Re-sent by hand: the same id and body.
	if status, b := do(t, a, "POST", "/v1/events/"+ev.ID+"/resend", "", ""); status != http.StatusOK {
		t.Fatalf("resend: %d %s", status, b)
	}
	again := next()
	verifyStandardWebhook(t, again, ep.Secret)
	if again.header.Get("webhook-id") != ev.ID || string(again.body) != string(r.body) {
		t.Fatalf("re-sent webhook differs: %s %s", again.header.Get("webhook-id"), again.body)
	}

	t.Run("OtherMerchant404", func(t *testing.T) {
		ctx := context.Background()
		if err := a.Store.CreateMerchant(ctx, &payment.Merchant{ID: "mer_other", Name: "Other"}); err != nil {
			t.Fatal(err)
		}
		key, rec := httpapi.NewAPIKey("mer_other", "other", false, time.Now())
		if err := a.Store.CreateAPIKey(ctx, rec); err != nil {
			t.Fatal(err)
		}
		other := &apptest.App{App: a.App, Key: key, Client: a.Client}
		for _, path := range []string{"/v1/webhook_endpoints/" + ep.ID, "/v1/events/" + ev.ID} {
			if status, b := do(t, other, "GET", path, "", ""); status != http.StatusNotFound {
				t.Errorf("GET %s as another merchant: %d %s", path, status, b)
			}
		}
		if status, _ := do(t, other, "DELETE", "/v1/webhook_endpoints/"+ep.ID, "", ""); status != http.StatusNotFound {
			t.Errorf("DELETE as another merchant: %d", status)
		}
	})

	t.Run("RotateSecret", func(t *testing.T) {
		status, b := do(t, a, "POST", "/v1/webhook_endpoints/"+ep.ID+"/rotate_secret", "", "")
		if status != http.StatusOK {
			t.Fatalf("rotate: %d %s", status, b)
		}
		rot := decode[struct{ Secret string }](t, b)
		if rot.Secret == ep.Secret || !strings.HasPrefix(rot.Secret, "whsec_") {
			t.Fatalf("rotated secret = %q", rot.Secret)
		}
		do(t, a, "POST", "/v1/events/"+ev.ID+"/resend", "application/json", `{"endpoint_id":"`+ep.ID+`"}`)
		r := next()
		verifyStandardWebhook(t, r, rot.Secret)
		verifyStandardWebhook(t, r, ep.Secret) // the old one still signs for 24 h
	})

	if status, _ := do(t, a, "DELETE", "/v1/webhook_endpoints/"+ep.ID, "", ""); status != http.StatusOK {
		t.Fatalf("delete: %d", status)
	}
	if status, _ := do(t, a, "GET", "/v1/webhook_endpoints/"+ep.ID, "", ""); status != http.StatusNotFound {
		t.Fatalf("get after delete: %d", status)
	}
}

func webhookWaitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
