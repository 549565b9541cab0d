package testutil

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// FastBackoff are lookup backoffs short enough for retry tests to run fast;
// each adapter's MustClient puts them on its client.
var FastBackoff = []time.Duration{time.Millisecond, 2 * time.Millisecond}

// MustNew builds a client with newClient from cfg after mods, failing the
// test when the configuration is refused: every adapter's MustClient.
func MustNew[C, T any](tb testing.TB, cfg C, mods []func(*C), newClient func(C) (T, error)) T {
	tb.Helper()
	for _, m := range mods {
		m(&cfg)
	}
	c, err := newClient(cfg)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return c
}

// RecordedPaymentID is paybridge's id of the payment in every adapter's
// testdata files (the orderId, merchant_uid or partner_order_id there).
const RecordedPaymentID = "pay_01hzx3k4m5n6p7q8r9s0t1v2w3"

// RecordedPayment is the part of the payment in the adapters' testdata
// files that all providers share; each adapter's testPayment adds its
// order name, amount, status and provider ids.
func RecordedPayment(provider string) *payment.Payment {
	return &payment.Payment{
		ID:         RecordedPaymentID,
		MerchantID: payment.DefaultMerchantID,
		Provider:   provider,
		OrderID:    "order-1",
		CustomerID: "cus_1001",
		Quantity:   1,
		Currency:   payment.CurrencyKRW,
	}
}

// SandboxPayment is a fresh payment, as the service creates it, for a test
// against paybridge's sandbox of provider.
func SandboxPayment(provider string) *payment.Payment {
	return &payment.Payment{
		ID:            payment.NewID("pay", time.Now()),
		MerchantID:    payment.DefaultMerchantID,
		Provider:      provider,
		OrderID:       "order-42",
		OrderName:     "Americano x2",
		CustomerID:    "cus_42",
		Quantity:      2,
		Amount:        10000,
		TaxFreeAmount: 1000,
		Currency:      payment.CurrencyKRW,
		Status:        payment.StatusCreated,
	}
}

// KeptAnswer checks the provider answer an adapter kept on a payment
// (payment.ProviderPayment.Raw): none of drop appears in it, and it is a
// JSON object, which it returns for the test to check what must be kept.
func KeptAnswer(t testing.TB, raw []byte, drop ...string) map[string]any {
	t.Helper()
	for _, secret := range drop {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("Raw keeps %q: %s", secret, raw)
		}
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("Raw = %q: %v", raw, err)
	}
	return m
}

// KeptLookup is every adapter's raw-answer check: lookup (a Lookup against
// a fake that answers with a doctored testdata file) succeeds, and the
// answer kept on the result holds none of drop and each of want's
// top-level fields. It returns the kept answer for checks of nested fields.
func KeptLookup(t testing.TB, lookup func() (*payment.ProviderPayment, error), want map[string]any, drop ...string) map[string]any {
	t.Helper()
	got, err := lookup()
	if err != nil {
		t.Fatal(err)
	}
	m := KeptAnswer(t, got.Raw, drop...)
	for k, v := range want {
		if m[k] != v {
			t.Errorf("Raw lost the answer (%s = %v, want %v): %s", k, m[k], v, got.Raw)
		}
	}
	return m
}

// AssertNoSecret fails the test if s, the text of what, contains any of
// secrets.
func AssertNoSecret(t testing.TB, what, s string, secrets ...string) {
	t.Helper()
	for _, k := range secrets {
		if k != "" && strings.Contains(s, k) {
			t.Errorf("%s leaks a secret: %s", what, s)
		}
	}
}

// AssertHidesSecrets checks an adapter's failed call: err (which must be
// one) and the call's log lines show none of secrets, in any rendering an
// operator or API caller could see.
func AssertHidesSecrets(t testing.TB, err error, logs string, secrets ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	AssertNoSecret(t, "Error()", err.Error(), secrets...)
	AssertNoSecret(t, "Message", payment.ErrorMessage(err), secrets...)
	AssertNoSecret(t, "%+v", fmt.Sprintf("%+v", err), secrets...)
	if pe := payment.AsProviderError(err); pe != nil {
		AssertNoSecret(t, "ProviderError", fmt.Sprintf("%#v", *pe), secrets...)
	}
	AssertNoSecret(t, "log", logs, secrets...)
}

// TransportOp is one call of an adapter for CheckTransport.
type TransportOp struct {
	Name string
	// Calls is how many requests the call makes when every answer fails:
	// 1, or for a lookup 1 plus its retries (FastBackoff has two).
	Calls int
	// Call makes the call with a client for baseURL that sends through
	// hc (nil: the adapter's default).
	Call func(ctx context.Context, baseURL string, hc *http.Client) error
}

// CheckTransport checks an adapter's calls against a provider that hangs
// up, answers too slowly, answers 5xx, cannot be reached or outlives the
// caller's deadline: each is an unknown outcome (EUPSTREAM), and only
// lookups are tried again. The classification itself is
// provider.Transport's and tested there; this shows each adapter goes
// through it and repeats only what is safe to repeat. serve starts the
// adapter's fake with handle and returns its base URL and request count;
// serverError is a 5xx body in the provider's shape.
func CheckTransport(t *testing.T, ops []TransportOp, serverError []byte,
	serve func(t *testing.T, handle http.HandlerFunc) (baseURL string, calls func() int)) {
	t.Helper()
	// net/http itself resends a GET once when a kept-alive connection
	// drops; count only the adapter's attempts.
	noKeepAlive := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	slow := func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body) // the server notices a client gone only once the body is read
		select {
		case <-r.Context().Done(): // the client gave up
		case <-time.After(5 * time.Second):
		}
	}
	for _, o := range ops {
		t.Run(o.Name+"/HangUp", func(t *testing.T) {
			base, calls := serve(t, func(w http.ResponseWriter, _ *http.Request) { HangUp(t, w) })
			err := o.Call(context.Background(), base, noKeepAlive)
			AssertCode(t, err, payment.EUPSTREAM)
			if !strings.Contains(payment.ErrorMessage(err), "failed during the") || payment.AsProviderError(err) != nil {
				t.Errorf("err = %v, want a failed connection without a provider answer", err)
			}
			if calls() != o.Calls {
				t.Errorf("calls = %d, want %d", calls(), o.Calls)
			}
		})
		t.Run(o.Name+"/SlowerThanTimeout", func(t *testing.T) {
			base, calls := serve(t, slow)
			start := time.Now()
			err := o.Call(context.Background(), base, &http.Client{Timeout: 100 * time.Millisecond})
			AssertCode(t, err, payment.EUPSTREAM)
			if !strings.Contains(payment.ErrorMessage(err), "in time") {
				t.Errorf("Message = %q, want a timeout message", payment.ErrorMessage(err))
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %v; the client timeout was not applied", d)
			}
			if calls() != o.Calls {
				t.Errorf("calls = %d, want %d", calls(), o.Calls)
			}
		})
		t.Run(o.Name+"/5xxNotRetriedUnlessLookup", func(t *testing.T) {
			base, calls := serve(t, func(w http.ResponseWriter, _ *http.Request) { Reply(w, http.StatusInternalServerError, serverError) })
			AssertCode(t, o.Call(context.Background(), base, nil), payment.EUPSTREAM)
			if calls() != o.Calls {
				t.Errorf("calls = %d, want %d", calls(), o.Calls)
			}
		})
		t.Run(o.Name+"/ConnectionRefused", func(t *testing.T) {
			srv := httptest.NewServer(http.NotFoundHandler())
			srv.Close()
			AssertCode(t, o.Call(context.Background(), srv.URL, nil), payment.EUPSTREAM)
		})
		t.Run(o.Name+"/ContextDeadline", func(t *testing.T) {
			base, _ := serve(t, slow)
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			err := o.Call(ctx, base, nil)
			AssertCode(t, err, payment.EUPSTREAM)
			if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(payment.ErrorMessage(err), "in time") {
				t.Errorf("err = %v, want a timeout wrapping context.DeadlineExceeded", err)
			}
		})
	}
}

// AssertProviderPayment compares an adapter's translation with want: times
// as instants, the kept answer (payment.ProviderPayment.Raw, whose
// redaction each adapter's TestRawAnswer checks) only for being JSON, and
// every other field exactly.
func AssertProviderPayment(t testing.TB, got *payment.ProviderPayment, want payment.ProviderPayment) {
	t.Helper()
	if got == nil {
		t.Fatal("nil ProviderPayment")
	}
	g := *got
	for _, ts := range []struct {
		name      string
		got, want *time.Time
	}{
		{"CreatedAt", &g.CreatedAt, &want.CreatedAt},
		{"ApprovedAt", &g.ApprovedAt, &want.ApprovedAt},
		{"CanceledAt", &g.CanceledAt, &want.CanceledAt},
	} {
		if !ts.got.Equal(*ts.want) {
			t.Errorf("%s = %v, want %v", ts.name, *ts.got, *ts.want)
		}
		*ts.got, *ts.want = time.Time{}, time.Time{}
	}
	if !json.Valid(g.Raw) {
		t.Errorf("Raw = %q, want the answer's JSON", g.Raw)
	}
	g.Raw = nil
	if !reflect.DeepEqual(g, want) {
		t.Errorf("ProviderPayment =\n%+v\nwant\n%+v", g, want)
	}
}

// JSONBody checks a fake's request for a JSON body, by its Content-Type and
// its content, and decodes it with numbers as json.Number, so that a test
// can tell 100 from "100". It reports a breach itself and returns false.
func JSONBody(t testing.TB, r *http.Request, body []byte) (map[string]any, bool) {
	t.Helper()
	ok := true
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
		ok = false
	}
	var fields map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&fields); err != nil {
		t.Errorf("body is not a JSON object: %v", err)
		return nil, false
	}
	return fields, ok
}
