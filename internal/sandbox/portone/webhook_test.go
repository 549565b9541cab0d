package portone

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/sandbox"
	"github.com/paybridge/paybridge/internal/sandbox/sandboxtest"
	"github.com/paybridge/paybridge/internal/stdwebhook"
)

// delivery is one webhook as the receiver got it.
type delivery struct {
	header http.Header
	body   []byte
	event  struct {
		Type      string `json:"type"`
		Timestamp string `json:"timestamp"`
		Data      struct {
			StoreID        string `json:"storeId"`
			PaymentID      string `json:"paymentId"`
			TransactionID  string `json:"transactionId"`
			CancellationID string `json:"cancellationId"`
		} `json:"data"`
	}
}

// receiver is a webhook endpoint answering status(attempt) and handing
// every delivery to the test.
type receiver struct{ *sandboxtest.Receiver }

func newReceiver(t *testing.T, status func(attempt int32) int) *receiver {
	t.Helper()
	return &receiver{sandboxtest.NewReceiver(t, status)}
}

// next waits for the next delivery, which must be JSON.
func (rc *receiver) next(t *testing.T) delivery {
	t.Helper()
	w := rc.Next(t)
	d := delivery{header: w.Header, body: w.Body}
	if err := json.Unmarshal(d.body, &d.event); err != nil {
		t.Errorf("webhook body is not JSON: %s", d.body)
	}
	return d
}

// none checks that no delivery arrives for a while.
func (rc *receiver) none(t *testing.T) { t.Helper(); rc.None(t, 200*time.Millisecond) }

func ok200(int32) int { return http.StatusOK }

func TestSandbox_Webhooks(t *testing.T) {
	secret := stdwebhook.NewSecret()
	verify := func(t *testing.T, h *harness, d delivery, typ, paymentID string) {
		t.Helper()
		if _, err := stdwebhook.Verify(d.header, d.body, []string{secret}, h.Clock.Now()); err != nil {
			t.Fatalf("signature: %v", err)
		}
		if d.header.Get("Content-Type") != "application/json" {
			t.Errorf("Content-Type %q", d.header.Get("Content-Type"))
		}
		e := d.event
		if e.Type != typ || e.Data.PaymentID != paymentID || e.Data.StoreID != DefaultStoreID || e.Data.TransactionID == "" {
			t.Errorf("webhook %s, want %s for %s", d.body, typ, paymentID)
		}
		if _, err := time.Parse(time.RFC3339, e.Timestamp); err != nil {
			t.Errorf("timestamp %q: %v", e.Timestamp, err)
		}
		// encoding/json matches names case-insensitively; other languages'
		// clients do not, so the exact keys are checked too.
		var raw map[string]json.RawMessage
		var data map[string]any
		if json.Unmarshal(d.body, &raw) != nil || json.Unmarshal(raw["data"], &data) != nil {
			t.Fatalf("webhook body %s", d.body)
		}
		if len(raw) != 3 || raw["type"] == nil || raw["timestamp"] == nil {
			t.Errorf("webhook keys: %s, want type, timestamp, data", d.body)
		}
		for _, k := range []string{"storeId", "paymentId", "transactionId"} {
			if _, ok := data[k]; !ok {
				t.Errorf("webhook data lacks %s: %s", k, d.body)
			}
		}
		for k := range data {
			if k != "storeId" && k != "paymentId" && k != "transactionId" && k != "cancellationId" {
				t.Errorf("webhook data has %s: %s", k, d.body)
			}
		}
	}

	t.Run("PaymentLifecycle", func(t *testing.T) {
		rc := newReceiver(t, ok200)
		h := MustHarness(t, Options{WebhookURL: rc.URL, WebhookSecret: secret})
		h.mustPaid("pay_1", 10000, 0)
		verify(t, h, rc.next(t), "Transaction.Paid", "pay_1")

		_, m := h.cancel("pay_1", map[string]any{"amount": 4000, "reason": "r"})
		d := rc.next(t)
		verify(t, h, d, "Transaction.PartialCancelled", "pay_1")
		if d.event.Data.CancellationID != m.Str(t, "cancellation.id") {
			t.Errorf("cancellationId %q, want %q", d.event.Data.CancellationID, m.Str(t, "cancellation.id"))
		}
		h.cancel("pay_1", map[string]any{"reason": "rest"})
		verify(t, h, rc.next(t), "Transaction.Cancelled", "pay_1")
	})
	t.Run("Failed", func(t *testing.T) {
		rc := newReceiver(t, ok200)
		h := MustHarness(t, Options{WebhookURL: rc.URL, WebhookSecret: secret})
		h.Page(h.windowURL("pay_1", "1000", nil), url.Values{"action": {"cancel"}})
		verify(t, h, rc.next(t), "Transaction.Failed", "pay_1")
	})
	t.Run("AsyncCancel", func(t *testing.T) {
		rc := newReceiver(t, ok200)
		h := MustHarness(t, Options{WebhookURL: rc.URL, WebhookSecret: secret, AsyncCancel: true})
		h.mustPaid("pay_1", 10000, 0)
		rc.next(t)
		h.cancel("pay_1", map[string]any{"reason": "all"})
		verify(t, h, rc.next(t), "Transaction.CancelPending", "pay_1")
		h.get("pay_1")
		verify(t, h, rc.next(t), "Transaction.Cancelled", "pay_1")
	})
	t.Run("SkipWebhook", func(t *testing.T) {
		rc := newReceiver(t, ok200)
		h := MustHarness(t, Options{WebhookURL: rc.URL, WebhookSecret: secret})
		h.mustPaid("pay_1", 10000, 0)
		rc.next(t)
		h.cancel("pay_1", map[string]any{"amount": 1, "reason": "r", "skipWebhook": true})
		rc.none(t)
	})
	t.Run("LostStillNotifies", func(t *testing.T) {
		rc := newReceiver(t, ok200)
		h := MustHarness(t, Options{WebhookURL: rc.URL, WebhookSecret: secret})
		h.mustPaid("pay_1", 10000, 0)
		rc.next(t)
		h.SB.InjectFault(Fault{Fault: sandbox.Fault{Op: opCancel, Kind: sandbox.FaultLost}})
		if resp, err := http.DefaultClient.Do(h.request(http.MethodPost, paymentPath("pay_1", "/cancel"), map[string]any{"reason": "r"})); err == nil {
			resp.Body.Close()
			t.Fatal("the lost cancel answered")
		}
		verify(t, h, rc.next(t), "Transaction.Cancelled", "pay_1")
	})
	t.Run("RetriedWithSameID", func(t *testing.T) {
		rc := newReceiver(t, func(n int32) int {
			if n < 3 {
				return http.StatusInternalServerError
			}
			return http.StatusOK
		})
		h := MustHarness(t, Options{WebhookURL: rc.URL, WebhookSecret: secret})
		h.SB.mu.Lock()
		h.SB.webhookDelays = []time.Duration{0, time.Millisecond, time.Millisecond, time.Millisecond}
		h.SB.mu.Unlock()
		h.mustPaid("pay_1", 10000, 0)
		ids := map[string]bool{}
		for range 3 {
			d := rc.next(t)
			verify(t, h, d, "Transaction.Paid", "pay_1")
			ids[d.header.Get(stdwebhook.HeaderID)] = true
		}
		rc.none(t) // the third attempt succeeded: no fourth
		if len(ids) != 1 {
			t.Errorf("webhook ids %v, want one id across retries", ids)
		}
	})
}

func TestOptions_Validate(t *testing.T) {
	for name, o := range map[string]Options{
		"no secret":       {WebhookURL: "http://hook.example/"},
		"bad secret":      {WebhookURL: "http://hook.example/", WebhookSecret: "whsec_***"},
		"relative URL":    {WebhookURL: "/hook", WebhookSecret: stdwebhook.NewSecret()},
		"non-http scheme": {WebhookURL: "ftp://hook.example/", WebhookSecret: stdwebhook.NewSecret()},
	} {
		t.Run(name, func(t *testing.T) {
			if o.Validate() == nil {
				t.Fatal("Validate() = nil")
			}
			defer func() {
				if recover() == nil {
					t.Error("New did not panic")
				}
			}()
			New(o)
		})
	}
	if err := (Options{WebhookURL: "https://hook.example/x", WebhookSecret: stdwebhook.NewSecret()}).Validate(); err != nil {
		t.Errorf("valid options: %v", err)
	}
	if err := (Options{}).Validate(); err != nil {
		t.Errorf("zero options: %v", err)
	}
}
