package portone

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

func TestSandbox_Cancel(t *testing.T) {
	t.Run("PartialThenRest", func(t *testing.T) {
		h := MustHarness(t, Options{})
		h.mustPaid("pay_1", 11000, 1000)
		status, m := h.cancel("pay_1", map[string]any{"amount": 3000, "currentCancellableAmount": 11000, "reason": "one cup"})
		if status != 200 {
			t.Fatalf("%d %v", status, m)
		}
		c := obj(m["cancellation"].(map[string]any))
		for _, f := range requiredCancellation {
			if !c.Has(f) {
				t.Errorf("cancellation lacks %s", f)
			}
		}
		if c.Str(t, "status") != "SUCCEEDED" || c.Int(t, "totalAmount") != 3000 || c.Int(t, "taxFreeAmount") != 0 ||
			c.Int(t, "vatAmount") != 273 || c.Str(t, "reason") != "one cup" || !c.Has("cancelledAt") || c.Str(t, "id") == "" {
			t.Errorf("cancellation = %v", c)
		}
		// The rest, amount omitted: everything left, tax-free part and the
		// VAT left included, so no residue remains.
		status, m = h.cancel("pay_1", map[string]any{"currentCancellableAmount": 8000, "reason": "rest"})
		if status != 200 {
			t.Fatalf("%d %v", status, m)
		}
		c = obj(m["cancellation"].(map[string]any))
		if c.Int(t, "totalAmount") != 8000 || c.Int(t, "taxFreeAmount") != 1000 || c.Int(t, "vatAmount") != 909-273 {
			t.Errorf("final cancellation = %v", c)
		}
		p := h.get("pay_1")
		if p.Str(t, "status") != "CANCELLED" || p.Int(t, "amount.cancelled") != 11000 || p.Int(t, "amount.cancelledTaxFree") != 1000 {
			t.Errorf("payment = %v", p)
		}
		if n := h.SB.CallsFor(opCancel, "pay_1"); n != 2 {
			t.Errorf("CallsFor(cancel) = %d", n)
		}
	})
	t.Run("Refusals", func(t *testing.T) {
		h := MustHarness(t, Options{StoreID: "store-a"})
		h.preRegister("pay_paid", 10000, 1000)
		h.Page(h.windowURL("pay_paid", "10000", nil), url.Values{"action": {"approve"}})
		h.Page(h.windowURL("pay_ready", "1000", nil), nil)
		h.Page(h.windowURL("pay_failed", "1000", nil), url.Values{"action": {"fail"}})
		for _, tc := range []struct {
			name   string
			id     string
			body   any
			status int
			typ    string
		}{
			{"no reason", "pay_paid", map[string]any{"amount": 1}, 400, "INVALID_REQUEST"},
			{"blank reason", "pay_paid", map[string]any{"amount": 1, "reason": " "}, 400, "INVALID_REQUEST"},
			{"zero amount", "pay_paid", map[string]any{"amount": 0, "reason": "r"}, 400, "INVALID_REQUEST"},
			{"negative tax-free", "pay_paid", map[string]any{"amount": 10, "taxFreeAmount": -1, "reason": "r"}, 400, "INVALID_REQUEST"},
			{"bad requester", "pay_paid", map[string]any{"amount": 10, "requester": "BOT", "reason": "r"}, 400, "INVALID_REQUEST"},
			{"misspelt guard", "pay_paid", map[string]any{"amount": 10, "currentCancelableAmount": 10000, "reason": "r"}, 400, "INVALID_REQUEST"},
			{"not JSON", "pay_paid", "amount=10", 400, "INVALID_REQUEST"},
			{"other store", "pay_paid", map[string]any{"amount": 10, "reason": "r", "storeId": "store-b"}, 403, "FORBIDDEN"},
			{"unknown payment", "pay_none", map[string]any{"amount": 10, "reason": "r"}, 404, "PAYMENT_NOT_FOUND"},
			{"ready payment", "pay_ready", map[string]any{"amount": 10, "reason": "r"}, 409, "PAYMENT_NOT_PAID"},
			{"failed payment", "pay_failed", map[string]any{"reason": "r"}, 409, "PAYMENT_NOT_PAID"},
			{"stale guard", "pay_paid", map[string]any{"amount": 10, "currentCancellableAmount": 9999, "reason": "r"}, 409, "CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN"},
			{"over-cancel", "pay_paid", map[string]any{"amount": 10001, "reason": "r"}, 409, "CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT"},
			{"parts over amount", "pay_paid", map[string]any{"amount": 100, "taxFreeAmount": 101, "reason": "r"}, 409, "SUM_OF_PARTS_EXCEEDS_CANCEL_AMOUNT"},
			{"parts with vat over amount", "pay_paid", map[string]any{"amount": 100, "taxFreeAmount": 50, "vatAmount": 51, "reason": "r"}, 409, "SUM_OF_PARTS_EXCEEDS_CANCEL_AMOUNT"},
			{"tax-free over", "pay_paid", map[string]any{"amount": 2000, "taxFreeAmount": 1001, "reason": "r"}, 409, "CANCEL_TAX_FREE_AMOUNT_EXCEEDS_CANCELLABLE_TAX_FREE_AMOUNT"},
			{"taxable over", "pay_paid", map[string]any{"amount": 9500, "taxFreeAmount": 0, "reason": "r"}, 409, "CANCEL_TAX_AMOUNT_EXCEEDS_CANCELLABLE_TAX_AMOUNT"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				status, m := h.call(http.MethodPost, paymentPath(tc.id, "/cancel"), tc.body)
				wantError(t, status, m, tc.status, tc.typ)
			})
		}
		// Nothing above refunded anything.
		p := h.get("pay_paid")
		if p.Str(t, "status") != "PAID" || p.Int(t, "amount.cancelled") != 0 || p.Has("cancellations") {
			t.Errorf("after refusals: %v", p)
		}
	})
	t.Run("ErrAlreadyCancelled", func(t *testing.T) {
		h := MustHarness(t, Options{})
		h.mustPaid("pay_1", 1000, 0)
		h.cancel("pay_1", map[string]any{"reason": "all"})
		status, m := h.cancel("pay_1", map[string]any{"amount": 1, "reason": "again"})
		wantError(t, status, m, 409, "PAYMENT_ALREADY_CANCELLED")
	})
	t.Run("AsyncCancel", func(t *testing.T) {
		h := MustHarness(t, Options{AsyncCancel: true})
		h.mustPaid("pay_1", 10000, 0)
		h.Clock.Advance(time.Minute)
		status, m := h.cancel("pay_1", map[string]any{"amount": 4000, "currentCancellableAmount": 10000, "reason": "r"})
		c := obj(m["cancellation"].(map[string]any))
		if status != 200 || c.Str(t, "status") != "REQUESTED" || c.Has("cancelledAt") {
			t.Fatalf("%d %v, want a REQUESTED cancellation", status, m)
		}
		// While requested, its amount is held: the remainder is 6000.
		status, m = h.cancel("pay_1", map[string]any{"amount": 1, "currentCancellableAmount": 10000, "reason": "r"})
		wantError(t, status, m, 409, "CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN")
		status, m = h.cancel("pay_1", map[string]any{"amount": 6001, "reason": "r"})
		wantError(t, status, m, 409, "CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT")
		// The next GET completes it.
		h.Clock.Advance(time.Minute)
		p := h.get("pay_1")
		assertShape(t, p)
		cs := p.List(t, "cancellations")
		if p.Str(t, "status") != "PARTIAL_CANCELLED" || p.Int(t, "amount.cancelled") != 4000 || len(cs) != 1 ||
			cs[0].Str(t, "status") != "SUCCEEDED" || cs[0].Str(t, "cancelledAt") != "2025-03-01T01:04:03.000Z" {
			t.Errorf("after the GET: %v", p)
		}
	})
	t.Run("ConcurrentRefundsOneWins", func(t *testing.T) {
		// Two refunds of the whole remainder with the same guard: exactly
		// one may succeed, whatever the interleaving.
		h := MustHarness(t, Options{})
		h.mustPaid("pay_1", 10000, 0)
		results := make(chan int, 8)
		for range 8 {
			req := h.request(http.MethodPost, paymentPath("pay_1", "/cancel"),
				map[string]any{"amount": 10000, "currentCancellableAmount": 10000, "reason": "r"})
			go func() {
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					results <- 0
					return
				}
				resp.Body.Close()
				results <- resp.StatusCode
			}()
		}
		ok := 0
		for range 8 {
			if <-results == 200 {
				ok++
			}
		}
		if ok != 1 {
			t.Errorf("%d refunds succeeded, want exactly 1", ok)
		}
		if got := h.get("pay_1").Int(t, "amount.cancelled"); got != 10000 {
			t.Errorf("cancelled = %d", got)
		}
	})
}
