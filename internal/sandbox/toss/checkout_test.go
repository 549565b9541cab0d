package toss

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestSandbox_Checkout(t *testing.T) {
	t.Run("Page", func(t *testing.T) {
		h := MustHarness(t, Options{})
		resp, page := h.Page(h.checkoutURL("pay_page_order", 1234567, url.Values{"orderName": {"<b>Tea</b> & cake"}}), nil)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("GET checkout = %s %s", resp.Status, resp.Header.Get("Content-Type"))
		}
		for _, want := range []string{
			`<html lang="ko">`, "토스페이먼츠 샌드박스 — 실제 돈은 오가지 않습니다", "1,234,567원", "pay_page_order", `rel="icon"`,
			"&lt;b&gt;Tea&lt;/b&gt; &amp; cake", `<form method="post">`,
			`name="action" value="approve"`, `name="action" value="cancel"`, `name="action" value="fail"`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("page lacks %q:\n%s", want, page)
			}
		}
		if strings.Contains(page, "<b>Tea</b>") || strings.Contains(page, "<script") {
			t.Error("page shows the order name unescaped, or has script")
		}
	})

	t.Run("Approve", func(t *testing.T) {
		h := MustHarness(t, Options{})
		loc := h.buyer(h.checkoutURL("pay_approve_order", 15000, nil), "approve")
		q := loc.Query()
		if loc.Host != "shop.example" || loc.Path != "/toss/success" || q.Get("payment_id") != "pay_approve_order" {
			t.Fatalf("redirected to %s, want the success URL with its own query kept", loc)
		}
		key := q.Get("paymentKey")
		if q.Get("orderId") != "pay_approve_order" || q.Get("amount") != "15000" || q.Get("paymentType") != "NORMAL" ||
			!strings.HasPrefix(key, "tgen_") || len(key) != len("tgen_")+20 {
			t.Fatalf("success query = %v", q)
		}
		p := h.get(key)
		if p.Str(t, "status") != statusInProgress || p.Int(t, "totalAmount") != 15000 || !p.IsNull("approvedAt") ||
			!p.IsNull("card") || !p.IsNull("lastTransactionKey") || p.Str(t, "orderId") != "pay_approve_order" {
			t.Fatalf("payment after approval = %v", p)
		}
		// Only a confirmed payment is found by orderId.
		status, o := h.call(http.MethodGet, "/v1/payments/orders/pay_approve_order", nil)
		wantError(t, status, o, http.StatusNotFound, "NOT_FOUND_PAYMENT")
	})

	for _, tt := range []struct{ action, code string }{
		{"cancel", "PAY_PROCESS_CANCELED"},
		{"fail", "REJECT_CARD_COMPANY"},
	} {
		t.Run(strings.ToUpper(tt.action[:1])+tt.action[1:], func(t *testing.T) {
			h := MustHarness(t, Options{})
			loc := h.buyer(h.checkoutURL("pay_quit_order", 15000, nil), tt.action)
			q := loc.Query()
			if loc.Path != "/toss/fail" || q.Get("payment_id") != "pay_quit_order" || q.Get("code") != tt.code ||
				q.Get("message") == "" || q.Get("orderId") != "pay_quit_order" || q.Get("paymentKey") != "" {
				t.Fatalf("redirected to %s", loc)
			}
		})
	}

	t.Run("BelowMinimum", func(t *testing.T) {
		h := MustHarness(t, Options{})
		loc := h.buyer(h.checkoutURL("pay_small_order", 99, nil), "approve")
		if loc.Query().Get("code") != "BELOW_MINIMUM_AMOUNT" {
			t.Fatalf("redirected to %s", loc)
		}
	})

	t.Run("DuplicatedOrder", func(t *testing.T) {
		h := MustHarness(t, Options{})
		orderID, _ := h.MustPaid(5000, nil)
		loc := h.buyer(h.checkoutURL(orderID, 5000, nil), "approve")
		if loc.Path != "/toss/fail" || loc.Query().Get("code") != "DUPLICATED_ORDER_ID" {
			t.Fatalf("paying a paid order again redirected to %s", loc)
		}
	})

	t.Run("UnknownAction", func(t *testing.T) {
		h := MustHarness(t, Options{})
		resp, err := h.Browser.PostForm(h.checkoutURL("pay_bad_action", 1000, nil), url.Values{"action": {"steal"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("unknown action = %s, want 400", resp.Status)
		}
	})

	for _, tt := range []struct {
		name  string
		param url.Values
	}{
		{"NoClientKey", url.Values{"clientKey": {""}}},
		{"SecretKeyAsClientKey", url.Values{"clientKey": {testSecretKey}}},
		{"ShortOrderID", url.Values{"orderId": {"abc"}}},
		{"OrderIDChars", url.Values{"orderId": {"pay order 1"}}},
		{"NoOrderName", url.Values{"orderName": {""}}},
		{"ZeroAmount", url.Values{"amount": {"0"}}},
		{"FractionAmount", url.Values{"amount": {"100.5"}}},
		{"BadCustomerKey", url.Values{"customerKey": {"고객 1"}}},
		{"RelativeSuccessURL", url.Values{"successUrl": {"/success"}}},
		{"NoFailURL", url.Values{"failUrl": {""}}},
		{"VirtualAccount", url.Values{"method": {"VIRTUAL_ACCOUNT"}}},
		{"TaxFreeOverAmount", url.Values{"taxFreeAmount": {"20000"}}},
	} {
		t.Run("Refuses/"+tt.name, func(t *testing.T) {
			h := MustHarness(t, Options{})
			target := h.checkoutURL("pay_param_order", 10000, tt.param)
			for _, method := range []string{http.MethodGet, http.MethodPost} {
				req, _ := http.NewRequest(method, target, strings.NewReader("action=approve"))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if resp, _ := h.Browse(req); resp.StatusCode != http.StatusBadRequest {
					t.Errorf("%s = %s, want 400 and no redirect", method, resp.Status)
				}
			}
		})
	}

	t.Run("Receipt", func(t *testing.T) {
		h := MustHarness(t, Options{})
		_, key := h.MustPaid(5000, nil)
		receipt := h.get(key).Str(t, "receipt.url")
		resp, b := h.Page(receipt, nil)
		if resp.StatusCode != http.StatusOK || !strings.Contains(b, "5,000") {
			t.Fatalf("GET %s = %s", receipt, resp.Status)
		}
	})
}

// TestCheckout_English: a browser asking for English gets the window in
// English, amounts still written 5,000원.
func TestCheckout_English(t *testing.T) {
	h := MustHarness(t, Options{})
	req, _ := http.NewRequest(http.MethodGet, h.checkoutURL("pay_en_order", 5000, nil), nil)
	req.Header.Set("Accept-Language", "en-US,en;q=0.9")
	_, b := h.Browse(req)
	for _, want := range []string{`<html lang="en">`, "Toss Payments SANDBOX — no real money", "5,000원", "Approve payment"} {
		if !strings.Contains(b, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}
