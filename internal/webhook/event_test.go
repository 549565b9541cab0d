package webhook_test

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/webhook"
)

// TestRenderEvent_Golden pins the bytes of outbound event bodies, one per
// provider's way of naming its id, with and without a failure, a ready
// payment's redirect URLs, HTML-looking text (not escaped), refunds and
// times in another zone. testdata/event_bodies.golden was rendered by
// httpapi.RenderEvent before the renderer moved here: a shop verifying
// signatures over stored bodies, or comparing them, sees no change.
func TestRenderEvent_Golden(t *testing.T) {
	want, err := os.ReadFile("testdata/event_bodies.golden")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 9, 0, 0, 123456000, time.FixedZone("KST", 9*3600))
	var got bytes.Buffer
	for _, p := range goldenPayments(now) {
		cs := []*payment.Cancellation{{ID: "can_1", Amount: 100, TaxFreeAmount: 10, Reason: "<r&>", Status: payment.CancellationFailed,
			FailureCode: "provider_declined", FailureMessage: "no", CreatedAt: now}}
		b, err := webhook.RenderEvent("evt_1", payment.EventPaymentPaid, p, cs, now)
		if err != nil {
			t.Fatal(err)
		}
		got.Write(b)
		got.WriteByte('\n')
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Fatalf("event bodies changed:\ngot:\n%s\nwant:\n%s", got.Bytes(), want)
	}
}

// goldenPayments are a ready Toss payment and a partly refunded payment of
// each other provider.
func goldenPayments(now time.Time) []*payment.Payment {
	ready := &payment.Payment{ID: "pay_1", MerchantID: "mer_1", Provider: payment.ProviderToss, Status: payment.StatusReady,
		Livemode: true, OrderID: "o-1", OrderName: "책 <1>", CustomerID: "c&1", Amount: 1000, Quantity: 2, TaxFreeAmount: 100,
		Currency: "KRW", ProviderTID: "tk_1", ProviderCID: "CID", ProviderOrderID: "pay_1", ProviderUserID: "u",
		RedirectPC: "https://x/pc?a=1&b=2", RedirectMobile: "https://x/m", RedirectApp: "app://x",
		SuccessURL: "https://shop/ok", FailURL: "https://shop/fail", CancelURL: "https://shop/cancel",
		ExpiresAt: now.Add(time.Hour), CreatedAt: now, UpdatedAt: now}
	paid := *ready
	paid.Provider, paid.Status, paid.ApprovedAt, paid.CanceledAt, paid.ProviderApprovalID = payment.ProviderIamport, payment.StatusPartiallyCanceled, now, now, "A1"
	paid.FailureCode, paid.FailureMessage, paid.ProviderErrorCode, paid.ProviderErrorMessage = "x", "y", "-1", "z"
	paid.ProviderMethodType, paid.CanceledAmount, paid.CanceledTaxFreeAmount, paid.ProviderStatus = "MONEY", 100, 10, "PAID"
	v2 := paid
	v2.Provider, v2.Livemode = payment.ProviderPortOne, false
	kakao := paid
	kakao.Provider, kakao.FailureCode, kakao.ProviderErrorCode, kakao.ProviderErrorMessage = payment.ProviderKakaoPay, "", "", ""
	return []*payment.Payment{ready, &paid, &v2, &kakao}
}
