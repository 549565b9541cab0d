package e2e_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Ensure the demo shop's form is refused, with a page that says what to do,
// when its CSRF cookie is gone (as for a form another site made a browser
// post), and that reloading the shop makes it work again.
func TestBrowser_DemoShopCSRF(t *testing.T) {
	a, b := startWithBrowser(t, "en-US,en")

	b.navigate(a.Config.PublicURL + "/")
	b.fill("#buyer", "buyer-7", "#product", "Latte", "#price", "5000", "#quantity", "1")
	b.do("drop the cookies", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{})
		return err
	}))
	b.click("#pay")
	b.waitFor("the refusal", "document.querySelector('.error')")
	if s := b.text(".error"); !strings.Contains(s, "reload the page") && !strings.Contains(s, "새로 고친") {
		t.Fatalf("refusal says %q", s)
	}
	b.screenshot("demo-shop-csrf-refused")
	if n := a.KakaoPaySandbox.Calls("ready"); n != 0 {
		t.Fatalf("a refused checkout called KakaoPay %d times", n)
	}

	checkoutAtDemoShop(t, b, a, "5000", "1")
	b.waitFor("the sandbox buyer page", "document.querySelector('"+approveButton+"')")
}
