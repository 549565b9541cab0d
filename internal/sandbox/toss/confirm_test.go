package toss

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/testutil"
)

var txKeyPattern = regexp.MustCompile(`^[0-9A-F]{32}$`)

func TestSandbox_Confirm(t *testing.T) {
	t.Run("Payment", func(t *testing.T) {
		h := MustHarness(t, Options{})
		orderID, key := h.MustAuthenticate(15000, nil)
		h.Clock.Advance(time.Minute)
		p := h.mustOK(http.MethodPost, "/v1/payments/confirm", confirmBody(key, orderID, 15000))
		for path, want := range map[string]string{
			"status": statusDone, "paymentKey": key, "orderId": orderID, "orderName": "토스 티셔츠 외 2건",
			"method": "카드", "type": "NORMAL", "currency": "KRW", "version": "2022-11-16", "mId": "tosspayments",
			"country": "KR", "approvedAt": "2025-03-01T10:03:03+09:00", "requestedAt": "2025-03-01T10:02:03+09:00",
			"card.cardType": "신용", "card.ownerType": "개인", "card.acquireStatus": "READY",
		} {
			if got := p.Str(t, path); got != want {
				t.Errorf("%s = %q, want %q", path, got, want)
			}
		}
		for path, want := range map[string]int64{
			"totalAmount": 15000, "balanceAmount": 15000, "suppliedAmount": 13636, "vat": 1364,
			"taxFreeAmount": 0, "taxExemptionAmount": 0, "card.amount": 15000, "card.installmentPlanMonths": 0,
		} {
			if got := p.Int(t, path); got != want {
				t.Errorf("%s = %d, want %d", path, got, want)
			}
		}
		if !txKeyPattern.MatchString(p.Str(t, "lastTransactionKey")) || len(p.Str(t, "card.approveNo")) != 8 ||
			!p.IsNull("secret") || !strings.Contains(p.Str(t, "card.number"), "*") {
			t.Errorf("ids: %v", p)
		}
		if !p.IsNull("cancels") || !p.IsNull("failure") || !p.IsNull("virtualAccount") || !p.IsNull("easyPay") {
			t.Errorf("cancels, failure and other methods' objects must be null: %v", p)
		}
		if v, _ := p.At("isPartialCancelable"); v != true {
			t.Errorf("isPartialCancelable = %v", v)
		}
		if h.SB.CallsFor(opConfirm, key) != 1 || h.SB.CallsFor(opConfirm, orderID) != 1 || h.SB.Calls(opConfirm) != 1 {
			t.Error("the confirm was not counted under its paymentKey and orderId")
		}
	})

	t.Run("TaxFree", func(t *testing.T) {
		h := MustHarness(t, Options{})
		orderID, key := h.MustAuthenticate(11000, url.Values{"taxFreeAmount": {"1000"}})
		p := h.mustOK(http.MethodPost, "/v1/payments/confirm", confirmBody(key, orderID, 11000))
		if p.Int(t, "taxFreeAmount") != 1000 || p.Int(t, "vat") != 909 || p.Int(t, "suppliedAmount") != 9091 {
			t.Fatalf("tax-free payment = %v", p)
		}
	})

	t.Run("AmountAsString", func(t *testing.T) {
		// Toss's sample forwards the success URL's amount as a string.
		h := MustHarness(t, Options{})
		orderID, key := h.MustAuthenticate(15000, nil)
		h.mustOK(http.MethodPost, "/v1/payments/confirm", map[string]any{"paymentKey": key, "orderId": orderID, "amount": "15000"})
	})

	t.Run("Refusals", func(t *testing.T) {
		h := MustHarness(t, Options{})
		orderID, key := h.MustAuthenticate(15000, nil)
		for _, tt := range []struct {
			name   string
			body   any
			status int
			code   string
		}{
			{"NoPaymentKey", map[string]any{"orderId": orderID, "amount": 15000}, 400, "INVALID_REQUEST"},
			{"NoAmount", map[string]any{"paymentKey": key, "orderId": orderID}, 400, "INVALID_REQUEST"},
			{"FractionAmount", map[string]any{"paymentKey": key, "orderId": orderID, "amount": 15000.5}, 400, "INVALID_REQUEST"},
			{"ZeroAmount", confirmBody(key, orderID, 0), 400, "INVALID_REQUEST"},
			{"BadOrderID", confirmBody(key, "a b", 15000), 400, "INVALID_REQUEST"},
			{"NotAnObject", []byte(`[1]`), 400, "INVALID_REQUEST"},
			{"UnknownKey", confirmBody("tgen_unknown", orderID, 15000), 404, "NOT_FOUND_PAYMENT"},
			{"OtherOrderID", confirmBody(key, "pay_other_order", 15000), 404, "NOT_FOUND_PAYMENT_SESSION"},
			{"OtherAmount", confirmBody(key, orderID, 1500), 400, "NOT_MATCHES_AMOUNT"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				status, o := h.call(http.MethodPost, "/v1/payments/confirm", tt.body)
				wantError(t, status, o, tt.status, tt.code)
			})
		}
		// None of that changed the payment: the right confirm still works.
		if got := h.get(key).Str(t, "status"); got != statusInProgress {
			t.Fatalf("status after refused confirms = %s", got)
		}
		h.mustOK(http.MethodPost, "/v1/payments/confirm", confirmBody(key, orderID, 15000))
	})

	t.Run("WrongContentType", func(t *testing.T) {
		h := MustHarness(t, Options{})
		orderID, key := h.MustAuthenticate(1000, nil)
		req := h.request(http.MethodPost, "/v1/payments/confirm", confirmBody(key, orderID, 1000))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		status, b := h.do(req)
		wantError(t, status, testutil.DecodeJSON(t, b), http.StatusBadRequest, "INVALID_REQUEST")
	})

	t.Run("Twice", func(t *testing.T) {
		h := MustHarness(t, Options{})
		orderID, key := h.MustPaid(15000, nil)
		first := h.get(key).Str(t, "lastTransactionKey")
		status, o := h.call(http.MethodPost, "/v1/payments/confirm", confirmBody(key, orderID, 15000))
		wantError(t, status, o, http.StatusBadRequest, "ALREADY_PROCESSED_PAYMENT")
		if got := h.get(key).Str(t, "lastTransactionKey"); got != first {
			t.Errorf("a refused second confirm changed the payment: %s → %s", first, got)
		}
	})

	t.Run("DuplicatedOrder", func(t *testing.T) {
		// The buyer authenticated twice for one order (two windows); the
		// order can be paid only once.
		h := MustHarness(t, Options{})
		orderID := "pay_two_windows"
		key1 := h.buyer(h.checkoutURL(orderID, 3000, nil), "approve").Query().Get("paymentKey")
		key2 := h.buyer(h.checkoutURL(orderID, 3000, nil), "approve").Query().Get("paymentKey")
		if key1 == key2 {
			t.Fatal("two authentications got one paymentKey")
		}
		h.mustOK(http.MethodPost, "/v1/payments/confirm", confirmBody(key1, orderID, 3000))
		status, o := h.call(http.MethodPost, "/v1/payments/confirm", confirmBody(key2, orderID, 3000))
		wantError(t, status, o, http.StatusBadRequest, "DUPLICATED_ORDER_ID")
		if got := h.mustOK(http.MethodGet, "/v1/payments/orders/"+orderID, nil).Str(t, "paymentKey"); got != key1 {
			t.Errorf("order lookup found %s, want the confirmed %s", got, key1)
		}
	})

	t.Run("Expiry", func(t *testing.T) {
		for _, tt := range []struct {
			name   string
			window time.Duration
			wait   time.Duration
			ok     bool
		}{
			{"DefaultJustInTime", 0, 10*time.Minute - time.Second, true},
			{"DefaultTooLate", 0, 10 * time.Minute, false},
			{"CustomTooLate", time.Minute, time.Minute, false},
			{"CustomInTime", 30 * time.Minute, 29 * time.Minute, true},
		} {
			t.Run(tt.name, func(t *testing.T) {
				h := MustHarness(t, Options{ConfirmWindow: tt.window})
				orderID, key := h.MustAuthenticate(2000, nil)
				h.Clock.Advance(tt.wait)
				status, o := h.call(http.MethodPost, "/v1/payments/confirm", confirmBody(key, orderID, 2000))
				if tt.ok {
					if status != http.StatusOK {
						t.Fatalf("confirm after %v = %d %v", tt.wait, status, o)
					}
					return
				}
				wantError(t, status, o, http.StatusNotFound, "NOT_FOUND_PAYMENT_SESSION")
				p := h.get(key)
				if p.Str(t, "status") != statusExpired || p.Str(t, "failure.code") != "EXPIRED_PAYMENT" {
					t.Fatalf("expired payment = %v", p)
				}
			})
		}
	})

	t.Run("ExpiresWithoutConfirm", func(t *testing.T) {
		// A lookup alone shows the expiry: nothing has to call confirm.
		h := MustHarness(t, Options{})
		_, key := h.MustAuthenticate(2000, nil)
		h.Clock.Advance(11 * time.Minute)
		if got := h.get(key).Str(t, "status"); got != statusExpired {
			t.Fatalf("status = %s, want EXPIRED", got)
		}
	})
}

// TestSandbox_EarlierConfirmPath: clients written against Toss's earlier API
// confirm with POST /v1/payments/{paymentKey} {orderId, amount}; the
// sandbox serves it with confirm's semantics.
func TestSandbox_EarlierConfirmPath(t *testing.T) {
	h := MustHarness(t, Options{})
	orderID, key := h.MustAuthenticate(12000, nil)
	path := "/v1/payments/" + key

	status, o := h.call(http.MethodPost, path, map[string]any{"orderId": orderID, "amount": 11000})
	wantError(t, status, o, http.StatusBadRequest, "NOT_MATCHES_AMOUNT")
	status, o = h.call(http.MethodPost, path, map[string]any{"paymentKey": "tgen_other", "orderId": orderID, "amount": 12000})
	wantError(t, status, o, http.StatusBadRequest, "INVALID_REQUEST")
	if got := h.get(key).Str(t, "status"); got != "IN_PROGRESS" {
		t.Fatalf("status after refused confirms = %s", got)
	}

	p := h.mustOK(http.MethodPost, path, map[string]any{"orderId": orderID, "amount": 12000})
	if p.Str(t, "status") != "DONE" || p.Str(t, "paymentKey") != key || p.Int(t, "totalAmount") != 12000 {
		t.Errorf("confirmed payment = %v", p)
	}
	if n := h.SB.CallsFor(opConfirm, key); n != 3 {
		t.Errorf("CallsFor(confirm) = %d, want 3", n)
	}
	// A second confirm by either path is refused, as a refreshed success
	// page's is.
	status, o = h.call(http.MethodPost, path, map[string]any{"orderId": orderID, "amount": 12000})
	wantError(t, status, o, http.StatusBadRequest, "ALREADY_PROCESSED_PAYMENT")
	status, o = h.call(http.MethodPost, "/v1/payments/confirm", confirmBody(key, orderID, 12000))
	wantError(t, status, o, http.StatusBadRequest, "ALREADY_PROCESSED_PAYMENT")
	// GET on the same path is still the lookup.
	if got := h.get(key).Str(t, "status"); got != "DONE" {
		t.Errorf("lookup = %s", got)
	}
}
