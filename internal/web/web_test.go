package web

import (
	"net/url"
	"testing"
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
