package providertest

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
	"github.com/paybridge/paybridge/internal/provider/registry"
	"github.com/paybridge/paybridge/internal/sandbox"
	"github.com/paybridge/paybridge/internal/testutil"
)

// publicURL is where the contract pretends paybridge serves: every request
// goes in-process to the mounted sandboxes, so no host is ever dialled.
const publicURL = "http://paybridge.test"

// env is one registration's sandbox mounted as paybridge serve mounts it,
// its real adapter against it, and a browser on the same in-process mux.
type env struct {
	r       *provider.Registration
	p       payment.Provider
	browser *http.Client
}

func build(t *testing.T, r *provider.Registration) *env {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	sb := r.Sandbox.New(r.Config.Default, provider.SandboxOptions{PublicURL: publicURL + r.Sandbox.Prefix, Logger: log})
	mux := http.NewServeMux()
	mux.Handle(r.Sandbox.Prefix+"/", http.StripPrefix(r.Sandbox.Prefix, sb.Handler))
	tr := sandbox.Transport(mux)
	p, err := sb.Adapter(provider.Env{Logger: log, HTTPClient: &http.Client{Transport: tr, Timeout: 5 * time.Second}})
	if err != nil {
		t.Fatalf("%s: sandbox adapter: %v", r.Name, err)
	}
	if p.Name() != r.Name || p.Finishing() != r.Finishing {
		t.Fatalf("adapter is %s %+v, registration %s %+v", p.Name(), p.Finishing(), r.Name, r.Finishing)
	}
	browser := &http.Client{Transport: tr, Timeout: 5 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &env{r: r, p: p, browser: browser}
}

// urls are the service's return URLs for p; each carries a query of its
// own, which the window must keep.
func urls(p *payment.Payment) payment.ReturnURLs {
	base := "https://shop.example/" + p.Provider
	return payment.ReturnURLs{
		Approval: base + "/return?payment_id=" + p.ID,
		Cancel:   base + "/cancel?payment_id=" + p.ID,
		Fail:     base + "/fail?payment_id=" + p.ID,
	}
}

// ready runs Ready and records its answer on p, as the service does.
func (e *env) ready(t *testing.T, p *payment.Payment) *payment.ReadyResult {
	t.Helper()
	rr, err := e.p.Ready(context.Background(), p, urls(p))
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

// press plays the buyer in the window: open it, press the button action
// (every sandbox window offers approve, cancel and fail), and return where
// the 303 sends the browser.
func (e *env) press(t *testing.T, window, action string) *url.URL {
	t.Helper()
	resp, err := e.browser.Get(window)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET window: %s", resp.Status)
	}
	form := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(string(page), -1) {
		form.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	form.Set("action", action)
	resp, err = e.browser.PostForm(window, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST window (%s): %s, want 303", action, resp.Status)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// tryPress is press for a window that may refuse: ok is false when it
// does not open or does not send the buyer anywhere.
func (e *env) tryPress(t *testing.T, window, action string) (loc *url.URL, ok bool) {
	t.Helper()
	resp, err := e.browser.Get(window)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	form := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(string(page), -1) {
		form.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	form.Set("action", action)
	resp, err = e.browser.PostForm(window, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return nil, false
	}
	loc, err = url.Parse(resp.Header.Get("Location"))
	return loc, err == nil
}

// approved runs Ready and the buyer's approval and returns the parsed
// return, which must come back to the approval URL with its query kept.
func (e *env) approved(t *testing.T, p *payment.Payment) payment.Return {
	t.Helper()
	rr := e.ready(t, p)
	loc := e.press(t, rr.RedirectPC, "approve")
	if want := urls(p).Approval + "&"; !strings.HasPrefix(loc.String(), want) {
		t.Fatalf("approve sent the buyer to %s, want %s…", loc, want)
	}
	ret := e.p.ParseReturn(loc.Query())
	if !ret.Success {
		t.Fatalf("ParseReturn(%s) = %+v, want success", loc.RawQuery, ret)
	}
	if ret.OrderID != "" && ret.OrderID != p.ID {
		t.Fatalf("ParseReturn = %+v, want order %s", ret, p.ID)
	}
	p.Status = payment.StatusApproving
	return ret
}

// near reports whether tm is within a minute of now: a provider's local
// time misread shows as hours off.
func near(tm time.Time) bool { d := time.Since(tm); return d > -time.Minute && d < time.Minute }

// TestContract_Flow runs a whole payment against every registered
// provider's sandbox: ready, the buyer's approval in the window, the
// finishing call (approve, confirm or verify), lookups, a partial cancel,
// a stale cancel refused by the double-refund guard, the final cancel.
func TestContract_Flow(t *testing.T) {
	for _, r := range registry.All() {
		t.Run(r.Name, func(t *testing.T) {
			e := build(t, r)
			ctx := context.Background()
			p := testutil.SandboxPayment(r.Name)
			ret := e.approved(t, p)

			paid, err := e.p.Approve(ctx, p, ret)
			if err != nil {
				t.Fatalf("Approve: %v", err)
			}
			if paid.State != payment.ProviderPaid || paid.TID == "" || paid.OrderID != p.ID ||
				paid.Amount != p.Amount || (paid.TaxFreeKnown && paid.TaxFreeAmount != p.TaxFreeAmount) || paid.CanceledAmount != 0 ||
				paid.ApprovalID == "" || paid.MethodType == "" || !near(paid.ApprovedAt) {
				t.Errorf("Approve = %+v", show(paid))
			}
			if ret.TID != "" && paid.TID != ret.TID {
				t.Errorf("Approve TID = %q, the return said %q", paid.TID, ret.TID)
			}
			p.ProviderTID, p.Status = paid.TID, payment.StatusPaid

			got, err := e.p.Lookup(ctx, p)
			if err != nil || got.State != payment.ProviderPaid || got.TID != paid.TID || got.Amount != p.Amount ||
				got.CancelableAmount != p.Amount || got.ApprovalID != paid.ApprovalID || got.MethodType != paid.MethodType {
				t.Errorf("Lookup after Approve = %+v, %v", show(got), err)
			}

			part, err := e.p.Cancel(ctx, p, payment.CancelRequest{Amount: 3000, Cancelable: p.Amount, Reason: "one cup", IdempotencyKey: "can_contract_1"})
			if err != nil {
				t.Fatalf("partial Cancel: %v", err)
			}
			if part.State != payment.ProviderPartiallyCanceled || part.CanceledAmount != 3000 || part.CancelableAmount != 7000 ||
				part.ApprovalID == "" || part.ApprovalID == paid.ApprovalID || !near(part.CanceledAt) {
				t.Errorf("partial Cancel = %+v", show(part))
			}

			// Another refund that still believes all 10000 is cancelable:
			// the provider's balance is 7000, so the double-refund guard
			// refuses it and nothing is refunded.
			_, err = e.p.Cancel(ctx, p, payment.CancelRequest{Amount: 3000, Cancelable: p.Amount, Reason: "stale", IdempotencyKey: "can_contract_stale"})
			testutil.AssertCode(t, err, payment.EINVALID)

			full, err := e.p.Cancel(ctx, p, payment.CancelRequest{Amount: 7000, TaxFreeAmount: p.TaxFreeAmount, Cancelable: 7000, Reason: "rest", IdempotencyKey: "can_contract_2"})
			if err != nil {
				t.Fatalf("final Cancel: %v", err)
			}
			if full.State != payment.ProviderCanceled || full.CanceledAmount != p.Amount || full.CancelableAmount != 0 {
				t.Errorf("final Cancel = %+v", show(full))
			}

			got, err = e.p.Lookup(ctx, p)
			if err != nil || got.State != payment.ProviderCanceled || got.CanceledAmount != p.Amount || got.CancelableAmount != 0 {
				t.Errorf("Lookup after cancels = %+v, %v", show(got), err)
			}
		})
	}
}

// TestContract_BuyerLeaves presses the window's cancel and fail buttons:
// the way back says the buyer did not pay, and the provider reports
// nothing paid.
func TestContract_BuyerLeaves(t *testing.T) {
	for _, r := range registry.All() {
		for _, action := range []string{"cancel", "fail"} {
			t.Run(r.Name+"/"+action, func(t *testing.T) {
				e := build(t, r)
				p := testutil.SandboxPayment(r.Name)
				rr := e.ready(t, p)
				loc := e.press(t, rr.RedirectPC, action)
				if loc.Host != "shop.example" || !strings.Contains(loc.RawQuery, "payment_id="+p.ID) {
					t.Fatalf("%s sent the buyer to %s, want a return URL of the payment", action, loc)
				}
				ret := e.p.ParseReturn(loc.Query())
				if ret.Success {
					t.Fatalf("ParseReturn(%s) = %+v, want no success", loc.RawQuery, ret)
				}
				got, err := e.p.Lookup(context.Background(), p)
				if err != nil || (got.State != payment.ProviderPending && got.State != payment.ProviderFailed && got.State != payment.ProviderQuit) {
					t.Errorf("Lookup = %+v, %v; want nothing paid", show(got), err)
				}
			})
		}
	}
}

// TestContract_TamperedAmount checks both places a tampered amount can
// come from. The buyer's window, opened for another amount than Ready
// registered (where its URL carries the amount), must not send the buyer
// back paid, and nothing is paid. And finishing an approved payment as if
// paybridge's record said 100 must fail or answer the amount that really
// moved, never 100, so that the service's check of the answer against the
// payment (money rule 3) refuses it.
func TestContract_TamperedAmount(t *testing.T) {
	for _, r := range registry.All() {
		t.Run(r.Name+"/window", func(t *testing.T) {
			e := build(t, r)
			p := testutil.SandboxPayment(r.Name)
			rr := e.ready(t, p)
			u, err := url.Parse(rr.RedirectPC)
			if err != nil {
				t.Fatal(err)
			}
			q, tampered := u.Query(), false
			for k, v := range q {
				if len(v) == 1 && v[0] == "10000" {
					q.Set(k, "100")
					tampered = true
				}
			}
			if !tampered {
				t.Skipf("the window URL %s carries no amount", rr.RedirectPC)
			}
			u.RawQuery = q.Encode()
			if loc, ok := e.tryPress(t, u.String(), "approve"); ok && e.p.ParseReturn(loc.Query()).Success {
				t.Errorf("a window opened for 100 sent the buyer back paid: %s", loc)
			}
			got, err := e.p.Lookup(context.Background(), p)
			if err != nil || got.State == payment.ProviderPaid {
				t.Errorf("Lookup = %+v, %v; want nothing paid", show(got), err)
			}
		})
		t.Run(r.Name+"/record", func(t *testing.T) {
			e := build(t, r)
			p := testutil.SandboxPayment(r.Name)
			ret := e.approved(t, p)
			q := *p
			q.Amount, q.TaxFreeAmount = 100, 0
			got, err := e.p.Approve(context.Background(), &q, ret)
			if err == nil && got.Amount == q.Amount {
				t.Fatalf("Approve with amount 100 = %+v, want an error or the amount that moved", show(got))
			}
		})
	}
}

// show is pp without its raw answer, for failure messages.
func show(pp *payment.ProviderPayment) any {
	if pp == nil {
		return nil
	}
	c := *pp
	c.Raw = nil
	return c
}
