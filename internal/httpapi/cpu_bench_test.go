package httpapi

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// createBody is what a shop sends to POST /v1/payments.
const createBody = `{"provider":"kakaopay","order_id":"order-123456","order_name":"Tea","amount":1000,"quantity":1,"customer_id":"c","success_url":"https://shop.example/ok","fail_url":"https://shop.example/fail","cancel_url":"https://shop.example/cancel"}`

// BenchmarkDecodeCreate: the strict decode of a create request's body,
// on every POST /v1/payments.
func BenchmarkDecodeCreate(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest("POST", "/v1/payments", strings.NewReader(createBody))
		r.Header.Set("Content-Type", "application/json")
		var req createPaymentRequest
		if err := DecodeJSON(nil, r, &req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWritePayment: a created payment written as the API's JSON.
func BenchmarkWritePayment(b *testing.B) {
	now := time.Date(2026, 12, 3, 7, 54, 22, 0, time.UTC)
	p := &payment.Payment{ID: "pay_01m7y6bh0wymaba0wnqv9vms1r", MerchantID: "mch_1", Provider: "kakaopay",
		OrderID: "order-123456", OrderName: "Tea", Amount: 1000, Quantity: 1, Status: payment.StatusReady,
		CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(15 * time.Minute)}
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		w.Body.Reset()
		w.HeaderMap = http.Header{}
		WriteJSON(w, http.StatusCreated, toPaymentJSON(p, nil))
	}
}

// BenchmarkDecodeStrict: decodeStrict alone on a create request's body.
func BenchmarkDecodeStrict(b *testing.B) {
	body := []byte(createBody)
	b.ReportAllocs()
	for b.Loop() {
		var req createPaymentRequest
		if err := decodeStrict(body, &req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMiddleware: what every request pays before its handler: the
// request id, the log line's level check, the metrics observer and the
// security headers.
func BenchmarkMiddleware(b *testing.B) {
	h := ObservedMiddleware(slog.New(slog.DiscardHandler), func(string, string, int, time.Duration) {},
		SecurityHeaders(Headers{HSTS: true}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNoContent)
		})))
	r := httptest.NewRequest("GET", "/v1/payments/pay_1", nil)
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, r)
	}
}

type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}
