package httpapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/payment/paymenttest"
	"github.com/paybridge/paybridge/internal/service"
	"github.com/paybridge/paybridge/internal/store"
)

// dropInAPI is the drop-in API on a real SQLite store, with a scripted
// fake KakaoPay.
func dropInAPI(t *testing.T, prices map[string]int64) (http.Handler, *paymenttest.Provider, *store.Store) {
	t.Helper()
	st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "pb.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	kp := paymenttest.New(payment.ProviderKakaoPay, false)
	svc := service.New(st, []payment.Provider{kp}, slog.New(slog.DiscardHandler), service.Config{PublicURL: "http://paybridge.test"})
	api := New(svc, slog.New(slog.DiscardHandler), DropInConfig{Prices: prices})
	mux := http.NewServeMux()
	api.Register(mux)
	return mux, kp, st
}

func postReady(h http.Handler, form url.Values) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", "/ready", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// Ensure that with a price list /ready charges the list's price times the
// quantity, and refuses a product not on it or a price that differs from
// it (a tampered form) without asking KakaoPay or writing a payment.
func TestDropInReady_PriceList(t *testing.T) {
	h, kp, st := dropInAPI(t, map[string]int64{"Latte": 5000, "Tea": 4000})
	form := func(product, price, quantity string) url.Values {
		f := url.Values{"userId": {"u1"}, "product": {product}, "quantity": {quantity}}
		if price != "" {
			f.Set("price", price)
		}
		return f
	}
	for name, f := range map[string]url.Values{
		"CheaperPrice":    form("Latte", "1", "3"),
		"DearerPrice":     form("Latte", "6000", "1"),
		"UnlistedProduct": form("Cake", "5000", "1"),
		"OtherCase":       form("latte", "5000", "1"),
		"BadPrice":        form("Latte", "5,000", "1"),
	} {
		w := postReady(h, f)
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `"code":"invalid"`) {
			t.Errorf("%s: %d %s, want 400 invalid", name, w.Code, w.Body)
		}
	}
	if n := kp.Calls(paymenttest.OpReady); n != 0 {
		t.Fatalf("ready calls to KakaoPay after refused requests = %d, want 0", n)
	}

	for _, tt := range []struct {
		form url.Values
		want int64
	}{
		{form("Latte", "5000", "3"), 15000},
		{form("Tea", "", "2"), 8000}, // no price in the form: the list's
	} {
		w := postReady(h, tt.form)
		if w.Code != http.StatusOK {
			t.Fatalf("%v: %d %s", tt.form, w.Code, w.Body)
		}
		var ready dropInReadyJSON
		if err := json.Unmarshal(w.Body.Bytes(), &ready); err != nil || ready.TID == "" {
			t.Fatalf("%v: %s", tt.form, w.Body)
		}
		p, err := st.FindPaymentByTID(context.Background(), payment.ProviderKakaoPay, ready.TID)
		if err != nil {
			t.Fatal(err)
		}
		if p.Amount != tt.want || p.OrderName != tt.form.Get("product") {
			t.Errorf("%v: payment of %d won for %q, want %d", tt.form, p.Amount, p.OrderName, tt.want)
		}
		if a := kp.Account(p.ID); a == nil || a.Amount != tt.want {
			t.Errorf("%v: KakaoPay was asked for %+v, want %d won", tt.form, a, tt.want)
		}
	}
}

// Ensure that without a price list (test mode only) /ready takes the
// browser's price, as the original sample did.
func TestDropInReady_NoPriceListTakesTheBrowsersPrice(t *testing.T) {
	h, _, st := dropInAPI(t, nil)
	w := postReady(h, url.Values{"userId": {"u1"}, "product": {"Anything"}, "price": {"1"}, "quantity": {"2"}})
	if w.Code != http.StatusOK {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	var ready dropInReadyJSON
	json.Unmarshal(w.Body.Bytes(), &ready)
	p, err := st.FindPaymentByTID(context.Background(), payment.ProviderKakaoPay, ready.TID)
	if err != nil || p.Amount != 2 {
		t.Fatalf("payment = %+v, %v; want 2 won", p, err)
	}
	if w := postReady(h, url.Values{"userId": {"u1"}, "product": {"Anything"}, "quantity": {"1"}}); w.Code != http.StatusBadRequest {
		t.Fatalf("no price and no list: %d %s, want 400", w.Code, w.Body)
	}
}

// Ensure POST /approve on a payment the buyer has not approved yet answers
// 409 conflict in the API's error shape and never calls KakaoPay.
func TestDropInApprove_NotApprovedYet(t *testing.T) {
	h, kp, _ := dropInAPI(t, nil)
	w := postReady(h, url.Values{"userId": {"u1"}, "product": {"Latte"}, "price": {"5000"}, "quantity": {"1"}})
	var ready dropInReadyJSON
	json.Unmarshal(w.Body.Bytes(), &ready)
	r := httptest.NewRequest("POST", "/approve", strings.NewReader(url.Values{"userId": {"u1"}, "pg_token": {"made-up"}, "tid": {ready.TID}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var e errorBody
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || w.Code != http.StatusConflict || e.Error.Code != payment.ECONFLICT ||
		!strings.Contains(e.Error.Message, "not approved yet") {
		t.Fatalf("/approve on a ready payment: %d %s, want 409 conflict", w.Code, w.Body)
	}
	if n := kp.Calls(paymenttest.OpApprove); n != 0 {
		t.Fatalf("approve calls to KakaoPay = %d, want 0", n)
	}
}
