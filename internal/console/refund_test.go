package console_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
)

// sandboxFault queues a fault in the KakaoPay sandbox.
func sandboxFault(t *testing.T, b *browserless, fault string) {
	t.Helper()
	resp, err := b.a.Client.Post(b.a.URL()+"/sandbox/kakaopay/__sandbox/faults", "application/json", strings.NewReader(fault))
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("queue fault %s: %v %v", fault, resp, err)
	}
	resp.Body.Close()
}

// An operator who closes the tab while the provider is refunding does not
// leave the refund dialog's key started until its lock expires: the refund
// runs to its end, its result is stored under the key, and the same
// confirmation then shows that result. Before the provider is asked, a
// refund_requested entry records which operator started the refund.
func TestRefund_ClosedTabStillFinishesTheDialog(t *testing.T) {
	a := start(t)
	p := paidPayment(t, a, payment.DefaultMerchantID, "Latte", 6000)
	b := signInNew(t, a, "admin@example.com", payment.RoleAdmin, "")
	_, form := b.get("/console/payments/" + p.ID + "/refund")
	key := regexpValue(t, form, "key")
	// The provider takes a while: the tab is closed mid-refund.
	sandboxFault(t, b, `{"op":"cancel","kind":"delay","delay_ms":1500}`)

	confirm := url.Values{"amount": {"2000"}, "reason": {"tab closed"}, "key": {key}, "confirm": {"yes"}, "csrf": {b.csrf}}
	ctx, closeTab := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, a.URL()+"/console/payments/"+p.ID+"/refund", strings.NewReader(confirm.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		if resp, err := b.c.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	waitFor(t, "the refund_requested audit entry", func() bool { return countAudit(t, a, "refund_requested") == 1 })
	closeTab()
	<-sent

	// The same confirmation (a reload) answers "in progress" while the
	// refund runs, then its stored result: never started for good.
	var notice string
	waitFor(t, "the dialog's key to be finished", func() bool {
		resp, body := b.post("/console/payments/"+p.ID+"/refund", confirm)
		mustStatus(t, resp, body, http.StatusSeeOther)
		notice = resp.Header.Get("Location")
		return !strings.HasSuffix(notice, "notice=refund.in_progress")
	})
	if want := "/console/payments/" + p.ID + "?notice=refund.succeeded"; notice != want {
		t.Fatalf("after the closed tab the dialog leads to %s, want %s", notice, want)
	}
	got := mustPayment(t, a, p.ID, payment.StatusPartiallyCanceled)
	if cs, _ := a.Store.FindCancellations(context.Background(), p.ID); got.CanceledAmount != 2000 || len(cs) != 1 {
		t.Fatalf("canceled %d with %d cancellations, want one of 2,000", got.CanceledAmount, len(cs))
	}
	// Requested, then its outcome, each once.
	acts := auditActions(t, a)
	req1, out := slices.Index(acts, "refund_requested"), slices.Index(acts, "refund")
	if req1 < 0 || out < req1 || countAudit(t, a, "refund") != 1 || countAudit(t, a, "refund_requested") != 1 {
		t.Fatalf("audit log %v: want one refund_requested, then one refund", acts)
	}
}
