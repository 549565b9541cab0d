package e2e_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/provider/kakaopay"
	sbkakaopay "github.com/paybridge/paybridge/internal/sandbox/kakaopay"
	"github.com/paybridge/paybridge/internal/secretbox"
)

// Ensure a buyer paying through a live-mode paybridge (KakaoPay with live
// credentials; a standalone KakaoPay sandbox plays KakaoPay) ends on a
// result page with no sandbox banner and no link to a demo shop that live
// mode does not mount.
func TestBrowser_LiveModeResultPage(t *testing.T) {
	chromium := chromiumPath(t)
	kp := httptest.NewServer(sbkakaopay.New(sbkakaopay.Options{}))
	defer kp.Close()
	// Live mode needs its public URL up front: take a free port for it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	a := apptest.Start(t, func(c *config.Config) {
		c.Mode = config.ModeLive
		c.Addr = "127.0.0.1:" + strconv.Itoa(port)
		c.PublicURL = "http://127.0.0.1:" + strconv.Itoa(port)
		c.SecretKey = secretbox.NewKeyText()
		config.Put(c, kakaopay.Settings{SecretKey: "PRD-live", CID: "CPLIVE0001", BaseURL: kp.URL})
	}).Live()
	req, _ := http.NewRequest("POST", a.URL()+"/v1/payments", strings.NewReader(
		`{"provider":"kakaopay","order_id":"live-1","order_name":"Latte","amount":4500,"quantity":1,"customer_id":"c-1"}`))
	req.Header.Set("Authorization", "Bearer "+a.Key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || !strings.Contains(string(b), `"livemode":true`) {
		t.Fatalf("create: %d %s", resp.StatusCode, b)
	}
	redirect := between(string(b), `"redirect_url":"`, `"`)

	br := startBrowser(t, chromium)
	br.navigate(redirect)
	br.waitFor("KakaoPay's buyer page", "document.querySelector('"+approveButton+"')")
	br.click(approveButton)
	br.waitFor("the result page", "document.querySelector('#status')")
	if s := br.attr("#status", "data-status"); s != "paid" {
		t.Fatalf("#status is %q", s)
	}
	if eval[bool](br, `document.querySelector(".sandbox") !== null || document.querySelector('a[href="/"]') !== null`) {
		t.Fatalf("the live result page has a sandbox banner or a link to the demo shop: %q", br.text("body"))
	}
	br.screenshot("live-mode-result")
}

func between(s, start, end string) string {
	_, after, _ := strings.Cut(s, start)
	v, _, _ := strings.Cut(after, end)
	return v
}
