package portone

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/testutil"
)

func TestClient_Ready(t *testing.T) {
	fixed := time.Date(2024, 5, 1, 3, 0, 0, 0, time.UTC)
	t.Run("RealCredentials", func(t *testing.T) {
		f := newFake(t, replay(http.StatusOK, mustTestdata(t, "pre_register.json")))
		c := MustClient(t, f.BaseURL(), func(c *Config) { c.Now = func() time.Time { return fixed } })
		rr, err := c.Ready(context.Background(), testPayment(), testURLs)
		if err != nil {
			t.Fatal(err)
		}
		want := payment.ReadyResult{TID: testPayment().ID, CreatedAt: fixed}
		if *rr != want {
			t.Errorf("Ready = %+v, want %+v (no redirect without WindowURL: the checkout page opens the SDK)", *rr, want)
		}
	})
	t.Run("SandboxWindow", func(t *testing.T) {
		f := newFake(t, replay(http.StatusOK, mustTestdata(t, "pre_register.json")))
		c := MustClient(t, f.BaseURL(), func(c *Config) { c.WindowURL = "http://localhost:8080/sandbox/portone/" })
		p := testPayment()
		p.OrderName = "초코파이 & 우유"
		rr, err := c.Ready(context.Background(), p, testURLs)
		if err != nil {
			t.Fatal(err)
		}
		want := "http://localhost:8080/sandbox/portone/checkout?storeId=" + testStoreID +
			"&paymentId=pay_01hzx3k4m5n6p7q8r9s0t1v2w3&orderName=" + url.QueryEscape("초코파이 & 우유") +
			"&totalAmount=2200&currency=KRW&payMethod=CARD&customerId=cus_1001&redirectUrl=" + url.QueryEscape(testURLs.Approval)
		if rr.RedirectPC != want {
			t.Errorf("RedirectPC =\n %s\nwant\n %s", rr.RedirectPC, want)
		}
		if rr.RedirectMobile != want || rr.RedirectApp != want || rr.CID != "" || rr.TID != p.ID {
			t.Errorf("Ready = %+v", rr)
		}
		u, _ := url.Parse(rr.RedirectPC)
		if got := u.Query().Get("redirectUrl"); got != testURLs.Approval {
			t.Errorf("redirectUrl round-trips as %q", got)
		}
	})
	t.Run("ErrNotKRW", func(t *testing.T) {
		f := newFake(t, replay(http.StatusOK, []byte(`{}`)))
		p := testPayment()
		p.Currency = "USD"
		_, err := MustClient(t, f.BaseURL()).Ready(context.Background(), p, testURLs)
		testutil.AssertCode(t, err, payment.EINVALID)
		if f.Calls() != 0 {
			t.Errorf("calls = %d, want 0", f.Calls())
		}
	})
	for _, tt := range []struct {
		name   string
		status int
		body   []byte
		code   string
	}{
		{"ErrAlreadyPaid", http.StatusConflict, mustTestdata(t, "error_already_paid.json"), payment.EINVALID},
		{"ErrNotJSON", http.StatusOK, []byte(`<html>ok</html>`), payment.EUPSTREAM},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, replay(tt.status, tt.body))
			_, err := MustClient(t, f.BaseURL()).Ready(context.Background(), testPayment(), testURLs)
			testutil.AssertCode(t, err, tt.code)
		})
	}
}

func TestClient_ParseReturn(t *testing.T) {
	testutil.CheckParseReturn(t, MustClient(t, "http://unused").ParseReturn, map[string]payment.Return{
		"paymentId=pay_1&transactionType=PAYMENT&txId=tx-1":               {Success: true, OrderID: "pay_1"},
		"payment_id=pay_x&paymentId=pay_1":                                {Success: true, OrderID: "pay_1"},
		"paymentId=pay_1&code=FAILURE_TYPE_PG&message=%EC%B7%A8%EC%86%8C": {OrderID: "pay_1", ErrorCode: "FAILURE_TYPE_PG", ErrorMessage: "취소"},
		"code=FAILURE_TYPE_PG&message=x":                                  {ErrorCode: "FAILURE_TYPE_PG", ErrorMessage: "x"},
		"":                                                                {},
		"paymentId=":                                                      {},
	})
}

// TestClient_Lookup checks the translation of every documented Payment union
// member, and of one this adapter does not know.
func TestClient_Lookup(t *testing.T) {
	kst := time.FixedZone("KST", 9*60*60)
	paidAt := time.Date(2024, 5, 1, 3, 1, 2, 345e6, time.UTC)
	tests := []struct {
		file string
		edit func([]byte) []byte
		want payment.ProviderPayment
	}{
		{file: "payment_paid.json", want: payment.ProviderPayment{
			State: payment.ProviderPaid, RawStatus: "PAID", Amount: 2200, CancelableAmount: 2200,
			MethodType: "CARD", ApprovalID: "018f3a2b-7c4d-7e5f-8a9b-0c1d2e3f4a5b", ApprovedAt: paidAt,
		}},
		{file: "payment_ready.json", want: payment.ProviderPayment{
			State: payment.ProviderPending, RawStatus: "READY", Amount: 2200,
			ApprovalID: "018f3a2b-7c4d-7e5f-8a9b-0c1d2e3f4a5b",
		}},
		{file: "payment_pay_pending.json", want: payment.ProviderPayment{
			State: payment.ProviderPending, RawStatus: "PAY_PENDING", Amount: 2200, MethodType: "EASY_PAY",
			ApprovalID: "018f3a2b-7c4d-7e5f-8a9b-0c1d2e3f4a5b",
		}},
		{file: "payment_pay_pending.json", edit: setStatus("PENDING"), want: payment.ProviderPayment{
			State: payment.ProviderPending, RawStatus: "PENDING", Amount: 2200, MethodType: "EASY_PAY",
			ApprovalID: "018f3a2b-7c4d-7e5f-8a9b-0c1d2e3f4a5b",
		}},
		{file: "payment_virtual_account_issued.json", want: payment.ProviderPayment{
			State: payment.ProviderPending, RawStatus: "VIRTUAL_ACCOUNT_ISSUED", Amount: 2200, MethodType: "VIRTUAL_ACCOUNT",
			ApprovalID: "018f3a2b-7c4d-7e5f-8a9b-0c1d2e3f4a5b",
		}},
		{file: "payment_failed.json", want: payment.ProviderPayment{
			State: payment.ProviderFailed, RawStatus: "FAILED", Amount: 2200,
			ApprovalID: "018f3a2b-7c4d-7e5f-8a9b-0c1d2e3f4a5b",
			// failure's pgCode and pgMessage are kept; this pgCode is the buyer cancelling.
			FailureCode: "PAY_PROCESS_CANCELED", FailureMessage: "사용자에 의해 결제가 취소되었습니다.", BuyerCanceled: true,
		}},
		{file: "payment_partial_cancelled.json", want: payment.ProviderPayment{
			State: payment.ProviderPartiallyCanceled, RawStatus: "PARTIAL_CANCELLED", Amount: 2200,
			CanceledAmount: 1000, CancelableAmount: 1200, MethodType: "CARD",
			ApprovalID: "018f3a2b-7c4d-7e5f-8a9b-0c1d2e3f4a5b",
			ApprovedAt: time.Date(2024, 5, 1, 12, 1, 2, 345e6, kst),
			CanceledAt: time.Date(2024, 5, 2, 10, 0, 0, 0, kst),
			CreatedAt:  time.Date(2024, 5, 1, 12, 0, 0, 0, kst),
		}},
		{file: "payment_cancelled.json", want: payment.ProviderPayment{
			State: payment.ProviderCanceled, RawStatus: "CANCELLED", Amount: 2200, CanceledAmount: 2200,
			MethodType: "CARD", ApprovalID: "018f3a2b-7c4d-7e5f-8a9b-0c1d2e3f4a5b", ApprovedAt: paidAt,
			CanceledAt: time.Date(2024, 5, 2, 2, 0, 0, 0, time.UTC),
		}},
		{file: "payment_paid.json", edit: setStatus("PAID_BUT_REVIEWED"), want: payment.ProviderPayment{
			State: payment.ProviderUnknown, RawStatus: "PAID_BUT_REVIEWED", Amount: 2200,
			MethodType: "CARD", ApprovalID: "018f3a2b-7c4d-7e5f-8a9b-0c1d2e3f4a5b", ApprovedAt: paidAt,
		}},
	}
	for _, tt := range tests {
		name := strings.TrimSuffix(tt.file, ".json") + "/" + tt.want.RawStatus
		t.Run(name, func(t *testing.T) {
			body := mustTestdata(t, tt.file)
			if tt.edit != nil {
				body = tt.edit(body)
			}
			f := newFake(t, replay(http.StatusOK, body))
			got, err := MustClient(t, f.BaseURL()).Lookup(context.Background(), testPayment())
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			want.TID, want.OrderID, want.CustomerID, want.ItemName = testPayment().ID, testPayment().ID, "cus_1001", "초코파이"
			want.TaxFreeKnown = true // amount.taxFree is required by PortOne's schema
			want.Currency = "KRW"    // every fixture's currency
			if want.CreatedAt.IsZero() {
				want.CreatedAt = time.Date(2024, 5, 1, 3, 0, 0, 0, time.UTC)
			}
			if !equalPP(*got, want) {
				t.Errorf("Lookup =\n %+v\nwant\n %+v", *got, want)
			}
		})
	}
}

// equalPP compares ProviderPayments, times by instant.
func equalPP(a, b payment.ProviderPayment) bool {
	if !a.CreatedAt.Equal(b.CreatedAt) || !a.ApprovedAt.Equal(b.ApprovedAt) || !a.CanceledAt.Equal(b.CanceledAt) {
		return false
	}
	a.CreatedAt, a.ApprovedAt, a.CanceledAt = time.Time{}, time.Time{}, time.Time{}
	b.CreatedAt, b.ApprovedAt, b.CanceledAt = time.Time{}, time.Time{}, time.Time{}
	// Raw, the answer's body, is checked by TestRawAnswer.
	a.Raw, b.Raw = nil, nil
	return reflect.DeepEqual(a, b)
}

// setStatus rewrites the status of a Payment testdata file.
func setStatus(status string) func([]byte) []byte {
	return func(b []byte) []byte {
		for _, s := range []string{"PAID", "PAY_PENDING"} {
			b = bytes.Replace(b, []byte(`"status": "`+s+`"`), []byte(`"status": "`+status+`"`), 1)
		}
		return b
	}
}

func TestClient_LookupIDs(t *testing.T) {
	t.Run("ProviderTIDFirst", func(t *testing.T) {
		var rec recorder
		f := newFake(t, testutil.RecordPathAndReplay(&rec, wireRequest.path, http.StatusOK, mustTestdata(t, "payment_paid.json")))
		c := MustClient(t, f.BaseURL())
		p := testPayment()
		p.ProviderTID = "pay_tid"
		if _, err := c.Lookup(context.Background(), p); err != nil {
			t.Fatal(err)
		}
		p.ProviderTID = ""
		if _, err := c.Lookup(context.Background(), p); err != nil {
			t.Fatal(err)
		}
		if got := rec.All(); len(got) != 2 || got[0] != "/payments/pay_tid" || got[1] != "/payments/"+p.ID {
			t.Errorf("paths = %q, want ProviderTID, then the payment id", got)
		}
	})
	t.Run("ApproveUsesOwnID", func(t *testing.T) {
		// The return's paymentId is the browser's word; Approve verifies
		// paybridge's own payment, whatever the return claims.
		var rec recorder
		f := newFake(t, testutil.RecordPathAndReplay(&rec, wireRequest.path, http.StatusOK, mustTestdata(t, "payment_paid.json")))
		p := testPayment()
		p.ProviderTID = ""
		_, err := MustClient(t, f.BaseURL()).Approve(context.Background(), p, payment.Return{Success: true, OrderID: "pay_someone_elses"})
		if err != nil {
			t.Fatal(err)
		}
		if got := rec.All(); len(got) != 1 || got[0] != "/payments/"+p.ID {
			t.Errorf("paths = %q, want only /payments/%s", got, p.ID)
		}
	})
	t.Run("NotFoundIsPending", func(t *testing.T) {
		for _, call := range []string{"Lookup", "Approve"} {
			f := newFake(t, replay(http.StatusNotFound, mustTestdata(t, "error_payment_not_found.json")))
			c := MustClient(t, f.BaseURL())
			var got *payment.ProviderPayment
			var err error
			if call == "Lookup" {
				got, err = c.Lookup(context.Background(), testPayment())
			} else {
				got, err = c.Approve(context.Background(), testPayment(), payment.Return{Success: true})
			}
			if err != nil {
				t.Fatalf("%s: %v", call, err)
			}
			if want := (payment.ProviderPayment{State: payment.ProviderPending, RawStatus: "NOT_FOUND"}); !reflect.DeepEqual(*got, want) {
				t.Errorf("%s = %+v, want %+v", call, *got, want)
			}
			if f.Calls() != 1 {
				t.Errorf("%s: calls = %d, want 1 (a 404 is an answer, not a failure)", call, f.Calls())
			}
		}
	})
	t.Run("ErrForeign404", func(t *testing.T) {
		// A 404 that is not PortOne's PAYMENT_NOT_FOUND (a wrong base URL,
		// a proxy) must not read as "the buyer has not started".
		for _, body := range []string{`<html>404</html>`, `{"type":"NOT_FOUND","message":"no route"}`} {
			f := newFake(t, replay(http.StatusNotFound, []byte(body)))
			_, err := MustClient(t, f.BaseURL()).Lookup(context.Background(), testPayment())
			testutil.AssertCode(t, err, payment.EUPSTREAM)
		}
	})
}

// TestClient_LookupUnreadable checks that a 200 without the fields money
// depends on is an unknown outcome, never a zero amount.
func TestClient_LookupUnreadable(t *testing.T) {
	paid := string(mustTestdata(t, "payment_paid.json"))
	tests := map[string]string{
		"NoTotal":         strings.Replace(paid, `"total": 2200,`, ``, 1),
		"NoAmount":        `{"status":"PAID","id":"pay_1"}`,
		"NoStatus":        strings.Replace(paid, `"status": "PAID",`, ``, 1),
		"TotalAsString":   strings.Replace(paid, `"total": 2200`, `"total": "2200"`, 1),
		"TotalFractional": strings.Replace(paid, `"total": 2200`, `"total": 2200.5`, 1),
		"NotJSON":         `PAID`,
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			f := newFake(t, replay(http.StatusOK, []byte(body)))
			_, err := MustClient(t, f.BaseURL()).Lookup(context.Background(), testPayment())
			testutil.AssertCode(t, err, payment.EUPSTREAM)
		})
	}
	t.Run("TolerantElsewhere", func(t *testing.T) {
		// Informational fields of an unexpected shape, and unknown fields,
		// must not make a paid payment unreadable.
		body := strings.Replace(paid, `"customer": {`, `"newField": {"x": [1,2]}, "customer": {`, 1)
		body = strings.Replace(body, `"paidAt": "2024-05-01T03:01:02.345Z"`, `"paidAt": "yesterday"`, 1)
		body = strings.Replace(body, `"transactionId": "018f3a2b-7c4d-7e5f-8a9b-0c1d2e3f4a5b"`, `"transactionId": 12345`, 1)
		body = strings.Replace(body, `"method": {`, `"method": "CARD", "oldMethod": {`, 1)
		f := newFake(t, replay(http.StatusOK, []byte(body)))
		got, err := MustClient(t, f.BaseURL()).Lookup(context.Background(), testPayment())
		if err != nil {
			t.Fatal(err)
		}
		if got.State != payment.ProviderPaid || got.Amount != 2200 || !got.ApprovedAt.IsZero() || got.ApprovalID != "12345" || got.MethodType != "" {
			t.Errorf("Lookup = %+v", got)
		}
	})
}

func TestClient_Cancel(t *testing.T) {
	req := payment.CancelRequest{Amount: 1000, Cancelable: 2200, Reason: "size"}
	t.Run("Succeeded", func(t *testing.T) {
		var rec recorder
		f := newFake(t, func(w http.ResponseWriter, _ *http.Request, r wireRequest) {
			rec.Add(r.Method + " " + r.Path)
			if r.Method == http.MethodPost {
				testutil.Reply(w, http.StatusOK, mustTestdata(t, "cancel_succeeded.json"))
				return
			}
			testutil.Reply(w, http.StatusOK, mustTestdata(t, "payment_partial_cancelled.json"))
		})
		got, err := MustClient(t, f.BaseURL()).Cancel(context.Background(), testPayment(), req)
		if err != nil {
			t.Fatal(err)
		}
		id := testPayment().ID
		if calls := rec.All(); len(calls) != 2 || calls[0] != "POST /payments/"+id+"/cancel" || calls[1] != "GET /payments/"+id {
			t.Errorf("calls = %q, want the cancel, then one lookup", calls)
		}
		if got.State != payment.ProviderPartiallyCanceled || got.RawStatus != "PARTIAL_CANCELLED" ||
			got.CanceledAmount != 1000 || got.CancelableAmount != 1200 || got.ApprovalID != "cancellation-7b1e2c3d" ||
			got.CanceledAt.IsZero() {
			t.Errorf("Cancel = %+v", got)
		}
	})
	t.Run("SucceededLookupFails", func(t *testing.T) {
		f := newFake(t, func(w http.ResponseWriter, _ *http.Request, r wireRequest) {
			if r.Method == http.MethodPost {
				testutil.Reply(w, http.StatusOK, mustTestdata(t, "cancel_succeeded.json"))
				return
			}
			testutil.Reply(w, http.StatusServiceUnavailable, []byte(`{"type":"INTERNAL","message":"down"}`))
		})
		_, err := MustClient(t, f.BaseURL()).Cancel(context.Background(), testPayment(), req)
		testutil.AssertCode(t, err, payment.EUPSTREAM)
		if f.Calls() != 4 {
			t.Errorf("calls = %d, want 1 cancel + 3 lookups", f.Calls())
		}
		if pe := payment.AsProviderError(err); pe == nil || pe.Code != "SUCCEEDED" {
			t.Errorf("ProviderError = %+v, want the cancellation's status", pe)
		}
	})
	t.Run("Requested", func(t *testing.T) {
		f := newFake(t, replay(http.StatusOK, mustTestdata(t, "cancel_requested.json")))
		_, err := MustClient(t, f.BaseURL()).Cancel(context.Background(), testPayment(), req)
		testutil.AssertCode(t, err, payment.EUPSTREAM)
		if msg := payment.ErrorMessage(err); !strings.Contains(msg, "accepted the refund but has not completed it") {
			t.Errorf("message %q", msg)
		}
		if f.Calls() != 1 {
			t.Errorf("calls = %d, want 1: no lookup, the service settles it", f.Calls())
		}
	})
	t.Run("Failed", func(t *testing.T) {
		f := newFake(t, replay(http.StatusOK, mustTestdata(t, "cancel_failed.json")))
		_, err := MustClient(t, f.BaseURL()).Cancel(context.Background(), testPayment(), req)
		testutil.AssertCode(t, err, payment.EDECLINED)
		if pe := payment.AsProviderError(err); pe == nil || pe.Code != "FAILED" || pe.Provider != "portone" {
			t.Errorf("ProviderError = %+v", pe)
		}
	})
	for name, body := range map[string]string{
		"UnknownStatus":  `{"cancellation":{"status":"QUEUED","id":"c1","totalAmount":1000,"taxFreeAmount":0,"vatAmount":91,"reason":"x","requestedAt":"2024-05-02T01:00:00Z"}}`,
		"NoCancellation": `{}`,
		"NotJSON":        `ok`,
	} {
		t.Run("Err"+name, func(t *testing.T) {
			f := newFake(t, replay(http.StatusOK, []byte(body)))
			_, err := MustClient(t, f.BaseURL()).Cancel(context.Background(), testPayment(), req)
			testutil.AssertCode(t, err, payment.EUPSTREAM)
		})
	}
	t.Run("ErrZeroAmount", func(t *testing.T) {
		// An omitted amount is a full refund at PortOne; a zero one must
		// never go out.
		f := newFake(t, replay(http.StatusOK, mustTestdata(t, "cancel_succeeded.json")))
		_, err := MustClient(t, f.BaseURL()).Cancel(context.Background(), testPayment(), payment.CancelRequest{Cancelable: 2200})
		testutil.AssertCode(t, err, payment.EINVALID)
		if f.Calls() != 0 {
			t.Errorf("calls = %d, want 0", f.Calls())
		}
	})
}

// Ensure a payment PortOne reports on a TEST channel never verifies as paid
// unless test payments are accepted: it moved no money, and with live
// credentials it would otherwise become a livemode payment.
func TestClient_TestChannelPaymentRefused(t *testing.T) {
	body := mustTestdata(t, "payment_paid.json")
	if !strings.Contains(string(body), `"TEST"`) {
		t.Fatal("the recorded payment is not on a test channel")
	}
	f := newFake(t, replay(http.StatusOK, body))
	got, err := MustClient(t, f.BaseURL(), func(c *Config) { c.AcceptTestPayments = false }).Lookup(context.Background(), testPayment())
	if err != nil {
		t.Fatal(err)
	}
	if got.State != payment.ProviderFailed || !strings.Contains(got.RawStatus, "test channel") || got.CancelableAmount != 0 {
		t.Fatalf("a test-channel payment with live credentials: %+v", got)
	}
	live := strings.Replace(string(body), `"TEST"`, `"LIVE"`, 1)
	f = newFake(t, replay(http.StatusOK, []byte(live)))
	got, err = MustClient(t, f.BaseURL(), func(c *Config) { c.AcceptTestPayments = false }).Lookup(context.Background(), testPayment())
	if err != nil || got.State != payment.ProviderPaid {
		t.Fatalf("a live-channel payment: %+v, %v", got, err)
	}
}
