package provider

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	jsonv1 "github.com/go-json-experiment/json/v1"

	"github.com/paybridge/paybridge/internal/payment"
)

// MaxResponseBody bounds what is read from a provider. A payment with its
// cancellations is a few kilobytes at every provider; anything larger is
// not the provider's answer.
const MaxResponseBody = 1 << 20

// MaxProviderText bounds the provider's free text kept in a ProviderError,
// which ends up in logs and on the payment.
const MaxProviderText = 500

// DefaultLookupBackoff are the pauses before each lookup retry.
var DefaultLookupBackoff = []time.Duration{100 * time.Millisecond, 300 * time.Millisecond}

// Transport is the HTTP plumbing every adapter shares: it builds a request,
// sends it, reads the answer up to a limit, classifies a call that got no
// readable answer, logs one line per call and repeats lookups. What is the
// provider's own — its wire types, its translation and what its refusals
// mean — stays in the adapter, which hands the answer's status and body
// to Do.
//
// Every error Transport returns is a *payment.Error: EINTERNAL when nothing
// was sent, EUPSTREAM when the call may have reached the provider but its
// outcome cannot be told (no answer, or one that cannot be read).
type Transport struct {
	// Provider is the payment.Provider… name, for errors and logs.
	Provider string
	// Label names the provider in error messages: "KakaoPay", "PortOne".
	Label string
	// BaseURL is the API root, any path prefix kept; a trailing slash is
	// dropped by NewTransport.
	BaseURL string
	// HTTP sends the calls; NewHTTPClient when nil. NewTransport reads it
	// once: Do applies its Timeout itself (see NewTransport and Timeout),
	// so a client swapped in afterwards would not be used.
	HTTP *http.Client
	// Observer, when set, hears of every call for metrics (see Instrument).
	Observer Observer
	// Log gets one debug line per call and the lookup retries' warnings;
	// nothing when nil.
	Log *slog.Logger
	// LogExtra are attributes added to every call's line after op
	// (KakaoPay's generation).
	LogExtra []any
	// Auth is the Authorization header of every call unless the call has
	// its own; "" sends none.
	Auth string
	// Secrets are redacted from everything the provider says (Redact), in
	// case it ever echoes a credential back.
	Secrets []string
	// Encode renders a request body and names its content type; JSON when
	// nil.
	Encode func(in any) (body []byte, contentType string, err error)
	// MaxBody bounds the answer read; MaxResponseBody when 0.
	MaxBody int
	// Backoff are the pauses before each lookup retry (see Lookup); its
	// length is the number of retries. DefaultLookupBackoff when nil.
	Backoff []time.Duration
	// Retryable says whether another lookup may cure an error; Transient
	// when nil.
	Retryable func(err error) bool
	// LookupOp is the operation Lookup logs its retries under.
	LookupOp string

	// send is HTTP without its Timeout, which Do applies instead as a
	// deadline on the call's context (see NewTransport).
	send    *http.Client
	timeout time.Duration
	// timedOut is the cause of a call's context ending at timeout, built
	// once: the error of a call cut by it says so, where a deadline of
	// the caller's own says only "context deadline exceeded".
	timedOut error
}

// Timeout is the bound Do puts on each call: HTTP's Timeout, read once by
// NewTransport; 0 for none.
func (t *Transport) Timeout() time.Duration { return t.timeout }

// NewTransport returns t with its defaults filled in.
func NewTransport(t Transport) *Transport {
	t.BaseURL = strings.TrimRight(t.BaseURL, "/")
	if t.HTTP == nil {
		t.HTTP = NewHTTPClient()
	}
	t.HTTP = Instrument(t.Provider, t.HTTP, t.Observer)
	// Do bounds each call by the client's Timeout itself, as a deadline on
	// the request's context: it reads the whole answer before it returns,
	// so the deadline covers what Client.Timeout covers. A client with a
	// Timeout whose transport is not net/http's own (an instrumented
	// client's is not) cancels every request the legacy way: two
	// goroutines, a timer and a channel per call.
	send := *t.HTTP
	t.timeout, send.Timeout = send.Timeout, 0
	t.send = &send
	if t.timeout > 0 {
		// Client.Timeout's errors said "Client.Timeout exceeded"; this
		// says as much, and is still a context.DeadlineExceeded, so the
		// call is classified as one that did not answer in time.
		t.timedOut = fmt.Errorf("provider call timeout of %v exceeded: %w", t.timeout, context.DeadlineExceeded)
	}
	if t.Log == nil {
		t.Log = slog.New(slog.DiscardHandler)
	}
	if t.Encode == nil {
		t.Encode = encodeJSON
	}
	if t.MaxBody <= 0 {
		t.MaxBody = MaxResponseBody
	}
	if t.Backoff == nil {
		t.Backoff = DefaultLookupBackoff
	}
	if t.Retryable == nil {
		t.Retryable = Transient
	}
	return &t
}

func encodeJSON(in any) ([]byte, string, error) {
	b, err := json.Marshal(in)
	return b, "application/json", err
}

// Call is one request to the provider.
type Call struct {
	Op        string // the provider's operation, for logs and messages
	Method    string
	Path      string     // already escaped, from BaseURL: "/payments/imp_1"
	Query     url.Values // nil for none
	PaymentID string     // for logs
	Body      any        // encoded by Transport.Encode; nil sends none
	// Auth replaces Transport.Auth for this call (a per-call token).
	Auth string
	// IdempotencyKey, when set, is sent as Idempotency-Key.
	IdempotencyKey string
}

// Answer reads an answer the provider sent: its HTTP status and its body,
// whole and within the limit. It returns nil or a classified error.
type Answer func(status int, body []byte) error

// Do sends c and hands its answer to answer. It never retries: whether that
// is safe depends on the operation (see Lookup).
func (t *Transport) Do(ctx context.Context, c Call, answer Answer) error {
	start := time.Now()
	if t.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, t.timeout, t.timedOut)
		defer cancel()
	}
	req, err := t.request(ctx, c)
	if err != nil {
		return err
	}
	resp, err := t.send.Do(req)
	if err != nil {
		err = t.TransportError(c.Op, t.cause(ctx, err))
		t.logCall(ctx, c, 0, start, err)
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, int64(t.MaxBody)+1))
	switch {
	case err != nil:
		// The status line arrived, so the provider did handle the call;
		// without the body we cannot tell how.
		err = t.TransportError(c.Op, t.cause(ctx, err))
	case len(data) > t.MaxBody:
		err = t.Unreadable(c.Op, resp.StatusCode, fmt.Sprintf("body over %d bytes", t.MaxBody))
	default:
		err = answer(resp.StatusCode, data)
	}
	t.logCall(ctx, c, resp.StatusCode, start, err)
	return err
}

// cause returns err, the error of a call on ctx, naming the per-call
// timeout when that is what ended ctx. net/http already reports a
// context's cause; a RoundTripper that reports ctx.Err() instead would
// lose it.
func (t *Transport) cause(ctx context.Context, err error) error {
	if t.timedOut != nil && context.Cause(ctx) == t.timedOut && !errors.Is(err, t.timedOut) {
		return fmt.Errorf("%w (%w)", err, t.timedOut)
	}
	return err
}

// JSON sends c and decodes a 2xx answer into out (nil: the body is
// ignored); any other status goes to refused, the adapter's own
// classification of the provider's refusals. Unknown fields are ignored:
// providers add fields without notice.
func (t *Transport) JSON(ctx context.Context, c Call, refused Answer, out any) error {
	return t.Do(ctx, c, func(status int, body []byte) error {
		if status < 200 || status > 299 {
			return refused(status, body)
		}
		if out == nil {
			return nil
		}
		if err := decodeJSON(body, out); err != nil {
			return t.Unreadable(c.Op, status, err.Error())
		}
		return nil
	})
}

// decodeJSON is json.Unmarshal(body, out). A Keep is handed the body
// directly: json.Unmarshal would first scan the whole body to check it and
// again to find the value's end, only to hand the same bytes over, and
// Keep's own unmarshalAnswer fails on an invalid body with the same error.
// Only a Keep: any other json.Unmarshaler may accept what is not JSON (a
// lenient type that never fails), and an unreadable 2xx would then pass for
// a zero-valued success where the outcome is unknown.
func decodeJSON(body []byte, out any) error {
	if k, ok := out.(*keeper); ok {
		return k.UnmarshalJSON(body)
	}
	return unmarshalAnswer(body, out)
}

// asEncodingJSON are the options under which encoding/json/v2 reads as
// encoding/json (v1) does: the semantics Go's own encoding/json is built
// on when it runs on v2.
var asEncodingJSON = jsonv1.DefaultOptionsV1()

// unmarshalAnswer is json.Unmarshal(body, v), read by encoding/json/v2
// with encoding/json's semantics: a KakaoPay approve answer decoded and
// kept 11.8 → 9.0 µs and 20 → 7 allocations, a ready answer 10.9 → 6.5 µs
// and 15 → 5 (go test -bench Answer ./internal/provider/kakaopay). A
// body it refuses is read again by encoding/json itself, so a refusal
// says what it always said (the message is kept on the payment).
// Each adapter's FuzzAnswerAsEncodingJSON (package answertest) holds the
// two to the same values and refusals, the read again included.
func unmarshalAnswer(body []byte, v any) error {
	if jsonv2.Unmarshal(body, v, asEncodingJSON) == nil {
		return nil
	}
	return json.Unmarshal(body, v)
}

// request builds c's HTTP request.
func (t *Transport) request(ctx context.Context, c Call) (*http.Request, error) {
	var body io.Reader
	contentType := ""
	if c.Body != nil {
		b, ct, err := t.Encode(c.Body)
		if err != nil {
			// Nothing was sent, so nothing happened at the provider.
			return nil, payment.Wrap(payment.EINTERNAL, err, "could not encode the %s %s request", t.Label, c.Op)
		}
		body, contentType = bytes.NewReader(b), ct
	}
	u := t.BaseURL + c.Path
	if len(c.Query) > 0 {
		u += "?" + c.Query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, c.Method, u, body)
	if err != nil {
		return nil, payment.Wrap(payment.EINTERNAL, err, "could not build the %s %s request", t.Label, c.Op)
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	if body != nil && c.IdempotencyKey != "" {
		// net/http resends, on its own, a request that has an
		// Idempotency-Key and a replayable body when a reused connection
		// dies before the answer: a second confirm or cancel behind our
		// back. Without GetBody the body is not replayable, so the
		// transport never repeats it; an unknown outcome reaches the
		// service, which looks the payment up. A request without the key
		// keeps its body replayable: net/http then resends it only when
		// not a byte of it was written, which is harmless.
		req.GetBody = nil
	}
	req.Header.Set("Accept", "application/json")
	if auth := cmp.Or(c.Auth, t.Auth); auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if c.IdempotencyKey != "" {
		req.Header.Set("Idempotency-Key", c.IdempotencyKey)
	}
	return req, nil
}

// logCall writes one debug line per call: the outcome only, never a
// request or response body, which would carry buyer data.
func (t *Transport) logCall(ctx context.Context, c Call, status int, start time.Time, err error) {
	LogCall(ctx, t.Log, CallLog{Provider: t.Provider, Op: c.Op, PaymentID: c.PaymentID, Status: status, Extra: t.LogExtra}, start, err)
}

// Lookup runs call, a lookup, through RetryLookup with t's backoff and
// retry rule. Only lookups come here; nothing that moves money is ever
// repeated.
func (t *Transport) Lookup(ctx context.Context, paymentID string, call func() error) error {
	return RetryLookup(ctx, Lookup{Backoff: t.Backoff, Retryable: t.Retryable, Log: t.Log,
		Provider: t.Provider, Op: t.LookupOp, PaymentID: paymentID}, call)
}

// TransportError classifies a call that got no complete answer: refused or
// reset connection, EOF, timeout, cancelled context. The request may have
// reached the provider and been carried out there, so for a call that
// moves money this says nothing about the money: EUPSTREAM.
func (t *Transport) TransportError(op string, err error) *payment.Error {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return payment.Wrap(payment.EUPSTREAM, err,
			"%s did not answer the %s call in time; the outcome is unknown", t.Label, op)
	}
	return payment.Wrap(payment.EUPSTREAM, err,
		"the connection to %s failed during the %s call; the outcome is unknown", t.Label, op)
}

// Unreadable classifies an answer that could not be decoded, for the
// reason why. For a 2xx the provider did act, but we cannot say how; for
// anything else we cannot tell whether it did. Either way: EUPSTREAM.
func (t *Transport) Unreadable(op string, status int, why string) *payment.Error {
	pe := &payment.ProviderError{
		Provider:   t.Provider,
		HTTPStatus: status,
		Message:    Truncate("unreadable response: "+why, MaxProviderText),
	}
	return payment.Wrap(payment.EUPSTREAM, pe,
		"%s's answer to the %s call could not be read; the outcome is unknown", t.Label, op)
}

// UnreadableRefusal classifies a non-2xx answer whose body is not the
// provider's error shape: a proxy's HTML page, a load balancer's 404, a
// truncated body. We do not know who answered, let alone what happened.
func (t *Transport) UnreadableRefusal(op string, status int) *payment.Error {
	pe := &payment.ProviderError{Provider: t.Provider, HTTPStatus: status, Message: "unreadable error body"}
	return payment.Wrap(payment.EUPSTREAM, pe,
		"%s answered the %s call with HTTP %d and an unreadable body; the outcome is unknown", t.Label, op, status)
}

// Redact removes t's secrets, then more (a per-call token), from s, the
// provider's free text. Callers redact before they truncate, so that a cut
// cannot split a secret and leave part of it behind.
func (t *Transport) Redact(s string, more ...string) string {
	return Redact(Redact(s, t.Secrets...), more...)
}

// Redact replaces every non-empty secret in s by "[redacted]".
func Redact(s string, secrets ...string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	return s
}

// Truncate cuts s to at most n runes (none for a negative n).
func Truncate(s string, n int) string {
	if n < 0 {
		return ""
	}
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}
