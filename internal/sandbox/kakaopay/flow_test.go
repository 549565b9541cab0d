package kakaopay

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

var (
	tidPattern  = regexp.MustCompile(`^T[0-9]{19}$`)
	aidPattern  = regexp.MustCompile(`^A[0-9]{19}$`)
	amountNames = []string{"total", "tax_free", "vat", "point", "discount", "green_deposit"}
)

// wantAmount checks that the amount object at path has all six fields and
// the given total, tax_free and vat.
func wantAmount(t *testing.T, m obj, path string, total, taxFree, vat int64) {
	t.Helper()
	for _, f := range amountNames {
		m.Int(t, path+"."+f) // fails if missing or not an integer
	}
	got := [3]int64{m.Int(t, path+".total"), m.Int(t, path+".tax_free"), m.Int(t, path+".vat")}
	if got != [3]int64{total, taxFree, vat} {
		t.Fatalf("%s = %v (total, tax_free, vat); want %v", path, got, [3]int64{total, taxFree, vat})
	}
}

func TestSandbox_FullFlow(t *testing.T) {
	for _, g := range gens {
		t.Run(g.name, func(t *testing.T) {
			h := MustHarness(t, Options{})

			// ready
			r := h.mustOK(g.gen, opReady, readyBody(nil))
			tid := r.Str(t, "tid")
			if !tidPattern.MatchString(tid) {
				t.Fatalf("tid %q: want T + 19 digits", tid)
			}
			pc := h.Srv.URL + mount + "/checkout/" + tid
			for path, want := range map[string]string{
				"next_redirect_pc_url":     pc,
				"next_redirect_mobile_url": pc + "?device=mobile",
				"next_redirect_app_url":    pc + "?device=app",
				"android_app_scheme":       "kakaotalk://kakaopay/pg?url=" + url.QueryEscape(pc+"?device=mobile"),
				"ios_app_scheme":           "kakaotalk://kakaopay/pg?url=" + url.QueryEscape(pc+"?device=mobile"),
				"created_at":               "2025-03-01T10:02:03", // 01:02:03 UTC in KST, no offset
			} {
				if got := r.Str(t, path); got != want {
					t.Errorf("%s = %q, want %q", path, got, want)
				}
			}
			if r["tms_result"] != false {
				t.Errorf("tms_result = %v, want false", r["tms_result"])
			}
			if got := h.order(g.gen, tid); got.Str(t, "status") != statusReady || got["approved_at"] != nil {
				t.Fatalf("after ready: %v", got)
			}

			// The buyer opens the page and approves.
			page := h.page(http.MethodGet, tid, nil)
			html, _ := io.ReadAll(page.Body)
			for _, want := range []string{`<html lang="ko">`, "카카오페이 샌드박스 — 실제 돈은 오가지 않습니다", "커피 &lt;b&gt;", "11,000원", `value="approve"`, `value="cancel"`, `value="fail"`} {
				if !strings.Contains(string(html), want) {
					t.Errorf("page lacks %q", want)
				}
			}
			if got := h.order(g.gen, tid).Str(t, "status"); got != statusOpenPayment {
				t.Fatalf("after opening the page: status %s, want OPEN_PAYMENT", got)
			}
			resp := h.page(http.MethodPost, tid, url.Values{"action": {"approve"}})
			loc := resp.Header.Get("Location")
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "https://shop.example/pay/ok?order=42&note=a%20b&pg_token=") {
				t.Fatalf("buyer approve: %d Location %q; want 303 keeping the approval_url query", resp.StatusCode, loc)
			}
			token := strings.TrimPrefix(loc, "https://shop.example/pay/ok?order=42&note=a%20b&pg_token=")
			if got := h.order(g.gen, tid).Str(t, "status"); got != statusAuthPassword {
				t.Fatalf("after the buyer approved: status %s, want AUTH_PASSWORD", got)
			}

			// approve
			h.Clock.Advance(time.Minute)
			a := h.mustOK(g.gen, opApprove, approveBody(tid, token))
			if !aidPattern.MatchString(a.Str(t, "aid")) {
				t.Errorf("aid %q: want A + 19 digits", a.Str(t, "aid"))
			}
			for path, want := range map[string]string{
				"tid": tid, "cid": "TC0ONETIME", "partner_order_id": "order-1", "partner_user_id": "user-1",
				"payment_method_type": "MONEY", "item_name": "커피 <b>",
				"created_at": "2025-03-01T10:02:03", "approved_at": "2025-03-01T10:03:03",
			} {
				if got := a.Str(t, path); got != want {
					t.Errorf("approve %s = %q, want %q", path, got, want)
				}
			}
			wantAmount(t, a, "amount", 11000, 0, 1000)
			if a.Int(t, "quantity") != 2 {
				t.Errorf("quantity = %d, want 2", a.Int(t, "quantity"))
			}
			if _, ok := a["card_info"]; ok {
				t.Errorf("card_info present for a MONEY payment")
			}
			o := h.order(g.gen, tid)
			if o.Str(t, "status") != statusSuccess || o.Str(t, "payment_action_details.0.payment_action_type") != "PAYMENT" {
				t.Fatalf("after approve: %v", o)
			}
			wantAmount(t, o, "cancel_available_amount", 11000, 0, 1000)

			// Partial cancel, then the rest.
			c := h.mustOK(g.gen, opCancel, map[string]any{"cid": "TC0ONETIME", "tid": tid,
				"cancel_amount": 4000, "cancel_tax_free_amount": 0, "cancel_available_amount": 11000})
			if c.Str(t, "status") != statusPartCancel {
				t.Fatalf("partial cancel: status %s", c.Str(t, "status"))
			}
			wantAmount(t, c, "amount", 11000, 0, 1000)
			wantAmount(t, c, "approved_cancel_amount", 4000, 0, 364)
			wantAmount(t, c, "canceled_amount", 4000, 0, 364)
			wantAmount(t, c, "cancel_available_amount", 7000, 0, 636)
			c = h.mustOK(g.gen, opCancel, map[string]any{"cid": "TC0ONETIME", "tid": tid,
				"cancel_amount": 7000, "cancel_tax_free_amount": 0, "cancel_available_amount": 7000})
			if c.Str(t, "status") != statusCancel {
				t.Fatalf("final cancel: status %s", c.Str(t, "status"))
			}
			wantAmount(t, c, "canceled_amount", 11000, 0, 1000)
			wantAmount(t, c, "cancel_available_amount", 0, 0, 0)

			o = h.order(g.gen, tid)
			if o.Str(t, "status") != statusCancel || o.Str(t, "canceled_at") == "" {
				t.Fatalf("after the final cancel: %v", o)
			}
			var kinds []string
			for _, i := range []string{"0", "1", "2"} {
				kinds = append(kinds, o.Str(t, "payment_action_details."+i+".payment_action_type"))
			}
			if strings.Join(kinds, ",") != "PAYMENT,CANCEL,CANCEL" {
				t.Errorf("payment_action_details types = %v", kinds)
			}
			if o.Int(t, "payment_action_details.1.amount") != 4000 {
				t.Errorf("first cancel action amount = %d, want 4000", o.Int(t, "payment_action_details.1.amount"))
			}
		})
	}
}

func TestSandbox_CardPayment(t *testing.T) {
	h := MustHarness(t, Options{})
	tid := h.MustReady(current, map[string]any{"install_month": 3})
	tok := h.MustBuyerApprove(tid, methodCard)
	a := h.mustOK(current, opApprove, approveBody(tid, tok))
	if a.Str(t, "payment_method_type") != "CARD" || a.Str(t, "card_info.install_month") != "03" {
		t.Fatalf("approve: %v", a)
	}
	for _, f := range []string{"kakaopay_purchase_corp", "kakaopay_purchase_corp_code", "kakaopay_issuer_corp",
		"kakaopay_issuer_corp_code", "bin", "card_type", "approved_id", "card_mid", "interest_free_install",
		"installment_type", "card_item_code"} {
		a.Str(t, "card_info."+f)
	}
	o := h.order(current, tid)
	if o.Str(t, "selected_card_info.card_bin") == "" || o.Int(t, "selected_card_info.install_month") != 3 {
		t.Fatalf("order selected_card_info: %v", o["selected_card_info"])
	}
}

// A payment created on one generation is the same payment on the other, as
// at KakaoPay: only the transport differs.
func TestSandbox_GenerationsShareState(t *testing.T) {
	h := MustHarness(t, Options{})
	tid := h.MustPaid(legacy, nil)
	if got := h.order(current, tid).Str(t, "status"); got != statusSuccess {
		t.Fatalf("status via the current API = %s", got)
	}
}
