package kakaopay

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSandbox_Approve(t *testing.T) {
	for _, g := range gens {
		t.Run(g.name, func(t *testing.T) {
			t.Run("ErrAlreadyApproved", func(t *testing.T) {
				h := MustHarness(t, Options{})
				tid, tok := h.MustAuthorized(g.gen)
				h.mustOK(g.gen, opApprove, approveBody(tid, tok))
				status, m := h.call(g.gen, opApprove, approveBody(tid, tok))
				wantError(t, g.gen, http.StatusBadRequest, m, status, -702)
				if n := h.SB.CallsFor(opApprove, tid); n != 2 {
					t.Fatalf("CallsFor(approve) = %d, want 2", n)
				}
			})
			t.Run("ErrWrongInput", func(t *testing.T) {
				h := MustHarness(t, Options{})
				tid, tok := h.MustAuthorized(g.gen)
				for name, over := range map[string]map[string]any{
					"pg_token":         {"pg_token": otherToken(tok)},
					"partner_order_id": {"partner_order_id": "order-2"},
					"partner_user_id":  {"partner_user_id": "user-2"},
					"total_amount":     {"total_amount": 10999},
					"unknown tid":      {"tid": "T0000000000000000000"},
					"cid of another":   {"cid": "CXXXXXXXXX"},
					"missing pg_token": {"pg_token": ""},
				} {
					body := approveBody(tid, tok)
					for k, v := range over {
						body[k] = v
					}
					status, m := h.call(g.gen, opApprove, body)
					if status != http.StatusBadRequest || m.Int(t, codeKey(g.gen)) != -2 {
						t.Errorf("%s: status %d body %v; want 400 -2", name, status, m)
					}
				}
				// Refusals change nothing: the correct approve still works.
				if got := h.order(g.gen, tid).Str(t, "status"); got != statusAuthPassword {
					t.Fatalf("status after refusals = %s", got)
				}
				h.mustOK(g.gen, opApprove, approveBody(tid, tok))
			})
			t.Run("ErrNotAuthenticated", func(t *testing.T) {
				h := MustHarness(t, Options{})
				tid := h.MustReady(g.gen, nil)
				status, m := h.call(g.gen, opApprove, approveBody(tid, "00000000000000000000"))
				wantError(t, g.gen, http.StatusBadRequest, m, status, -780)
			})
			t.Run("ErrInvalidCID", func(t *testing.T) {
				h := MustHarness(t, Options{})
				body := approveBody("T0000000000000000000", "tok")
				body["cid"] = "SHORT"
				status, m := h.call(g.gen, opApprove, body)
				wantError(t, g.gen, http.StatusBadRequest, m, status, -731)
			})
		})
	}
}

func TestSandbox_Expiry(t *testing.T) {
	t.Run("ErrApproveAfterExpiry", func(t *testing.T) {
		h := MustHarness(t, Options{Expiry: 10 * time.Minute})
		tid, tok := h.MustAuthorized(current)
		h.Clock.Advance(10 * time.Minute)
		status, m := h.call(current, opApprove, approveBody(tid, tok))
		wantError(t, current, http.StatusBadRequest, m, status, -2)
		if !strings.Contains(m.Str(t, "error_message"), "expired") {
			t.Errorf("message %q does not say expired", m.Str(t, "error_message"))
		}
		if got := h.order(current, tid).Str(t, "status"); got != statusFail {
			t.Fatalf("order status = %s, want FAIL_PAYMENT", got)
		}
	})
	t.Run("NeverOpened", func(t *testing.T) {
		h := MustHarness(t, Options{}) // default 15 minutes
		tid := h.MustReady(legacy, nil)
		h.Clock.Advance(15*time.Minute - time.Second)
		if got := h.order(legacy, tid).Str(t, "status"); got != statusReady {
			t.Fatalf("just before expiry: %s", got)
		}
		h.Clock.Advance(time.Second)
		if got := h.order(legacy, tid).Str(t, "status"); got != statusFail {
			t.Fatalf("at expiry: %s, want FAIL_PAYMENT", got)
		}
	})
	t.Run("ApprovedPaymentsDoNotExpire", func(t *testing.T) {
		h := MustHarness(t, Options{})
		tid := h.MustPaid(current, nil)
		h.Clock.Advance(24 * time.Hour)
		if got := h.order(current, tid).Str(t, "status"); got != statusSuccess {
			t.Fatalf("a day later: %s", got)
		}
	})
}

// Two shop instances finishing the same payment at once: KakaoPay approves
// once and answers -702 to the rest. This is what paybridge's own
// compare-and-set is tested against.
func TestSandbox_ConcurrentApprove(t *testing.T) {
	h := MustHarness(t, Options{})
	tid, tok := h.MustAuthorized(current)
	const n = 16
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		statuses = map[int]int{}
		codes    = map[int64]int{}
	)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.DefaultClient.Do(h.request(current, opApprove, approveBody(tid, tok)))
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			m := decodeObj(t, resp.Body)
			mu.Lock()
			defer mu.Unlock()
			statuses[resp.StatusCode]++
			if resp.StatusCode != http.StatusOK {
				codes[m.Int(t, "error_code")]++
			}
		}()
	}
	wg.Wait()
	if statuses[http.StatusOK] != 1 || codes[-702] != n-1 {
		t.Fatalf("statuses %v codes %v; want exactly one 200 and %d × -702", statuses, codes, n-1)
	}
	if got := h.SB.CallsFor(opApprove, tid); got != n {
		t.Fatalf("CallsFor(approve) = %d, want %d", got, n)
	}
	if got := len(h.order(current, tid)["payment_action_details"].([]any)); got != 1 {
		t.Fatalf("%d payment actions, want 1", got)
	}
}

func codeKey(gen generation) string {
	if gen == current {
		return "error_code"
	}
	return "code"
}

// otherToken returns a token that differs from tok in its first character.
func otherToken(tok string) string {
	if tok[0] == 'x' {
		return "y" + tok[1:]
	}
	return "x" + tok[1:]
}
