package kakaopay

import (
	"net/http"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/sandbox"
)

func TestSandbox_Faults(t *testing.T) {
	t.Run("Delay", func(t *testing.T) {
		h := MustHarness(t, Options{})
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opOrder, Kind: sandbox.FaultDelay, Delay: 300 * time.Millisecond}})
		tid := h.MustReady(current, nil)
		h.WantDelayedOnce(300*time.Millisecond, "order", func() { h.order(current, tid) })
	})
	t.Run("DelayHonoursCancellation", func(t *testing.T) {
		h := MustHarness(t, Options{})
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opReady, Kind: sandbox.FaultDelay, Delay: time.Minute}})
		h.WantClientDeadline(h.request(current, opReady, readyBody(nil)))
	})
	t.Run("Error", func(t *testing.T) {
		for _, g := range gens {
			h := MustHarness(t, Options{})
			tid, tok := h.MustAuthorized(g.gen)
			h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opApprove, Kind: sandbox.FaultError}})
			h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opApprove, Kind: sandbox.FaultError, Status: 503}, Code: -503})
			status, m := h.call(g.gen, opApprove, approveBody(tid, tok))
			wantError(t, g.gen, 500, m, status, -500)
			status, m = h.call(g.gen, opApprove, approveBody(tid, tok))
			wantError(t, g.gen, 503, m, status, -503)
			// An error fault does nothing, so the payment is still approvable.
			if got := h.order(g.gen, tid).Str(t, "status"); got != statusAuthPassword {
				t.Fatalf("%s: status after error faults = %s", g.name, got)
			}
			h.mustOK(g.gen, opApprove, approveBody(tid, tok))
		}
	})
	t.Run("Lost", func(t *testing.T) {
		h := MustHarness(t, Options{})
		tid, tok := h.MustAuthorized(current)
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opApprove, Kind: sandbox.FaultLost}, TID: tid})
		h.WantDropped(h.request(current, opApprove, approveBody(tid, tok)))
		if got := h.order(current, tid).Str(t, "status"); got != statusSuccess {
			t.Fatalf("after a lost approve: status %s, want SUCCESS_PAYMENT", got)
		}
		if n := h.SB.CallsFor(opApprove, tid); n != 1 {
			t.Fatalf("CallsFor(approve) = %d, want exactly 1 (the client must not have retried)", n)
		}
	})
	t.Run("Amount", func(t *testing.T) {
		h := MustHarness(t, Options{})
		tid, tok := h.MustAuthorized(legacy)
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opApprove, Kind: sandbox.FaultAmount, Amount: 100}})
		a := h.mustOK(legacy, opApprove, approveBody(tid, tok))
		if got := a.Int(t, "amount.total"); got != 100 {
			t.Fatalf("approve amount.total = %d, want the injected 100", got)
		}
		if got := h.order(legacy, tid).Int(t, "amount.total"); got != 11000 {
			t.Fatalf("order amount.total = %d, want the real 11000", got)
		}
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opOrder, Kind: sandbox.FaultAmount, Amount: 5}})
		if got := h.order(legacy, tid).Int(t, "amount.total"); got != 5 {
			t.Fatalf("order amount.total = %d, want the injected 5", got)
		}
	})
	t.Run("Decline", func(t *testing.T) {
		for _, g := range gens {
			h := MustHarness(t, Options{})
			tid, tok := h.MustAuthorized(g.gen)
			h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opApprove, Kind: sandbox.FaultDecline}})
			status, m := h.call(g.gen, opApprove, approveBody(tid, tok))
			wantError(t, g.gen, http.StatusBadRequest, m, status, -780)
			if m.Str(t, "extras.method_result_code") != "CARD_DECLINED" || m.Str(t, "extras.method_result_message") == "" {
				t.Fatalf("%s: extras = %v", g.name, m["extras"])
			}
			if got := h.order(g.gen, tid).Str(t, "status"); got != statusFail {
				t.Fatalf("%s: status after decline = %s, want FAIL_PAYMENT", g.name, got)
			}
			status, m = h.call(g.gen, opApprove, approveBody(tid, tok))
			wantError(t, g.gen, http.StatusBadRequest, m, status, -780)
		}
	})
	// USER_LOCKED ("a transaction is in progress") refuses the call, not
	// the payment: the buyer's authentication stands and a later approve
	// goes through.
	t.Run("DeclineUserLocked", func(t *testing.T) {
		for _, g := range gens {
			h := MustHarness(t, Options{})
			tid, tok := h.MustAuthorized(g.gen)
			h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opApprove, Kind: sandbox.FaultDecline}, MethodResultCode: "USER_LOCKED"})
			status, m := h.call(g.gen, opApprove, approveBody(tid, tok))
			wantError(t, g.gen, http.StatusBadRequest, m, status, -780)
			if m.Str(t, "extras.method_result_code") != "USER_LOCKED" || m.Str(t, "extras.method_result_message") == "" {
				t.Fatalf("%s: extras = %v", g.name, m["extras"])
			}
			if got := h.order(g.gen, tid).Str(t, "status"); got != statusAuthPassword {
				t.Fatalf("%s: status after USER_LOCKED = %s, want %s", g.name, got, statusAuthPassword)
			}
			if status, m = h.call(g.gen, opApprove, approveBody(tid, tok)); status != http.StatusOK {
				t.Fatalf("%s: approve after USER_LOCKED = %d %v", g.name, status, m)
			}
		}
	})
	t.Run("DeclineCustomCode", func(t *testing.T) {
		h := MustHarness(t, Options{})
		tid, tok := h.MustAuthorized(current)
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opApprove, Kind: sandbox.FaultDecline}, Code: -781, MethodResultCode: "BANK_FIRM_UNKNOWN"})
		status, m := h.call(current, opApprove, approveBody(tid, tok))
		wantError(t, current, http.StatusBadRequest, m, status, -781)
		if m.Str(t, "extras.method_result_code") != "BANK_FIRM_UNKNOWN" {
			t.Fatalf("extras = %v", m["extras"])
		}
	})
	t.Run("OrderTIDAndCount", func(t *testing.T) {
		h := MustHarness(t, Options{})
		a, b := h.MustReady(current, nil), h.MustReady(current, nil)
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opOrder, Kind: sandbox.FaultError}, TID: b, Code: -1})
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opOrder, Kind: sandbox.FaultError, Count: 2}, Code: -2000})
		orderCode := func(tid string) int64 {
			status, m := h.call(current, opOrder, map[string]any{"cid": "TC0ONETIME", "tid": tid})
			if status == http.StatusOK {
				return 0
			}
			return m.Int(t, "error_code")
		}
		// a skips the b-only fault and takes the next; b then takes its own.
		got := []int64{orderCode(a), orderCode(b), orderCode(b), orderCode(a)}
		want := []int64{-2000, -1, -2000, 0}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("codes = %v, want %v", got, want)
			}
		}
	})
	t.Run("Clear", func(t *testing.T) {
		h := MustHarness(t, Options{})
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opReady, Kind: sandbox.FaultError}})
		h.SB.ClearFaults()
		h.MustReady(current, nil)
	})
}

func TestSandbox_ControlEndpoints(t *testing.T) {
	h := MustHarness(t, Options{})
	control := h.Control
	for _, bad := range []string{`{"op":"refund","kind":"error"}`, `{"op":"ready","kind":"explode"}`,
		`{"op":"ready","kind":"error","delay":5}`, `not json`} {
		if status, body := control(http.MethodPost, "/__sandbox/faults", bad); status != http.StatusBadRequest {
			t.Errorf("POST %s: %d %s; want 400", bad, status, body)
		}
	}
	if status, _ := control(http.MethodPost, "/__sandbox/faults", `{"op":"ready","kind":"error","status":502,"code":-503,"delay_ms":20}`); status != http.StatusNoContent {
		t.Fatalf("POST fault: %d", status)
	}
	start := time.Now()
	status, m := h.call(current, opReady, readyBody(nil))
	wantError(t, current, 502, m, status, -503)
	if time.Since(start) < 20*time.Millisecond {
		t.Errorf("delay_ms was not applied")
	}

	control(http.MethodPost, "/__sandbox/faults", `{"op":"ready","kind":"error"}`)
	if status, _ := control(http.MethodDelete, "/__sandbox/faults", ""); status != http.StatusNoContent {
		t.Fatalf("DELETE faults: %d", status)
	}
	tid := h.MustPaid(legacy, nil)
	h.call(legacy, opApprove, approveBody(tid, "x"))

	st := h.Stats()
	if st.Int(t, "calls.ready") != 2 || st.Int(t, "calls.approve") != 2 || st.Int(t, "calls.cancel") != 0 ||
		st.Int(t, "approve_calls_by_tid."+tid) != 2 {
		t.Fatalf("stats = %v", st)
	}
}
