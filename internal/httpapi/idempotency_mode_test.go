package httpapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
)

// Ensure a test key never gets a live request's stored response, even with
// a body crafted so that the test fingerprint (method, path, query, body)
// equals the live one: the live fingerprint once prepended "livemode\x00" to
// the body inside the same length-prefixed part, so a test body of
// "livemode\x00"+liveBody hashed the same. The replay happens before the
// handler could refuse such a body.
func TestIdempotency_TestKeyCannotReplayLiveResponse(t *testing.T) {
	f := MustIdempotency(t, echo)
	const key, liveBody = "refund-order-42", `{"url":"https://shop.example/hooks"}`
	sendMode := func(live bool, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/v1/webhook_endpoints", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", key)
		ctx := payment.WithLivemode(context.WithValue(req.Context(), merchantKey, payment.DefaultMerchantID), live)
		w := httptest.NewRecorder()
		f.h(w, req.WithContext(ctx))
		return w
	}
	first := sendMode(true, liveBody)
	if first.Code != http.StatusCreated {
		t.Fatalf("live request: %d %s", first.Code, first.Body)
	}
	got := sendMode(false, "livemode\x00"+liveBody)
	if got.Header().Get("Idempotent-Replayed") == "true" || got.Body.String() == first.Body.String() {
		t.Fatalf("a test key got the live response replayed: %d %s", got.Code, got.Body)
	}
	if got := sendMode(false, liveBody); got.Code != http.StatusUnprocessableEntity {
		t.Errorf("a test key reusing a live key with the same body: %d %s, want 422 idempotency_key_reused", got.Code, got.Body)
	}
	if again := sendMode(true, liveBody); again.Header().Get("Idempotent-Replayed") != "true" || again.Body.String() != first.Body.String() {
		t.Errorf("the live retry was not replayed: %d %s", again.Code, again.Body)
	}
}

// Ensure a test request's fingerprint is the one earlier versions stored:
// SHA-256 over the four length-prefixed parts. Were it to change, every
// test key in flight at an upgrade would be refused as reused.
func TestIdempotency_TestFingerprintIsStable(t *testing.T) {
	req := httptest.NewRequest("POST", "/v1/payments", nil)
	const want = "ae2f8c1a7b435a189b5c0d8c5c4594048fad3a8da1cd83a5abeee21bc497d77f" // sha256("4:POST12:/v1/payments0:7:{\"a\":1}")
	if got := fingerprint(req, []byte(`{"a":1}`), false); got != want {
		t.Errorf("test fingerprint = %s, want %s", got, want)
	}
	if fingerprint(req, []byte(`{"a":1}`), true) == want {
		t.Error("a live request has a test request's fingerprint")
	}
}
