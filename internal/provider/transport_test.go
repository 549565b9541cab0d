package provider

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/testutil"
)

const testSecret = "SECRETtransport0123456789LEAK"

// newTestTransport is a Transport against srv that logs to buf.
func newTestTransport(srv string, buf *testutil.LogBuffer, mods ...func(*Transport)) *Transport {
	t := Transport{Provider: "acme", Label: "Acme", BaseURL: srv + "/prefix/", Auth: "Key " + testSecret,
		Secrets: []string{testSecret}, LogExtra: []any{"generation", "g1"}, LookupOp: "get",
		Backoff: []time.Duration{time.Millisecond, time.Millisecond},
		Log:     slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	for _, m := range mods {
		m(&t)
	}
	return NewTransport(t)
}

// refuseAll is an adapter's classification that calls every refusal invalid.
func refuseAll(status int, body []byte) error {
	return payment.Wrap(payment.EINVALID, &payment.ProviderError{Provider: "acme", HTTPStatus: status, Code: string(body)}, "refused")
}

// TestTransport_Request checks what goes on the wire: the base URL's path
// kept, query, Authorization (per call or default), Accept, the encoded body
// and its content type, Idempotency-Key, and a body net/http cannot replay.
func TestTransport_Request(t *testing.T) {
	type seen struct{ method, uri, auth, accept, ctype, idem, body string }
	var got []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, seen{r.Method, r.URL.RequestURI(), r.Header.Get("Authorization"), r.Header.Get("Accept"),
			r.Header.Get("Content-Type"), r.Header.Get("Idempotency-Key"), string(b)})
		testutil.Reply(w, 200, []byte(`{"id":"x"}`))
	}))
	defer srv.Close()
	var buf testutil.LogBuffer
	tr := newTestTransport(srv.URL, &buf)
	var out struct{ ID string }
	if err := tr.JSON(context.Background(), Call{Op: "confirm", Method: "POST", Path: "/v1/confirm", PaymentID: "pay_1",
		Body: map[string]int{"amount": 100}, IdempotencyKey: "idem-1"}, refuseAll, &out); err != nil || out.ID != "x" {
		t.Fatalf("JSON = %v, out %+v", err, out)
	}
	if err := tr.JSON(context.Background(), Call{Op: "get", Method: "GET", Path: "/v1/p/a%2Fb",
		Query: map[string][]string{"k": {"v w"}}, Auth: "Bearer tok"}, refuseAll, nil); err != nil {
		t.Fatal(err)
	}
	want := []seen{
		{"POST", "/prefix/v1/confirm", "Key " + testSecret, "application/json", "application/json", "idem-1", `{"amount":100}`},
		{"GET", "/prefix/v1/p/a%2Fb?k=v+w", "Bearer tok", "application/json", "", "", ""},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d requests, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("request %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	req, err := tr.request(context.Background(), Call{Op: "cancel", Method: "POST", Path: "/c", Body: struct{}{}, IdempotencyKey: "k"})
	if err != nil || req.GetBody != nil {
		t.Errorf("request = %v; a POST with an Idempotency-Key must not be replayable by net/http (GetBody %v)", err, req.GetBody != nil)
	}
	// Without the key net/http resends a POST only when none of it was
	// written, so its body stays replayable (as before the shared transport).
	if req, err := tr.request(context.Background(), Call{Op: "approve", Method: "POST", Path: "/a", Body: struct{}{}}); err != nil || req.GetBody == nil {
		t.Errorf("request = %v; a POST without an Idempotency-Key should keep GetBody", err)
	}
	// A custom encoder (a form) names its own content type; an encoding
	// failure sends nothing.
	form := newTestTransport(srv.URL, &buf, func(t *Transport) {
		t.Encode = func(any) ([]byte, string, error) { return []byte("a=1"), "application/x-www-form-urlencoded", nil }
	})
	if err := form.JSON(context.Background(), Call{Op: "ready", Method: "POST", Path: "/r", Body: 1}, refuseAll, nil); err != nil {
		t.Fatal(err)
	}
	if g := got[len(got)-1]; g.ctype != "application/x-www-form-urlencoded" || g.body != "a=1" {
		t.Errorf("form request = %+v", g)
	}
	n := len(got)
	err = tr.JSON(context.Background(), Call{Op: "ready", Method: "POST", Path: "/r", Body: func() {}}, refuseAll, nil)
	testutil.AssertCode(t, err, payment.EINTERNAL)
	if !strings.Contains(payment.ErrorMessage(err), "could not encode the Acme ready request") || len(got) != n {
		t.Errorf("encode failure: %q after %d requests", payment.ErrorMessage(err), len(got)-n)
	}
	line := strings.Split(buf.String(), "\n")[0]
	if !strings.Contains(line, `msg="acme call" provider=acme op=confirm generation=g1 payment_id=pay_1 http_status=200`) {
		t.Errorf("log line %s", line)
	}
}

// TestTransport_Errors is the one table of how a call without a usable
// answer is classified, for every adapter: no answer, a timeout, a cut
// body, an oversized body, an unreadable 2xx and a refusal.
func TestTransport_Errors(t *testing.T) {
	for _, tt := range []struct {
		name     string
		handle   func(t *testing.T, w http.ResponseWriter, r *http.Request)
		client   *http.Client
		code     string
		status   int    // the ProviderError's HTTPStatus; -1 for none
		message  string // in the caller-safe message
		provider string // in the ProviderError's message
	}{
		{"HangUp", func(t *testing.T, w http.ResponseWriter, _ *http.Request) { testutil.HangUp(t, w) }, nil,
			payment.EUPSTREAM, -1, "the connection to Acme failed during the op call; the outcome is unknown", ""},
		{"SlowerThanTimeout", func(_ *testing.T, w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}, &http.Client{Timeout: 50 * time.Millisecond},
			payment.EUPSTREAM, -1, "Acme did not answer the op call in time; the outcome is unknown", ""},
		{"BodySlowerThanTimeout", func(_ *testing.T, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "100")
			w.WriteHeader(200)
			w.Write([]byte(`{"id":`))
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}, &http.Client{Timeout: 50 * time.Millisecond},
			payment.EUPSTREAM, -1, "Acme did not answer the op call in time; the outcome is unknown", ""},
		{"BodyCut", func(_ *testing.T, w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Length", "100")
			w.WriteHeader(200)
			w.Write([]byte(`{"id":`))
		}, nil, payment.EUPSTREAM, -1, "the connection to Acme failed during the op call", ""},
		{"BodyOverLimit", func(_ *testing.T, w http.ResponseWriter, _ *http.Request) {
			testutil.Reply(w, 200, []byte(`{"pad":"`+strings.Repeat("x", 64)+`"}`))
		}, nil, payment.EUPSTREAM, 200, "Acme's answer to the op call could not be read; the outcome is unknown",
			"unreadable response: body over 32 bytes"},
		{"Unreadable2xx", func(_ *testing.T, w http.ResponseWriter, _ *http.Request) {
			testutil.Reply(w, 200, []byte(`<html>`))
		}, nil, payment.EUPSTREAM, 200, "could not be read", "unreadable response: invalid character"},
		{"RefusalToAdapter", func(_ *testing.T, w http.ResponseWriter, _ *http.Request) {
			testutil.Reply(w, 409, []byte(`DUP`))
		}, nil, payment.EINVALID, 409, "refused", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { tt.handle(t, w, r) }))
			defer srv.Close()
			var buf testutil.LogBuffer
			tr := newTestTransport(srv.URL, &buf, func(tr *Transport) { tr.HTTP, tr.MaxBody = tt.client, 32 })
			var out struct{ ID string }
			start := time.Now()
			err := tr.JSON(context.Background(), Call{Op: "op", Method: "GET", Path: "/x", PaymentID: "pay_1"}, refuseAll, &out)
			testutil.AssertCode(t, err, tt.code)
			if !strings.Contains(payment.ErrorMessage(err), tt.message) {
				t.Errorf("message %q, want %q", payment.ErrorMessage(err), tt.message)
			}
			pe := payment.AsProviderError(err)
			if tt.status < 0 && pe != nil || tt.status >= 0 && (pe == nil || pe.HTTPStatus != tt.status || pe.Provider != "acme" ||
				!strings.HasPrefix(pe.Message, tt.provider)) {
				t.Errorf("provider error %+v, want status %d and message %q", pe, tt.status, tt.provider)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %v", d)
			}
			if !strings.Contains(buf.String(), "error_code="+tt.code) {
				t.Errorf("log %s, want the error's code", buf.String())
			}
		})
	}
	t.Run("ConnectionRefused", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close()
		err := newTestTransport(srv.URL, new(testutil.LogBuffer)).JSON(context.Background(), Call{Op: "op", Method: "GET"}, refuseAll, nil)
		testutil.AssertCode(t, err, payment.EUPSTREAM)
	})
	t.Run("ContextDeadline", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			io.ReadAll(r.Body) // the server notices a client gone only once the body is read
			<-r.Context().Done()
		}))
		defer srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		err := newTestTransport(srv.URL, new(testutil.LogBuffer)).JSON(ctx, Call{Op: "op", Method: "POST", Body: 1}, refuseAll, nil)
		testutil.AssertCode(t, err, payment.EUPSTREAM)
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(payment.ErrorMessage(err), "in time") {
			t.Errorf("err = %v, want a timeout wrapping context.DeadlineExceeded", err)
		}
	})
}

// TestTransport_Lookup checks that Lookup retries by the transport's rule
// and backoff, and that Do never does.
func TestTransport_Lookup(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) < 3 {
			testutil.Reply(w, 503, []byte(`busy`))
			return
		}
		testutil.Reply(w, 200, []byte(`{}`))
	}))
	defer srv.Close()
	var buf testutil.LogBuffer
	tr := newTestTransport(srv.URL, &buf)
	upstream := func(status int, body []byte) error {
		return payment.Wrap(payment.EUPSTREAM, &payment.ProviderError{HTTPStatus: status}, "down")
	}
	get := func() error { return tr.JSON(context.Background(), Call{Op: "get", Method: "GET"}, upstream, nil) }
	if err := get(); err == nil || calls.Load() != 1 {
		t.Fatalf("Do = %v after %d calls; want an error after 1", err, calls.Load())
	}
	if err := tr.Lookup(context.Background(), "pay_1", get); err != nil || calls.Load() != 3 {
		t.Fatalf("Lookup = %v after %d calls; want success after 3", err, calls.Load())
	}
	if !strings.Contains(buf.String(), `msg="acme lookup failed, retrying" provider=acme op=get payment_id=pay_1 attempt=1`) {
		t.Errorf("no retry warning in %s", buf.String())
	}
}

// TestTransport_Observer checks that the metrics hook hears of every call.
func TestTransport_Observer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(400) }))
	defer srv.Close()
	var heard []string
	tr := newTestTransport(srv.URL, new(testutil.LogBuffer), func(t *Transport) {
		t.Observer = func(p, op, outcome string, _ time.Duration) { heard = append(heard, p+" "+op+" "+outcome) }
	})
	tr.JSON(context.Background(), Call{Op: "cancel", Method: "POST", Path: "/payments/1/cancel", Body: 1}, refuseAll, nil)
	if len(heard) != 1 || heard[0] != "acme cancel client_error" {
		t.Errorf("observer heard %v", heard)
	}
}

// TestRedact checks that every secret goes, and that redaction before
// truncation leaves no part of a secret straddling the cut.
func TestRedact(t *testing.T) {
	tr := NewTransport(Transport{Secrets: []string{testSecret, ""}})
	if got := tr.Redact("a "+testSecret+" b tok", "tok", ""); got != "a [redacted] b [redacted]" {
		t.Errorf("Redact = %q", got)
	}
	msg := strings.Repeat("x", MaxProviderText-5) + testSecret
	if got := Truncate(tr.Redact(msg), MaxProviderText); strings.Contains(got, testSecret[:5]) {
		t.Errorf("the start of the secret survived: %s", got[len(got)-20:])
	}
}

// TestTruncate checks that cutting counts runes and never splits one.
func TestTruncate(t *testing.T) {
	for _, tt := range []struct {
		s    string
		n    int
		want string
	}{
		{"abc", 5, "abc"}, {"abc", 3, "abc"}, {"abcd", 3, "abc"},
		{"가나다라", 2, "가나"}, {"", 2, ""}, {"abc", 0, ""}, {"abc", -1, ""},
	} {
		if got := Truncate(tt.s, tt.n); got != tt.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}

// lenientOut decodes anything, as a top-level out: like PortOne's lenient
// wire types, it never fails.
type lenientOut struct{ ID string }

func (*lenientOut) UnmarshalJSON([]byte) error { return nil }

// TestTransport_UnreadableToLenientOut: a body that is not JSON is an
// unreadable answer, an unknown outcome, whatever out would accept; only a
// Keep, which checks the body itself, is handed it without json.Unmarshal.
func TestTransport_UnreadableToLenientOut(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		testutil.Reply(w, 200, []byte(`<html>bad gateway</html>`))
	}))
	defer srv.Close()
	tr := newTestTransport(srv.URL, new(testutil.LogBuffer))
	var out lenientOut
	var raw []byte
	for name, o := range map[string]any{"Lenient": &out, "KeepOfLenient": Keep(&out, &raw)} {
		err := tr.JSON(context.Background(), Call{Op: "confirm", Method: "POST", Body: 1}, refuseAll, o)
		testutil.AssertCode(t, err, payment.EUPSTREAM)
		if pe := payment.AsProviderError(err); pe == nil || !strings.HasPrefix(pe.Message, "unreadable response: invalid character") ||
			!strings.Contains(payment.ErrorMessage(err), "could not be read; the outcome is unknown") {
			t.Errorf("%s: err = %v, want an unreadable answer with an unknown outcome", name, err)
		}
	}
}

// deadlineSeen records the deadline of every request it is handed, and
// answers 200 {} at once.
type deadlineSeen struct {
	deadline time.Time
	ok       bool
}

func (d *deadlineSeen) RoundTrip(r *http.Request) (*http.Response, error) {
	d.deadline, d.ok = r.Context().Deadline()
	return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader(`{}`)), Request: r}, nil
}

// TestTransport_TimeoutApplied: Timeout reports the HTTP client's Timeout,
// and it is the deadline Do puts on the request, so the adapters' tests of
// Timeout check the bound their calls really get; a caller's earlier
// deadline stays.
func TestTransport_TimeoutApplied(t *testing.T) {
	for _, d := range []time.Duration{7 * time.Second, 0} {
		rt := new(deadlineSeen)
		tr := newTestTransport("http://acme.invalid", new(testutil.LogBuffer), func(tr *Transport) {
			tr.HTTP = &http.Client{Timeout: d, Transport: rt}
		})
		if tr.Timeout() != d {
			t.Errorf("Timeout = %v, want the client's %v", tr.Timeout(), d)
		}
		before := time.Now()
		if err := tr.JSON(context.Background(), Call{Op: "get", Method: "GET"}, refuseAll, nil); err != nil {
			t.Fatal(err)
		}
		after := time.Now()
		if d == 0 {
			if rt.ok {
				t.Errorf("no timeout, yet the request had a deadline %v", rt.deadline)
			}
			continue
		}
		if !rt.ok || rt.deadline.Before(before.Add(d)) || rt.deadline.After(after.Add(d)) {
			t.Errorf("deadline %v (set %v), want the call's start + %v", rt.deadline, rt.ok, d)
		}
		ctx, cancel := context.WithDeadline(context.Background(), before.Add(time.Second))
		if err := tr.JSON(ctx, Call{Op: "get", Method: "GET"}, refuseAll, nil); err != nil || !rt.deadline.Equal(before.Add(time.Second)) {
			t.Errorf("JSON = %v, deadline %v; want the caller's earlier one", err, rt.deadline)
		}
		cancel()
	}
}

// TestTransport_TimeoutCause: a call cut by the per-call timeout says so in
// the error kept for the logs, as Client.Timeout's errors did, whether it
// stalled before the headers or in the body; a deadline of the caller's
// own is told apart. The caller sees the same code and message either way.
func TestTransport_TimeoutCause(t *testing.T) {
	stall := func(body bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if body {
				w.Header().Set("Content-Length", "100")
				w.WriteHeader(200)
				w.Write([]byte(`{"id":`))
				w.(http.Flusher).Flush()
			}
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}
	}
	const perCall = "provider call timeout of 50ms exceeded"
	for _, tt := range []struct {
		name        string
		body        bool
		callTimeout time.Duration // the client's Timeout
		ctxTimeout  time.Duration // the caller's deadline; 0 for none
		named       bool          // whether the error names the per-call timeout
	}{
		{"Headers", false, 50 * time.Millisecond, 0, true},
		{"Body", true, 50 * time.Millisecond, 0, true},
		{"CallerDeadline", false, 10 * time.Second, 50 * time.Millisecond, false},
		{"CallerDeadlineInBody", true, 10 * time.Second, 50 * time.Millisecond, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(stall(tt.body))
			defer srv.Close()
			ctx := context.Background()
			if tt.ctxTimeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.ctxTimeout)
				defer cancel()
			}
			tr := newTestTransport(srv.URL, new(testutil.LogBuffer), func(tr *Transport) {
				tr.HTTP = &http.Client{Timeout: tt.callTimeout}
			})
			var out struct{ ID string }
			err := tr.JSON(ctx, Call{Op: "op", Method: "GET"}, refuseAll, &out)
			testutil.AssertCode(t, err, payment.EUPSTREAM)
			if msg := payment.ErrorMessage(err); msg != "Acme did not answer the op call in time; the outcome is unknown" {
				t.Errorf("message %q", msg)
			}
			if !errors.Is(err, context.DeadlineExceeded) || payment.AsProviderError(err) != nil {
				t.Errorf("err = %v, want a timeout wrapping context.DeadlineExceeded and no provider answer", err)
			}
			if got := strings.Contains(err.Error(), "provider call timeout of"); got != tt.named ||
				tt.named && !strings.Contains(err.Error(), perCall) {
				t.Errorf("err = %v; names the per-call timeout: %v, want %v", err, got, tt.named)
			}
		})
	}
}

// ctxErrRoundTripper waits for the request's context and reports its Err,
// not its cause, as a RoundTripper other than net/http's may.
type ctxErrRoundTripper struct{}

func (ctxErrRoundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	<-r.Context().Done()
	return nil, r.Context().Err()
}

// TestTransport_TimeoutCauseOtherRoundTripper: Do names the per-call
// timeout even when the RoundTripper reports only context.DeadlineExceeded.
func TestTransport_TimeoutCauseOtherRoundTripper(t *testing.T) {
	tr := newTestTransport("http://acme.invalid", new(testutil.LogBuffer), func(tr *Transport) {
		tr.HTTP = &http.Client{Timeout: 50 * time.Millisecond, Transport: ctxErrRoundTripper{}}
	})
	err := tr.JSON(context.Background(), Call{Op: "op", Method: "GET"}, refuseAll, nil)
	testutil.AssertCode(t, err, payment.EUPSTREAM)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "provider call timeout of 50ms exceeded") ||
		!strings.Contains(payment.ErrorMessage(err), "in time") {
		t.Errorf("err = %v, want the per-call timeout named", err)
	}
}
