package providertest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/sandbox"
	"github.com/paybridge/paybridge/internal/testutil"
)

// LostCancel pays p, then refunds part of it while the sandbox drops the
// cancel's answer after acting (a "lost" fault): the refund happened but
// the adapter never heard. It must report an unknown outcome, send the
// cancel exactly once (a retry could refund twice), and a lookup must
// find the refund. e.Sandbox must be set: the fault and the count go
// through the sandbox's control API, the same in every sandbox.
func LostCancel(t *testing.T, e Env, p *payment.Payment) {
	t.Helper()
	ctx := context.Background()
	paid, err := e.Provider.Approve(ctx, p, e.Approved(t, p))
	if err != nil {
		t.Fatalf("Approve: %v", err)
	}
	p.ProviderTID, p.Status = paid.TID, payment.StatusPaid

	if status := e.control(t, http.MethodPost, sandbox.FaultsPath, `{"op":"cancel","kind":"lost"}`).Code; status != http.StatusNoContent {
		t.Fatalf("POST %s: %d", sandbox.FaultsPath, status)
	}
	before := e.cancels(t)
	_, err = e.Provider.Cancel(ctx, p, payment.CancelRequest{Amount: 3000, Cancelable: p.Amount, Reason: "lost", IdempotencyKey: "can_contract_lost"})
	testutil.AssertCode(t, err, payment.EUPSTREAM)
	if n := e.cancels(t) - before; n != 1 {
		t.Errorf("cancel calls = %d, want exactly 1", n)
	}
	got, err := e.Provider.Lookup(ctx, p)
	if err != nil || got.State != payment.ProviderPartiallyCanceled || got.CanceledAmount != 3000 || got.CancelableAmount != p.Amount-3000 {
		t.Errorf("Lookup = %+v, %v; want the refund recorded", Show(got), err)
	}
}

// control sends a request to the sandbox's control API.
func (e Env) control(t *testing.T, method, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	if e.Sandbox == nil {
		t.Fatal("Env.Sandbox is not set")
	}
	w := httptest.NewRecorder()
	e.Sandbox.ServeHTTP(w, httptest.NewRequest(method, path, strings.NewReader(body)))
	return w
}

// cancels is how many cancel calls the sandbox counted.
func (e Env) cancels(t *testing.T) int64 {
	t.Helper()
	w := e.control(t, http.MethodGet, sandbox.StatsPath, "")
	return testutil.DecodeJSON(t, w.Body.Bytes()).Int(t, "calls.cancel")
}
