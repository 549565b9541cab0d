package e2e_test

import (
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
)

// Ensure each provider's flow runs end to end in the demo shop: choose the
// provider, pay in its sandbox window, and land on a result page that says
// paid, with the stored payment agreeing.
func TestBrowser_DemoShopEachProvider(t *testing.T) {
	a, b := startWithBrowser(t, "en-US,en")
	for _, prov := range []string{"portone", "iamport", "toss"} {
		t.Run(prov, func(t *testing.T) {
			b.navigate(a.Config.PublicURL + "/")
			b.waitFor("the demo shop", "document.querySelector('#provider-"+prov+"')")
			b.fill("#buyer", "buyer-7", "#product", "Latte", "#price", "5000", "#quantity", "3")
			b.click("#provider-" + prov)
			b.click("#pay")
			b.waitFor("the "+prov+" sandbox window", "document.querySelector('"+approveButton+"')")
			if s := b.text("body"); !strings.Contains(s, "15,000") || !strings.Contains(s, "Latte") {
				t.Fatalf("%s window shows %q, want Latte for 15,000", prov, s)
			}
			b.click(approveButton)
			resultPage(t, b, "paid")
			if s := b.attr("#provider", "data-provider"); s != prov {
				t.Fatalf("#provider is %q, want %s", s, prov)
			}
			wantLabel := map[string]string{"portone": "PortOne V2 paymentId", "iamport": "PortOne V1 imp_uid", "toss": "Toss Payments paymentKey"}[prov]
			if s := b.text("#tid-label"); s != wantLabel {
				t.Fatalf("the provider id is labelled %q, want %q", s, wantLabel)
			}
			p := findPayment(t, a, b.text("#payment-id"))
			if p.Status != payment.StatusPaid || p.Provider != prov || p.Amount != 15000 || p.ProviderTID == "" {
				t.Fatalf("stored payment: %s %s %d tid %q", p.Status, p.Provider, p.Amount, p.ProviderTID)
			}
			b.screenshot("demo-shop-" + prov)
		})
	}
}
