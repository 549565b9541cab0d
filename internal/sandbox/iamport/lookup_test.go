package iamport

import (
	"net/http"
	"regexp"
	"testing"
	"time"
)

// schemaFields are PaymentAnnotation's properties: every one is present in
// a Payment, null where it does not apply, except promotion: the schema
// types it an object, so it is left out rather than null when there is
// none (TestSandbox_Schema checks every answer against the schema).
var schemaFields = []string{
	"imp_uid", "merchant_uid", "pay_method", "channel", "pg_provider", "emb_pg_provider", "pg_tid", "pg_id",
	"sandbox", "escrow", "apply_num", "bank_code", "bank_name", "card_code", "card_name", "card_issuer_code",
	"card_issuer_name", "card_publisher_code", "card_publisher_name", "card_quota", "card_number", "card_type",
	"vbank_code", "vbank_name", "vbank_num", "vbank_holder", "vbank_date", "vbank_issued_at", "name", "amount",
	"cancel_amount", "currency", "buyer_name", "buyer_email", "buyer_tel", "buyer_addr", "buyer_postcode",
	"custom_data", "user_agent", "status", "started_at", "paid_at", "failed_at", "cancelled_at", "fail_reason",
	"cancel_reason", "receipt_url", "cancel_history", "cancel_receipt_urls", "cash_receipt_issued",
	"customer_uid", "customer_uid_usage",
}

func TestSandbox_PaymentByImpUID(t *testing.T) {
	h := MustHarness(t, Options{})
	imp := h.MustPaid("pay_look", 15000)
	got := h.payment(imp)

	for _, k := range schemaFields {
		if _, ok := got[k]; !ok {
			t.Errorf("Payment has no %s", k)
		}
	}
	if len(got) != len(schemaFields) {
		t.Errorf("Payment has %d fields, the schema %d", len(got), len(schemaFields))
	}
	if !regexp.MustCompile(`^imp_[0-9]{12}$`).MatchString(got.Str(t, "imp_uid")) {
		t.Errorf("imp_uid = %q, want imp_ and 12 digits", got["imp_uid"])
	}
	paidAt := h.Clock.Now().Unix()
	if got.Str(t, "merchant_uid") != "pay_look" || got.Int(t, "amount") != 15000 || got.Int(t, "cancel_amount") != 0 ||
		got.Str(t, "currency") != "KRW" || got.Str(t, "status") != "paid" || got["sandbox"] != true ||
		got.Int(t, "paid_at") != paidAt || got.Int(t, "started_at") != paidAt || got.Int(t, "failed_at") != 0 ||
		got.Int(t, "cancelled_at") != 0 || got.Str(t, "pay_method") != "card" || got.Str(t, "name") != "Americano x2" ||
		got.Str(t, "buyer_name") != "cus_42" || got.Str(t, "apply_num") == "" || got.Str(t, "pg_tid") == "" ||
		got["fail_reason"] != nil || got.Str(t, "receipt_url") != h.URL("/receipt/"+imp) {
		t.Errorf("Payment = %v", got)
	}
	if h := got["cancel_history"].([]any); len(h) != 0 {
		t.Errorf("cancel_history = %v, want []", h)
	}

	t.Run("ErrWithoutIncludeSandbox", func(t *testing.T) {
		// Test-channel payments are hidden unless asked for, as at PortOne.
		for _, q := range []string{"", "?include_sandbox=false", "?include_sandbox=yes"} {
			h.call(http.MethodGet, "/payments/"+imp+q, nil).wantError(t, http.StatusNotFound, -1)
		}
	})
	t.Run("ErrUnknown", func(t *testing.T) {
		a := h.call(http.MethodGet, "/payments/imp_000000000000?include_sandbox=true", nil)
		a.wantError(t, http.StatusNotFound, -1)
		if a.message != "존재하지 않는 결제정보입니다." {
			t.Errorf("message = %v", a.message)
		}
	})
	t.Run("EscapedSlashStaysAnID", func(t *testing.T) {
		h.call(http.MethodGet, "/payments/"+imp+"%2Fx?include_sandbox=true", nil).wantError(t, http.StatusNotFound, -1)
		h.call(http.MethodGet, "/payments/find%2Fpay_look?include_sandbox=true", nil).wantError(t, http.StatusNotFound, -1)
	})
	if n := h.SB.CallsFor(opPayment, imp); n != 4 {
		t.Errorf("CallsFor(payment, imp_uid) = %d, want 4 (refusals count too)", n)
	}
}

func TestSandbox_PaymentByMerchantUID(t *testing.T) {
	h := MustHarness(t, Options{})
	// Two windows for one order: the first is paid, the second opened
	// later and abandoned.
	w := h.window("pay_find", 5000)
	_, _, first := h.open(w)
	h.Clock.Advance(time.Minute)
	_, _, second := h.open(w)
	h.Clock.Advance(time.Minute)
	h.returned(h.press(w, first, actionApprove))

	tests := []struct {
		path, want string
	}{
		{"/payments/find/pay_find", second}, // default -started: the newest window
		{"/payments/find/pay_find?sorting=-started", second},
		{"/payments/find/pay_find?sorting=started", first},
		{"/payments/find/pay_find?sorting=-paid", first}, // the paid one, whatever opened later
		{"/payments/find/pay_find?sorting=-updated", first},
		{"/payments/find/pay_find/paid", first},
		{"/payments/find/pay_find/ready", second},
	}
	for _, tt := range tests {
		if got := h.mustOK(http.MethodGet, tt.path, nil).Str(t, "imp_uid"); got != tt.want {
			t.Errorf("%s = %s, want %s", tt.path, got, tt.want)
		}
	}
	h.call(http.MethodGet, "/payments/find/pay_find/failed", nil).wantError(t, http.StatusNotFound, -1)
	h.call(http.MethodGet, "/payments/find/pay_none", nil).wantError(t, http.StatusNotFound, -1)
	h.call(http.MethodGet, "/payments/find/pay_find/all", nil).wantError(t, http.StatusBadRequest, -1)
	h.call(http.MethodGet, "/payments/find/pay_find?sorting=amount", nil).wantError(t, http.StatusBadRequest, -1)
	if n := h.SB.CallsFor(opPayment, "pay_find"); n != len(tests)+3 {
		t.Errorf("CallsFor(payment, merchant_uid) = %d, want %d", n, len(tests)+3)
	}
}
