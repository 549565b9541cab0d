package kakaopay

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestSandbox_Checkout(t *testing.T) {
	for _, leave := range []struct{ name, action, location, status string }{
		{"BuyerCancels", "cancel", "https://shop.example/pay/cancel", statusQuit},
		{"BuyerFails", "fail", "https://shop.example/pay/fail", statusFail},
	} {
		t.Run(leave.name, func(t *testing.T) {
			h := MustHarness(t, Options{})
			tid := h.MustReady(current, nil)
			resp := h.page(http.MethodPost, tid, url.Values{"action": {leave.action}})
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != leave.location {
				t.Fatalf("%s: %d %q", leave.action, resp.StatusCode, resp.Header.Get("Location"))
			}
			if got := h.order(current, tid).Str(t, "status"); got != leave.status {
				t.Fatalf("status = %s, want %s", got, leave.status)
			}
		})
	}
	t.Run("ApprovalURLWithoutQuery", func(t *testing.T) {
		h := MustHarness(t, Options{})
		tid := h.MustReady(current, map[string]any{"approval_url": "http://localhost:9/ok#top"})
		resp := h.page(http.MethodPost, tid, url.Values{"action": {"approve"}})
		loc := resp.Header.Get("Location")
		if !strings.HasPrefix(loc, "http://localhost:9/ok?pg_token=") || !strings.HasSuffix(loc, "#top") {
			t.Fatalf("Location %q", loc)
		}
	})
	t.Run("ErrApproveTwice", func(t *testing.T) {
		h := MustHarness(t, Options{})
		tid, tok := h.MustAuthorized(current)
		resp := h.page(http.MethodPost, tid, url.Values{"action": {"approve"}})
		if resp.StatusCode != http.StatusConflict || resp.Header.Get("Location") != "" {
			t.Fatalf("second approve on the page: %d %q; want 409 and no redirect", resp.StatusCode, resp.Header.Get("Location"))
		}
		h.mustOK(current, opApprove, approveBody(tid, tok)) // the first token still works
		body, _ := io.ReadAll(h.page(http.MethodGet, tid, nil).Body)
		if !strings.Contains(string(body), "이미 완료된 결제입니다") || strings.Contains(string(body), `value="approve"`) {
			t.Fatalf("page of a paid payment offers actions:\n%s", body)
		}
	})
	t.Run("Expired", func(t *testing.T) {
		h := MustHarness(t, Options{})
		tid := h.MustReady(current, nil)
		h.Clock.Advance(16 * time.Minute)
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			var form url.Values
			if method == http.MethodPost {
				form = url.Values{"action": {"approve"}}
			}
			resp := h.page(method, tid, form)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "https://shop.example/pay/fail" {
				t.Fatalf("%s expired page: %d %q; want 303 to fail_url", method, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
	})
	t.Run("ErrUnknownTID", func(t *testing.T) {
		h := MustHarness(t, Options{})
		if resp := h.page(http.MethodGet, "T0000000000000000000", nil); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("unknown tid: %d", resp.StatusCode)
		}
		if resp := h.page(http.MethodPost, "T0000000000000000000", url.Values{"action": {"approve"}}); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("unknown tid: %d", resp.StatusCode)
		}
	})
	t.Run("ErrUnknownAction", func(t *testing.T) {
		h := MustHarness(t, Options{})
		tid := h.MustReady(current, nil)
		if resp := h.page(http.MethodPost, tid, url.Values{"action": {"steal"}}); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("unknown action: %d", resp.StatusCode)
		}
	})
	t.Run("MethodLimitedByReady", func(t *testing.T) {
		h := MustHarness(t, Options{})
		tid := h.MustReady(current, map[string]any{"payment_method_type": "CARD"})
		body, _ := io.ReadAll(h.page(http.MethodGet, tid, nil).Body)
		if strings.Contains(string(body), `value="MONEY"`) {
			t.Fatalf("page offers MONEY although ready allowed only CARD")
		}
		tok := h.MustBuyerApprove(tid, methodMoney) // a forged choice is ignored
		if got := h.mustOK(current, opApprove, approveBody(tid, tok)).Str(t, "payment_method_type"); got != "CARD" {
			t.Fatalf("payment_method_type = %s, want CARD", got)
		}
	})
}

// Without PublicURL, the buyer page links are built from the request, with
// the prefix a proxy or paybridge serve reports in X-Forwarded-Prefix.
func TestSandbox_DerivedPublicURL(t *testing.T) {
	sb := New(Options{})
	body, err := json.Marshal(readyBody(nil))
	if err != nil {
		t.Fatal(err)
	}
	// The path is as http.StripPrefix leaves it.
	req := httptest.NewRequest(http.MethodPost, "http://pay.local:8080/online/v1/payment/ready", bytes.NewReader(body))
	req.Header.Set("Authorization", "SECRET_KEY k")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-Prefix", "/sandbox/kakaopay/")
	rec := httptest.NewRecorder()
	sb.ServeHTTP(rec, req)
	m := decodeObj(t, rec.Body)
	want := "http://pay.local:8080/sandbox/kakaopay/checkout/" + m.Str(t, "tid")
	if got := m.Str(t, "next_redirect_pc_url"); got != want {
		t.Fatalf("next_redirect_pc_url = %q, want %q", got, want)
	}
}

// TestCheckout_Language: Korean by default, as KakaoPay's window; English
// for a browser that asks for it, or after ?lang=en (remembered).
func TestCheckout_Language(t *testing.T) {
	h := MustHarness(t, Options{})
	tid := h.MustReady(current, nil)
	get := func(accept string, cookie *http.Cookie, query string) (string, *http.Response) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, h.Srv.URL+mount+"/checkout/"+tid+query, nil)
		if accept != "" {
			req.Header.Set("Accept-Language", accept)
		}
		if cookie != nil {
			req.AddCookie(cookie)
		}
		resp, b := h.Browse(req)
		return b, resp
	}
	for _, tt := range []struct {
		name, accept, query string
		want                []string
	}{
		{"default", "", "", []string{`<html lang="ko">`, "결제 승인", "11,000원", `rel="icon"`}},
		{"English browser", "en-US,en;q=0.9", "", []string{`<html lang="en">`, "Approve payment", "11,000원"}},
		{"switch", "ko-KR", "?lang=en", []string{`<html lang="en">`, "Approve payment"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body, resp := get(tt.accept, nil, tt.query)
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			if strings.Contains(body, "KRW") {
				t.Error("page shows KRW; amounts are written 11,000원")
			}
			if tt.query != "" {
				c := resp.Cookies()
				if len(c) != 1 {
					t.Fatalf("cookies = %v", c)
				}
				if again, _ := get("ko-KR", c[0], ""); !strings.Contains(again, `<html lang="en">`) {
					t.Error("the switch was not remembered")
				}
			}
		})
	}
}
