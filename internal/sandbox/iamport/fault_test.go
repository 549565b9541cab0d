package iamport

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/sandbox"
)

func TestSandbox_Faults(t *testing.T) {
	t.Run("Delay", func(t *testing.T) {
		h := MustHarness(t, Options{})
		imp := h.MustPaid("pay_d", 1000)
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opPayment, Kind: sandbox.FaultDelay, Delay: 300 * time.Millisecond}})
		h.WantDelayedOnce(300*time.Millisecond, "lookup", func() { h.payment(imp) })
	})
	t.Run("DelayHonoursCancellation", func(t *testing.T) {
		h := MustHarness(t, Options{})
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opGetToken, Kind: sandbox.FaultDelay, Delay: time.Minute}})
		req := h.request(http.MethodPost, "/users/getToken", map[string]any{"imp_key": testKey, "imp_secret": testSecret}, "")
		h.WantClientDeadline(req)
	})
	t.Run("Error", func(t *testing.T) {
		h := MustHarness(t, Options{})
		imp := h.MustPaid("pay_e", 1000)
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opCancel, Kind: sandbox.FaultError}})
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opCancel, Kind: sandbox.FaultError, Status: http.StatusOK}, Code: 1, Message: "[PG] 취소 실패"})
		body := map[string]any{"imp_uid": imp, "amount": 100}
		h.call(http.MethodPost, "/payments/cancel", body).wantError(t, http.StatusInternalServerError, -1)
		a := h.call(http.MethodPost, "/payments/cancel", body)
		a.wantError(t, http.StatusOK, 1)
		if a.message != "[PG] 취소 실패" {
			t.Errorf("message = %v", a.message)
		}
		// An error fault does nothing.
		if got := h.payment(imp).Int(t, "cancel_amount"); got != 0 {
			t.Fatalf("cancel_amount after error faults = %d", got)
		}
		h.mustOK(http.MethodPost, "/payments/cancel", body)
	})
	t.Run("Lost", func(t *testing.T) {
		h := MustHarness(t, Options{})
		imp := h.MustPaid("pay_lost", 1000)
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opCancel, Kind: sandbox.FaultLost}, ID: imp})
		resp, err := http.DefaultClient.Do(h.request(http.MethodPost, "/payments/cancel",
			map[string]any{"imp_uid": imp, "amount": 400, "checksum": 1000}, "Bearer "+h.token()))
		if err == nil {
			resp.Body.Close()
			t.Fatalf("cancel answered %d; want a dropped connection", resp.StatusCode)
		}
		if got := h.payment(imp).Int(t, "cancel_amount"); got != 400 {
			t.Fatalf("after a lost cancel: cancel_amount %d, want 400 (done, then dropped)", got)
		}
		if n := h.SB.CallsFor(opCancel, imp); n != 1 {
			t.Fatalf("CallsFor(cancel) = %d, want 1", n)
		}
	})
	t.Run("Amount", func(t *testing.T) {
		h := MustHarness(t, Options{})
		imp := h.MustPaid("pay_am", 1000)
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opPayment, Kind: sandbox.FaultAmount, Amount: 1}})
		if got := h.payment(imp).Int(t, "amount"); got != 1 {
			t.Fatalf("amount = %d, want the injected 1", got)
		}
		if got := h.payment(imp).Int(t, "amount"); got != 1000 {
			t.Fatalf("amount = %d, want the real 1000", got)
		}
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opPrepare, Kind: sandbox.FaultAmount, Amount: 7}})
		if got := h.mustOK(http.MethodPost, "/payments/prepare", map[string]any{"merchant_uid": "pay_pa", "amount": 500}).Int(t, "amount"); got != 7 {
			t.Fatalf("prepare amount = %d, want the injected 7", got)
		}
		if got := h.mustOK(http.MethodGet, "/payments/prepare/pay_pa", nil).Int(t, "amount"); got != 500 {
			t.Fatalf("registered amount = %d, want the real 500", got)
		}
	})
	t.Run("MatchingAndCount", func(t *testing.T) {
		h := MustHarness(t, Options{})
		a, b := h.MustPaid("pay_ma", 1000), h.MustPaid("pay_mb", 1000)
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opPayment, Kind: sandbox.FaultError, Count: 2}, ID: "pay_mb"})
		h.payment(a) // another id: untouched
		h.mustOK(http.MethodGet, "/payments/find/pay_ma", nil)
		for range 2 {
			h.call(http.MethodGet, "/payments/find/pay_mb", nil).wantError(t, http.StatusInternalServerError, -1)
		}
		h.mustOK(http.MethodGet, "/payments/find/pay_mb", nil)
		h.payment(b)
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opPayment, Kind: sandbox.FaultError}})
		h.SB.ClearFaults()
		h.payment(b)
	})
	t.Run("Invalid", func(t *testing.T) {
		h := MustHarness(t, Options{})
		for _, f := range []Fault{
			{Fault: sandbox.Fault{Op: "approve", Kind: sandbox.FaultError}}, {Fault: sandbox.Fault{Op: opPayment, Kind: "decline"}},
			{Fault: sandbox.Fault{Op: opPayment, Kind: sandbox.FaultError, Status: 302}}, {Fault: sandbox.Fault{Op: opPayment, Kind: sandbox.FaultDelay, Count: -1}},
		} {
			if err := h.SB.ctl.Validate(f); err == nil {
				t.Errorf("validate(%+v) = nil", f)
			}
			h.SB.InjectFault(f) // dropped
		}
		imp := h.MustPaid("pay_inv", 1000)
		h.payment(imp)
	})
}

func TestSandbox_Control(t *testing.T) {
	h := MustHarness(t, Options{})
	post := h.PostFault
	if got := post(`{"op":"payment","kind":"error","status":503,"count":1}`); got != http.StatusNoContent {
		t.Fatalf("POST fault = %d", got)
	}
	for _, bad := range []string{`{"op":"payment","kind":"nope"}`, `{"op":"payment","kind":"error","stauts":503}`, `not json`} {
		if got := post(bad); got != http.StatusBadRequest {
			t.Errorf("POST %s = %d, want 400", bad, got)
		}
	}
	h.call(http.MethodGet, "/payments/find/pay_s", nil).wantError(t, http.StatusServiceUnavailable, -1)

	if got := post(`{"op":"payment","kind":"error","delay_ms":1}`); got != http.StatusNoContent {
		t.Fatalf("POST fault = %d", got)
	}
	if status, body := h.Control(http.MethodDelete, sandbox.FaultsPath, ""); status != http.StatusNoContent {
		t.Fatalf("DELETE faults = %d %s", status, body)
	}
	h.call(http.MethodGet, "/payments/find/pay_s", nil).wantError(t, http.StatusNotFound, -1)

	_, body := h.Control(http.MethodGet, sandbox.StatsPath, "")
	var st struct {
		Calls     map[string]int            `json:"calls"`
		CallsByID map[string]map[string]int `json:"calls_by_id"`
	}
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	if st.Calls["getToken"] != 1 || st.Calls["payment"] != 2 || st.CallsByID["payment"]["pay_s"] != 2 || st.Calls["cancel"] != 0 {
		t.Errorf("stats = %+v", st)
	}
}
