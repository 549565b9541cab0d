package httpapi

import (
	"net/http/httptest"
	"testing"
)

func TestClientIP(t *testing.T) {
	for _, tc := range []struct{ remote, header, value, want string }{
		{"203.0.113.7:5000", "", "", "203.0.113.7"},
		{"203.0.113.7:5000", "X-Forwarded-For", "", "203.0.113.7"},
		// The proxy appends the client it saw; what the client sent comes first.
		{"10.0.0.2:5000", "X-Forwarded-For", "1.2.3.4, 198.51.100.9", "198.51.100.9"},
		{"10.0.0.2:5000", "X-Real-IP", "198.51.100.9", "198.51.100.9"},
		{"10.0.0.2:5000", "X-Real-IP", "not an address", "10.0.0.2"},
		// One IPv6 client holds a /64.
		{"[2001:db8:1:2:aaaa::1]:5000", "", "", "2001:db8:1:2::/64"},
		{"[::ffff:203.0.113.7]:5000", "", "", "203.0.113.7"},
		// Behind the proxy too.
		{"10.0.0.2:5000", "X-Real-IP", "2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"},
		{"10.0.0.2:5000", "X-Forwarded-For", "1.2.3.4, 2001:db8:1:2::7", "2001:db8:1:2::/64"},
		{"10.0.0.2:5000", "X-Real-IP", "::ffff:198.51.100.9", "198.51.100.9"},
	} {
		r := httptest.NewRequest("POST", "/ready", nil)
		r.RemoteAddr = tc.remote
		if tc.value != "" {
			r.Header.Set(tc.header, tc.value)
		}
		if got := ClientIP(r, tc.header); got != tc.want {
			t.Errorf("%s %s=%q: %q, want %q", tc.remote, tc.header, tc.value, got, tc.want)
		}
	}
}

// ClientAddr is the whole address (what an audit entry records), behind a
// proxy or not; only the limit's key is cut to the /64.
func TestClientAddr(t *testing.T) {
	for _, tc := range []struct{ remote, header, value, want string }{
		{"203.0.113.7:5000", "", "", "203.0.113.7"},
		{"10.0.0.2:5000", "X-Forwarded-For", "1.2.3.4, 198.51.100.9", "198.51.100.9"},
		{"10.0.0.2:5000", "X-Real-IP", "2001:db8:1:2:bbbb::9", "2001:db8:1:2:bbbb::9"},
		{"[2001:db8:1:2:aaaa::1]:5000", "", "", "2001:db8:1:2:aaaa::1"},
		{"[::ffff:203.0.113.7]:5000", "", "", "203.0.113.7"},
	} {
		r := httptest.NewRequest("POST", "/ready", nil)
		r.RemoteAddr = tc.remote
		if tc.value != "" {
			r.Header.Set(tc.header, tc.value)
		}
		if got := ClientAddr(r, tc.header); got != tc.want {
			t.Errorf("%s %s=%q: %q, want %q", tc.remote, tc.header, tc.value, got, tc.want)
		}
	}
}
