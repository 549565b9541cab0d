package httpapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/service"
)

// fakeStore is a service.Store in memory, with only what the handlers
// under test reach; any other method panics (the embedded nil interface),
// so a handler that starts using more of the store fails loudly here.
type fakeStore struct {
	service.Store
	keys          map[string]*payment.APIKey // by hash
	payments      map[string]*payment.Payment
	cancellations map[string][]*payment.Cancellation
	endpoints     []*payment.WebhookEndpoint
	created       []*payment.WebhookEndpoint
}

func (f *fakeStore) FindAPIKeyByHash(_ context.Context, hash string) (*payment.APIKey, error) {
	if k, ok := f.keys[hash]; ok {
		return k, nil
	}
	return nil, payment.Errorf(payment.ENOTFOUND, "no such key")
}

func (f *fakeStore) FindPaymentByID(_ context.Context, id string) (*payment.Payment, error) {
	if p, ok := f.payments[id]; ok {
		return p, nil
	}
	return nil, payment.Errorf(payment.ENOTFOUND, "payment not found")
}

func (f *fakeStore) FindCancellations(_ context.Context, paymentID string) ([]*payment.Cancellation, error) {
	return f.cancellations[paymentID], nil
}

func (f *fakeStore) FindWebhookEndpoints(_ context.Context, merchantID string) ([]*payment.WebhookEndpoint, error) {
	var out []*payment.WebhookEndpoint
	for _, e := range f.endpoints {
		if e.MerchantID == merchantID {
			out = append(out, e)
		}
	}
	return out, nil
}

func (f *fakeStore) CreateWebhookEndpoint(_ context.Context, e *payment.WebhookEndpoint) error {
	f.created = append(f.created, e)
	f.endpoints = append(f.endpoints, e)
	return nil
}

func (f *fakeStore) AddWebhookEndpoint(ctx context.Context, e *payment.WebhookEndpoint, max int) error {
	if have, _ := f.FindWebhookEndpoints(ctx, e.MerchantID); len(have) >= max {
		return payment.Errorf(payment.EINVALID, "a merchant may have at most %d webhook endpoints", max)
	}
	return f.CreateWebhookEndpoint(ctx, e)
}

// TestHandlers_OnFakeStore runs handlers through a real service on a fake
// store, without a database: the payment a key may see (and only that),
// its refunds in the answer, and the per-merchant endpoint limit enforced
// before anything is written.
func TestHandlers_OnFakeStore(t *testing.T) {
	testKey, testRec := NewAPIKey("mer_a", "test", false, time.Now())
	liveKey, liveRec := NewAPIKey("mer_a", "live", true, time.Now())
	otherKey, otherRec := NewAPIKey("mer_b", "test", false, time.Now())
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	f := &fakeStore{
		keys: map[string]*payment.APIKey{testRec.Hash: testRec, liveRec.Hash: liveRec, otherRec.Hash: otherRec},
		payments: map[string]*payment.Payment{"pay_1": {
			ID: "pay_1", MerchantID: "mer_a", Provider: payment.ProviderKakaoPay, Status: payment.StatusPartiallyCanceled,
			OrderID: "order-1", Amount: 1000, CanceledAmount: 300, Quantity: 1, Currency: payment.CurrencyKRW,
			CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(15 * time.Minute),
		}},
		cancellations: map[string][]*payment.Cancellation{"pay_1": {{
			ID: "can_1", PaymentID: "pay_1", Amount: 300, Status: payment.CancellationSucceeded, CreatedAt: now,
		}}},
	}
	api := New(service.New(f, nil, nil, service.Config{}), slog.New(slog.DiscardHandler), DropInConfig{})
	api.SetWebhookAllowPrivate(true)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/payments/{id}", api.authenticate(api.handlePaymentGet))
	mux.HandleFunc("POST /v1/webhook_endpoints", api.authenticate(api.handleWebhookEndpointCreate))
	do := func(method, path, key, body string) (int, map[string]any) {
		t.Helper()
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+key)
		if body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		var got map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
			t.Fatalf("%s %s: %d %q: %v", method, path, w.Code, w.Body, err)
		}
		return w.Code, got
	}
	errCode := func(body map[string]any) any {
		e, _ := body["error"].(map[string]any)
		return e["code"]
	}

	t.Run("OwnPaymentWithItsRefunds", func(t *testing.T) {
		code, body := do("GET", "/v1/payments/pay_1", testKey, "")
		if code != http.StatusOK || body["id"] != "pay_1" || body["status"] != "partially_canceled" ||
			body["cancelable_amount"] != 700.0 {
			t.Fatalf("%d %v", code, body)
		}
		cs, _ := body["cancellations"].([]any)
		if len(cs) != 1 || cs[0].(map[string]any)["id"] != "can_1" {
			t.Fatalf("cancellations %v", body["cancellations"])
		}
	})
	t.Run("AnotherMerchantsPaymentIsNotFound", func(t *testing.T) {
		if code, body := do("GET", "/v1/payments/pay_1", otherKey, ""); code != http.StatusNotFound || errCode(body) != payment.ENOTFOUND {
			t.Fatalf("%d %v", code, body)
		}
	})
	t.Run("LiveKeyDoesNotSeeTestPayment", func(t *testing.T) {
		if code, body := do("GET", "/v1/payments/pay_1", liveKey, ""); code != http.StatusNotFound || errCode(body) != payment.ENOTFOUND {
			t.Fatalf("%d %v", code, body)
		}
	})
	t.Run("UnknownKey", func(t *testing.T) {
		if code, body := do("GET", "/v1/payments/pay_1", "sk_test_nope", ""); code != http.StatusUnauthorized || errCode(body) != payment.EUNAUTHORIZED {
			t.Fatalf("%d %v", code, body)
		}
	})
	t.Run("EndpointLimit", func(t *testing.T) {
		for range service.MaxWebhookEndpoints {
			if code, body := do("POST", "/v1/webhook_endpoints", testKey, `{"url":"https://shop.example/hook"}`); code != http.StatusCreated {
				t.Fatalf("%d %v", code, body)
			}
		}
		code, body := do("POST", "/v1/webhook_endpoints", testKey, `{"url":"https://shop.example/hook"}`)
		if code != http.StatusBadRequest || errCode(body) != payment.EINVALID {
			t.Fatalf("one past the limit: %d %v", code, body)
		}
		if len(f.created) != service.MaxWebhookEndpoints {
			t.Fatalf("%d endpoints written, want %d", len(f.created), service.MaxWebhookEndpoints)
		}
		// The limit is per merchant.
		if code, body := do("POST", "/v1/webhook_endpoints", otherKey, `{"url":"https://shop.example/hook"}`); code != http.StatusCreated {
			t.Fatalf("another merchant: %d %v", code, body)
		}
	})
}
