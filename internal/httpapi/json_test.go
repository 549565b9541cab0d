package httpapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/service"
)

// FuzzCreatePaymentBody feeds arbitrary bodies to the create endpoint's
// decoding and validation: it must never panic, and whatever it accepts must
// be a payment paybridge can stand behind (amounts in range, texts bounded).
func FuzzCreatePaymentBody(f *testing.F) {
	for _, seed := range []string{
		`{"provider":"kakaopay","order_id":"o","order_name":"n","amount":1000,"quantity":1,"customer_id":"c"}`,
		`{"amount":-1}`, `{"amount":1e400}`, `{"amount":9223372036854775808}`, `{"amount":"1"}`,
		`{"tax_free_amount":5,"amount":4}`, `[]`, `null`, `{}`, `{"a":1}{"b":2}`, "\xff\xfe", `{"order_id":"\u0000"}`,
		`{"provider":"kakaopay","order_id":"o","order_name":"n","amount":1000,"quantity":1,"customer_id":"c","extra":1}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/v1/payments", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		var req createPaymentRequest
		err := DecodeJSON(httptest.NewRecorder(), r, &req)
		if err != nil {
			if c := payment.ErrorCode(err); c != payment.EINVALID && c != payment.ETOOLARGE {
				t.Fatalf("decode error code %s for %q", c, body)
			}
			return
		}
		if req.Amount == nil || req.Quantity == nil {
			return
		}
		in := service.CreateInput{Provider: req.Provider, OrderID: req.OrderID, OrderName: req.OrderName,
			CustomerID: req.CustomerID, Amount: *req.Amount, Quantity: *req.Quantity, TaxFreeAmount: req.TaxFreeAmount}
		if err := in.Validate(); err != nil {
			if payment.ErrorCode(err) != payment.EINVALID {
				t.Fatalf("validate error code %s", payment.ErrorCode(err))
			}
			return
		}
		if in.Amount < 1 || in.Amount > payment.MaxAmount || in.TaxFreeAmount < 0 || in.TaxFreeAmount > in.Amount ||
			in.Quantity < 1 || len([]rune(in.OrderName)) > service.MaxOrderNameLen {
			t.Fatalf("accepted an invalid payment: %+v", in)
		}
	})
}

func TestDecodeJSON_Errors(t *testing.T) {
	tests := []struct {
		name, ct, body, code, msg string
	}{
		{"OK", "application/json; charset=utf-8", `{"reason":"x"}`, "", ""},
		{"NoContentType", "", `{}`, payment.EUNSUPPORTED, "Content-Type"},
		{"Syntax", "application/json", `{"reason":}`, payment.EINVALID, "malformed JSON"},
		{"Type", "application/json", `{"amount":"5"}`, payment.EINVALID, "amount must be an integer"},
		{"Unknown", "application/json", `{"amount":5,"x":1}`, payment.EINVALID, `unknown field "x"`},
		{"Trailing", "application/json", `{} x`, payment.EINVALID, "single JSON object"},
		{"Truncated", "application/json", `{"reason":"x"`, payment.EINVALID, "unexpected end"},
		{"TooLarge", "application/json", `{"reason":"` + strings.Repeat("a", MaxBodyBytes) + `"}`, payment.ETOOLARGE, "at most"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", strings.NewReader(tt.body))
			if tt.ct != "" {
				r.Header.Set("Content-Type", tt.ct)
			}
			var v cancelPaymentRequest
			err := DecodeJSON(httptest.NewRecorder(), r, &v)
			if payment.ErrorCode(err) != tt.code || (tt.msg != "" && !strings.Contains(payment.ErrorMessage(err), tt.msg)) {
				t.Fatalf("err = %v, want %s containing %q", err, tt.code, tt.msg)
			}
			if err != nil && ErrorStatus(payment.ErrorCode(err)) == http.StatusInternalServerError {
				t.Fatal("bad input mapped to 500")
			}
		})
	}
}
