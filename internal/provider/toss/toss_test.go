package toss

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
	"github.com/paybridge/paybridge/internal/testutil"
)

func TestClient_Ready(t *testing.T) {
	t.Run("NoCall", func(t *testing.T) {
		f := newFake(t, hangUp(t))
		c := MustClient(t, f.BaseURL())
		rr, err := c.Ready(context.Background(), testPayment(), testURLs)
		if err != nil {
			t.Fatal(err)
		}
		if f.Calls() != 0 {
			t.Errorf("Ready made %d calls; Toss has no server-side prepare", f.Calls())
		}
		if rr.TID != "" || rr.CID != "" || rr.RedirectPC != "" || rr.RedirectMobile != "" || rr.RedirectApp != "" {
			t.Errorf("Ready without WindowURL = %+v: the checkout page opens the SDK", rr)
		}
		if rr.ExpiresIn != 10*time.Minute {
			t.Errorf("ExpiresIn = %v, want the shorter of Toss's two windows, 10m", rr.ExpiresIn)
		}
	})

	t.Run("WindowURL", func(t *testing.T) {
		c := MustClient(t, "", func(c *Config) { c.WindowURL = "http://localhost:8080/sandbox/toss/" })
		p := testPayment()
		p.TaxFreeAmount = 1000
		rr, err := c.Ready(context.Background(), p, testURLs)
		if err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(rr.RedirectPC)
		if err != nil {
			t.Fatal(err)
		}
		if u.Scheme+"://"+u.Host+u.Path != "http://localhost:8080/sandbox/toss/checkout" {
			t.Fatalf("window = %s", rr.RedirectPC)
		}
		want := url.Values{
			"clientKey": {testClientKey}, "orderId": {p.ID}, "orderName": {p.OrderName}, "amount": {"15000"},
			"customerKey": {"cus_1001"}, "method": {"CARD"}, "successUrl": {testURLs.Approval},
			"failUrl": {testURLs.Fail}, "taxFreeAmount": {"1000"},
		}
		if got := u.Query(); got.Encode() != want.Encode() {
			t.Errorf("window query = %v\nwant %v", got, want)
		}
		if rr.RedirectMobile != rr.RedirectPC || rr.RedirectApp != rr.RedirectPC {
			t.Errorf("mobile/app = %s / %s, want the PC window", rr.RedirectMobile, rr.RedirectApp)
		}
		if strings.Contains(rr.RedirectPC, "LEAK") {
			t.Error("the window URL carries the secret key")
		}
	})

	t.Run("CheckoutParams", func(t *testing.T) {
		c := MustClient(t, "")
		p := testPayment()
		p.OrderName = strings.Repeat("가", 120)
		p.CustomerID = "고객 1" // not a valid customerKey: pay as a guest
		q := c.CheckoutParams(p, testURLs)
		if n := len([]rune(q.Get("orderName"))); n != 100 {
			t.Errorf("orderName has %d characters, want Toss's limit 100", n)
		}
		if q.Has("customerKey") || q.Has("taxFreeAmount") {
			t.Errorf("params = %v: no customerKey for an invalid id, no taxFreeAmount when 0", q)
		}
	})

	t.Run("Refuses", func(t *testing.T) {
		c := MustClient(t, "")
		for name, mod := range map[string]func(*payment.Payment){
			"ShortID":    func(p *payment.Payment) { p.ID = "pay_1" },
			"BadID":      func(p *payment.Payment) { p.ID = "pay 01hzx3k4m5n6p7q8r9s0t1v2w3" },
			"ZeroAmount": func(p *payment.Payment) { p.Amount = 0 },
		} {
			p := testPayment()
			mod(p)
			_, err := c.Ready(context.Background(), p, testURLs)
			if payment.ErrorCode(err) != payment.EINVALID {
				t.Errorf("%s: err = %v, want EINVALID", name, err)
			}
		}
	})
}

func TestClient_ParseReturn(t *testing.T) {
	c := MustClient(t, "")
	testutil.CheckParseReturn(t, c.ParseReturn, map[string]payment.Return{
		// Success.
		"payment_id=pay_1&paymentKey=tgen_20240213121757abcDEF&orderId=pay_1abcdef&amount=15000&paymentType=NORMAL": {
			Success: true, TID: "tgen_20240213121757abcDEF", OrderID: "pay_1abcdef", Amount: 15000, HasAmount: true},
		"paymentKey=k1&orderId=o1": {Success: true, TID: "k1", OrderID: "o1"},
		// An amount that is not a whole number of won is no amount.
		"paymentKey=k1&orderId=o1&amount=15000.0": {Success: true, TID: "k1", OrderID: "o1"},
		"paymentKey=k1&orderId=o1&amount=-1":      {Success: true, TID: "k1", OrderID: "o1"},
		"paymentKey=k1&orderId=o1&amount=0":       {Success: true, TID: "k1", OrderID: "o1", HasAmount: true},
		// The buyer cancelled; the card company refused.
		"code=PAY_PROCESS_CANCELED&message=%EC%82%AC%EC%9A%A9%EC%9E%90%EC%97%90+%EC%9D%98%ED%95%B4&orderId=o1": {
			OrderID: "o1", ErrorCode: "PAY_PROCESS_CANCELED", ErrorMessage: "사용자에 의해", Canceled: true},
		"code=REJECT_CARD_COMPANY&message=x": {ErrorCode: "REJECT_CARD_COMPANY", ErrorMessage: "x"},
		"":                                   {},
	})

	t.Run("LongMessage", func(t *testing.T) {
		got := c.ParseReturn(url.Values{"code": {"X"}, "message": {strings.Repeat("m", 10000)}})
		if len(got.ErrorMessage) != provider.MaxProviderText {
			t.Errorf("message of %d bytes kept, want it cut to %d", len(got.ErrorMessage), provider.MaxProviderText)
		}
	})
}
