package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/payment/paymenttest"
	"github.com/paybridge/paybridge/internal/service"
	"github.com/paybridge/paybridge/internal/store"
)

// TestCheckout_PaymentInAnotherModeNotOpened: the checkout page of a live
// payment whose provider now runs on test credentials (or a sandbox) does
// not open the provider's window, where the buyer would pay money
// paybridge will not settle; the same payment's page opens while the
// provider runs live.
func TestCheckout_PaymentInAnotherModeNotOpened(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "pb.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fake := paymenttest.New("verifier", true)
	svc := func(live bool) *service.Service {
		return service.New(st, []payment.Provider{fake}, nil, service.Config{
			PublicURL: "http://paybridge.test", Livemode: map[string]bool{"verifier": live}})
	}
	p, err := svc(true).CreatePayment(ctx, payment.DefaultMerchantID, service.CreateInput{
		Provider: "verifier", OrderID: "o-1", OrderName: "Tea", CustomerID: "b", Amount: 1000, Quantity: 1})
	if err != nil || !p.Livemode {
		t.Fatalf("create: %v (livemode %v)", err, p != nil && p.Livemode)
	}
	const sdk = "https://sdk.example/pay.js"
	for _, tc := range []struct {
		live   bool
		status int
	}{{false, http.StatusServiceUnavailable}, {true, http.StatusOK}} {
		mux := http.NewServeMux()
		New(svc(tc.live), slog.New(slog.DiscardHandler), Options{NoShop: true,
			Checkout: map[string]CheckoutSDK{"verifier": {Script: sdk, JS: "x()"}}}).Register(mux)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/pay/"+p.ID+"/checkout", nil))
		body, _ := io.ReadAll(rec.Body)
		if rec.Code != tc.status || strings.Contains(string(body), sdk) != tc.live {
			t.Errorf("provider live %v: %d, page loads the SDK: %v; want %d", tc.live, rec.Code, strings.Contains(string(body), sdk), tc.status)
		}
	}
}
