package iamport

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSandbox_Cancel(t *testing.T) {
	t.Run("PartialThenFull", func(t *testing.T) {
		h := MustHarness(t, Options{})
		imp := h.MustPaid("pay_c", 10000)
		h.Clock.Advance(time.Minute)
		part := h.mustOK(http.MethodPost, "/payments/cancel", map[string]any{
			"imp_uid": imp, "merchant_uid": "pay_c", "amount": 3000, "tax_free": 0, "checksum": 10000, "reason": "one cup",
		})
		// No partial status in V1: still paid, with cancel_amount.
		if part.Str(t, "status") != "paid" || part.Int(t, "cancel_amount") != 3000 || part.Int(t, "amount") != 10000 ||
			part.Int(t, "cancelled_at") != h.Clock.Now().Unix() || part.Str(t, "cancel_reason") != "one cup" {
			t.Errorf("after the partial refund: %v", part)
		}
		hist := part["cancel_history"].([]any)
		if len(hist) != 1 {
			t.Fatalf("cancel_history = %v", hist)
		}
		entry := obj(hist[0].(map[string]any))
		for _, k := range []string{"pg_tid", "amount", "cancelled_at", "reason", "cancellation_id", "receipt_url"} {
			if _, ok := entry[k]; !ok {
				t.Errorf("cancel_history entry has no %s", k)
			}
		}
		if entry.Int(t, "amount") != 3000 || entry.Str(t, "reason") != "one cup" || entry.Str(t, "cancellation_id") == "" {
			t.Errorf("cancel_history entry = %v", entry)
		}

		full := h.mustOK(http.MethodPost, "/payments/cancel", map[string]any{"imp_uid": imp, "amount": 7000, "checksum": 7000})
		if full.Str(t, "status") != "cancelled" || full.Int(t, "cancel_amount") != 10000 || len(full["cancel_history"].([]any)) != 2 {
			t.Errorf("after the full refund: %v", full)
		}
		if got := h.payment(imp); got.Str(t, "status") != "cancelled" {
			t.Errorf("lookup after the refunds: status %v", got["status"])
		}
		a := h.call(http.MethodPost, "/payments/cancel", map[string]any{"imp_uid": imp})
		a.wantError(t, http.StatusOK, 1)
		if a.message != "이미 전액취소된 주문입니다." {
			t.Errorf("message = %v", a.message)
		}
	})

	t.Run("AmountOmittedOrZeroIsFull", func(t *testing.T) {
		for _, body := range []map[string]any{{}, {"amount": 0}, {"amount": nil, "checksum": nil}} {
			h := MustHarness(t, Options{})
			imp := h.MustPaid("pay_z", 8000)
			body["imp_uid"] = imp
			got := h.mustOK(http.MethodPost, "/payments/cancel", body)
			if got.Str(t, "status") != "cancelled" || got.Int(t, "cancel_amount") != 8000 {
				t.Errorf("cancel %v = %v, want the whole 8000", body, got)
			}
		}
	})

	t.Run("ByMerchantUIDAsForm", func(t *testing.T) {
		h := MustHarness(t, Options{})
		w := h.window("pay_f", 5000)
		_, _, abandoned := h.open(w) // another window of the same order, never paid
		imp := h.MustPaid("pay_f", 5000)
		got := h.mustOK(http.MethodPost, "/payments/cancel", url.Values{
			"merchant_uid": {"pay_f"}, "amount": {"1000"}, "checksum": {"5000"}, "enable_webhook": {"false"},
		})
		if got.Str(t, "imp_uid") != imp || got.Int(t, "cancel_amount") != 1000 {
			t.Errorf("cancel by merchant_uid = %v, want the paid payment %s", got, imp)
		}
		if h.payment(abandoned).Int(t, "cancel_amount") != 0 {
			t.Error("the abandoned window's payment was touched")
		}
		if h.SB.CallsFor(opCancel, "pay_f") != 1 {
			t.Errorf("CallsFor(cancel, merchant_uid) = %d", h.SB.CallsFor(opCancel, "pay_f"))
		}
	})

	// Every refusal leaves the payment exactly as it was.
	refusals := []struct {
		name string
		body func(imp string) map[string]any
		msg  string
	}{
		{"stale checksum", func(imp string) map[string]any {
			return map[string]any{"imp_uid": imp, "amount": 1000, "checksum": 9999}
		}, "checksum(9999)"},
		{"over the balance", func(imp string) map[string]any {
			return map[string]any{"imp_uid": imp, "amount": 10001}
		}, "취소가능잔액(10000)을 초과"},
		{"tax_free over amount", func(imp string) map[string]any {
			return map[string]any{"imp_uid": imp, "amount": 100, "tax_free": 101}
		}, "면세금액"},
		{"imp_uid wins over a valid merchant_uid", func(string) map[string]any {
			return map[string]any{"imp_uid": "imp_000000000000", "merchant_uid": "pay_r"}
		}, "취소할 결제건이 존재하지 않습니다."},
		{"unknown merchant_uid", func(string) map[string]any {
			return map[string]any{"merchant_uid": "pay_other"}
		}, "취소할 결제건이 존재하지 않습니다."},
	}
	for _, r := range refusals {
		t.Run("Refused/"+r.name, func(t *testing.T) {
			h := MustHarness(t, Options{})
			imp := h.MustPaid("pay_r", 10000)
			before := h.payment(imp)
			a := h.call(http.MethodPost, "/payments/cancel", r.body(imp))
			a.wantError(t, http.StatusOK, 1)
			if msg, _ := a.message.(string); !strings.Contains(msg, r.msg) {
				t.Errorf("message = %q, want it to contain %q", msg, r.msg)
			}
			after := h.payment(imp)
			if after.Int(t, "cancel_amount") != before.Int(t, "cancel_amount") || after.Str(t, "status") != "paid" {
				t.Errorf("a refused cancel changed the payment: %v", after)
			}
		})
	}

	t.Run("NotPaid", func(t *testing.T) {
		h := MustHarness(t, Options{})
		w := h.window("pay_np", 1000)
		_, _, ready := h.open(w)
		h.call(http.MethodPost, "/payments/cancel", map[string]any{"imp_uid": ready}).wantError(t, http.StatusOK, 1)
		h.returned(h.press(w, ready, actionFail))
		h.call(http.MethodPost, "/payments/cancel", map[string]any{"merchant_uid": "pay_np"}).wantError(t, http.StatusOK, 1)
	})

	t.Run("ErrMalformed", func(t *testing.T) {
		h := MustHarness(t, Options{})
		imp := h.MustPaid("pay_m", 1000)
		for name, body := range map[string]any{
			"no id":             map[string]any{"amount": 100},
			"negative amount":   map[string]any{"imp_uid": imp, "amount": -1},
			"amount as text":    map[string]any{"imp_uid": imp, "amount": "lots"},
			"webhook as number": map[string]any{"imp_uid": imp, "enable_webhook": 1},
		} {
			t.Run(name, func(t *testing.T) {
				h.call(http.MethodPost, "/payments/cancel", body).wantError(t, http.StatusBadRequest, -1)
			})
		}
		if h.payment(imp).Int(t, "cancel_amount") != 0 {
			t.Error("a malformed cancel refunded something")
		}
		req := h.request(http.MethodPost, "/payments/cancel", nil, "Bearer "+h.token())
		req.Header.Set("Content-Type", "application/json")
		req.Body = io.NopCloser(strings.NewReader(`{"imp_uid":`))
		h.send(req).wantError(t, http.StatusBadRequest, -1)
		if n := h.SB.Calls(opCancel); n != 5 {
			t.Errorf("Calls(cancel) = %d, want 5: a malformed call that passed auth still counts", n)
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		// Ten clients refund the whole balance at once, each with the
		// checksum: exactly one refund happens.
		h := MustHarness(t, Options{})
		imp := h.MustPaid("pay_cc", 10000)
		body := `{"imp_uid":"` + imp + `","amount":10000,"checksum":10000}`
		auth := "Bearer " + h.token()
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok := 0
		for range 10 {
			wg.Go(func() {
				// Not h.call: it may stop the test, which only the test's
				// own goroutine can do.
				req, _ := http.NewRequest(http.MethodPost, h.URL("/payments/cancel"), strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", auth)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				defer resp.Body.Close()
				var env struct{ Code int }
				if json.NewDecoder(resp.Body).Decode(&env) == nil && env.Code == 0 {
					mu.Lock()
					ok++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if got := h.payment(imp); ok != 1 || got.Int(t, "cancel_amount") != 10000 {
			t.Errorf("%d refunds succeeded, cancel_amount %d; want 1 and 10000", ok, got.Int(t, "cancel_amount"))
		}
	})

	t.Run("Webhook", func(t *testing.T) {
		s := newSink(t)
		h := MustHarness(t, Options{NoticeURL: s.URL})
		imp := h.MustPaid("pay_w", 10000)
		if got := s.next(t); got["status"] != "paid" {
			t.Fatalf("webhook after the payment = %v", got)
		}
		// API cancels notify only with enable_webhook=true.
		h.mustOK(http.MethodPost, "/payments/cancel", map[string]any{"imp_uid": imp, "amount": 1000})
		s.none(t)
		got := h.mustOK(http.MethodPost, "/payments/cancel", map[string]any{"imp_uid": imp, "amount": 1000, "enable_webhook": true})
		hist := got["cancel_history"].([]any)
		id := hist[len(hist)-1].(map[string]any)["cancellation_id"]
		want := map[string]any{"imp_uid": imp, "merchant_uid": "pay_w", "status": "cancelled", "cancellation_id": id}
		if n := s.next(t); len(n) != len(want) || n["imp_uid"] != imp || n["merchant_uid"] != "pay_w" ||
			n["status"] != "cancelled" || n["cancellation_id"] != id {
			t.Errorf("cancel webhook = %v, want %v", n, want)
		}
	})
}
