package providertest

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/testutil"
)

// Env is a provider's real adapter against its sandbox, and the buyer's
// browser on the sandbox's window.
type Env struct {
	// Provider is the adapter under test.
	Provider payment.Provider
	// Browser reaches the window and does not follow redirects.
	Browser *http.Client
	// Fields are what the buyer chooses in the window besides the button,
	// as name, value pairs (KakaoPay's method); nil takes the defaults.
	Fields []string
	// Sandbox is the sandbox's handler, for the contracts that drive its
	// control API (faults, counts); nil where none needs it.
	Sandbox http.Handler
}

// Ready runs Ready and records its answer on p, as the service does.
func (e Env) Ready(t *testing.T, p *payment.Payment) *payment.ReadyResult {
	t.Helper()
	rr, err := e.Provider.Ready(context.Background(), p, testutil.ReturnURLs(p))
	if err != nil {
		t.Fatalf("Ready: %v", err)
	}
	if rr.RedirectPC == "" {
		t.Fatalf("Ready = %+v: no window to send the buyer to", rr)
	}
	p.ProviderTID, p.ProviderCID, p.Status = rr.TID, rr.CID, payment.StatusReady
	return rr
}

// hiddenInput finds the windows' hidden fields (PortOne V1's imp_uid), as
// the console's test-mode buttons do.
var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// Press plays the buyer in the window: open it, press the button action
// (every sandbox window offers approve, cancel and fail) with the window's
// hidden fields and fields (name, value pairs), and return where the 303
// sends the browser.
func (e Env) Press(t *testing.T, window, action string, fields ...string) *url.URL {
	t.Helper()
	opened, loc := e.press(t, window, action, fields)
	if !opened {
		t.Fatalf("GET window %s: not 200", window)
	}
	if loc == nil {
		t.Fatalf("POST window (%s): no 303", action)
	}
	return loc
}

// TryPress is Press for a window that may refuse: ok is false when it
// does not send the buyer anywhere.
func (e Env) TryPress(t *testing.T, window, action string) (loc *url.URL, ok bool) {
	t.Helper()
	_, loc = e.press(t, window, action, nil)
	return loc, loc != nil
}

// press opens the window (opened: it answered 200), posts its form with
// action and fields, and returns where a 303 sends the browser (nil for
// any other answer).
func (e Env) press(t *testing.T, window, action string, fields []string) (opened bool, loc *url.URL) {
	t.Helper()
	resp, err := e.Browser.Get(window)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	opened = resp.StatusCode == http.StatusOK
	form := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(string(page), -1) {
		form.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	form.Set("action", action)
	for i := 0; i+1 < len(fields); i += 2 {
		form.Set(fields[i], fields[i+1])
	}
	resp, err = e.Browser.PostForm(window, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return opened, nil
	}
	if loc, err = url.Parse(resp.Header.Get("Location")); err != nil {
		t.Fatal(err)
	}
	return opened, loc
}

// Approved runs Ready and the buyer's approval and returns the parsed
// return, which must come back to the approval URL with its query kept.
func (e Env) Approved(t *testing.T, p *payment.Payment) payment.Return {
	t.Helper()
	rr := e.Ready(t, p)
	loc := e.Press(t, rr.RedirectPC, "approve", e.Fields...)
	if want := testutil.ReturnURLs(p).Approval + "&"; !strings.HasPrefix(loc.String(), want) {
		t.Fatalf("approve sent the buyer to %s, want %s…", loc, want)
	}
	ret := e.Provider.ParseReturn(loc.Query())
	if !ret.Success {
		t.Fatalf("ParseReturn(%s) = %+v, want success", loc.RawQuery, ret)
	}
	if ret.OrderID != "" && ret.OrderID != p.ID {
		t.Fatalf("ParseReturn = %+v, want order %s", ret, p.ID)
	}
	p.Status = payment.StatusApproving
	return ret
}

// Near reports whether tm is within a minute of now: a provider's local
// time misread shows as hours off.
func Near(tm time.Time) bool { d := time.Since(tm); return d > -time.Minute && d < time.Minute }

// Result is what Flow saw, for a provider's own test to check further.
type Result struct {
	Return    payment.Return
	Paid      *payment.ProviderPayment // the finishing call's answer
	PaidLook  *payment.ProviderPayment // the lookup after it
	Part      *payment.ProviderPayment // the partial cancel's answer
	Full      *payment.ProviderPayment // the final cancel's answer
	Cancelled *payment.ProviderPayment // the lookup after the cancels
}

// Flow runs a whole payment p (a fresh testutil.SandboxPayment) through a
// provider's sandbox: ready, the buyer's approval in the window, the
// finishing call (approve, confirm or verify) whose answer must match the
// payment's ids, order and amount, a lookup that reports it paid, a
// partial cancel, a stale cancel refused by the double-refund guard, the
// final cancel, and a lookup that reports it cancelled.
func Flow(t *testing.T, e Env, p *payment.Payment) Result {
	t.Helper()
	ctx := context.Background()
	var r Result
	r.Return = e.Approved(t, p)

	paid, err := e.Provider.Approve(ctx, p, r.Return)
	if err != nil {
		t.Fatalf("Approve: %v", err)
	}
	r.Paid = paid
	if paid.State != payment.ProviderPaid || paid.TID == "" || paid.OrderID != p.ID ||
		paid.Amount != p.Amount || (paid.TaxFreeKnown && paid.TaxFreeAmount != p.TaxFreeAmount) ||
		paid.CanceledAmount != 0 ||
		paid.ApprovalID == "" || paid.MethodType == "" || !Near(paid.ApprovedAt) {
		t.Errorf("Approve = %+v", Show(paid))
	}
	if r.Return.TID != "" && paid.TID != r.Return.TID {
		t.Errorf("Approve TID = %q, the return said %q", paid.TID, r.Return.TID)
	}
	if p.ProviderTID != "" && paid.TID != p.ProviderTID {
		t.Errorf("Approve TID = %q, Ready said %q", paid.TID, p.ProviderTID)
	}
	p.ProviderTID, p.Status = paid.TID, payment.StatusPaid

	got, err := e.Provider.Lookup(ctx, p)
	if err != nil || got.State != payment.ProviderPaid || got.TID != paid.TID || got.Amount != p.Amount ||
		got.CancelableAmount != p.Amount || got.ApprovalID != paid.ApprovalID || got.MethodType != paid.MethodType {
		t.Fatalf("Lookup after Approve = %+v, %v", Show(got), err)
	}
	r.PaidLook = got

	part, err := e.Provider.Cancel(ctx, p, payment.CancelRequest{Amount: 3000, Cancelable: p.Amount, Reason: "one cup", IdempotencyKey: "can_contract_1"})
	if err != nil {
		t.Fatalf("partial Cancel: %v", err)
	}
	r.Part = part
	if part.State != payment.ProviderPartiallyCanceled || part.CanceledAmount != 3000 || part.CancelableAmount != 7000 ||
		part.ApprovalID == "" || part.ApprovalID == paid.ApprovalID || !Near(part.CanceledAt) {
		t.Errorf("partial Cancel = %+v", Show(part))
	}

	// Another refund that still believes all 10000 is cancelable: the
	// provider's balance is 7000, so the double-refund guard refuses it
	// and nothing is refunded.
	_, err = e.Provider.Cancel(ctx, p, payment.CancelRequest{Amount: 3000, Cancelable: p.Amount, Reason: "stale", IdempotencyKey: "can_contract_stale"})
	testutil.AssertCode(t, err, payment.EINVALID)

	full, err := e.Provider.Cancel(ctx, p, payment.CancelRequest{Amount: 7000, TaxFreeAmount: p.TaxFreeAmount, Cancelable: 7000, Reason: "rest", IdempotencyKey: "can_contract_2"})
	if err != nil {
		t.Fatalf("final Cancel: %v", err)
	}
	r.Full = full
	if full.State != payment.ProviderCanceled || full.CanceledAmount != p.Amount || full.CancelableAmount != 0 {
		t.Errorf("final Cancel = %+v", Show(full))
	}

	got, err = e.Provider.Lookup(ctx, p)
	if err != nil || got.State != payment.ProviderCanceled || got.CanceledAmount != p.Amount || got.CancelableAmount != 0 {
		t.Fatalf("Lookup after cancels = %+v, %v", Show(got), err)
	}
	r.Cancelled = got
	return r
}

// BuyerLeaves presses the window's cancel or fail button (action) for p:
// the way back says the buyer did not pay, and the provider reports
// nothing paid. It returns where the window sent the buyer and the parsed
// return, for the provider's own checks.
func BuyerLeaves(t *testing.T, e Env, p *payment.Payment, action string) (*url.URL, payment.Return) {
	t.Helper()
	rr := e.Ready(t, p)
	loc := e.Press(t, rr.RedirectPC, action)
	if loc.Host != "shop.example" || !strings.Contains(loc.RawQuery, "payment_id="+p.ID) {
		t.Fatalf("%s sent the buyer to %s, want a return URL of the payment", action, loc)
	}
	ret := e.Provider.ParseReturn(loc.Query())
	if ret.Success || (ret.OrderID != "" && ret.OrderID != p.ID) {
		t.Fatalf("ParseReturn(%s) = %+v, want no success", loc.RawQuery, ret)
	}
	got, err := e.Provider.Lookup(context.Background(), p)
	if err != nil || (got.State != payment.ProviderPending && got.State != payment.ProviderFailed && got.State != payment.ProviderQuit) {
		t.Errorf("Lookup = %+v, %v; want nothing paid", Show(got), err)
	}
	return loc, ret
}

// TamperedWindow opens the buyer's window for 100 where Ready registered
// 10000, when the window's URL carries the amount (it skips the test
// otherwise): the window must not send the buyer back paid, and nothing is
// paid.
func TamperedWindow(t *testing.T, e Env, p *payment.Payment) {
	t.Helper()
	rr := e.Ready(t, p)
	u, err := url.Parse(rr.RedirectPC)
	if err != nil {
		t.Fatal(err)
	}
	q, tampered := u.Query(), false
	for k, v := range q {
		if len(v) == 1 && v[0] == strconv.FormatInt(p.Amount, 10) {
			q.Set(k, "100")
			tampered = true
		}
	}
	if !tampered {
		t.Skipf("the window URL %s carries no amount", rr.RedirectPC)
	}
	u.RawQuery = q.Encode()
	if loc, ok := e.TryPress(t, u.String(), "approve"); ok && e.Provider.ParseReturn(loc.Query()).Success {
		t.Errorf("a window opened for 100 sent the buyer back paid: %s", loc)
	}
	got, err := e.Provider.Lookup(context.Background(), p)
	if err != nil || got.State == payment.ProviderPaid {
		t.Errorf("Lookup = %+v, %v; want nothing paid", Show(got), err)
	}
}

// TamperedRecord finishes a payment the buyer approved as if paybridge's
// record said 100: the adapter must fail or answer the amount that really
// moved, never 100, so that the service's check of the answer against the
// payment (money rule 3) refuses it.
func TamperedRecord(t *testing.T, e Env, p *payment.Payment) {
	t.Helper()
	ret := e.Approved(t, p)
	q := *p
	q.Amount, q.TaxFreeAmount = 100, 0
	got, err := e.Provider.Approve(context.Background(), &q, ret)
	if err == nil && got.Amount == q.Amount {
		t.Fatalf("Approve with amount 100 = %+v, want an error or the amount that moved", Show(got))
	}
}

// Show is pp without its raw answer, for failure messages.
func Show(pp *payment.ProviderPayment) any {
	if pp == nil {
		return nil
	}
	c := *pp
	c.Raw = nil
	return c
}
