package portone

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Required fields per Payment union member, from portone-v2.openapi.json.
var (
	requiredCommon = []string{"status", "id", "transactionId", "merchantId", "storeId", "version", "requestedAt",
		"updatedAt", "statusChangedAt", "orderName", "amount", "currency", "customer", "origin"}
	requiredByStatus = map[string][]string{
		"READY":             nil,
		"PAID":              {"channel", "paidAt", "disputes"},
		"FAILED":            {"failedAt", "failure"},
		"PARTIAL_CANCELLED": {"channel", "cancellations", "cancelledAt"},
		"CANCELLED":         {"channel", "cancellations", "cancelledAt"},
	}
	// forbiddenByStatus are fields of other members that must not appear.
	forbiddenByStatus = map[string][]string{
		"READY":             {"paidAt", "failedAt", "failure", "cancelledAt", "disputes", "pgTxId", "method"},
		"PAID":              {"failedAt", "failure", "cancelledAt"},
		"FAILED":            {"paidAt", "cancelledAt", "disputes", "pgTxId", "receiptUrl"},
		"PARTIAL_CANCELLED": {"failedAt", "failure", "disputes"},
		"CANCELLED":         {"failedAt", "failure", "disputes"},
	}
	requiredAmount       = []string{"total", "taxFree", "discount", "paid", "cancelled", "cancelledTaxFree"}
	requiredCancellation = []string{"status", "id", "totalAmount", "taxFreeAmount", "vatAmount", "reason", "requestedAt"}
)

// assertShape checks m against its union member's schema.
func assertShape(t *testing.T, m obj) {
	t.Helper()
	status := m.Str(t, "status")
	extra, known := requiredByStatus[status]
	if !known {
		t.Fatalf("status %q", status)
	}
	for _, f := range append(append([]string{}, requiredCommon...), extra...) {
		if !m.Has(f) {
			t.Errorf("%s payment lacks required %s: %v", status, f, m)
		}
	}
	for _, f := range forbiddenByStatus[status] {
		if m.Has(f) {
			t.Errorf("%s payment has %s, a field of another member", status, f)
		}
	}
	for _, f := range requiredAmount {
		m.Int(t, "amount."+f)
	}
	for _, f := range []string{"origin.platformType", "origin.ipAddress"} {
		m.Str(t, f)
	}
	if m.Has("channel") {
		for _, f := range []string{"channel.type", "channel.pgProvider", "channel.pgMerchantId"} {
			m.Str(t, f)
		}
	}
	if m.Str(t, "version") != "V2" || m.Str(t, "currency") != "KRW" {
		t.Errorf("version %v currency %v", m["version"], m["currency"])
	}
	for _, f := range []string{"requestedAt", "updatedAt", "statusChangedAt", "paidAt", "failedAt", "cancelledAt"} {
		if m.Has(f) {
			if _, err := time.Parse(time.RFC3339Nano, m.Str(t, f)); err != nil {
				t.Errorf("%s is not RFC 3339: %v", f, err)
			}
		}
	}
	if m.Has("cancellations") {
		for _, c := range m.List(t, "cancellations") {
			for _, f := range requiredCancellation {
				if !c.Has(f) {
					t.Errorf("cancellation lacks %s: %v", f, c)
				}
			}
		}
	}
}

func TestSandbox_GetPayment(t *testing.T) {
	t.Run("Ready", func(t *testing.T) {
		h := MustHarness(t, Options{StoreID: "store-a"})
		h.preRegister("pay_1", 11000, 1000)
		h.Page(h.windowURL("pay_1", "11000", url.Values{"storeId": {"store-a"}}), nil)
		m := h.get("pay_1")
		assertShape(t, m)
		if m.Str(t, "status") != "READY" || m.Str(t, "storeId") != "store-a" || m.Str(t, "customer.id") != "cus_42" ||
			m.Str(t, "orderName") != "Americano x2" || m.Int(t, "amount.total") != 11000 || m.Int(t, "amount.taxFree") != 1000 ||
			m.Int(t, "amount.vat") != 909 || m.Int(t, "amount.supply") != 9091 || m.Int(t, "amount.paid") != 0 {
			t.Errorf("READY payment = %v", m)
		}
		if got := m.Str(t, "requestedAt"); got != "2025-03-01T01:02:03.000Z" {
			t.Errorf("requestedAt = %q", got)
		}
	})
	t.Run("Paid", func(t *testing.T) {
		h := MustHarness(t, Options{})
		q := h.mustPaid("pay_1", 11000, 1000)
		m := h.get("pay_1")
		assertShape(t, m)
		if m.Str(t, "status") != "PAID" || m.Int(t, "amount.paid") != 11000 || m.Str(t, "method.type") != "PaymentMethodCard" ||
			m.Str(t, "transactionId") != q.Get("txId") || m.Str(t, "storeId") != DefaultStoreID ||
			!strings.HasSuffix(m.Str(t, "receiptUrl"), mount+"/receipts/pay_1") || m.Str(t, "pgTxId") == "" ||
			len(m.List(t, "disputes")) != 0 {
			t.Errorf("PAID payment = %v", m)
		}
		resp, body := h.Page(m.Str(t, "receiptUrl"), nil)
		if resp.StatusCode != 200 || !strings.Contains(body, "11,000") {
			t.Errorf("receipt: %d %s", resp.StatusCode, body)
		}
	})
	t.Run("Failed", func(t *testing.T) {
		h := MustHarness(t, Options{})
		h.Page(h.windowURL("pay_1", "1000", nil), url.Values{"action": {"cancel"}})
		m := h.get("pay_1")
		assertShape(t, m)
		if m.Str(t, "status") != "FAILED" || m.Str(t, "failure.reason") != reasonUserCancel {
			t.Errorf("FAILED payment = %v", m)
		}
	})
	t.Run("Cancelled", func(t *testing.T) {
		h := MustHarness(t, Options{})
		h.mustPaid("pay_1", 10000, 0)
		h.Clock.Advance(time.Hour)
		if status, m := h.cancel("pay_1", map[string]any{"amount": 4000, "reason": "r"}); status != 200 {
			t.Fatalf("cancel: %d %v", status, m)
		}
		m := h.get("pay_1")
		assertShape(t, m)
		if m.Str(t, "status") != "PARTIAL_CANCELLED" || m.Int(t, "amount.cancelled") != 4000 ||
			m.Str(t, "cancelledAt") != "2025-03-01T02:02:03.000Z" || m.Str(t, "paidAt") != "2025-03-01T01:02:03.000Z" {
			t.Errorf("PARTIAL_CANCELLED payment = %v", m)
		}
		h.cancel("pay_1", map[string]any{"reason": "rest"})
		m = h.get("pay_1")
		assertShape(t, m)
		if m.Str(t, "status") != "CANCELLED" || m.Int(t, "amount.cancelled") != 10000 || len(m.List(t, "cancellations")) != 2 {
			t.Errorf("CANCELLED payment = %v", m)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		h := MustHarness(t, Options{})
		status, m := h.call(http.MethodGet, paymentPath("pay_unknown", ""), nil)
		wantError(t, status, m, 404, "PAYMENT_NOT_FOUND")
		if n := h.SB.CallsFor(opGetPayment, "pay_unknown"); n != 1 {
			t.Errorf("CallsFor = %d: a lookup of an unknown id is still a call", n)
		}
	})
	t.Run("StoreQuery", func(t *testing.T) {
		h := MustHarness(t, Options{})
		h.mustPaid("pay_1", 1000, 0)
		h.mustOK(http.MethodGet, paymentPath("pay_1", "")+"?storeId="+DefaultStoreID, nil)
		status, m := h.call(http.MethodGet, paymentPath("pay_1", "")+"?storeId=store-other", nil)
		wantError(t, status, m, 404, "PAYMENT_NOT_FOUND")

		h2 := MustHarness(t, Options{StoreID: "store-a"})
		status, m = h2.call(http.MethodGet, paymentPath("pay_1", "")+"?storeId=store-b", nil)
		wantError(t, status, m, 403, "FORBIDDEN")
	})
}

// TestSandbox_BaseURL checks where receipt links point without PublicURL:
// the request's host and X-Forwarded-Prefix.
func TestSandbox_BaseURL(t *testing.T) {
	sb := New(Options{})
	r := httptestRequest("http://sb.example:8080/checkout")
	r.Header.Set("X-Forwarded-Prefix", "sandbox/portone/")
	if got := sb.baseURL(r); got != "http://sb.example:8080/sandbox/portone" {
		t.Errorf("baseURL = %q", got)
	}
	sb = New(Options{PublicURL: "https://pay.example/sb/"})
	if got := sb.baseURL(r); got != "https://pay.example/sb" {
		t.Errorf("baseURL with PublicURL = %q", got)
	}
}

func httptestRequest(u string) *http.Request {
	r, _ := http.NewRequest(http.MethodGet, u, nil)
	r.Host = r.URL.Host
	return r
}
