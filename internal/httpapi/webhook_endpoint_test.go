package httpapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/service"
	"github.com/paybridge/paybridge/internal/store"
	"github.com/paybridge/paybridge/internal/webhook"
)

type webhookFixture struct {
	st         *store.Store
	h          http.Handler
	key, other string
}

func newWebhookFixture(t *testing.T, allowPrivate bool) *webhookFixture {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "pb.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	st.SetEventRenderer(webhook.RenderEvent)
	if err := st.CreateMerchant(ctx, &payment.Merchant{ID: "mer_other", Name: "Other"}); err != nil {
		t.Fatal(err)
	}
	f := &webhookFixture{st: st}
	f.key, f.other = twoMerchantKeys(t, st)
	api := New(service.New(st, nil, nil, service.Config{}), slog.New(slog.DiscardHandler), DropInConfig{})
	api.SetWebhookAllowPrivate(allowPrivate)
	mux := http.NewServeMux()
	api.Register(mux)
	f.h = mux
	return f
}

// twoMerchantKeys stores a test key for the default merchant and one for
// "mer_other" (which must exist) and returns them: the fixtures that check
// a key sees its own merchant's data only.
func twoMerchantKeys(t *testing.T, st *store.Store) (key, other string) {
	t.Helper()
	for _, k := range []struct {
		merchant string
		key      *string
	}{{payment.DefaultMerchantID, &key}, {"mer_other", &other}} {
		var rec *payment.APIKey
		*k.key, rec = NewAPIKey(k.merchant, "test", false, time.Now())
		if err := st.CreateAPIKey(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
	}
	return key, other
}

// sendJSON sends an API request to h with key as its Bearer token and
// body, when not empty, as JSON, and decodes the JSON answer.
func sendJSON(t *testing.T, h http.Handler, key, method, path, body string) (int, map[string]any) {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Header.Set("Authorization", "Bearer "+key)
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var v map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("%s %s: %d %s: %v", method, path, w.Code, w.Body, err)
	}
	return w.Code, v
}

func (f *webhookFixture) do(t *testing.T, key, method, path, body string) (int, map[string]any) {
	t.Helper()
	return sendJSON(t, f.h, key, method, path, body)
}

func TestAPI_WebhookEndpoints(t *testing.T) {
	f := newWebhookFixture(t, false)
	for _, c := range []struct{ name, body, msg string }{
		{"NoURL", `{}`, "url is required"},
		{"NotHTTP", `{"url":"ftp://shop.example/h"}`, "https://"},
		{"Loopback", `{"url":"http://127.0.0.1:8080/h"}`, "private"},
		{"Localhost", `{"url":"http://localhost/h"}`, "local"},
		{"Metadata", `{"url":"http://169.254.169.254/latest"}`, "private"},
		{"DecimalIP", `{"url":"http://2130706433/"}`, "numeric"},
		{"Credentials", `{"url":"https://u:p@shop.example/h"}`, "credentials"},
		{"UnknownEvent", `{"url":"https://shop.example/h","enabled_events":["payment.created"]}`, "unknown event type"},
		{"UnknownField", `{"url":"https://shop.example/h","secret":"whsec_mine"}`, "unknown field"},
		{"LongDescription", `{"url":"https://shop.example/h","description":"` + strings.Repeat("x", 501) + `"}`, "description"},
	} {
		t.Run("Err"+c.name, func(t *testing.T) {
			status, body := f.do(t, f.key, "POST", "/v1/webhook_endpoints", c.body)
			msg, _ := body["error"].(map[string]any)["message"].(string)
			if status != http.StatusBadRequest || !strings.Contains(msg, c.msg) {
				t.Fatalf("status %d, %v; want 400 mentioning %q", status, body, c.msg)
			}
		})
	}

	status, ep := f.do(t, f.key, "POST", "/v1/webhook_endpoints",
		`{"url":"https://shop.example/h","enabled_events":["payment.paid","payment.paid"],"description":"main"}`)
	secret, _ := ep["secret"].(string)
	id, _ := ep["id"].(string)
	if status != http.StatusCreated || !strings.HasPrefix(secret, "whsec_") || !strings.HasPrefix(id, "we_") ||
		!reflect.DeepEqual(ep["enabled_events"], []any{"payment.paid"}) || ep["status"] != "enabled" {
		t.Fatalf("create = %d %v", status, ep)
	}
	if _, all := f.do(t, f.key, "POST", "/v1/webhook_endpoints", `{"url":"https://shop.example/all"}`); !reflect.DeepEqual(all["enabled_events"], []any{"*"}) {
		t.Fatalf("default enabled_events = %v, want [*]", all["enabled_events"])
	}

	status, list := f.do(t, f.key, "GET", "/v1/webhook_endpoints", "")
	if data, _ := list["data"].([]any); status != 200 || len(data) != 2 {
		t.Fatalf("list = %d %v", status, list)
	}
	for _, e := range list["data"].([]any) {
		if _, ok := e.(map[string]any)["secret"]; ok {
			t.Fatal("the list shows a secret")
		}
	}
	if status, got := f.do(t, f.key, "GET", "/v1/webhook_endpoints/"+id, ""); status != 200 || got["secret"] != nil || got["url"] != "https://shop.example/h" {
		t.Fatalf("get = %d %v", status, got)
	}
	for _, c := range []struct{ method, path string }{
		{"GET", "/v1/webhook_endpoints/" + id}, {"DELETE", "/v1/webhook_endpoints/" + id},
		{"POST", "/v1/webhook_endpoints/" + id + "/rotate_secret"},
	} {
		if status, _ := f.do(t, f.other, c.method, c.path, ""); status != http.StatusNotFound {
			t.Errorf("%s %s as another merchant: %d, want 404", c.method, c.path, status)
		}
	}
	if _, others := f.do(t, f.other, "GET", "/v1/webhook_endpoints", ""); len(others["data"].([]any)) != 0 {
		t.Fatalf("another merchant lists %v", others)
	}

	status, rot := f.do(t, f.key, "POST", "/v1/webhook_endpoints/"+id+"/rotate_secret", "")
	if status != 200 || rot["secret"] == secret || !strings.HasPrefix(rot["secret"].(string), "whsec_") || rot["previous_secret_expires_at"] == nil {
		t.Fatalf("rotate = %d %v", status, rot)
	}
	stored, _ := f.st.FindWebhookEndpointByID(context.Background(), payment.DefaultMerchantID, id)
	if d := time.Until(stored.PreviousSecretExpiresAt); stored.PreviousSecret != secret || d < 23*time.Hour || d > 25*time.Hour {
		t.Fatalf("after rotation: previous %v expiring in %s", stored.PreviousSecret == secret, d)
	}

	if status, _ := f.do(t, f.key, "DELETE", "/v1/webhook_endpoints/"+id, ""); status != 200 {
		t.Fatalf("delete = %d", status)
	}
	if status, _ := f.do(t, f.key, "GET", "/v1/webhook_endpoints/"+id, ""); status != 404 {
		t.Fatalf("get after delete = %d", status)
	}

	t.Run("AllowPrivate", func(t *testing.T) {
		f := newWebhookFixture(t, true)
		if status, body := f.do(t, f.key, "POST", "/v1/webhook_endpoints", `{"url":"http://127.0.0.1:8080/h"}`); status != 201 {
			t.Fatalf("with AllowPrivate: %d %v", status, body)
		}
	})
}

func TestAPI_Events(t *testing.T) {
	f := newWebhookFixture(t, false)
	ctx := context.Background()
	_, ep := f.do(t, f.key, "POST", "/v1/webhook_endpoints", `{"url":"https://shop.example/h"}`)
	var ids []string
	for _, o := range []string{"o-1", "o-2", "o-3"} {
		p := &payment.Payment{ID: payment.NewID("pay", time.Now()), MerchantID: payment.DefaultMerchantID, Provider: "kakaopay",
			Channel: "api", OrderID: o, OrderName: "Tea", Quantity: 1, Amount: 5000, Currency: "KRW", ExpiresAt: time.Now().Add(time.Hour)}
		if err := f.st.CreatePayment(ctx, p); err != nil {
			t.Fatal(err)
		}
		if _, err := f.st.TransitionPayment(ctx, p.ID, payment.StatusCreated, payment.StatusFailed, payment.Update{}, payment.Event{}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
		time.Sleep(2 * time.Millisecond) // event ids order by millisecond
	}

	status, list := f.do(t, f.key, "GET", "/v1/events?limit=2", "")
	data, _ := list["data"].([]any)
	if status != 200 || len(data) != 2 || list["has_more"] != true {
		t.Fatalf("first page = %d %v", status, list)
	}
	first := data[0].(map[string]any)
	obj := first["data"].(map[string]any)["object"].(map[string]any)
	if first["type"] != "payment.failed" || obj["id"] != ids[2] || first["payment_id"] != ids[2] {
		t.Fatalf("newest event = %v, want payment.failed of %s", first, ids[2])
	}
	// The object is the payment as GET /v1/payments/{id} shows it.
	if _, p := f.do(t, f.key, "GET", "/v1/payments/"+ids[2], ""); !reflect.DeepEqual(obj, p) {
		t.Fatalf("data.object = %v\nGET shows   %v", obj, p)
	}
	ds := first["deliveries"].([]any)
	if len(ds) != 1 || ds[0].(map[string]any)["endpoint_id"] != ep["id"] || ds[0].(map[string]any)["status"] != "pending" ||
		ds[0].(map[string]any)["next_attempt_at"] == nil {
		t.Fatalf("deliveries = %v", ds)
	}
	last := data[1].(map[string]any)["id"].(string)
	_, next := f.do(t, f.key, "GET", "/v1/events?limit=2&starting_after="+last, "")
	if nd := next["data"].([]any); len(nd) != 1 || next["has_more"] != false ||
		nd[0].(map[string]any)["payment_id"] != ids[0] {
		t.Fatalf("second page = %v", next)
	}
	for _, q := range []string{"limit=0", "limit=101", "limit=x", "offset=1", "limit=1&limit=2"} {
		if status, _ := f.do(t, f.key, "GET", "/v1/events?"+q, ""); status != 400 {
			t.Errorf("GET /v1/events?%s = %d, want 400", q, status)
		}
	}

	evID := first["id"].(string)
	if status, got := f.do(t, f.key, "GET", "/v1/events/"+evID, ""); status != 200 || got["id"] != evID {
		t.Fatalf("get event = %d %v", status, got)
	}
	if status, _ := f.do(t, f.other, "GET", "/v1/events/"+evID, ""); status != 404 {
		t.Fatalf("another merchant's event: %d, want 404", status)
	}
	if status, _ := f.do(t, f.other, "POST", "/v1/events/"+evID+"/resend", ""); status != 404 {
		t.Fatalf("re-send of another merchant's event: %d, want 404", status)
	}
	if _, others := f.do(t, f.other, "GET", "/v1/events", ""); len(others["data"].([]any)) != 0 {
		t.Fatalf("another merchant lists %v", others)
	}
	status, re := f.do(t, f.key, "POST", "/v1/events/"+evID+"/resend", "")
	if status != 200 || len(re["deliveries"].([]any)) != 2 {
		t.Fatalf("resend = %d %v", status, re)
	}
	status, re = f.do(t, f.key, "POST", "/v1/events/"+evID+"/resend", `{"endpoint_id":"`+ep["id"].(string)+`"}`)
	if status != 200 || len(re["deliveries"].([]any)) != 3 {
		t.Fatalf("resend to one endpoint = %d %v", status, re)
	}
	if status, _ := f.do(t, f.key, "POST", "/v1/events/"+evID+"/resend", `{"endpoint_id":"we_nope"}`); status != 404 {
		t.Fatalf("resend to an unknown endpoint = %d, want 404", status)
	}
}
