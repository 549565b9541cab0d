package portone

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestSandbox_Checkout(t *testing.T) {
	t.Run("Page", func(t *testing.T) {
		h := MustHarness(t, Options{})
		resp, body := h.Page(h.windowURL("pay_1", "12345", url.Values{"orderName": {"<b>커피</b>"}}), nil)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		for _, want := range []string{`<html lang="ko">`, "포트원 샌드박스 — 실제 돈은 오가지 않습니다", "&lt;b&gt;커피&lt;/b&gt;", "12,345원", "pay_1", `rel="icon"`,
			`value="approve"`, `value="cancel"`, `value="fail"`, `method="post"`} {
			if !strings.Contains(body, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		if strings.Contains(body, "<script") || strings.Contains(body, "<b>") {
			t.Error("page has a script or unescaped markup")
		}
		if got := h.get("pay_1").Str(t, "status"); got != "READY" {
			t.Errorf("status after opening the window = %s, want READY", got)
		}
	})
	t.Run("Approve", func(t *testing.T) {
		h := MustHarness(t, Options{})
		u := h.windowURL("pay_1", "5000", url.Values{"redirectUrl": {"https://shop.example/return?order=42#done"}})
		h.Page(u, nil)
		resp, _ := h.Page(u, url.Values{"action": {"approve"}})
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "https://shop.example/return?order=42&") || !strings.HasSuffix(loc, "#done") {
			t.Fatalf("%d %q: want a 303 keeping redirectUrl's query and fragment", resp.StatusCode, loc)
		}
		lu, _ := url.Parse(loc)
		q := lu.Query()
		p := h.get("pay_1")
		if q.Get("paymentId") != "pay_1" || q.Get("transactionType") != "PAYMENT" || q.Get("txId") != p.Str(t, "transactionId") ||
			q.Has("code") || q.Has("message") {
			t.Errorf("redirect query %v", q)
		}
		if p.Str(t, "status") != "PAID" {
			t.Errorf("status %s", p.Str(t, "status"))
		}
	})
	for _, tc := range []struct{ action, reason string }{{"cancel", reasonUserCancel}, {"fail", reasonDeclined}} {
		t.Run("Buyer_"+tc.action, func(t *testing.T) {
			h := MustHarness(t, Options{})
			resp, _ := h.Page(h.windowURL("pay_1", "5000", nil), url.Values{"action": {tc.action}})
			lu, _ := url.Parse(resp.Header.Get("Location"))
			q := lu.Query()
			if resp.StatusCode != http.StatusSeeOther || q.Get("paymentId") != "pay_1" || q.Get("code") != "FAILURE_TYPE_PG" ||
				q.Get("message") != tc.reason || q.Get("order") != "42" {
				t.Fatalf("%d %v", resp.StatusCode, q)
			}
			p := h.get("pay_1")
			if p.Str(t, "status") != "FAILED" || p.Str(t, "failure.reason") != tc.reason {
				t.Errorf("payment %v", p)
			}
		})
	}
	t.Run("RetryAfterFailure", func(t *testing.T) {
		h := MustHarness(t, Options{})
		u := h.windowURL("pay_1", "5000", nil)
		h.Page(u, url.Values{"action": {"fail"}})
		first := h.get("pay_1").Str(t, "transactionId")
		if resp, _ := h.Page(u, nil); resp.StatusCode != 200 {
			t.Fatalf("reopening a failed payment: %d", resp.StatusCode)
		}
		p := h.get("pay_1")
		if p.Str(t, "status") != "READY" || p.Str(t, "transactionId") == first || p.Has("failure") {
			t.Errorf("a new attempt must be READY with a new transactionId: %v", p)
		}
	})
	t.Run("ErrPaidTwice", func(t *testing.T) {
		h := MustHarness(t, Options{})
		h.mustPaid("pay_1", 5000, 0)
		u := h.windowURL("pay_1", "5000", nil)
		for _, form := range []url.Values{nil, {"action": {"approve"}}, {"action": {"fail"}}} {
			resp, body := h.Page(u, form)
			if resp.StatusCode != http.StatusConflict || resp.Header.Get("Location") != "" || strings.Contains(body, `value="approve"`) {
				t.Errorf("window of a paid payment (%v): %d %q", form, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
		if got := h.get("pay_1").Str(t, "status"); got != "PAID" {
			t.Errorf("status %s", got)
		}
	})
	t.Run("Refusals", func(t *testing.T) {
		for name, extra := range map[string]url.Values{
			"amount mismatch": {"totalAmount": {"4999"}},
			"no order name":   {"orderName": {""}},
			"bad amount":      {"totalAmount": {"12.5"}},
			"USD":             {"currency": {"USD"}},
			"virtual account": {"payMethod": {"VIRTUAL_ACCOUNT"}},
			"other store":     {"storeId": {"store-b"}},
		} {
			t.Run(name, func(t *testing.T) {
				h := MustHarness(t, Options{StoreID: "store-a"})
				h.preRegister("pay_1", 5000, 0)
				u := h.windowURL("pay_1", "5000", extra)
				resp, body := h.Page(u, nil)
				if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `value="return"`) || strings.Contains(body, `value="approve"`) {
					t.Fatalf("GET: %d\n%s", resp.StatusCode, body)
				}
				if resp, _ := h.Page(u, url.Values{"action": {"approve"}}); resp.StatusCode != http.StatusBadRequest {
					t.Errorf("approve on a refused window: %d", resp.StatusCode)
				}
				resp, _ = h.Page(u, url.Values{"action": {"return"}})
				lu, _ := url.Parse(resp.Header.Get("Location"))
				q := lu.Query()
				if resp.StatusCode != http.StatusSeeOther || q.Get("paymentId") != "pay_1" || q.Get("code") != "FAILURE_TYPE_PG" || q.Get("message") == "" {
					t.Errorf("return: %d %v", resp.StatusCode, q)
				}
				status, m := h.call(http.MethodGet, paymentPath("pay_1", ""), nil)
				wantError(t, status, m, 404, "PAYMENT_NOT_FOUND") // a refusal changes nothing
			})
		}
	})
	t.Run("Fatal", func(t *testing.T) {
		h := MustHarness(t, Options{})
		for name, extra := range map[string]url.Values{
			"no paymentId":         {"paymentId": {""}},
			"no redirectUrl":       {"redirectUrl": {""}},
			"relative redirectUrl": {"redirectUrl": {"/return"}},
			"script redirectUrl":   {"redirectUrl": {"javascript:alert(1)"}},
		} {
			u := h.windowURL("pay_1", "5000", extra)
			for _, form := range []url.Values{nil, {"action": {"return"}}} {
				resp, body := h.Page(u, form)
				if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" || strings.Contains(body, "<button") {
					t.Errorf("%s (%v): %d %q", name, form, resp.StatusCode, resp.Header.Get("Location"))
				}
			}
		}
	})
	t.Run("ErrUnknownAction", func(t *testing.T) {
		h := MustHarness(t, Options{})
		u := h.windowURL("pay_1", "5000", nil)
		for _, form := range []url.Values{{"action": {"steal"}}, {}, {"action": {"return"}}} {
			if resp, _ := h.Page(u, form); resp.StatusCode != http.StatusBadRequest {
				t.Errorf("%v: %d", form, resp.StatusCode)
			}
		}
		if got := h.get("pay_1").Str(t, "status"); got != "READY" {
			t.Errorf("status %s", got)
		}
	})
	t.Run("EasyPay", func(t *testing.T) {
		h := MustHarness(t, Options{})
		h.Page(h.windowURL("pay_1", "5000", url.Values{"payMethod": {"EASY_PAY"}}), url.Values{"action": {"approve"}})
		if got := h.get("pay_1").Str(t, "method.type"); got != "PaymentMethodEasyPay" {
			t.Errorf("method.type = %s", got)
		}
	})
}
