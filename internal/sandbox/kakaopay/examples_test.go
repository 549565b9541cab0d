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
// the examples and field tables of KakaoPay's documentation, recorded as
// testdata/example_*.json: field names and JSON types must agree
// (testutil.ShapeDiff).
//
// Sources: https://developers.kakaopay.com/docs/payment/online/single-payment
// (current API: request and response tables and samples of ready, approve,
// cancel and order) and https://developers.kakao.com/docs/latest/ko/kakaopay/single-payment
// (the legacy API, the same fields); error bodies from
// https://developers.kakaopay.com/docs/payment/online/common (error_code,
// error_message, extras) and the legacy {code, msg, extras}.

// Fields the documentation's tables name but its samples leave out.
var exampleOptional = []string{"item_code", "payload", "card_info", "selected_card_info", "extras"}

// TestSandbox_MatchesDocumentedExamples compares every route's answer,
// success and errors, in both generations, with the documented examples.
func TestSandbox_MatchesDocumentedExamples(t *testing.T) {
	for _, g := range gens {
		t.Run(g.name, func(t *testing.T) {
			h := MustHarness(t, Options{})
			errExample := "example_error_current.json"
			if g.gen == legacy {
				errExample = "example_error_legacy.json"
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
			check := func(name, exampleFile string, wantOK bool, status int, got []byte) {
				t.Helper()
				if (status == http.StatusOK) != wantOK {
					t.Errorf("%s: answer %d %s", name, status, got)
					return
				}
				for _, d := range testutil.ShapeDiff(testutil.MustTestdata(t, exampleFile), got, exampleOptional...) {
					t.Errorf("%s: %s\n%s", name, d, got)
				}
			}

			status, b := send(opReady, readyBody(nil))
			check("ready", "example_ready.json", true, status, b)
			tid := h.MustReady(g.gen, nil)
			tok := h.MustBuyerApprove(tid, methodCard)
			status, b = send(opApprove, approveBody(tid, tok))
			check("approve (card)", "example_approve_card.json", true, status, b)
			status, b = send(opOrder, map[string]any{"cid": "TC0ONETIME", "tid": tid})
			check("order (paid)", "example_order.json", true, status, b)
			status, b = send(opCancel, map[string]any{"cid": "TC0ONETIME", "tid": tid, "cancel_amount": 1000, "cancel_tax_free_amount": 0})
			check("cancel (part)", "example_cancel.json", true, status, b)
			status, b = send(opOrder, map[string]any{"cid": "TC0ONETIME", "tid": tid})
			check("order (part-cancelled)", "example_order.json", true, status, b)
			ready := h.MustReady(g.gen, nil)
			status, b = send(opOrder, map[string]any{"cid": "TC0ONETIME", "tid": ready})
			check("order (ready)", "example_order.json", true, status, b)

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
