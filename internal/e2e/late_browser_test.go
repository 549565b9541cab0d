package e2e_test

import (
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/service"
)

// Ensure a buyer who pays in a PortOne window after paybridge expired the
// payment comes back to a page that says the late charge was refunded,
// never that nothing was charged, and that the money did go back.
func TestBrowser_LateChargeRefunded(t *testing.T) {
	a, b := startWithBrowser(t, "ko-KR,ko", func(c *config.Config) { c.SandboxWebhooks = false })

	p, err := a.Service.CreatePayment(t.Context(), payment.DefaultMerchantID, service.CreateInput{
		Provider: payment.ProviderPortOne, Channel: payment.ChannelDemo, OrderID: "late-1", OrderName: "아메리카노",
		CustomerID: "buyer-ko", Amount: 12000, Quantity: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	a.Service.SetNow(func() time.Time { return time.Now().Add(16 * time.Minute) })
	if _, err := a.Service.Sweep(t.Context()); err != nil {
		t.Fatal(err)
	}
	a.Service.SetNow(time.Now)
	if got := findPayment(t, a, p.ID); got.Status != payment.StatusExpired {
		t.Fatalf("status = %s, want expired", got.Status)
	}

	// The window was still open: the buyer pays, and comes back.
	b.navigate(p.RedirectPC)
	b.waitFor("the PortOne sandbox window", "document.querySelector('"+approveButton+"')")
	b.click(approveButton)
	resultPage(t, b, "expired")
	body := b.text("body")
	if !strings.Contains(body, "환불했습니다") || strings.Contains(body, "청구된 금액은 없습니다") {
		t.Errorf("the result page does not say the late charge was refunded:\n%s", body)
	}
	b.screenshot("ko-late-charge-refunded")
	if got := findPayment(t, a, p.ID); got.FailureCode != "late_charge_refunded" || a.PortOneSandbox.Calls("cancel") != 1 {
		t.Errorf("payment %s %q, cancel calls %d", got.Status, got.FailureCode, a.PortOneSandbox.Calls("cancel"))
	}
}
