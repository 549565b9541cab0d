package toss

import (
	"net/http"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/sandbox"
	"github.com/paybridge/paybridge/internal/sandbox/sandboxtest"
	"github.com/paybridge/paybridge/internal/testutil"
)

// Toss publishes no schema of its own (the OpenAPI files that circulate are
// unofficial and have at least one path wrong), so the sandbox's answers are
// compared with the documentation's Payment object, recorded here: field
// names and JSON types must agree (testutil.ShapeDiff).
//
// Sources: https://docs.tosspayments.com/reference#payment-객체 (the Payment
// object of version 2022-11-16, its card, cancels[], failure, receipt and
// checkout members, and the confirm response sample) and
// https://docs.tosspayments.com/reference/error-codes (the error body
// {code, message}).
const (
	examplePayment = `{
  "mId": "tosspayments",
  "lastTransactionKey": "9C62B18EEF0DE3EB7F4422EB6D14BC6E",
  "paymentKey": "5EnNZRJGvaBX7zk2yd8ydw26XvwXkLrx9POLqKQjmAw4b0e1",
  "orderId": "a4CWyWY5m89PNh7xJwhk1",
  "orderName": "토스 티셔츠 외 2건",
  "taxExemptionAmount": 0,
  "status": "DONE",
  "requestedAt": "2024-02-13T12:17:57+09:00",
  "approvedAt": "2024-02-13T12:18:14+09:00",
  "useEscrow": false,
  "cultureExpense": false,
  "card": {
    "issuerCode": "71", "acquirerCode": "71", "number": "12345678****000*", "installmentPlanMonths": 0,
    "isInterestFree": false, "interestPayer": null, "approveNo": "00000000", "useCardPoint": false,
    "cardType": "신용", "ownerType": "개인", "acquireStatus": "READY", "amount": 1000
  },
  "virtualAccount": null,
  "transfer": null,
  "mobilePhone": null,
  "giftCertificate": null,
  "cashReceipt": null,
  "cashReceipts": null,
  "discount": null,
  "cancels": [{
    "transactionKey": "090A796806E726BBB929F4A2CA7DB9A7", "cancelReason": "테스트 결제 취소",
    "taxExemptionAmount": 0, "canceledAt": "2024-02-13T12:20:23+09:00", "cardDiscountAmount": 0,
    "transferDiscountAmount": 0, "easyPayDiscountAmount": 0, "receiptKey": null, "cancelAmount": 1000,
    "taxFreeAmount": 0, "refundableAmount": 0, "cancelStatus": "DONE", "cancelRequestId": null
  }],
  "secret": null,
  "type": "NORMAL",
  "easyPay": {"provider": "토스페이", "amount": 0, "discountAmount": 0},
  "country": "KR",
  "failure": {"code": "REJECT_CARD_COMPANY", "message": "카드사에서 거절한 결제입니다."},
  "isPartialCancelable": true,
  "receipt": {"url": "https://dashboard.tosspayments.com/receipt/redirection?transactionId=tviva20240213121757MvuS8&ref=PX"},
  "checkout": {"url": "https://api.tosspayments.com/v1/payments/5EnNZRJGvaBX7zk2yd8ydw26XvwXkLrx9POLqKQjmAw4b0e1/checkout"},
  "currency": "KRW",
  "totalAmount": 1000,
  "balanceAmount": 1000,
  "suppliedAmount": 909,
  "vat": 91,
  "taxFreeAmount": 0,
  "metadata": null,
  "method": "카드",
  "version": "2022-11-16"
}`
	exampleError = `{"code": "NOT_FOUND_PAYMENT", "message": "존재하지 않는 결제 정보 입니다."}`
)

// TestSandbox_MatchesDocumentedExamples compares every route's answer,
// success (each status the sandbox produces) and errors, with the
// documented Payment object and error body.
func TestSandbox_MatchesDocumentedExamples(t *testing.T) {
	h := MustHarness(t, Options{ConfirmWindow: 10 * time.Minute})
	check := func(name, example string, wantOK bool, status int, got []byte) {
		t.Helper()
		if (status == http.StatusOK) != wantOK {
			t.Errorf("%s: answer %d %s", name, status, got)
			return
		}
		for _, d := range testutil.ShapeDiff([]byte(example), got) {
			t.Errorf("%s: %s\n%s", name, d, got)
		}
	}
	call := func(method, path string, body any) (int, []byte) {
		t.Helper()
		return h.do(h.request(method, path, body))
	}

	orderID, key := h.MustAuthenticate(12000, nil)
	status, b := call(http.MethodGet, "/v1/payments/"+key, nil)
	check("get IN_PROGRESS", examplePayment, true, status, b)
	status, b = call(http.MethodPost, "/v1/payments/confirm", confirmBody(key, orderID, 11000))
	check("confirm wrong amount", exampleError, false, status, b)
	status, b = call(http.MethodPost, "/v1/payments/confirm", confirmBody(key, orderID, 12000))
	check("confirm", examplePayment, true, status, b)
	status, b = call(http.MethodPost, "/v1/payments/confirm", confirmBody(key, orderID, 12000))
	check("confirm twice", exampleError, false, status, b)
	status, b = call(http.MethodPost, "/v1/payments/confirm", confirmBody("tgen_none", orderID, 12000))
	check("confirm unknown", exampleError, false, status, b)
	status, b = call(http.MethodPost, "/v1/payments/confirm", map[string]any{"paymentKey": key})
	check("confirm invalid", exampleError, false, status, b)
	status, b = call(http.MethodGet, "/v1/payments/orders/"+orderID, nil)
	check("get by orderId", examplePayment, true, status, b)
	status, b = call(http.MethodGet, "/v1/payments/orders/pay_no_such_order", nil)
	check("get by orderId unknown", exampleError, false, status, b)

	o2, k2 := h.MustAuthenticate(5000, nil)
	status, b = call(http.MethodPost, "/v1/payments/"+k2, map[string]any{"orderId": o2, "amount": 5000})
	check("earlier confirm path", examplePayment, true, status, b)

	status, b = call(http.MethodPost, "/v1/payments/"+key+"/cancel", map[string]any{"cancelReason": "one", "cancelAmount": 2000})
	check("cancel part", examplePayment, true, status, b)
	status, b = call(http.MethodPost, "/v1/payments/"+key+"/cancel", map[string]any{"cancelReason": "rest"})
	check("cancel rest", examplePayment, true, status, b)
	status, b = call(http.MethodPost, "/v1/payments/"+key+"/cancel", map[string]any{"cancelReason": "again"})
	check("cancel cancelled", exampleError, false, status, b)
	o3, k3 := h.MustAuthenticate(3000, nil)
	status, b = call(http.MethodPost, "/v1/payments/"+k3+"/cancel", map[string]any{"cancelReason": "x"})
	check("cancel unconfirmed", exampleError, false, status, b)
	status, b = call(http.MethodPost, "/v1/payments/"+k2+"/cancel", map[string]any{"cancelAmount": 1})
	check("cancel invalid", exampleError, false, status, b)

	h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opConfirm, Kind: sandbox.FaultDecline}})
	status, b = call(http.MethodPost, "/v1/payments/confirm", confirmBody(k3, o3, 3000))
	check("confirm declined", exampleError, false, status, b)
	status, b = call(http.MethodGet, "/v1/payments/"+k3, nil)
	check("get ABORTED", examplePayment, true, status, b)

	o4, k4 := h.MustAuthenticate(3000, nil)
	h.Clock.Advance(11 * time.Minute)
	status, b = call(http.MethodPost, "/v1/payments/confirm", confirmBody(k4, o4, 3000))
	check("confirm expired", exampleError, false, status, b)
	status, b = call(http.MethodGet, "/v1/payments/"+k4, nil)
	check("get EXPIRED", examplePayment, true, status, b)

	status, b = h.do(sandboxtest.WithAuthorization(h.request(http.MethodGet, "/v1/payments/"+key, nil), ""))
	check("no Authorization", exampleError, false, status, b)
}
