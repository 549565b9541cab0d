package toss

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/sandbox"
	"github.com/paybridge/paybridge/internal/testutil"
)

func TestSandbox_Faults(t *testing.T) {
	t.Run("Delay", func(t *testing.T) {
		h := MustHarness(t, Options{})
		_, key := h.MustPaid(1000, nil)
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opGet, Kind: sandbox.FaultDelay, Delay: 300 * time.Millisecond}})
		h.WantDelayedOnce(300*time.Millisecond, "lookup", func() { h.get(key) })
	})

	t.Run("DelayHonoursCancellation", func(t *testing.T) {
		h := MustHarness(t, Options{})
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opGet, Kind: sandbox.FaultDelay, DelayMS: 60_000}})
		h.WantClientDeadline(h.request(http.MethodGet, "/v1/payments/tgen_x", nil))
	})

	t.Run("Error", func(t *testing.T) {
		h := MustHarness(t, Options{})
		orderID, key := h.MustAuthenticate(15000, nil)
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opConfirm, Kind: sandbox.FaultError}})
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opConfirm, Kind: sandbox.FaultError, Status: 400}, Code: "PROVIDER_ERROR", Message: "일시적인 오류"})
		s, b := h.withKey("c1", http.MethodPost, "/v1/payments/confirm", confirmBody(key, orderID, 15000))
		wantError(t, s, testutil.DecodeJSON(t, b), http.StatusInternalServerError, "FAILED_INTERNAL_SYSTEM_PROCESSING")
		s, b = h.withKey("c1", http.MethodPost, "/v1/payments/confirm", confirmBody(key, orderID, 15000))
		wantError(t, s, testutil.DecodeJSON(t, b), http.StatusBadRequest, "PROVIDER_ERROR")
		// An error fault does nothing and is not remembered for the key.
		if got := h.get(key).Str(t, "status"); got != statusInProgress {
			t.Fatalf("status after error faults = %s", got)
		}
		if s, b := h.withKey("c1", http.MethodPost, "/v1/payments/confirm", confirmBody(key, orderID, 15000)); s != http.StatusOK {
			t.Fatalf("confirm after the faults = %d %s", s, b)
		}
	})

	t.Run("LostConfirm", func(t *testing.T) {
		h := MustHarness(t, Options{})
		orderID, key := h.MustAuthenticate(15000, nil)
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opConfirm, Kind: sandbox.FaultLost}, ID: key})
		req := h.request(http.MethodPost, "/v1/payments/confirm", confirmBody(key, orderID, 15000))
		req.Header.Set("Idempotency-Key", "confirm-"+orderID)
		h.WantDropped(req)
		if got := h.get(key).Str(t, "status"); got != statusDone {
			t.Fatalf("after a lost confirm: status %s, want DONE", got)
		}
		if n := h.SB.CallsFor(opConfirm, key); n != 1 {
			t.Fatalf("CallsFor(confirm) = %d, want 1", n)
		}
		// The answer that was lost is the one the key replays.
		s, b := h.withKey("confirm-"+orderID, http.MethodPost, "/v1/payments/confirm", confirmBody(key, orderID, 15000))
		if s != http.StatusOK || testutil.DecodeJSON(t, b).Str(t, "status") != statusDone {
			t.Fatalf("retry with the key = %d %s", s, b)
		}
	})

	t.Run("LostCancel", func(t *testing.T) {
		h := MustHarness(t, Options{})
		_, key := h.MustPaid(10000, nil)
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opCancel, Kind: sandbox.FaultLost}})
		req := h.request(http.MethodPost, "/v1/payments/"+key+"/cancel", cancelBody(4000, 0, 10000))
		h.WantDropped(req)
		if got := h.get(key).Int(t, "balanceAmount"); got != 6000 {
			t.Fatalf("balance after a lost cancel = %d, want 6000", got)
		}
	})

	t.Run("Amount", func(t *testing.T) {
		h := MustHarness(t, Options{})
		orderID, key := h.MustAuthenticate(15000, nil)
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opConfirm, Kind: sandbox.FaultAmount, Amount: 100}})
		s, b := h.withKey("k", http.MethodPost, "/v1/payments/confirm", confirmBody(key, orderID, 15000))
		if s != http.StatusOK || testutil.DecodeJSON(t, b).Int(t, "totalAmount") != 100 {
			t.Fatalf("confirm with an amount fault = %d %s", s, b)
		}
		if got := h.get(key).Int(t, "totalAmount"); got != 15000 {
			t.Fatalf("lookup totalAmount = %d: the fault changed the payment", got)
		}
		_, b2 := h.withKey("k", http.MethodPost, "/v1/payments/confirm", confirmBody(key, orderID, 15000))
		if testutil.DecodeJSON(t, b2).Int(t, "totalAmount") != 15000 || bytes.Equal(b, b2) {
			t.Fatal("the replay must keep the truth, not the faulted answer")
		}
	})

	t.Run("Decline", func(t *testing.T) {
		h := MustHarness(t, Options{})
		orderID, key := h.MustAuthenticate(15000, nil)
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opConfirm, Kind: sandbox.FaultDecline}})
		status, o := h.call(http.MethodPost, "/v1/payments/confirm", confirmBody(key, orderID, 15000))
		wantError(t, status, o, http.StatusForbidden, "REJECT_CARD_COMPANY")
		p := h.get(key)
		if p.Str(t, "status") != statusAborted || p.Str(t, "failure.code") != "REJECT_CARD_COMPANY" {
			t.Fatalf("declined payment = %v", p)
		}
		status, o = h.call(http.MethodPost, "/v1/payments/confirm", confirmBody(key, orderID, 15000))
		wantError(t, status, o, http.StatusBadRequest, "ALREADY_PROCESSED_PAYMENT")
	})

	t.Run("DeclineCancel", func(t *testing.T) {
		h := MustHarness(t, Options{})
		_, key := h.MustPaid(10000, nil)
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opCancel, Kind: sandbox.FaultDecline, Status: 403}, Code: "NOT_CANCELABLE_PAYMENT"})
		status, o := h.call(http.MethodPost, "/v1/payments/"+key+"/cancel", cancelBody(1000, 0, 10000))
		wantError(t, status, o, http.StatusForbidden, "NOT_CANCELABLE_PAYMENT")
		if got := h.get(key).Int(t, "balanceAmount"); got != 10000 {
			t.Fatalf("a declined cancel refunded: balance %d", got)
		}
	})

	t.Run("MatchesIDAndCount", func(t *testing.T) {
		h := MustHarness(t, Options{})
		_, k1 := h.MustPaid(1000, nil)
		orderID, k2 := h.MustPaid(1000, nil)
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opGet, Kind: sandbox.FaultError, Count: 2}, ID: orderID})
		h.get(k1)
		h.get(k2) // by paymentKey: the fault names the orderId
		for range 2 {
			status, o := h.call(http.MethodGet, "/v1/payments/orders/"+orderID, nil)
			wantError(t, status, o, http.StatusInternalServerError, "FAILED_INTERNAL_SYSTEM_PROCESSING")
		}
		h.mustOK(http.MethodGet, "/v1/payments/orders/"+orderID, nil)
	})

	t.Run("Clear", func(t *testing.T) {
		h := MustHarness(t, Options{})
		_, key := h.MustPaid(1000, nil)
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opGet, Kind: sandbox.FaultError}})
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: "approve", Kind: sandbox.FaultError}}) // invalid: dropped
		h.SB.ClearFaults()
		h.get(key)
	})
}

func TestSandbox_Control(t *testing.T) {
	h := MustHarness(t, Options{})
	post := h.PostFault
	for body, want := range map[string]int{
		`{"op":"confirm","kind":"error","status":503,"code":"COMMON_ERROR"}`: http.StatusNoContent,
		`{"op":"get","kind":"delay","delay_ms":1}`:                           http.StatusNoContent,
		`{"op":"approve","kind":"error"}`:                                    http.StatusBadRequest,
		`{"op":"get","kind":"explode"}`:                                      http.StatusBadRequest,
		`{"op":"get","kind":"error","status":200}`:                           http.StatusBadRequest,
		`{"op":"get","kind":"error","stauts":500}`:                           http.StatusBadRequest,
	} {
		if got := post(body); got != want {
			t.Errorf("POST faults %s = %d, want %d", body, got, want)
		}
	}
	orderID, key := h.MustAuthenticate(1000, nil)
	status, o := h.call(http.MethodPost, "/v1/payments/confirm", confirmBody(key, orderID, 1000))
	wantError(t, status, o, http.StatusServiceUnavailable, "COMMON_ERROR")

	if status, body := h.Control(http.MethodDelete, sandbox.FaultsPath, ""); status != http.StatusNoContent {
		t.Fatalf("DELETE faults = %d %s", status, body)
	}
	h.mustOK(http.MethodPost, "/v1/payments/confirm", confirmBody(key, orderID, 1000))

	st := h.Stats()
	if st.Int(t, "calls.confirm") != 2 || st.Int(t, "calls_by_id.confirm."+key) != 2 || st.Int(t, "calls.get") != 0 {
		t.Fatalf("stats = %v", st)
	}
}
