package portone

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
)

// TestRawAnswer: a lookup keeps PortOne's answer for the operator, with
// secrets and a full card number dropped.
func TestRawAnswer(t *testing.T) {
	body := bytes.Replace(mustTestdata(t, "payment_paid.json"), []byte(`"53275900****1234"`), []byte(`"5327590012341234"`), 1)
	body = bytes.Replace(body, []byte(`"status": "PAID",`), []byte(`"status": "PAID", "apiSecret": "ps-SECRET-1",`), 1)
	f := newFake(t, replay(http.StatusOK, body))
	got, err := MustClient(t, f.BaseURL()).Lookup(context.Background(), testPayment())
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"ps-SECRET-1", "5327590012341234"} {
		if bytes.Contains(got.Raw, []byte(secret)) {
			t.Errorf("Raw keeps %q: %s", secret, got.Raw)
		}
	}
	var m struct {
		Status string `json:"status"`
		ID     string `json:"id"`
		Method struct {
			Card map[string]any `json:"card"`
		} `json:"method"`
	}
	if err := json.Unmarshal(got.Raw, &m); err != nil {
		t.Fatalf("Raw = %q: %v", got.Raw, err)
	}
	if m.Status != "PAID" || m.ID != "pay_01hzx3k4m5n6p7q8r9s0t1v2w3" || m.Method.Card["bin"] != "53275900" {
		t.Errorf("Raw lost the answer: %s", got.Raw)
	}
	if _, ok := m.Method.Card["number"]; ok {
		t.Errorf("full card number kept: %v", m.Method.Card)
	}
}
