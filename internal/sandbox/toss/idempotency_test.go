package toss

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/testutil"
)

// withKey sends req with Idempotency-Key key.
func (h *harness) withKey(key, method, path string, body any) (int, []byte) {
	h.T.Helper()
	req := h.request(method, path, body)
	req.Header.Set("Idempotency-Key", key)
	return h.do(req)
}

func TestSandbox_Idempotency(t *testing.T) {
	t.Run("ConfirmReplay", func(t *testing.T) {
		h := MustHarness(t, Options{})
		orderID, key := h.MustAuthenticate(15000, nil)
		body := confirmBody(key, orderID, 15000)
		s1, b1 := h.withKey("confirm-"+orderID, http.MethodPost, "/v1/payments/confirm", body)
		h.Clock.Advance(time.Minute) // a replay must not even re-render the time
		// The same request with its keys in another order and spacing.
		same := []byte(`{ "amount": 15000, "orderId": "` + orderID + `", "paymentKey": "` + key + `" }`)
		s2, b2 := h.withKey("confirm-"+orderID, http.MethodPost, "/v1/payments/confirm", same)
		if s1 != http.StatusOK || s2 != s1 || !bytes.Equal(b1, b2) {
			t.Fatalf("replay = %d %s, want the first answer %d %s byte for byte", s2, b2, s1, b1)
		}
		if n := h.SB.CallsFor(opConfirm, key); n != 2 {
			t.Errorf("CallsFor(confirm) = %d, want 2 (a replay is a call)", n)
		}
		// Without the key the same confirm is a second confirm.
		status, o := h.call(http.MethodPost, "/v1/payments/confirm", body)
		wantError(t, status, o, http.StatusBadRequest, "ALREADY_PROCESSED_PAYMENT")
	})

	t.Run("ErrorsReplayToo", func(t *testing.T) {
		h := MustHarness(t, Options{})
		orderID, key := h.MustAuthenticate(15000, nil)
		s1, b1 := h.withKey("k1", http.MethodPost, "/v1/payments/confirm", confirmBody(key, orderID, 1))
		s2, b2 := h.withKey("k1", http.MethodPost, "/v1/payments/confirm", confirmBody(key, orderID, 1))
		if s1 != http.StatusBadRequest || s2 != s1 || !bytes.Equal(b1, b2) {
			t.Fatalf("replayed refusal = %d %s / %d %s", s1, b1, s2, b2)
		}
	})

	t.Run("OtherBody", func(t *testing.T) {
		h := MustHarness(t, Options{})
		_, key := h.MustPaid(10000, nil)
		path := "/v1/payments/" + key + "/cancel"
		if s, b := h.withKey("refund-1", http.MethodPost, path, cancelBody(1000, 0, 10000)); s != http.StatusOK {
			t.Fatalf("cancel = %d %s", s, b)
		}
		s, b := h.withKey("refund-1", http.MethodPost, path, cancelBody(2000, 0, 9000))
		wantError(t, s, testutil.DecodeJSON(t, b), http.StatusUnprocessableEntity, "IDEMPOTENCY_KEY_REUSED")
		if got := h.get(key).Int(t, "balanceAmount"); got != 9000 {
			t.Fatalf("balance = %d, want 9000: the reused key must not refund", got)
		}
	})

	t.Run("CancelReplayRefundsOnce", func(t *testing.T) {
		h := MustHarness(t, Options{})
		_, key := h.MustPaid(10000, nil)
		path := "/v1/payments/" + key + "/cancel"
		// The retry a client makes after a timeout, many times at once.
		var wg sync.WaitGroup
		answers := make([][]byte, 8)
		for i := range answers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req := h.request(http.MethodPost, path, cancelBody(3000, 0, 10000))
				req.Header.Set("Idempotency-Key", "can_01")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				defer resp.Body.Close()
				var buf bytes.Buffer
				buf.ReadFrom(resp.Body)
				answers[i] = buf.Bytes()
			}()
		}
		wg.Wait()
		for _, a := range answers[1:] {
			if !bytes.Equal(a, answers[0]) {
				t.Fatalf("concurrent replays differ:\n%s\n%s", answers[0], a)
			}
		}
		p := h.get(key)
		if p.Int(t, "balanceAmount") != 7000 || len(p["cancels"].([]any)) != 1 {
			t.Fatalf("after 8 identical requests: %v", p)
		}
	})

	t.Run("Scope", func(t *testing.T) {
		// One key on two paths is two requests.
		h := MustHarness(t, Options{})
		_, k1 := h.MustPaid(5000, nil)
		_, k2 := h.MustPaid(5000, nil)
		for _, k := range []string{k1, k2} {
			if s, b := h.withKey("same", http.MethodPost, "/v1/payments/"+k+"/cancel", cancelBody(1000, 0, 5000)); s != http.StatusOK {
				t.Fatalf("cancel %s = %d %s", k, s, b)
			}
		}
		if h.get(k1).Int(t, "balanceAmount") != 4000 || h.get(k2).Int(t, "balanceAmount") != 4000 {
			t.Fatal("a key was shared across paths")
		}
	})

	t.Run("FifteenDays", func(t *testing.T) {
		h := MustHarness(t, Options{})
		_, key := h.MustPaid(10000, nil)
		path := "/v1/payments/" + key + "/cancel"
		body := cancelBody(1000, 0, -1)
		delete(body, "refundableAmount")
		h.withKey("old", http.MethodPost, path, body)
		h.Clock.Advance(15*24*time.Hour - time.Second)
		h.withKey("old", http.MethodPost, path, body)
		if got := h.get(key).Int(t, "balanceAmount"); got != 9000 {
			t.Fatalf("balance = %d, want 9000: replayed within 15 days", got)
		}
		h.Clock.Advance(time.Second)
		h.withKey("old", http.MethodPost, path, body)
		if got := h.get(key).Int(t, "balanceAmount"); got != 8000 {
			t.Fatalf("balance = %d, want 8000: the key expired after 15 days", got)
		}
	})

	t.Run("TooLong", func(t *testing.T) {
		h := MustHarness(t, Options{})
		_, key := h.MustPaid(10000, nil)
		s, b := h.withKey(strings.Repeat("k", 301), http.MethodPost, "/v1/payments/"+key+"/cancel", cancelBody(1000, 0, 10000))
		wantError(t, s, testutil.DecodeJSON(t, b), http.StatusBadRequest, "INVALID_REQUEST")
		if s, _ := h.withKey(strings.Repeat("k", 300), http.MethodPost, "/v1/payments/"+key+"/cancel", cancelBody(1000, 0, 10000)); s != http.StatusOK {
			t.Fatalf("a 300-character key = %d, want 200", s)
		}
	})
}
