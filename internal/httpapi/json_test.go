package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

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
		// Bodies two parsers could read differently: duplicates, case, null,
		// broken UTF-8 (raw and escaped).
		`{"provider":"kakaopay","order_id":"o","order_name":"n","amount":1,"quantity":1,"customer_id":"c","amount":1000}`,
		`{"provider":"kakaopay","order_id":"o","order_name":"n","Amount":1000,"quantity":1,"customer_id":"c"}`,
		`{"provider":"kakaopay","order_id":"o","order_name":"n","amount":1000,"quantity":1,"customer_id":"c","tax_free_amount":null}`,
		"{\"provider\":\"kakaopay\",\"order_id\":\"o\xff\",\"order_name\":\"n\",\"amount\":1000,\"quantity\":1,\"customer_id\":\"c\"}",
		`{"provider":"kakaopay","order_id":"o\ud800","order_name":"n","amount":1000,"quantity":1,"customer_id":"c"}`,
		`{"provider":"kakaopay","order_id":"o","order_name":"n","amount":1000,"quantity":1,"customer_id":"c","order_id":"p"}`,
		`{"amount":1e3}`, `{"amount":1000.0}`, `{"amount":null}`,
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
		// Whatever is accepted is read the same by any JSON parser.
		if err := unambiguous(body, req); err != nil {
			t.Fatalf("accepted %q: %v", body, err)
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
		{"Empty", "application/json", ` `, payment.EINVALID, "empty"},
		{"NotObject", "application/json", `[{"reason":"x"}]`, payment.EINVALID, "JSON object"},
		{"NullBody", "application/json", `null`, payment.EINVALID, "JSON object"},
		{"ArrayOfNull", "application/json", `[null]`, payment.EINVALID, "JSON object"},
		{"Scalar", "application/json", `5`, payment.EINVALID, "JSON object"},
		{"BrokenScalar", "application/json", `nul`, payment.EINVALID, "malformed JSON"},
		// {"amount":null} once meant "refund everything".
		{"NullAmount", "application/json", `{"amount":null,"reason":"x"}`, payment.EINVALID, "amount must not be null"},
		{"NullReason", "application/json", `{"reason":null}`, payment.EINVALID, "reason must not be null"},
		{"DuplicateAmount", "application/json", `{"amount":1,"reason":"x","amount":1000}`, payment.EINVALID, `duplicate field "amount"`},
		{"CaseAmount", "application/json", `{"Amount":1000,"reason":"x"}`, payment.EINVALID, `unknown field "Amount": field names are case-sensitive, did you mean "amount"?`},
		{"CaseAndDuplicate", "application/json", `{"amount":1,"AMOUNT":1000,"reason":"x"}`, payment.EINVALID, `unknown field "AMOUNT"`},
		{"RawInvalidUTF8", "application/json", "{\"reason\":\"caf\xe9\"}", payment.EINVALID, "valid UTF-8"},
		{"LoneSurrogate", "application/json", `{"reason":"\ud800"}`, payment.EINVALID, "malformed JSON"},
		{"Fraction", "application/json", `{"amount":1000.5,"reason":"x"}`, payment.EINVALID, "amount must be an integer"},
		{"Overflow", "application/json", `{"amount":9223372036854775808,"reason":"x"}`, payment.EINVALID, "amount must be an integer"},
		{"CharsetUTF8Upper", "application/json; charset=UTF-8", `{"reason":"x"}`, "", ""},
		{"CharsetLatin1", "application/json; charset=iso-8859-1", `{"reason":"x"}`, payment.EUNSUPPORTED, "charset must be utf-8"},
		{"CharsetUTF16", "application/json; charset=utf-16", `{"reason":"x"}`, payment.EUNSUPPORTED, "charset must be utf-8"},
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

// unambiguous is an oracle for what strict decoding accepts, written with
// the standard library's tokenizer rather than the decoder under test: the
// body is valid UTF-8, one object whose names are each exactly one of v's
// JSON names, none repeated, with no null value anywhere.
func unambiguous(body string, v any) error {
	if !utf8.ValidString(body) {
		return errors.New("invalid UTF-8")
	}
	names := map[string]bool{}
	t := reflect.TypeOf(v)
	for i := range t.NumField() {
		n, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		names[n] = true
	}
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	seen := map[string]bool{}
	depth, key := 0, true
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		switch tok := tok.(type) {
		case json.Delim:
			if tok == '{' || tok == '[' {
				depth++
			} else {
				depth--
			}
			key = depth == 1
			continue
		case nil:
			return errors.New("null value")
		case string:
			if depth == 1 && key {
				if !names[tok] || seen[tok] {
					return fmt.Errorf("name %q unknown or repeated", tok)
				}
				seen[tok] = true
				key = false
				continue
			}
			if strings.ContainsRune(tok, utf8.RuneError) && !strings.Contains(body, "\\ufffd") && !strings.Contains(body, "\uFFFD") {
				return fmt.Errorf("string %q decoded with replacement characters", tok)
			}
		}
		key = depth == 1
	}
}
