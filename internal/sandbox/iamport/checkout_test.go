package iamport

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestSandbox_Window(t *testing.T) {
	t.Run("OpenStartsAPayment", func(t *testing.T) {
		h := MustHarness(t, Options{})
		status, page, imp := h.open(h.window("pay_w", 12345))
		if status != http.StatusOK || imp == "" {
			t.Fatalf("GET window = %d, imp_uid %q", status, imp)
		}
		for _, want := range []string{`<html lang="ko">`, "포트원 V1 (아임포트) 샌드박스 — 실제 돈은 오가지 않습니다", `rel="icon"`, "12,345원", "Americano x2", "pay_w",
			`name="action" value="approve"`, `name="action" value="cancel"`, `name="action" value="fail"`} {
			if !strings.Contains(page, want) {
				t.Errorf("window does not show %q", want)
			}
		}
		got := h.payment(imp)
		if got.Str(t, "status") != "ready" || got.Int(t, "started_at") != h.Clock.Now().Unix() || got.Int(t, "paid_at") != 0 {
			t.Errorf("payment after opening = %v", got)
		}
	})

	t.Run("Approve", func(t *testing.T) {
		s := newSink(t)
		h := MustHarness(t, Options{NoticeURL: s.URL})
		w := h.window("pay_a", 5000)
		_, _, imp := h.open(w)
		q := h.returned(h.press(w, imp, actionApprove))
		want := url.Values{"imp_uid": {imp}, "merchant_uid": {"pay_a"}, "imp_success": {"true"}}
		if !reflect.DeepEqual(q, want) {
			t.Errorf("return query = %v, want %v", q, want)
		}
		got := h.payment(imp)
		if got.Str(t, "status") != "paid" || got.Int(t, "paid_at") != h.Clock.Now().Unix() ||
			got.Str(t, "card_name") == "" || got.Int(t, "card_type") != 0 || got.Str(t, "pg_provider") != "html5_inicis" {
			t.Errorf("payment after approve = %v", got)
		}
		n := s.next(t)
		if !reflect.DeepEqual(n, map[string]any{"imp_uid": imp, "merchant_uid": "pay_a", "status": "paid"}) {
			t.Errorf("webhook = %v", n)
		}
		// The back button and a second submit cannot pay twice.
		if resp := h.press(w, imp, actionApprove); resp.StatusCode != http.StatusConflict {
			t.Errorf("second approve = %d, want 409", resp.StatusCode)
		}
	})

	for _, tt := range []struct {
		action, code, reason string
	}{
		{actionCancel, "", reasonCancel},
		{actionFail, codeDeclined, reasonDeclined},
	} {
		t.Run("Leave/"+tt.action, func(t *testing.T) {
			s := newSink(t)
			h := MustHarness(t, Options{NoticeURL: s.URL})
			w := h.window("pay_l", 5000)
			_, _, imp := h.open(w)
			q := h.returned(h.press(w, imp, tt.action))
			want := url.Values{"imp_uid": {imp}, "merchant_uid": {"pay_l"}, "imp_success": {"false"}, "error_msg": {tt.reason}}
			if tt.code != "" {
				want.Set("error_code", tt.code)
			}
			if !reflect.DeepEqual(q, want) {
				t.Errorf("return query = %v, want %v", q, want)
			}
			got := h.payment(imp)
			if got.Str(t, "status") != "failed" || got.Str(t, "fail_reason") != tt.reason || got.Int(t, "failed_at") == 0 {
				t.Errorf("payment = %v", got)
			}
			s.none(t) // PortOne sends no webhook for a failure
			// The order can still be paid in a new window.
			if _, _, again := h.open(w); again == "" || again == imp {
				t.Errorf("a new window after %s: imp_uid %q", tt.action, again)
			}
		})
	}

	t.Run("BlockedByPrepare", func(t *testing.T) {
		h := MustHarness(t, Options{})
		h.mustOK(http.MethodPost, "/payments/prepare", map[string]any{"merchant_uid": "pay_p", "amount": 10000})
		w := h.window("pay_p", 100) // a tampered amount
		status, page, imp := h.open(w)
		if status != http.StatusOK || imp != "" || !strings.Contains(page, "결제창을 열 수 없습니다") ||
			!strings.Contains(page, `value="return"`) || strings.Contains(page, `value="approve"`) {
			t.Fatalf("blocked window = %d, imp_uid %q:\n%s", status, imp, page)
		}
		for _, action := range []string{actionReturn, actionApprove} {
			q := h.returned(h.press(w, "", action))
			if q.Get("imp_success") != "false" || q.Get("error_code") != codeBlocked || q.Get("merchant_uid") != "pay_p" ||
				q.Get("error_msg") == "" || q.Has("imp_uid") {
				t.Errorf("%s on a blocked window returned %v", action, q)
			}
		}
		h.call(http.MethodGet, "/payments/find/pay_p", nil).wantError(t, http.StatusNotFound, -1)
		// The registered amount opens it.
		if _, _, imp := h.open(h.window("pay_p", 10000)); imp == "" {
			t.Error("the pre-registered amount did not open the window")
		}
	})

	t.Run("BlockedWhenPaid", func(t *testing.T) {
		h := MustHarness(t, Options{})
		w := h.window("pay_twice", 1000)
		_, _, earlier := h.open(w) // a second tab, opened before paying
		h.MustPaid("pay_twice", 1000)
		if _, page, imp := h.open(w); imp != "" || !strings.Contains(page, "이미 결제가 완료된") {
			t.Errorf("a paid order's window opened again (imp_uid %q)", imp)
		}
		if q := h.returned(h.press(w, earlier, actionApprove)); q.Get("error_code") != codeBlocked {
			t.Errorf("paying the earlier tab returned %v, want it blocked", q)
		}
		if got := h.payment(earlier).Str(t, "status"); got != "ready" {
			t.Errorf("earlier tab's payment = %s, want ready: an order is paid once", got)
		}
	})

	t.Run("BadParameters", func(t *testing.T) {
		h := MustHarness(t, Options{})
		for name, w := range map[string]string{
			"no amount":        h.window("pay_b", 0),
			"no merchant_uid":  h.window("", 1000),
			"long merchant":    h.window(strings.Repeat("m", 41), 1000),
			"decimal amount":   strings.Replace(h.window("pay_b", 1000), "amount=1000", "amount=1000.5", 1),
			"long pay_method":  h.window("pay_b", 1000, "pay_method", strings.Repeat("x", 21)),
			"negative amount":  h.window("pay_b", -5),
			"amount not a num": strings.Replace(h.window("pay_b", 1000), "amount=1000", "amount=abc", 1),
		} {
			t.Run(name, func(t *testing.T) {
				if _, _, imp := h.open(w); imp != "" {
					t.Errorf("window opened")
				}
				if q := h.returned(h.press(w, "", actionApprove)); q.Get("error_code") != codeBlocked {
					t.Errorf("return = %v", q)
				}
			})
		}
		for name, redirect := range map[string]string{"none": "", "relative": "/return", "javascript": "javascript:alert(1)"} {
			t.Run("m_redirect_url "+name, func(t *testing.T) {
				w := h.window("pay_b", 1000, "m_redirect_url", redirect)
				if status, _, imp := h.open(w); status != http.StatusBadRequest || imp != "" {
					t.Errorf("GET = %d, imp_uid %q; want 400", status, imp)
				}
				if resp := h.press(w, "", actionApprove); resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
					t.Errorf("POST = %d to %q; want 400 and no redirect", resp.StatusCode, resp.Header.Get("Location"))
				}
			})
		}
	})

	t.Run("Forms", func(t *testing.T) {
		h := MustHarness(t, Options{})
		w := h.window("pay_x", 3000, "pg", "kcp.A52CY")
		// A POST without opening first starts the payment itself.
		q := h.returned(h.press(w, "", actionApprove))
		got := h.payment(q.Get("imp_uid"))
		if got.Str(t, "pg_provider") != "kcp" || got.Str(t, "pg_id") != "A52CY" || got.Str(t, "status") != "paid" {
			t.Errorf("payment = %v", got)
		}
		if resp := h.press(h.window("pay_y", 3000), "", "dance"); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("unknown action = %d, want 400", resp.StatusCode)
		}
		// Another order's imp_uid cannot be paid through this window.
		_, _, other := h.open(h.window("pay_z", 3000))
		if resp := h.press(h.window("pay_y", 3000), other, actionApprove); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("foreign imp_uid = %d, want 400", resp.StatusCode)
		}
		if h.payment(other).Str(t, "status") != "ready" {
			t.Error("the foreign payment changed")
		}
		req, _ := http.NewRequest(http.MethodPut, w, nil)
		if resp, _ := h.Browse(req); resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("PUT window = %d", resp.StatusCode)
		}
	})

	t.Run("Receipt", func(t *testing.T) {
		h := MustHarness(t, Options{})
		imp := h.MustPaid("pay_rc", 4321)
		resp, b := h.Page(h.payment(imp).Str(t, "receipt_url"), nil)
		if resp.StatusCode != http.StatusOK || !strings.Contains(b, "4,321") || !strings.Contains(b, imp) {
			t.Errorf("receipt = %d:\n%s", resp.StatusCode, b)
		}
		if resp, _ := h.Page(h.URL("/receipt/imp_000000000000"), nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("unknown receipt = %d", resp.StatusCode)
		}
	})
}
