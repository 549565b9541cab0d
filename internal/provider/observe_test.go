package provider_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/provider"
)

// Ensure every call through an instrumented client is reported once, with
// an operation named from the path (never an id) and its outcome.
func TestInstrument(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/payments/confirm":
			w.WriteHeader(200)
		case "/v1/payments/tgen_123/cancel":
			w.WriteHeader(400)
		default:
			w.WriteHeader(503)
		}
	}))
	defer srv.Close()
	type call struct{ provider, op, outcome string }
	var got []call
	c := provider.Instrument("toss", provider.NewHTTPClientTimeout(5*time.Second), func(p, op, outcome string, d time.Duration) {
		if d <= 0 {
			t.Errorf("duration %v", d)
		}
		got = append(got, call{p, op, outcome})
	})
	for _, path := range []string{"/v1/payments/confirm", "/v1/payments/tgen_123/cancel", "/v1/payments/tgen_123"} {
		resp, err := c.Post(srv.URL+path, "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	srv.Close()
	if _, err := c.Get(srv.URL + "/online/v1/payment/approve"); err == nil {
		t.Fatal("a closed server answered")
	}
	want := []call{{"toss", "confirm", "ok"}, {"toss", "cancel", "client_error"}, {"toss", "lookup", "server_error"}, {"toss", "approve", "error"}}
	if len(got) != len(want) {
		t.Fatalf("reported %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("call %d: %v, want %v", i, got[i], want[i])
		}
	}
}
