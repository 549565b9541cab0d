package portone

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	posandbox "github.com/paybridge/paybridge/internal/sandbox/portone"
	"github.com/paybridge/paybridge/internal/stdwebhook"
	"github.com/paybridge/paybridge/internal/testutil"
)

// webhookNow is the adapter's clock in the webhook tests.
var webhookNow = time.Date(2024, 5, 1, 3, 1, 5, 0, time.UTC)

// webhookClient is a client verifying with secrets at webhookNow.
func webhookClient(t *testing.T, secrets ...string) *Client {
	t.Helper()
	return MustClient(t, "http://unused", func(c *Config) {
		c.WebhookSecrets = secrets
		c.Now = func() time.Time { return webhookNow }
	})
}

// signed returns the headers PortOne would send with body, signed with
// secret at ts.
func signed(t *testing.T, secret string, ts time.Time, body []byte) http.Header {
	t.Helper()
	h := http.Header{}
	if err := stdwebhook.SignHeaders(h, []string{secret}, "msg_2a3b4c", ts, body); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestClient_ParseWebhook(t *testing.T) {
	secret, other := stdwebhook.NewSecret(), stdwebhook.NewSecret()
	paid := mustTestdata(t, "webhook_paid.json")
	wantID := "pay_01hzx3k4m5n6p7q8r9s0t1v2w3"

	accept := func(t *testing.T, c *Client, h http.Header, body []byte, want string) {
		t.Helper()
		got, err := c.ParseWebhook(h, body)
		if err != nil || got != want {
			t.Fatalf("ParseWebhook = %q, %v; want %q", got, err, want)
		}
	}
	reject := func(t *testing.T, c *Client, h http.Header, body []byte, msg string) {
		t.Helper()
		got, err := c.ParseWebhook(h, body)
		testutil.AssertCode(t, err, payment.EUNAUTHORIZED)
		if got != "" {
			t.Errorf("ParseWebhook returned %q with an error", got)
		}
		if m := payment.ErrorMessage(err); !strings.Contains(m, msg) || strings.Contains(m, secret) || strings.Contains(m, "v1,") {
			t.Errorf("message %q, want it to name %q and nothing secret", m, msg)
		}
	}

	t.Run("Valid", func(t *testing.T) {
		accept(t, webhookClient(t, secret), signed(t, secret, webhookNow, paid), paid, wantID)
	})
	t.Run("CancelType", func(t *testing.T) {
		body := mustTestdata(t, "webhook_cancelled.json")
		accept(t, webhookClient(t, secret), signed(t, secret, webhookNow, body), body, wantID)
	})
	t.Run("ErrBodyChangedOneByte", func(t *testing.T) {
		h := signed(t, secret, webhookNow, paid)
		changed := bytes.Replace(paid, []byte("w3"), []byte("w4"), 1)
		reject(t, webhookClient(t, secret), h, changed, "signature does not match")
	})
	t.Run("ErrReserialised", func(t *testing.T) {
		// Verifying re-encoded JSON instead of the raw bytes fails
		// (docs/providers.md §5.18): the signature is over the bytes.
		h := signed(t, secret, webhookNow, paid)
		var v any
		if err := json.Unmarshal(paid, &v); err != nil {
			t.Fatal(err)
		}
		again, _ := json.Marshal(v)
		reject(t, webhookClient(t, secret), h, again, "signature does not match")
	})
	t.Run("ErrWrongSecret", func(t *testing.T) {
		reject(t, webhookClient(t, secret), signed(t, other, webhookNow, paid), paid, "signature does not match")
	})
	for _, name := range []string{stdwebhook.HeaderID, stdwebhook.HeaderTimestamp, stdwebhook.HeaderSignature} {
		t.Run("ErrMissing_"+name, func(t *testing.T) {
			h := signed(t, secret, webhookNow, paid)
			h.Del(name)
			reject(t, webhookClient(t, secret), h, paid, "headers are missing")
		})
	}
	t.Run("ErrTimestampMalformed", func(t *testing.T) {
		h := signed(t, secret, webhookNow, paid)
		h.Set(stdwebhook.HeaderTimestamp, "yesterday")
		reject(t, webhookClient(t, secret), h, paid, "timestamp is malformed")
	})
	for _, tt := range []struct {
		offset time.Duration
		ok     bool
	}{
		{-301 * time.Second, false}, {-299 * time.Second, true}, {299 * time.Second, true}, {301 * time.Second, false},
	} {
		t.Run("Timestamp"+strconv.Itoa(int(tt.offset.Seconds()))+"s", func(t *testing.T) {
			c := webhookClient(t, secret)
			h := signed(t, secret, webhookNow.Add(tt.offset), paid)
			if tt.ok {
				accept(t, c, h, paid, wantID)
			} else {
				reject(t, c, h, paid, "outside the 5-minute tolerance")
			}
		})
	}
	t.Run("SecondOfTwoSecrets", func(t *testing.T) {
		// Rotation: PortOne signs with the new secret while both are active.
		accept(t, webhookClient(t, other, secret), signed(t, secret, webhookNow, paid), paid, wantID)
	})
	t.Run("SecondOfTwoSignatures", func(t *testing.T) {
		h := signed(t, secret, webhookNow, paid)
		bad, err := stdwebhook.Sign(other, "msg_2a3b4c", webhookNow, paid)
		if err != nil {
			t.Fatal(err)
		}
		h.Set(stdwebhook.HeaderSignature, bad+" "+h.Get(stdwebhook.HeaderSignature))
		accept(t, webhookClient(t, secret), h, paid, wantID)
	})
	t.Run("ErrNoSecretConfigured", func(t *testing.T) {
		reject(t, webhookClient(t), signed(t, secret, webhookNow, paid), paid, "webhook secret not configured")
	})
	t.Run("UnknownTypes", func(t *testing.T) {
		// Ignored, not refused: PortOne adds types without notice.
		for _, body := range [][]byte{
			mustTestdata(t, "webhook_billing_key_issued.json"),
			[]byte(`{"type":"Store.Opened","timestamp":"2024-05-01T03:01:02Z","data":{"paymentId":"pay_x"},"extra":1}`),
		} {
			accept(t, webhookClient(t, secret), signed(t, secret, webhookNow, body), body, "")
		}
	})
	t.Run("NewTransactionType", func(t *testing.T) {
		body := []byte(`{"type":"Transaction.Refunded","timestamp":"2024-05-01T03:01:02Z","data":{"paymentId":"pay_x","new":{}}}`)
		accept(t, webhookClient(t, secret), signed(t, secret, webhookNow, body), body, "pay_x")
	})
	t.Run("LegacyBody", func(t *testing.T) {
		body := []byte(`{"payment_id":"pay_legacy","tx_id":"tx-1","status":"Paid"}`)
		accept(t, webhookClient(t, secret), signed(t, secret, webhookNow, body), body, "pay_legacy")
	})
	t.Run("ErrSignedButBroken", func(t *testing.T) {
		for _, body := range []string{`not json`, `{"type":"Transaction.Paid","data":{}}`} {
			b := []byte(body)
			_, err := webhookClient(t, secret).ParseWebhook(signed(t, secret, webhookNow, b), b)
			testutil.AssertCode(t, err, payment.EINVALID)
		}
	})
}

// TestClient_ParseWebhookFromSandbox checks that what the sandbox's sender
// signs, the adapter verifies: the two share no code but stdwebhook.
func TestClient_ParseWebhookFromSandbox(t *testing.T) {
	secret := stdwebhook.NewSecret()
	type delivery struct {
		h    http.Header
		body []byte
	}
	got := make(chan delivery, 4)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- delivery{r.Header.Clone(), body}
	}))
	defer hook.Close()

	_, c := MustSandbox(t, posandbox.Options{WebhookURL: hook.URL, WebhookSecret: secret})
	c.webhookSecrets = []string{stdwebhook.NewSecret(), secret}
	p := sandboxPayment()
	rr := mustReady(t, c, p)
	buyerActs(t, rr.RedirectPC, "approve", testutil.ReturnURLs(p).Approval)

	select {
	case d := <-got:
		id, err := c.ParseWebhook(d.h, d.body)
		if err != nil || id != p.ID {
			t.Fatalf("ParseWebhook = %q, %v; want %q", id, err, p.ID)
		}
		var w struct{ Type string }
		if json.Unmarshal(d.body, &w) != nil || w.Type != "Transaction.Paid" {
			t.Errorf("webhook type %q, want Transaction.Paid", w.Type)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no webhook from the sandbox")
	}
}
