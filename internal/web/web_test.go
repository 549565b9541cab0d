package web

import (
	"net/url"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/i18n"
	"github.com/paybridge/paybridge/internal/payment"
)

func TestWithParams(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://shop.example/done", "https://shop.example/done?payment_id=pay_1"},
		{"https://shop.example/done?z=1&a=%7E", "https://shop.example/done?z=1&a=%7E&payment_id=pay_1"},
		{"https://shop.example/done?sig=a+b#top", "https://shop.example/done?sig=a+b&payment_id=pay_1#top"},
	}
	for _, tt := range tests {
		if got := withParams(tt.in, url.Values{"payment_id": {"pay_1"}}); got != tt.want {
			t.Errorf("withParams(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFormatWon(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 9000: "9,000", 100000000: "100,000,000", -1234: "-1,234"} {
		if got := formatWon(n); got != want {
			t.Errorf("formatWon(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestDescribe: every status has, in both languages, a status word, a
// headline and a sentence, and none of them is paybridge's internal
// failure text or status name.
func TestDescribe(t *testing.T) {
	statuses := []payment.Status{payment.StatusCreated, payment.StatusReady, payment.StatusApproving, payment.StatusPaid,
		payment.StatusPartiallyCanceled, payment.StatusCanceled, payment.StatusAborted, payment.StatusExpired, payment.StatusFailed}
	for _, lang := range []string{i18n.Korean, i18n.English} {
		m := text.For(lang)
		for _, st := range statuses {
			for _, code := range []string{"", "provider_declined", "amount_mismatch", "refund_required", "prepare_interrupted",
				"late_charge_refunded", "refunded_after_retry", "outcome_unknown", "not_approved"} {
				p := &payment.Payment{Status: st, FailureCode: code, FailureMessage: "the provider reports FAIL_PAYMENT"}
				o := describe(p, m)
				if o.Label == "" || o.Headline == "" || len(o.Lines) == 0 || o.Class == "" {
					t.Errorf("%s %s %s: %+v", lang, st, code, o)
				}
				for _, s := range append([]string{o.Label, o.Headline}, o.Lines...) {
					if s == "" || strings.Contains(s, "FAIL_PAYMENT") || strings.Contains(s, string(st)) {
						t.Errorf("%s %s %s: %q", lang, st, code, s)
					}
				}
			}
		}
	}
}

// TestDescribe_LateCharge: an expired or aborted payment that was charged
// late never tells the buyer nothing was charged.
func TestDescribe_LateCharge(t *testing.T) {
	m := text.For(i18n.English)
	for _, st := range []payment.Status{payment.StatusExpired, payment.StatusAborted} {
		for code, want := range map[string]string{"": "Nothing has been charged.", "late_charge_refunded": "refunded",
			"refund_required": "being refunded"} {
			o := describe(&payment.Payment{Status: st, FailureCode: code}, m)
			if last := o.Lines[len(o.Lines)-1]; !strings.Contains(last, want) {
				t.Errorf("%s %q: %q, want %q", st, code, last, want)
			}
		}
	}
}
