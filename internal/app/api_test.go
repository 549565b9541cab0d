package app_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/apptest"
)

const validBody = `{"provider":"kakaopay","order_id":"o-1","order_name":"Tea","amount":1000,"quantity":1,"customer_id":"c-1"}`

// with returns validBody with one field replaced (or added) by a raw JSON value.
func with(field, raw string) string {
	return strings.Replace(validBody, `{`, `{"`+field+`":`+raw+`,`, 1)
}

func TestAPI_CreatePaymentRejectsBadInput(t *testing.T) {
	a := apptest.Start(t)
	long := strings.Repeat("가", 101)
	tests := []struct {
		name        string
		auth        string // "" = the app's key
		contentType string
		body        string
		wantStatus  int
		wantCode    string
		wantMessage string
	}{
		{name: "NoKey", auth: "-", body: validBody, wantStatus: 401, wantCode: "unauthorized"},
		{name: "WrongKey", auth: "Bearer sk_test_nope", body: validBody, wantStatus: 401, wantCode: "unauthorized"},
		{name: "BasicAuth", auth: "Basic c2tfdGVzdDo=", body: validBody, wantStatus: 401, wantCode: "unauthorized"},
		{name: "WrongContentType", contentType: "text/plain", body: validBody, wantStatus: 415, wantCode: "unsupported_media_type"},
		{name: "FormBody", contentType: "application/x-www-form-urlencoded", body: "amount=1000", wantStatus: 415, wantCode: "unsupported_media_type"},
		{name: "MalformedJSON", body: `{"provider":`, wantStatus: 400, wantCode: "invalid"},
		{name: "NotAnObject", body: `[1,2]`, wantStatus: 400, wantCode: "invalid"},
		{name: "EmptyBody", body: ``, wantStatus: 400, wantCode: "invalid"},
		{name: "TrailingData", body: validBody + `{}`, wantStatus: 400, wantCode: "invalid"},
		{name: "UnknownField", body: with("price", "1000"), wantStatus: 400, wantCode: "invalid", wantMessage: `"price"`},
		{name: "Oversized", body: with("order_name", `"`+strings.Repeat("x", 1<<20)+`"`), wantStatus: 413, wantCode: "too_large"},
		{name: "MissingAmount", body: strings.Replace(validBody, `"amount":1000,`, ``, 1), wantStatus: 400, wantCode: "invalid", wantMessage: "amount is required"},
		{name: "ZeroAmount", body: strings.Replace(validBody, `1000`, `0`, 1), wantStatus: 400, wantCode: "invalid"},
		{name: "NegativeAmount", body: strings.Replace(validBody, `1000`, `-1000`, 1), wantStatus: 400, wantCode: "invalid"},
		{name: "AmountOverMax", body: strings.Replace(validBody, `1000`, `100000001`, 1), wantStatus: 400, wantCode: "invalid"},
		{name: "AmountOverflowsInt64", body: strings.Replace(validBody, `1000`, `9223372036854775808`, 1), wantStatus: 400, wantCode: "invalid"},
		{name: "FractionalAmount", body: strings.Replace(validBody, `1000`, `1000.5`, 1), wantStatus: 400, wantCode: "invalid"},
		{name: "AmountAsString", body: strings.Replace(validBody, `1000`, `"1000"`, 1), wantStatus: 400, wantCode: "invalid"},
		{name: "ZeroQuantity", body: strings.Replace(validBody, `"quantity":1`, `"quantity":0`, 1), wantStatus: 400, wantCode: "invalid"},
		{name: "TaxFreeOverAmount", body: with("tax_free_amount", "1001"), wantStatus: 400, wantCode: "invalid"},
		{name: "NegativeTaxFree", body: with("tax_free_amount", "-1"), wantStatus: 400, wantCode: "invalid"},
		{name: "MissingProvider", body: strings.Replace(validBody, `"provider":"kakaopay",`, ``, 1), wantStatus: 400, wantCode: "invalid"},
		{name: "UnknownProvider", body: strings.Replace(validBody, `kakaopay`, `paypal`, 1), wantStatus: 400, wantCode: "invalid"},
		{name: "MissingOrderID", body: strings.Replace(validBody, `"order_id":"o-1",`, ``, 1), wantStatus: 400, wantCode: "invalid"},
		{name: "OrderNameTooLong", body: strings.Replace(validBody, `"Tea"`, `"`+long+`"`, 1), wantStatus: 400, wantCode: "invalid"},
		{name: "ControlCharacter", body: strings.Replace(validBody, `"Tea"`, `"Tea\u0000"`, 1), wantStatus: 400, wantCode: "invalid"},
		{name: "RelativeSuccessURL", body: with("success_url", `"/done"`), wantStatus: 400, wantCode: "invalid"},
		{name: "JavascriptURL", body: with("fail_url", `"javascript:alert(1)"`), wantStatus: 400, wantCode: "invalid"},
		// Strict JSON: nothing two parsers could read differently.
		{name: "DuplicateAmount", body: with("amount", "1"), wantStatus: 400, wantCode: "invalid", wantMessage: `duplicate field "amount"`},
		{name: "AmountInOtherCase", body: strings.Replace(validBody, `"amount"`, `"Amount"`, 1), wantStatus: 400, wantCode: "invalid", wantMessage: `"Amount"`},
		{name: "NullAmount", body: strings.Replace(validBody, `1000`, `null`, 1), wantStatus: 400, wantCode: "invalid", wantMessage: "amount must not be null"},
		{name: "NullTaxFree", body: with("tax_free_amount", "null"), wantStatus: 400, wantCode: "invalid", wantMessage: "tax_free_amount must not be null"},
		{name: "InvalidUTF8", body: strings.Replace(validBody, `"Tea"`, "\"T\xffa\"", 1), wantStatus: 400, wantCode: "invalid", wantMessage: "UTF-8"},
		{name: "EscapedLoneSurrogate", body: strings.Replace(validBody, `"Tea"`, `"T\udc00a"`, 1), wantStatus: 400, wantCode: "invalid"},
		{name: "CharsetLatin1", contentType: "application/json; charset=iso-8859-1", body: validBody, wantStatus: 415, wantCode: "unsupported_media_type", wantMessage: "charset"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", a.URL()+"/v1/payments", strings.NewReader(tt.body))
			switch tt.auth {
			case "":
				req.Header.Set("Authorization", "Bearer "+a.Key)
			case "-":
			default:
				req.Header.Set("Authorization", tt.auth)
			}
			ct := tt.contentType
			if ct == "" {
				ct = "application/json"
			}
			req.Header.Set("Content-Type", ct)
			resp, err := a.Client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var e errorJSON
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d: %s", resp.StatusCode, tt.wantStatus, b)
			}
			e = decode[errorJSON](t, b)
			if e.Error.Code != tt.wantCode || e.Error.Message == "" {
				t.Fatalf("error = %+v, want code %s", e.Error, tt.wantCode)
			}
			if tt.wantMessage != "" && !strings.Contains(e.Error.Message, tt.wantMessage) {
				t.Fatalf("message = %q, want it to mention %q", e.Error.Message, tt.wantMessage)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Fatalf("Content-Type = %q", ct)
			}
			if resp.Header.Get("X-Request-Id") == "" {
				t.Fatal("no X-Request-Id")
			}
			if strings.Contains(string(b), a.Key) {
				t.Fatal("response echoes the API key")
			}
		})
	}
	// Bad input changes nothing: no payment was written, no provider call made.
	if n := countPayments(t, a); n != 0 {
		t.Fatalf("%d payments written by rejected requests", n)
	}
	if n := a.KakaoPaySandbox.Calls("ready"); n != 0 {
		t.Fatalf("%d ready calls made by rejected requests", n)
	}
}

func TestAPI_DuplicateOrderID(t *testing.T) {
	a := apptest.Start(t)
	MustCreatePayment(t, a, "dup", 1000, "")
	status, b := do(t, a, "POST", "/v1/payments", "application/json",
		`{"provider":"kakaopay","order_id":"dup","order_name":"Tea","amount":2000,"quantity":1,"customer_id":"c"}`)
	if status != http.StatusConflict || decode[errorJSON](t, b).Error.Code != "conflict" {
		t.Fatalf("duplicate order_id: %d %s", status, b)
	}
	if n := countPayments(t, a); n != 1 {
		t.Fatalf("payments = %d, want 1", n)
	}
}

// Ensure a payment the provider refused to prepare releases its order id, so
// the shop can simply try again, and the refusal is kept for the record.
func TestAPI_ProviderRefusesReady(t *testing.T) {
	a := apptest.Start(t)
	a.KakaoPaySandbox.InjectFault(sbFault("ready", "error", 500, -500))
	status, b := do(t, a, "POST", "/v1/payments", "application/json", validBody)
	if status != http.StatusBadGateway || decode[errorJSON](t, b).Error.Code != "upstream" {
		t.Fatalf("ready refused: %d %s", status, b)
	}
	MustCreatePayment(t, a, "o-1", 1000, "")
	if n := countPayments(t, a); n != 2 {
		t.Fatalf("payments = %d, want the failed one kept and the new one", n)
	}
}

func TestAPI_GetPayment(t *testing.T) {
	a := apptest.Start(t)
	p := MustCreatePayment(t, a, "g-1", 1000, "")
	if got := getPayment(t, a, p.ID); got.ID != p.ID || got.Status != "ready" || got.RedirectURLs.Mobile == "" {
		t.Fatalf("get = %+v", got)
	}
	for _, path := range []string{"/v1/payments/pay_nope", "/v1/nothing"} {
		status, b := do(t, a, "GET", path, "", "")
		if status != http.StatusNotFound || decode[errorJSON](t, b).Error.Code != "not_found" {
			t.Fatalf("GET %s: %d %s", path, status, b)
		}
	}
}

func TestAPI_RefundValidation(t *testing.T) {
	a := apptest.Start(t)
	p := MustCreatePayment(t, a, "r-1", 5000, "")
	tests := []struct {
		name, body string
		want       int
	}{
		{"NotPaidYet", `{"reason":"x"}`, 409},
		{"NoReason", `{"amount":100}`, 400},
		{"UnknownField", `{"reason":"x","amount":100,"refund_all":true}`, 400},
		{"NegativeAmount", `{"reason":"x","amount":-1}`, 400},
		// {"amount":null} once refunded everything.
		{"NullAmount", `{"reason":"x","amount":null}`, 400},
		{"DuplicateAmount", `{"amount":100,"reason":"x","amount":5000}`, 400},
		{"AmountInOtherCase", `{"reason":"x","AMOUNT":100}`, 400},
		{"NullTaxFree", `{"reason":"x","amount":100,"tax_free_amount":null}`, 400},
		{"InvalidUTF8Reason", "{\"reason\":\"\xc3\x28\",\"amount\":100}", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name != "NotPaidYet" && getPayment(t, a, p.ID).Status != "paid" {
				follow(t, a, buyer(t, a, p.RedirectURL, "approve"))
			}
			status, b := do(t, a, "POST", "/v1/payments/"+p.ID+"/cancel", "application/json", tt.body)
			if status != tt.want {
				t.Fatalf("status = %d, want %d: %s", status, tt.want, b)
			}
		})
	}
	if got := getPayment(t, a, p.ID); got.CanceledAmount != 0 || a.KakaoPaySandbox.Calls("cancel") != 0 {
		t.Fatalf("rejected refunds changed something: %+v", got)
	}
}
