package kakaopay

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/paybridge/paybridge/internal/sandbox"
	"github.com/paybridge/paybridge/internal/testutil"
)

// KakaoPay publishes no schema, so the sandbox's answers are compared with
// the examples and field tables of KakaoPay's documentation, recorded here:
// field names and JSON types must agree (testutil.ShapeDiff).
//
// Sources: https://developers.kakaopay.com/docs/payment/online/single-payment
// (current API: request and response tables and samples of ready, approve,
// cancel and order) and https://developers.kakao.com/docs/latest/ko/kakaopay/single-payment
// (the legacy API, the same fields); error bodies from
// https://developers.kakaopay.com/docs/payment/online/common (error_code,
// error_message, extras) and the legacy {code, msg, extras}.
const (
	exampleReady = `{
  "tid": "T1234567890123456789",
  "tms_result": false,
  "created_at": "2016-11-15T21:18:22",
  "next_redirect_app_url": "https://online-pay.kakao.com/mockup/v1/0a5e7e1b/aInfo",
  "next_redirect_mobile_url": "https://online-pay.kakao.com/mockup/v1/0a5e7e1b/mInfo",
  "next_redirect_pc_url": "https://online-pay.kakao.com/mockup/v1/0a5e7e1b/info",
  "android_app_scheme": "kakaotalk://kakaopay/pg?url=https://online-pay.kakao.com/pay/mockup/0a5e7e1b",
  "ios_app_scheme": "kakaotalk://kakaopay/pg?url=https://online-pay.kakao.com/pay/mockup/0a5e7e1b"
}`
	exampleApproveCard = `{
  "aid": "A5678901234567890123",
  "tid": "T1234567890123456789",
  "cid": "TC0ONETIME",
  "partner_order_id": "partner_order_id",
  "partner_user_id": "partner_user_id",
  "payment_method_type": "CARD",
  "item_name": "초코파이",
  "quantity": 1,
  "amount": {"total": 2200, "tax_free": 0, "vat": 200, "point": 0, "discount": 0, "green_deposit": 0},
  "card_info": {
    "kakaopay_purchase_corp": "비씨카드", "kakaopay_purchase_corp_code": "104",
    "kakaopay_issuer_corp": "수협은행", "kakaopay_issuer_corp_code": "212",
    "bin": "621640", "card_type": "체크", "install_month": "00", "approved_id": "28569586",
    "card_mid": "123456789", "interest_free_install": "N", "installment_type": "CARD_INSTALLMENT",
    "card_item_code": ""
  },
  "created_at": "2016-11-15T21:18:22",
  "approved_at": "2016-11-15T21:20:47"
}`
	exampleCancel = `{
  "aid": "A5678901234567890123",
  "tid": "T1234567890123456789",
  "cid": "TC0ONETIME",
  "status": "CANCEL_PAYMENT",
  "partner_order_id": "partner_order_id",
  "partner_user_id": "partner_user_id",
  "payment_method_type": "MONEY",
  "item_name": "초코파이",
  "quantity": 1,
  "amount": {"total": 2200, "tax_free": 0, "vat": 200, "point": 0, "discount": 0, "green_deposit": 0},
  "approved_cancel_amount": {"total": 2200, "tax_free": 0, "vat": 200, "point": 0, "discount": 0, "green_deposit": 0},
  "canceled_amount": {"total": 2200, "tax_free": 0, "vat": 200, "point": 0, "discount": 0, "green_deposit": 0},
  "cancel_available_amount": {"total": 0, "tax_free": 0, "vat": 0, "point": 0, "discount": 0, "green_deposit": 0},
  "created_at": "2016-11-15T21:18:22",
  "approved_at": "2016-11-15T21:20:47",
  "canceled_at": "2016-11-15T21:21:23"
}`
	exampleOrder = `{
  "tid": "T1234567890123456789",
  "cid": "TC0ONETIME",
  "status": "SUCCESS_PAYMENT",
  "partner_order_id": "partner_order_id",
  "partner_user_id": "partner_user_id",
  "payment_method_type": "CARD",
  "item_name": "초코파이",
  "quantity": 1,
  "amount": {"total": 2200, "tax_free": 0, "vat": 200, "point": 0, "discount": 0, "green_deposit": 0},
  "canceled_amount": {"total": 0, "tax_free": 0, "vat": 0, "point": 0, "discount": 0, "green_deposit": 0},
  "cancel_available_amount": {"total": 2200, "tax_free": 0, "vat": 200, "point": 0, "discount": 0, "green_deposit": 0},
  "created_at": "2016-11-15T21:18:22",
  "approved_at": "2016-11-15T21:20:47",
  "canceled_at": null,
  "selected_card_info": {"card_bin": "621640", "install_month": 0, "installment_type": "CARD_INSTALLMENT",
    "card_corp_name": "비씨카드", "interest_free_install": "N"},
  "payment_action_details": [{"aid": "A5678901234567890123", "approved_at": "2016-11-15T21:20:47",
    "amount": 2200, "point_amount": 0, "discount_amount": 0, "green_deposit": 0,
    "payment_action_type": "PAYMENT", "payload": ""}]
}`
	exampleErrorCurrent = `{"error_code": -780, "error_message": "approval failure!",
  "extras": {"method_result_code": "USER_LOCKED", "method_result_message": "진행중인 거래가 있습니다. 잠시 후 다시 시도해 주세요."}}`
	exampleErrorLegacy = `{"code": -780, "msg": "approval failure!",
  "extras": {"method_result_code": "USER_LOCKED", "method_result_message": "진행중인 거래가 있습니다. 잠시 후 다시 시도해 주세요."}}`
)

// Fields the documentation's tables name but its samples leave out.
var exampleOptional = []string{"item_code", "payload", "card_info", "selected_card_info", "extras"}

// TestSandbox_MatchesDocumentedExamples compares every route's answer,
// success and errors, in both generations, with the documented examples.
func TestSandbox_MatchesDocumentedExamples(t *testing.T) {
	for _, g := range gens {
		t.Run(g.name, func(t *testing.T) {
			h := MustHarness(t, Options{})
			errExample := exampleErrorCurrent
			if g.gen == legacy {
				errExample = exampleErrorLegacy
			}
			send := func(op string, body map[string]any) (int, []byte) {
				t.Helper()
				resp, err := http.DefaultClient.Do(h.request(g.gen, op, body))
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, b
			}
			check := func(name, example string, wantOK bool, status int, got []byte) {
				t.Helper()
				if (status == http.StatusOK) != wantOK {
					t.Errorf("%s: answer %d %s", name, status, got)
					return
				}
				for _, d := range testutil.ShapeDiff([]byte(example), got, exampleOptional...) {
					t.Errorf("%s: %s\n%s", name, d, got)
				}
			}

			status, b := send(opReady, readyBody(nil))
			check("ready", exampleReady, true, status, b)
			tid := h.MustReady(g.gen, nil)
			tok := h.MustBuyerApprove(tid, methodCard)
			status, b = send(opApprove, approveBody(tid, tok))
			check("approve (card)", exampleApproveCard, true, status, b)
			status, b = send(opOrder, map[string]any{"cid": "TC0ONETIME", "tid": tid})
			check("order (paid)", exampleOrder, true, status, b)
			status, b = send(opCancel, map[string]any{"cid": "TC0ONETIME", "tid": tid, "cancel_amount": 1000, "cancel_tax_free_amount": 0})
			check("cancel (part)", exampleCancel, true, status, b)
			status, b = send(opOrder, map[string]any{"cid": "TC0ONETIME", "tid": tid})
			check("order (part-cancelled)", exampleOrder, true, status, b)
			ready := h.MustReady(g.gen, nil)
			status, b = send(opOrder, map[string]any{"cid": "TC0ONETIME", "tid": ready})
			check("order (ready)", exampleOrder, true, status, b)

			status, b = send(opReady, readyBody(map[string]any{"total_amount": nil}))
			check("ready invalid", errExample, false, status, b)
			status, b = send(opApprove, approveBody(ready, "wrong-token-00000000"))
			check("approve wrong pg_token", errExample, false, status, b)
			status, b = send(opApprove, approveBody(tid, tok))
			check("approve twice", errExample, false, status, b)
			h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opApprove, Kind: sandbox.FaultDecline}})
			tid2 := h.MustReady(g.gen, nil)
			status, b = send(opApprove, approveBody(tid2, h.MustBuyerApprove(tid2, methodMoney)))
			check("approve declined", errExample, false, status, b)
			status, b = send(opCancel, map[string]any{"cid": "TC0ONETIME", "tid": tid, "cancel_amount": 99999, "cancel_tax_free_amount": 0})
			check("cancel too much", errExample, false, status, b)
			status, b = send(opOrder, map[string]any{"cid": "TC0ONETIME", "tid": "T0000000000000000000"})
			check("order unknown", errExample, false, status, b)
			req := h.request(g.gen, opOrder, map[string]any{"cid": "TC0ONETIME", "tid": tid})
			req.Header.Del("Authorization")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			check("no Authorization", errExample, false, resp.StatusCode, bytes.TrimSpace(b))
		})
	}
}
