// Browser tests: a real headless Chromium, driven with chromedp, goes through
// the demo shop and through replicas of the original sample's pages, against
// a real paybridge (apptest) and its built-in KakaoPay sandbox.
//
// They need Chromium (apt-get install -y chromium) and, for the sample pages,
// jQuery (cd internal/e2e/testdata && npm ci); without them they skip, and
// -short skips them too.
package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/testutil"
)

const (
	// browserTimeout bounds everything one test does in the browser.
	browserTimeout = 60 * time.Second
	// stepTimeout bounds one wait for a page, so a broken flow fails with a
	// description of where the browser is instead of at browserTimeout.
	stepTimeout = 20 * time.Second
)

// chromiumFlags are given to Chromium as --name. No flag may make it reach
// the network: these tests only talk to servers on loopback.
var chromiumFlags = []string{
	"headless", "no-sandbox", "disable-gpu", "disable-quic", "no-first-run",
	"disable-background-networking", "disable-component-update", "disable-sync",
	"disable-dev-shm-usage",
}

// Selectors of the sandbox buyer page (internal/sandbox/kakaopay/checkout.go).
const (
	approveButton = `button[name="action"][value="approve"]`
	cancelButton  = `button[name="action"][value="cancel"]`
)

// chromiumPath skips the test under -short or when no Chromium is installed.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test: skipped with -short")
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("headless Chromium not found: apt-get install -y chromium")
	return ""
}

// browser is one headless Chromium with one tab, closed when the test ends.
type browser struct {
	t   *testing.T
	ctx context.Context

	mu       sync.Mutex
	problems []string // dialogs and uncaught exceptions: a page went wrong
}

// startBrowser launches Chromium at path with a fresh profile, asking for
// English pages (the tests read English sentences; TestBrowser_Korean reads
// the default, Korean). Console messages go to the test log; an alert or an
// uncaught exception makes the next wait fail at once.
func startBrowser(t *testing.T, path string) *browser {
	t.Helper()
	return startBrowserLang(t, path, "en-US,en")
}

// startWithBrowser starts paybridge (its configuration changed by opts)
// and a browser whose Accept-Language is acceptLanguage; without Chromium
// the test is skipped before either starts.
func startWithBrowser(t *testing.T, acceptLanguage string, opts ...func(*config.Config)) (*apptest.App, *browser) {
	t.Helper()
	chromium := chromiumPath(t)
	return apptest.Start(t, opts...), startBrowserLang(t, chromium, acceptLanguage)
}

// startBrowserLang is startBrowser with the browser's Accept-Language.
func startBrowserLang(t *testing.T, path, acceptLanguage string) *browser {
	t.Helper()
	// Made before the cleanup below is registered, so it is removed after
	// Chromium has exited.
	profile := t.TempDir()
	timeoutCtx, cancelTimeout := context.WithTimeout(context.Background(), browserTimeout)
	out := &lockedBuffer{}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(out),
	}
	for _, f := range chromiumFlags {
		opts = append(opts, chromedp.Flag(f, true))
	}
	lang, _, _ := strings.Cut(acceptLanguage, ",")
	opts = append(opts, chromedp.Flag("lang", lang), chromedp.Flag("accept-lang", acceptLanguage))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(timeoutCtx, opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	b := &browser{t: t, ctx: ctx}
	var readers sync.WaitGroup
	t.Cleanup(func() {
		if err := chromedp.Cancel(ctx); err != nil && timeoutCtx.Err() == nil {
			t.Logf("close chromium: %v", err)
		}
		cancelTab()
		cancelAlloc() // waits for the Chromium process to exit
		cancelTimeout()
		readers.Wait()
		if t.Failed() && out.Len() > 0 {
			t.Logf("chromium output:\n%s", out.String())
		}
	})
	if err := chromedp.Do(ctx); err != nil { // starts the browser and opens the tab
		t.Fatalf("start %s: %v\n%s", path, err, out.String())
	}

	console := chromedp.Console(ctx)
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	readers.Add(2)
	go func() {
		defer readers.Done()
		for m, err := range console {
			if err != nil {
				return
			}
			if m.URL != "" {
				t.Logf("browser console: %s (%s)", m, m.URL)
			} else {
				t.Logf("browser console: %s", m)
			}
			if m.IsException() {
				b.problem("uncaught exception: " + m.String())
			}
		}
	}()
	go func() {
		defer readers.Done()
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			b.problem(fmt.Sprintf("the page opened a dialog (%s): %s", ev.Type, ev.Message))
			// A dialog blocks the page; close it so the test can report.
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	return b
}

func (b *browser) problem(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.problems = append(b.problems, s)
}

func (b *browser) problemList() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.problems...)
}

// do runs actions in the tab.
func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.fatalf("%s: %v", what, err)
	}
}

func (b *browser) navigate(u string) {
	b.t.Helper()
	b.do("open "+u, chromedp.Navigate(u))
}

// fill types values into inputs, as a person would: pairs of CSS selector
// and text, each field cleared first.
func (b *browser) fill(pairs ...string) {
	b.t.Helper()
	for i := 0; i+1 < len(pairs); i += 2 {
		sel, v := pairs[i], pairs[i+1]
		b.do("fill "+sel, chromedp.Clear(chromedp.CSS(sel)), chromedp.SendKeys(chromedp.CSS(sel), v))
	}
}

func (b *browser) click(sel string) {
	b.t.Helper()
	b.do("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// text is the visible text of the first element matching sel.
func (b *browser) text(sel string) string {
	b.t.Helper()
	// Found and read in one evaluation: a node id held between two
	// DevTools calls can go stale while a loaded page settles ("No node
	// with given id found" on a busy machine).
	q := "document.querySelector(" + strconv.Quote(sel) + ")"
	b.waitFor(sel, q)
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string]("(() => { const e = "+q+"; return e ? e.innerText : ''; })()"))
	if err != nil {
		b.fatalf("read text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// wantText reports an error unless the visible text of the first element
// matching sel is want; the test goes on, to report every field that is off.
func wantText(t *testing.T, b *browser, sel, want string) {
	t.Helper()
	if s := b.text(sel); s != want {
		t.Errorf("%s = %q, want %q", sel, s, want)
	}
}

// resultPage waits for paybridge's result page and stops the test unless
// the payment it shows is in status (its #status data-status, the API's
// word whatever the page's language).
func resultPage(t *testing.T, b *browser, status string) {
	t.Helper()
	b.waitFor("the result page", "document.querySelector('#status')")
	if s := b.attr("#status", "data-status"); s != status {
		t.Fatalf("#status is %q, want %s", s, status)
	}
}

// attr is an attribute of the first element matching sel.
func (b *browser) attr(sel, name string) string {
	b.t.Helper()
	return eval[string](b, "document.querySelector("+strconv.Quote(sel)+").getAttribute("+strconv.Quote(name)+") || ''")
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

func (b *browser) location() *url.URL {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.fatalf("read location: %v", err)
	}
	u, err := url.Parse(s)
	if err != nil {
		b.fatalf("parse location %q: %v", s, err)
	}
	return u
}

// waitFor polls until the JavaScript expression is true on the page the tab
// shows, across navigations. It fails at once when a page opened a dialog
// or threw, and after stepTimeout with a description of the page.
func (b *browser) waitFor(what, expr string) {
	b.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	js := "(() => { try { return !!(" + expr + "); } catch (e) { return false; } })()"
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		cancel()
		if err == nil && ok {
			return
		}
		if p := b.problemList(); len(p) > 0 {
			b.fatalf("waiting for %s: %s", what, strings.Join(p, "; "))
		}
		if b.ctx.Err() != nil || time.Now().After(deadline) {
			b.fatalf("gave up waiting for %s (last error: %v)", what, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// fatalf fails the test with where the browser is and what it shows.
func (b *browser) fatalf(format string, args ...any) {
	b.t.Helper()
	msg := fmt.Sprintf(format, args...)
	ctx, cancel := context.WithTimeout(b.ctx, 3*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	if len(body) > 2000 {
		body = strings.ToValidUTF8(body[:2000], "") + "…"
	}
	if p := b.problemList(); len(p) > 0 {
		msg += "\npage problems: " + strings.Join(p, "; ")
	}
	b.t.Fatalf("%s\nbrowser at %s showing:\n%s", msg, loc, body)
}

// screenshot saves a full-page PNG to $PAYBRIDGE_SCREENSHOT_DIR, or to a
// temporary directory, and logs where.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100)) // 100: PNG
	if err != nil {
		b.fatalf("screenshot: %v", err)
	}
	dir := os.Getenv("PAYBRIDGE_SCREENSHOT_DIR")
	if dir == "" {
		dir = b.t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatalf("screenshot dir: %v", err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatalf("save screenshot: %v", err)
	}
	b.t.Logf("screenshot: %s", path)
}

// lockedBuffer collects Chromium's output, written from another goroutine.
type lockedBuffer = testutil.LogBuffer

// apiPayment is the part of GET /v1/payments/{id} the tests read.
type apiPayment struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	Amount      int64  `json:"amount"`
	ProviderIDs struct {
		TID string `json:"tid"`
	} `json:"provider_ids"`
}

func getPayment(t *testing.T, a *apptest.App, id string) apiPayment {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, a.URL()+"/v1/payments/"+url.PathEscape(id), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+a.Key)
	resp, err := a.Client.Do(req)
	if err != nil {
		t.Fatalf("GET /v1/payments/%s: %v", id, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /v1/payments/%s: %d %s", id, resp.StatusCode, body)
	}
	var p apiPayment
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("GET /v1/payments/%s: %v in %s", id, err, body)
	}
	return p
}

func findPayment(t *testing.T, a *apptest.App, id string) *payment.Payment {
	t.Helper()
	p, err := a.Store.FindPaymentByID(context.Background(), id)
	if err != nil {
		t.Fatalf("find payment %s: %v", id, err)
	}
	return p
}

// onlyPayment is the one payment in the database.
func onlyPayment(t *testing.T, a *apptest.App) *payment.Payment {
	t.Helper()
	ps, err := a.Store.FindPayments(context.Background(), payment.PaymentFilter{})
	if err != nil {
		t.Fatalf("find payments: %v", err)
	}
	if len(ps) != 1 {
		t.Fatalf("the database has %d payments, want 1", len(ps))
	}
	return ps[0]
}

// checkoutAtDemoShop opens the demo shop, fills the form, pays, and waits for
// the sandbox buyer page.
func checkoutAtDemoShop(t *testing.T, b *browser, a *apptest.App, price, quantity string) {
	t.Helper()
	b.navigate(a.Config.PublicURL + "/")
	b.do("wait for the sandbox banner", chromedp.WaitVisible(chromedp.CSS(".sandbox")))
	if s := b.text(".sandbox"); !strings.Contains(s, "SANDBOX") {
		t.Fatalf("sandbox banner = %q, want it to say SANDBOX", s)
	}
	b.fill("#buyer", "buyer-42", "#product", "Americano", "#price", price, "#quantity", quantity)
	b.click("#pay")
}

// Ensure a person can buy at the demo shop: the form, the sandbox's buyer
// page, approve, and a result page that says paid, with paybridge, its API
// and the sandbox agreeing, and exactly one approve sent to KakaoPay.
func TestBrowser_DemoShopPaid(t *testing.T) {
	a, b := startWithBrowser(t, "en-US,en")

	checkoutAtDemoShop(t, b, a, "4500", "2")
	b.waitFor("the sandbox buyer page", "document.querySelector('"+approveButton+"')")
	if s := b.text("body"); !strings.Contains(s, "9,000원") || !strings.Contains(s, "Americano") {
		t.Fatalf("sandbox buyer page shows %q, want Americano for 9,000원", s)
	}
	b.click(approveButton)
	b.waitFor("the result page", "document.querySelector('#status')")

	wantText(t, b, "h1", "Your payment is complete")
	if s := b.attr("#status", "data-status"); s != "paid" {
		t.Errorf("#status is %q, want paid", s)
	}
	wantText(t, b, "#status", "Paid")
	wantText(t, b, "#amount", "9,000원")
	wantText(t, b, "#tid-label", "KakaoPay tid")
	wantText(t, b, "#item", "Americano")
	wantText(t, b, "#quantity", "2")
	if s := b.text("#approved"); s == "" || s == "—" {
		t.Errorf("#approved = %q, want the approval time", s)
	}
	tid := b.text("#tid")
	if tid == "" {
		t.Fatal("#tid is empty")
	}
	id := b.text("#payment-id")
	if loc := b.location(); loc.Path != "/pay/"+id {
		t.Errorf("browser ended at %s, want the result page /pay/%s", loc, id)
	}
	b.screenshot("demo-shop-paid")

	p := findPayment(t, a, id)
	if p.Status != payment.StatusPaid || p.Amount != 9000 || p.ProviderTID != tid || p.CustomerID != "buyer-42" {
		t.Errorf("stored payment: status %s, amount %d, tid %q, customer %q; want paid, 9000, %q, buyer-42",
			p.Status, p.Amount, p.ProviderTID, p.CustomerID, tid)
	}
	if got := getPayment(t, a, id); got.Status != "paid" || got.Amount != 9000 || got.ProviderIDs.TID != tid {
		t.Errorf("GET /v1/payments/%s = %+v, want paid, 9000, tid %s", id, got, tid)
	}
	if n := a.KakaoPaySandbox.Calls("approve"); n != 1 {
		t.Errorf("approve calls to the sandbox = %d, want 1", n)
	}
	if n := a.KakaoPaySandbox.CallsFor("approve", tid); n != 1 {
		t.Errorf("approve calls for tid %s = %d, want 1", tid, n)
	}
}

// Ensure a buyer who cancels at the provider sees "cancelled", and nothing is
// approved.
func TestBrowser_DemoShopCancel(t *testing.T) {
	a, b := startWithBrowser(t, "en-US,en")

	checkoutAtDemoShop(t, b, a, "4500", "2")
	b.waitFor("the sandbox buyer page", "document.querySelector('"+cancelButton+"')")
	b.click(cancelButton)
	b.waitFor("the result page", "document.querySelector('#status')")

	if s := b.attr("#status", "data-status"); s != "aborted" {
		t.Errorf("#status is %q, want aborted", s)
	}
	wantText(t, b, "h1", "You cancelled the payment")
	if s := b.text("body"); strings.Contains(s, "aborted") {
		t.Errorf("the page shows the buyer the status word aborted:\n%s", s)
	}
	id := b.text("#payment-id")
	if p := findPayment(t, a, id); p.Status != payment.StatusAborted {
		t.Errorf("stored payment status = %s, want aborted", p.Status)
	}
	if n := a.KakaoPaySandbox.Calls("approve"); n != 0 {
		t.Errorf("approve calls to the sandbox = %d, want 0", n)
	}
}

// Ensure a total that overflows int64 is refused on the shop page, before
// any payment exists or any call reaches KakaoPay (the original sample
// multiplied in 32-bit ints and sent whatever came out).
func TestBrowser_DemoShopOverflow(t *testing.T) {
	a, b := startWithBrowser(t, "en-US,en")

	checkoutAtDemoShop(t, b, a, "9223372036854775807", "2")
	b.waitFor("the error message", `document.querySelector('[role="alert"]')`)

	if s := b.text(`[role="alert"]`); !strings.Contains(s, "must be at most") {
		t.Errorf("error message = %q, want it to say the total must be at most the maximum", s)
	}
	if v := eval[string](b, `document.querySelector('#price').value`); v != "9223372036854775807" {
		t.Errorf("the form lost the price the buyer typed: %q", v)
	}
	if _, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS("#pay"))); err != nil {
		t.Errorf("the shop form is not shown again: %v", err)
	}
	ps, err := a.Store.FindPayments(context.Background(), payment.PaymentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 0 {
		t.Errorf("%d payments were created, want none", len(ps))
	}
	if n := a.KakaoPaySandbox.Calls("ready"); n != 0 {
		t.Errorf("ready calls to the sandbox = %d, want 0", n)
	}
}

// samplePages serves the replicas of the original sample's pages the way the
// sample's static server did (/Client/…), plus jQuery at /jquery.js, on
// loopback. It returns the pages' origin in its localhost form.
func samplePages(t *testing.T) string {
	t.Helper()
	jquery := filepath.Join("testdata", "node_modules", "jquery", "dist", "jquery.min.js")
	if _, err := os.Stat(jquery); err != nil {
		t.Skip("jQuery not installed: (cd internal/e2e/testdata && npm ci)")
	}
	pages := os.DirFS(filepath.Join("testdata", "sample", "Client"))
	mux := http.NewServeMux()
	// Each page at its own name, as the sample's static server had them
	// (http.FileServer would redirect index.html to the folder).
	mux.HandleFunc("GET /Client/{name}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		f, err := pages.Open(name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		defer f.Close()
		fi, err := f.Stat()
		rs, ok := f.(io.ReadSeeker)
		if err != nil || fi.IsDir() || !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeContent(w, r, name, fi.ModTime(), rs)
	})
	mux.HandleFunc("GET /jquery.js", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, jquery)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return "http://localhost:" + port
}

// startForSample starts paybridge as the sample's API: CORS for the pages'
// origin, and the drop-in return URLs on the pages' server; opts change
// the configuration further.
func startForSample(t *testing.T, origin string, opts ...func(*config.Config)) *apptest.App {
	t.Helper()
	return apptest.Start(t, append([]func(*config.Config){func(c *config.Config) {
		c.CORSOrigins = []string{origin}
		c.DropInSuccessURL = origin + "/Client/success.html?userId={userId}"
		c.DropInCancelURL = origin + "/Client/cancel.html"
		c.DropInFailURL = origin + "/Client/fail.html"
	}}, opts...)...)
}

// orderOnSamplePage serves the sample's pages, starts paybridge as their API
// and a browser, fills the sample's form and waits for the sandbox buyer
// page that the sample's script sends the browser to.
func orderOnSamplePage(t *testing.T, chromium string, opts ...func(*config.Config)) (*apptest.App, *browser) {
	t.Helper()
	origin := samplePages(t)
	a := startForSample(t, origin, opts...)
	b := startBrowser(t, chromium)
	b.navigate(origin + "/Client/index.html?api=" + url.QueryEscape(a.Config.PublicURL))
	if loc := b.location(); loc.Path != "/Client/index.html" {
		t.Fatalf("browser at %s, want the sample's index.html", loc)
	}
	b.waitFor("jQuery on index.html", `typeof window.jQuery === "function"`)
	b.fill("#userId", "user-7", "#product", "Latte", "#price", "5000", "#quantity", "3")
	b.click("#payBtn")
	b.waitFor("the sandbox buyer page", "document.querySelector('"+approveButton+"')")
	if s := b.text("body"); !strings.Contains(s, "15,000원") || !strings.Contains(s, "Latte") {
		t.Fatalf("sandbox buyer page shows %q, want Latte for 15,000원", s)
	}
	return a, b
}

// Ensure the original sample's own pages work unchanged against paybridge in
// a real browser: index.html's cross-origin POST /ready, the sandbox, the
// return to success.html, its POST /approve with the tid from sessionStorage,
// and the result it writes into the page; and a cancel lands on cancel.html.
// The approve runs with a server-side price list (PAYBRIDGE_DROPIN_PRICES,
// as live mode requires) that agrees with the page's price.
func TestBrowser_OriginalSamplePages(t *testing.T) {
	chromium := chromiumPath(t)

	t.Run("approve", func(t *testing.T) {
		a, b := orderOnSamplePage(t, chromium, func(c *config.Config) { c.DropInPrices = map[string]int64{"Latte": 5000} })
		b.click(approveButton)
		b.waitFor("success.html to show the result",
			`location.pathname === "/Client/success.html" && document.querySelector("#result-total").textContent !== ""`)

		loc := b.location()
		if q := loc.Query(); q.Get("userId") != "user-7" || q.Get("pg_token") == "" || q.Get("payment_id") == "" {
			t.Errorf("success page URL %s: want userId=user-7, pg_token and payment_id", loc)
		}
		wantText(t, b, "#result-total", "15000")
		wantText(t, b, "#result-item", "Latte")
		wantText(t, b, "#result-quantity", "3")
		if s := b.text("#result-approved"); len(s) != len("2006-01-02T15:04:05") {
			t.Errorf("#result-approved = %q, want KakaoPay's time format", s)
		}
		tid := b.text("#result-tid")
		if kept := eval[string](b, `sessionStorage.getItem("tid")`); kept != tid {
			t.Errorf("sessionStorage tid = %q, page shows %q", kept, tid)
		}
		b.screenshot("sample-success")

		p := onlyPayment(t, a)
		if p.ProviderTID != tid {
			t.Errorf("#result-tid = %q, want the payment's tid %q", tid, p.ProviderTID)
		}
		if p.ID != loc.Query().Get("payment_id") {
			t.Errorf("payment_id in the URL = %q, want %q", loc.Query().Get("payment_id"), p.ID)
		}
		if p.Status != payment.StatusPaid || p.Amount != 15000 || p.CustomerID != "user-7" || p.Channel != payment.ChannelDropIn {
			t.Errorf("stored payment: status %s, amount %d, customer %q, channel %s; want paid, 15000, user-7, dropin",
				p.Status, p.Amount, p.CustomerID, p.Channel)
		}
		if got := getPayment(t, a, p.ID); got.Status != "paid" || got.Amount != 15000 {
			t.Errorf("GET /v1/payments/%s = %+v, want paid, 15000", p.ID, got)
		}
		// paybridge approved when the browser came back; the page's
		// POST /approve must be answered without approving again.
		if n := a.KakaoPaySandbox.Calls("approve"); n != 1 {
			t.Errorf("approve calls to the sandbox = %d, want 1", n)
		}

		// A buyer who reloads success.html posts /approve again: the same
		// answer, and still one approve at KakaoPay.
		b.do("reload success.html", chromedp.Reload())
		b.waitFor("success.html to show the result again", `document.querySelector("#result-total").textContent !== ""`)
		wantText(t, b, "#result-tid", tid)
		if n := a.KakaoPaySandbox.Calls("approve"); n != 1 {
			t.Errorf("after a reload, approve calls to the sandbox = %d, want 1", n)
		}
	})

	t.Run("cancel", func(t *testing.T) {
		a, b := orderOnSamplePage(t, chromium)
		b.click(cancelButton)
		b.waitFor("cancel.html", `location.pathname === "/Client/cancel.html" && document.readyState === "complete"`)

		if s := b.text("#message"); !strings.Contains(s, "취소") {
			t.Errorf("cancel page says %q", s)
		}
		loc := b.location()
		if q := loc.Query(); q.Get("pg_token") != "" {
			t.Errorf("cancel page URL %s carries a pg_token", loc)
		}
		p := onlyPayment(t, a)
		if p.Status != payment.StatusAborted {
			t.Errorf("stored payment status = %s, want aborted", p.Status)
		}
		if got := loc.Query().Get("payment_id"); got != p.ID {
			t.Errorf("payment_id in the URL = %q, want %q", got, p.ID)
		}
		if n := a.KakaoPaySandbox.Calls("approve"); n != 0 {
			t.Errorf("approve calls to the sandbox = %d, want 0", n)
		}
	})
}
