package portone

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
)

// TestClient_OnlyALiveChannelIsLive: with live credentials, a paid or
// partly cancelled payment counts only when its channel reads as exactly
// LIVE. The channel is decoded leniently, so a TEST channel whose object
// does not decode as expected (its type an object, as a union member might
// be), a missing channel or an unknown type must not read as live: the
// guard fails closed, and a payment that moved no money never verifies.
func TestClient_OnlyALiveChannelIsLive(t *testing.T) {
	const testType = `"type": "TEST",`
	tests := []struct {
		name, file, old, new string
		live                 bool
	}{
		{"Live", "payment_paid.json", testType, `"type": "LIVE",`, true},
		{"PartlyCancelledLive", "payment_partial_cancelled.json", `"type": "TEST"`, `"type": "LIVE"`, true},
		{"Test", "payment_paid.json", testType, testType, false},
		{"TypeNotAString", "payment_paid.json", testType, `"type": {"value": "TEST"},`, false},
		{"NoType", "payment_paid.json", testType, ``, false},
		{"LowerCase", "payment_paid.json", testType, `"type": "live",`, false},
		{"OtherType", "payment_paid.json", testType, `"type": "SANDBOX",`, false},
		{"ChannelNull", "payment_paid.json", `"channel": {`, `"channel": null, "unused": {`, false},
		{"NoChannel", "payment_paid.json", `"channel": {`, `"unused": {`, false},
		{"PartlyCancelledNoChannel", "payment_partial_cancelled.json", `"channel": {`, `"unused": {`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := string(mustTestdata(t, tt.file))
			if !strings.Contains(orig, tt.old) {
				t.Fatalf("fixture has no %s", tt.old)
			}
			body := []byte(strings.Replace(orig, tt.old, tt.new, 1))
			f := newFake(t, replay(http.StatusOK, body))
			got, err := MustClient(t, f.BaseURL(), func(c *Config) { c.AcceptTestPayments = false }).Lookup(context.Background(), testPayment())
			if err != nil {
				t.Fatal(err)
			}
			counted := got.State == payment.ProviderPaid || got.State == payment.ProviderPartiallyCanceled
			if counted != tt.live {
				t.Fatalf("state %s (%s), cancelable %d; want counted as money: %v", got.State, got.RawStatus, got.CancelableAmount, tt.live)
			}
			if !tt.live && (got.State != payment.ProviderFailed || got.CancelableAmount != 0) {
				t.Errorf("refused payment: %+v", got)
			}

			// Accepting test payments (the sandbox, a test channel on
			// purpose), the channel decides nothing.
			f = newFake(t, replay(http.StatusOK, body))
			got, err = MustClient(t, f.BaseURL()).Lookup(context.Background(), testPayment())
			if err != nil || got.State == payment.ProviderFailed {
				t.Fatalf("with test payments accepted: %+v, %v", got, err)
			}
		})
	}
}
