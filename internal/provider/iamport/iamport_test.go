package iamport

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/testutil"
)

// TestClient_Ready checks pre-registration, including a retried Ready.
func TestClient_Ready(t *testing.T) {
	t.Run("Registered", func(t *testing.T) {
		f := newFake(t, replayFile(t, "prepare.json"))
		clock := testutil.NewClock(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
		got, err := MustClient(t, f.BaseURL(), func(c *Config) { c.Now = clock.Now }).Ready(context.Background(), testPayment(), testURLs)
		if err != nil {
			t.Fatal(err)
		}
		// No imp_uid before the buyer pays, no CID, and no redirect with
		// real credentials: paybridge's checkout page opens the SDK.
		if want := (payment.ReadyResult{CreatedAt: clock.Now()}); !reflect.DeepEqual(*got, want) {
			t.Errorf("Ready = %+v, want %+v", got, want)
		}
	})

	// PortOne refuses a second prepare of a merchant_uid; Ready reads the
	// registration back and decides by its amount.
	retried := func(t *testing.T, registration string) (*payment.ReadyResult, error, *fakePortOne) {
		var paths recorder
		f := newFake(t, func(w http.ResponseWriter, _ *http.Request, req wireRequest) {
			paths.Add(req.Method + " " + req.Path)
			if req.Method == http.MethodPost {
				testutil.Reply(w, http.StatusOK, mustTestdata(t, "prepare_duplicate.json"))
				return
			}
			testutil.Reply(w, http.StatusOK, mustTestdata(t, registration))
		})
		rr, err := MustClient(t, f.BaseURL()).Ready(context.Background(), testPayment(), testURLs)
		if want := []string{"POST /payments/prepare", "GET /payments/prepare/" + testID}; !reflect.DeepEqual(paths.All(), want) {
			t.Errorf("requests = %v, want %v", paths.All(), want)
		}
		return rr, err, f
	}
	t.Run("RetriedSameAmount", func(t *testing.T) {
		if _, err, _ := retried(t, "prepare.json"); err != nil {
			t.Fatalf("a retried Ready with the same amount must succeed: %v", err)
		}
	})
	t.Run("ErrRetriedOtherAmount", func(t *testing.T) {
		_, err, _ := retried(t, "prepare_other_amount.json")
		testutil.AssertCode(t, err, payment.EINVALID)
		pe := payment.AsProviderError(err)
		if pe == nil || pe.Code != "1" || pe.Detail != "merchant_uid pre-registered with amount 1000" {
			t.Errorf("ProviderError = %+v", pe)
		}
	})
	t.Run("ErrAnswerWithOtherAmount", func(t *testing.T) {
		f := newFake(t, replayFile(t, "prepare_other_amount.json"))
		_, err := MustClient(t, f.BaseURL()).Ready(context.Background(), testPayment(), testURLs)
		testutil.AssertCode(t, err, payment.EINVALID)
	})
}

// TestClient_ParseReturn checks the redirect query, in both generations of
// parameter names.
func TestClient_ParseReturn(t *testing.T) {
	testutil.CheckParseReturn(t, MustClient(t, "http://127.0.0.1:1").ParseReturn, map[string]payment.Return{
		"imp_uid=imp_1&merchant_uid=" + testID + "&imp_success=true": {Success: true, TID: "imp_1", OrderID: testID},
		"imp_uid=imp_1&merchant_uid=" + testID + "&imp_success=false&error_code=F1001&error_msg=%EA%B1%B0%EC%A0%88": {
			TID: "imp_1", OrderID: testID, ErrorCode: "F1001", ErrorMessage: "거절"},
		"imp_uid=imp_1&merchant_uid=m&success=true": {Success: true, TID: "imp_1", OrderID: "m"},
		"imp_uid=imp_1&success=false":               {TID: "imp_1"},
		// imp_success is the current name and wins over the older one.
		"imp_success=false&success=true": {},
		"imp_success=TRUE":               {Success: true},
		"imp_success=1":                  {},
		"":                               {},
	})
}

// kst is only used to write the expected times readably.
var kst = time.FixedZone("KST", 9*60*60)

// paid is the translation of testdata/payment_paid.json.
func paid() payment.ProviderPayment {
	return payment.ProviderPayment{
		TID:              testImpUID,
		OrderID:          testID,
		CustomerID:       "cus_1001",
		State:            payment.ProviderPaid,
		RawStatus:        "paid",
		Amount:           2200,
		CancelableAmount: 2200,
		Currency:         "KRW",
		MethodType:       "card",
		ApprovalID:       "30028651",
		ItemName:         "초코파이",
		CreatedAt:        time.Date(2023, 11, 15, 7, 13, 20, 0, kst),
		ApprovedAt:       time.Date(2023, 11, 15, 7, 14, 20, 0, kst),
	}
}

// TestClient_Lookup checks the translation of every status the testdata
// holds, through Lookup and Approve alike.
func TestClient_Lookup(t *testing.T) {
	tests := []struct {
		file string
		want func() payment.ProviderPayment
	}{
		{"payment_paid.json", paid},
		{"payment_ready.json", func() payment.ProviderPayment {
			w := paid()
			w.State, w.RawStatus, w.ApprovalID, w.ApprovedAt = payment.ProviderPending, "ready", "", time.Time{}
			w.CancelableAmount = 0 // nothing paid, nothing to refund
			return w
		}},
		{"payment_failed.json", func() payment.ProviderPayment {
			w := paid()
			w.State, w.RawStatus, w.ApprovalID, w.ApprovedAt = payment.ProviderFailed, "failed", "", time.Time{}
			w.CancelableAmount = 0
			// fail_reason is kept, and says the buyer cancelled.
			w.FailureMessage, w.BuyerCanceled = "사용자가 결제를 취소하셨습니다", true
			return w
		}},
		{"payment_partial.json", func() payment.ProviderPayment {
			w := paid()
			w.State = payment.ProviderPartiallyCanceled // V1 says paid; cancel_amount tells
			w.CanceledAmount, w.CancelableAmount = 1000, 1200
			w.CanceledAt = time.Date(2023, 11, 15, 7, 28, 20, 0, kst)
			return w
		}},
		{"payment_cancelled.json", func() payment.ProviderPayment {
			w := paid()
			w.State, w.RawStatus = payment.ProviderCanceled, "cancelled"
			w.CanceledAmount, w.CancelableAmount = 2200, 0
			w.CanceledAt = time.Date(2023, 11, 15, 7, 33, 20, 0, kst)
			return w
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f := newFake(t, replayFile(t, tt.file))
			c := MustClient(t, f.BaseURL())
			got, err := c.Lookup(context.Background(), testPayment())
			if err != nil {
				t.Fatal(err)
			}
			testutil.AssertProviderPayment(t, got, tt.want())
			got, err = c.Approve(context.Background(), testPayment(), payment.Return{Success: true, TID: testImpUID})
			if err != nil {
				t.Fatal(err)
			}
			testutil.AssertProviderPayment(t, got, tt.want())
		})
	}

	// The adapter translates and never judges: another amount or another
	// order is reported as is, for the service to catch.
	t.Run("MismatchPassedThrough", func(t *testing.T) {
		f := newFake(t, replay(http.StatusOK, []byte(`{"code":0,"message":null,"response":{"imp_uid":"imp_1","merchant_uid":"other","amount":100,"cancel_amount":0,"currency":"KRW","status":"paid","sandbox":true}}`)))
		got, err := MustClient(t, f.BaseURL()).Approve(context.Background(), testPayment(), payment.Return{Success: true, TID: "imp_1"})
		if err != nil {
			t.Fatal(err)
		}
		if got.Amount != 100 || got.OrderID != "other" || got.TID != "imp_1" || got.State != payment.ProviderPaid {
			t.Errorf("got %+v", got)
		}
	})

	t.Run("CanceledAtFromHistory", func(t *testing.T) {
		var w map[string]any
		if err := json.Unmarshal(mustTestdata(t, "payment_partial.json"), &w); err != nil {
			t.Fatal(err)
		}
		w["response"].(map[string]any)["cancelled_at"] = 0
		body, _ := json.Marshal(w)
		f := newFake(t, replay(http.StatusOK, body))
		got, err := MustClient(t, f.BaseURL()).Lookup(context.Background(), testPayment())
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Unix(1700000900, 0); !got.CanceledAt.Equal(want) {
			t.Errorf("CanceledAt = %v, want the history's %v", got.CanceledAt, want)
		}
	})
}

// TestStateOf covers every status of the schema and unknown ones.
func TestStateOf(t *testing.T) {
	tests := []struct {
		status   string
		canceled int64
		want     payment.ProviderState
	}{
		{"ready", 0, payment.ProviderPending},
		{"paid", 0, payment.ProviderPaid},
		{"paid", 1, payment.ProviderPartiallyCanceled},
		{"cancelled", 2200, payment.ProviderCanceled},
		{"failed", 0, payment.ProviderFailed},
		{"all", 0, payment.ProviderUnknown},      // the list endpoint's filter, not a status
		{"canceled", 0, payment.ProviderUnknown}, // American spelling: not PortOne's
		{"PAID", 0, payment.ProviderUnknown},     // case matters
		{"", 0, payment.ProviderUnknown},
	}
	for _, tt := range tests {
		if got := stateOf(tt.status, tt.canceled); got != tt.want {
			t.Errorf("stateOf(%q, %d) = %s, want %s", tt.status, tt.canceled, got, tt.want)
		}
	}
	t.Run("UnknownKeepsRawStatus", func(t *testing.T) {
		f := newFake(t, replay(http.StatusOK, []byte(`{"code":0,"response":{"imp_uid":"imp_1","amount":1,"status":"pending"}}`)))
		got, err := MustClient(t, f.BaseURL()).Lookup(context.Background(), testPayment())
		if err != nil {
			t.Fatal(err)
		}
		if got.State != payment.ProviderUnknown || got.RawStatus != "pending" || got.CancelableAmount != 0 {
			t.Errorf("State, RawStatus, CancelableAmount = %s, %s, %d", got.State, got.RawStatus, got.CancelableAmount)
		}
	})
}

// TestClient_Cancel checks the translation of cancel answers: cumulative
// amounts, the remainder, and this refund's id.
func TestClient_Cancel(t *testing.T) {
	tests := []struct {
		file string
		req  payment.CancelRequest
		want func() payment.ProviderPayment
	}{
		{"cancel_partial.json", payment.CancelRequest{Amount: 1000, Cancelable: 2200}, func() payment.ProviderPayment {
			w := paid()
			w.State, w.CanceledAmount, w.CancelableAmount = payment.ProviderPartiallyCanceled, 1000, 1200
			w.ApprovalID = "cancel_948271000001"
			w.CanceledAt = time.Unix(1700000900, 0)
			return w
		}},
		{"cancel_full.json", payment.CancelRequest{Amount: 1200, Cancelable: 1200}, func() payment.ProviderPayment {
			w := paid()
			w.State, w.RawStatus, w.CanceledAmount, w.CancelableAmount = payment.ProviderCanceled, "cancelled", 2200, 0
			w.ApprovalID = "cancel_948271000002" // the newest refund, not the first
			w.CanceledAt = time.Unix(1700001200, 0)
			return w
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f := newFake(t, replayFile(t, tt.file))
			got, err := MustClient(t, f.BaseURL()).Cancel(context.Background(), testPayment(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			testutil.AssertProviderPayment(t, got, tt.want())
		})
	}
}

// TestRefundID checks which cancel_history entry names the refund.
func TestRefundID(t *testing.T) {
	at := func(s int64) unixTime { return unixTime{time.Unix(s, 0)} }
	tests := []struct {
		name string
		h    []cancelRecord
		want string
	}{
		{"none", nil, ""},
		{"newest by time", []cancelRecord{{CancellationID: "c2", CancelledAt: at(20)}, {CancellationID: "c1", CancelledAt: at(10)}}, "c2"},
		{"last among equal times", []cancelRecord{{CancellationID: "c1", CancelledAt: at(10)}, {CancellationID: "c2", CancelledAt: at(10)}}, "c2"},
		{"pg_tid without cancellation_id", []cancelRecord{{PGTID: "pg1", CancelledAt: at(10)}}, "pg1"},
	}
	for _, tt := range tests {
		if got := refundID(tt.h); got != tt.want {
			t.Errorf("%s: refundID = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestWire checks the tolerant number types against what the schema's
// "number" may look like.
func TestWire(t *testing.T) {
	for in, want := range map[string]int64{`2200`: 2200, `2200.0`: 2200, `2.2e3`: 2200, `null`: 0, `-5`: -5} {
		var w won
		if err := json.Unmarshal([]byte(in), &w); err != nil || int64(w) != want {
			t.Errorf("won(%s) = %d, %v; want %d", in, w, err, want)
		}
	}
	for _, in := range []string{`2200.5`, `"2200"`, `1e300`, `true`} {
		var w won
		if err := json.Unmarshal([]byte(in), &w); err == nil {
			t.Errorf("won(%s) = %d, want an error: amounts are never rounded", in, w)
		}
	}
	var ts unixTime
	if err := json.Unmarshal([]byte(`0`), &ts); err != nil || !ts.IsZero() {
		t.Errorf("unixTime(0) = %v, %v; want the zero time", ts, err)
	}
	if err := json.Unmarshal([]byte(`1700000000`), &ts); err != nil || ts.Unix() != 1700000000 {
		t.Errorf("unixTime(1700000000) = %v, %v", ts, err)
	}
}

// TestClient_ParseWebhook checks both body encodings and the refusals.
func TestClient_ParseWebhook(t *testing.T) {
	c := MustClient(t, "http://127.0.0.1:1")
	header := func(ct string) http.Header {
		h := http.Header{}
		if ct != "" {
			h.Set("Content-Type", ct)
		}
		return h
	}
	ok := []struct {
		name, ct string
		body     []byte
	}{
		{"json", "application/json", mustTestdata(t, "webhook_paid.json")},
		{"json with charset", "application/json; charset=utf-8", mustTestdata(t, "webhook_paid.json")},
		{"form", "application/x-www-form-urlencoded", mustTestdata(t, "webhook_paid.form")},
		{"untyped json", "", mustTestdata(t, "webhook_paid.json")},
		{"untyped form", "", mustTestdata(t, "webhook_paid.form")},
	}
	for _, tt := range ok {
		t.Run(tt.name, func(t *testing.T) {
			id, err := c.ParseWebhook(header(tt.ct), tt.body)
			if err != nil || id != "order_id_8237352" {
				t.Errorf("ParseWebhook = %q, %v; want the merchant_uid", id, err)
			}
		})
	}
	bad := []struct {
		name, ct string
		body     string
		want     string
	}{
		{"no merchant_uid", "application/json", `{"imp_uid":"imp_1","status":"paid"}`, payment.EINVALID},
		{"blank merchant_uid", "application/x-www-form-urlencoded", `imp_uid=imp_1&merchant_uid=+&status=paid`, payment.EINVALID},
		{"too long", "application/json", `{"merchant_uid":"` + strings.Repeat("p", 41) + `"}`, payment.EINVALID},
		{"not json", "application/json", `imp_uid=imp_1`, payment.EINVALID},
		{"bad form", "application/x-www-form-urlencoded", `merchant_uid=%zz`, payment.EINVALID},
		{"xml", "text/xml", `<x/>`, payment.EUNSUPPORTED},
	}
	for _, tt := range bad {
		t.Run("Err/"+tt.name, func(t *testing.T) {
			_, err := c.ParseWebhook(header(tt.ct), []byte(tt.body))
			testutil.AssertCode(t, err, tt.want)
		})
	}
}
