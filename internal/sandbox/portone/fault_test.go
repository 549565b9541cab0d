package portone

import (
	"net/http"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/sandbox"
)

func TestSandbox_Faults(t *testing.T) {
	t.Run("Delay", func(t *testing.T) {
		h := MustHarness(t, Options{})
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opGetPayment, Kind: sandbox.FaultDelay, Delay: 300 * time.Millisecond}})
		h.WantDelayedOnce(300*time.Millisecond, "call", func() { h.call(http.MethodGet, paymentPath("p", ""), nil) })
	})
	t.Run("DelayHonoursCancellation", func(t *testing.T) {
		h := MustHarness(t, Options{})
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opPreRegister, Kind: sandbox.FaultDelay, Delay: time.Minute}})
		req := h.request(http.MethodPost, paymentPath("p", "/pre-register"), map[string]any{"totalAmount": 1})
		h.WantClientDeadline(req)
	})
	t.Run("Error", func(t *testing.T) {
		h := MustHarness(t, Options{})
		h.mustPaid("pay_1", 1000, 0)
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opCancel, Kind: sandbox.FaultError}})
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opCancel, Kind: sandbox.FaultError, Status: 502}})
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opCancel, Kind: sandbox.FaultError, Status: 409}, Type: "MAX_CANCEL_COUNT_REACHED", Message: "too many"})
		status, m := h.cancel("pay_1", map[string]any{"reason": "r"})
		wantError(t, status, m, 500, "INTERNAL_SERVER_ERROR")
		status, m = h.cancel("pay_1", map[string]any{"reason": "r"})
		wantError(t, status, m, 502, "PG_PROVIDER")
		if m.Str(t, "pgCode") == "" || m.Str(t, "pgMessage") == "" {
			t.Errorf("PG_PROVIDER without pgCode/pgMessage: %v", m)
		}
		status, m = h.cancel("pay_1", map[string]any{"reason": "r"})
		wantError(t, status, m, 409, "MAX_CANCEL_COUNT_REACHED")
		if m.Str(t, "message") != "too many" {
			t.Errorf("message %v", m)
		}
		// An error fault does nothing, so the payment is still refundable.
		if got := h.get("pay_1").Str(t, "status"); got != "PAID" {
			t.Fatalf("status after error faults = %s", got)
		}
		if status, _ := h.cancel("pay_1", map[string]any{"reason": "r"}); status != 200 {
			t.Errorf("cancel after the faults: %d", status)
		}
		if n := h.SB.CallsFor(opCancel, "pay_1"); n != 4 {
			t.Errorf("CallsFor(cancel) = %d, want 4: faulted calls count", n)
		}
	})
	t.Run("Lost", func(t *testing.T) {
		h := MustHarness(t, Options{})
		h.mustPaid("pay_1", 10000, 0)
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opCancel, Kind: sandbox.FaultLost}, PaymentID: "pay_1"})
		req := h.request(http.MethodPost, paymentPath("pay_1", "/cancel"), map[string]any{"amount": 4000, "reason": "r"})
		h.WantDropped(req)
		p := h.get("pay_1")
		if p.Str(t, "status") != "PARTIAL_CANCELLED" || p.Int(t, "amount.cancelled") != 4000 {
			t.Fatalf("after a lost cancel: %v; the refund must have happened", p)
		}
		if n := h.SB.CallsFor(opCancel, "pay_1"); n != 1 {
			t.Fatalf("CallsFor(cancel) = %d, want exactly 1", n)
		}
	})
	t.Run("PaymentIDScope", func(t *testing.T) {
		h := MustHarness(t, Options{})
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opGetPayment, Kind: sandbox.FaultError}, PaymentID: "pay_2"})
		status, m := h.call(http.MethodGet, paymentPath("pay_1", ""), nil)
		wantError(t, status, m, 404, "PAYMENT_NOT_FOUND") // not pay_2: untouched
		status, m = h.call(http.MethodGet, paymentPath("pay_2", ""), nil)
		wantError(t, status, m, 500, "INTERNAL_SERVER_ERROR")
	})
	t.Run("Amount", func(t *testing.T) {
		h := MustHarness(t, Options{})
		h.mustPaid("pay_1", 10000, 0)
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opGetPayment, Kind: sandbox.FaultAmount, Amount: 100}})
		if got := h.get("pay_1").Int(t, "amount.total"); got != 100 {
			t.Errorf("faulted amount.total = %d", got)
		}
		if got := h.get("pay_1").Int(t, "amount.total"); got != 10000 {
			t.Errorf("amount.total after the fault = %d", got)
		}
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opCancel, Kind: sandbox.FaultAmount, Amount: 1}})
		_, m := h.cancel("pay_1", map[string]any{"amount": 500, "reason": "r"})
		if got := m.Int(t, "cancellation.totalAmount"); got != 1 {
			t.Errorf("faulted cancellation.totalAmount = %d", got)
		}
		if got := h.get("pay_1").Int(t, "amount.cancelled"); got != 500 {
			t.Errorf("amount.cancelled = %d: the real refund is 500", got)
		}
	})
	t.Run("Decline", func(t *testing.T) {
		h := MustHarness(t, Options{})
		h.mustPaid("pay_1", 10000, 0)
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opCancel, Kind: sandbox.FaultDecline}})
		status, m := h.cancel("pay_1", map[string]any{"amount": 500, "reason": "r"})
		if status != 200 || m.Str(t, "cancellation.status") != "FAILED" || m.Has("cancellation.cancelledAt") {
			t.Fatalf("%d %v, want a FAILED cancellation", status, m)
		}
		p := h.get("pay_1")
		assertShape(t, p)
		if p.Str(t, "status") != "PAID" || p.Int(t, "amount.cancelled") != 0 || len(p.List(t, "cancellations")) != 1 {
			t.Errorf("after a declined refund: %v", p)
		}
	})
	t.Run("ClearFaults", func(t *testing.T) {
		h := MustHarness(t, Options{})
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opGetPayment, Kind: sandbox.FaultError, Count: 5}})
		h.SB.ClearFaults()
		status, m := h.call(http.MethodGet, paymentPath("p", ""), nil)
		wantError(t, status, m, 404, "PAYMENT_NOT_FOUND")
	})
	t.Run("InvalidDropped", func(t *testing.T) {
		h := MustHarness(t, Options{})
		for _, f := range []Fault{
			{Fault: sandbox.Fault{Op: "approve", Kind: sandbox.FaultError}},
			{Fault: sandbox.Fault{Op: opGetPayment, Kind: "explode"}},
			{Fault: sandbox.Fault{Op: opPreRegister, Kind: sandbox.FaultAmount}},
			{Fault: sandbox.Fault{Op: opGetPayment, Kind: sandbox.FaultDecline}},
			{Fault: sandbox.Fault{Op: opGetPayment, Kind: sandbox.FaultError, Status: 200}},
			{Fault: sandbox.Fault{Op: opGetPayment, Kind: sandbox.FaultError, Count: -1}},
		} {
			h.SB.InjectFault(f)
		}
		status, m := h.call(http.MethodGet, paymentPath("p", ""), nil)
		wantError(t, status, m, 404, "PAYMENT_NOT_FOUND")
	})
}

func TestSandbox_Control(t *testing.T) {
	h := MustHarness(t, Options{})
	post := h.PostFault
	for _, bad := range []string{`{"op":"getPayment","kind":"error","paymentId":"x"}`, `{"op":"approve","kind":"error"}`, `nope`} {
		if got := post(bad); got != 400 {
			t.Errorf("POST %s: %d, want 400", bad, got)
		}
	}
	if got := post(`{"op":"getPayment","kind":"error","payment_id":"pay_9","status":503,"type":"X","delay_ms":1}`); got != 204 {
		t.Fatalf("POST fault: %d", got)
	}
	status, m := h.call(http.MethodGet, paymentPath("pay_9", ""), nil)
	wantError(t, status, m, 503, "X")

	if got := post(`{"op":"getPayment","kind":"error"}`); got != 204 {
		t.Fatal(got)
	}
	if status, body := h.Control(http.MethodDelete, sandbox.FaultsPath, ""); status != 204 {
		t.Fatalf("DELETE faults: %d %s", status, body)
	}
	status, m = h.call(http.MethodGet, paymentPath("pay_9", ""), nil)
	wantError(t, status, m, 404, "PAYMENT_NOT_FOUND")

	status, st := h.do(h.Request(http.MethodGet, sandbox.StatsPath, nil))
	if status != 200 || st.Int(t, "calls.getPayment") != 2 || st.Int(t, "calls_by_payment_id.getPayment.pay_9") != 2 ||
		st.Int(t, "calls.cancel") != 0 {
		t.Errorf("stats %d %v", status, st)
	}
}
