package toss

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
)

// maxResponseBody bounds what is read from Toss. A Payment object is a few
// kilobytes even with many cancels; anything larger is not Toss's answer.
const maxResponseBody = 1 << 20

// Operations, for logs and error messages.
const (
	opConfirm = "confirm"
	opGet     = "lookup"
	opCancel  = "cancel"
)

// Client talks to Toss Payments' core API v1. It implements
// payment.Provider and payment.WebhookParser and is safe for concurrent use.
type Client struct {
	auth      string // the whole Authorization header value
	key       string // kept only to redact it from anything Toss echoes
	clientKey string
	baseURL   string // without a trailing slash; any path prefix kept
	windowURL string // "" with real credentials
	http      *http.Client
	log       *slog.Logger
	// lookupBackoff are the pauses before each lookup retry; its length is
	// the number of retries. A field so that tests can shorten it.
	lookupBackoff []time.Duration
}

var (
	_ payment.Provider      = (*Client)(nil)
	_ payment.WebhookParser = (*Client)(nil)
)

// New validates c and returns a client.
func New(c Config) (*Client, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	cl := &Client{
		// Basic auth with the secret key as user and an empty password:
		// the colon is mandatory (docs/providers.md §4.1, §5 item 21). Without
		// it Toss answers 401 to every call.
		auth:          "Basic " + base64.StdEncoding.EncodeToString([]byte(c.SecretKey+":")),
		key:           c.SecretKey,
		clientKey:     c.ClientKey,
		baseURL:       strings.TrimRight(c.BaseURL, "/"),
		windowURL:     strings.TrimRight(c.WindowURL, "/"),
		http:          c.HTTPClient,
		log:           c.Logger,
		lookupBackoff: []time.Duration{100 * time.Millisecond, 300 * time.Millisecond},
	}
	if cl.baseURL == "" {
		cl.baseURL = DefaultBaseURL
	}
	if cl.http == nil {
		cl.http = provider.NewHTTPClient()
	}
	if cl.log == nil {
		cl.log = slog.New(slog.DiscardHandler)
	}
	return cl, nil
}

// Name is the provider's name in paybridge, "toss".
func (c *Client) Name() string { return payment.ProviderToss }

// Finishing implements payment.Provider: Toss's confirm moves the money and
// deduplicates on its Idempotency-Key; an unconfirmed authentication dies
// with its window.
func (c *Client) Finishing() payment.Finishing { return payment.Finishing{} }

// ClientKey is the browser-side key paybridge's checkout page gives Toss's
// SDK. It is not a secret.
func (c *Client) ClientKey() string { return c.clientKey }

// call is one API request. path is already escaped.
type call struct {
	op        string
	method    string
	path      string
	paymentID string // for logs
	// idempotencyKey, when set, is sent as Idempotency-Key so that Toss
	// answers a repeated request with the first result instead of acting
	// twice (docs/providers.md §4.2).
	idempotencyKey string
	body           any // nil for GET
}

// do sends cl and decodes a 2xx answer into out. Every failure comes back
// as a classified *payment.Error; see errors.go. do never retries: whether
// that is safe depends on the operation.
func (c *Client) do(ctx context.Context, cl call, out any) error {
	start := time.Now()
	var body io.Reader
	if cl.body != nil {
		b, err := json.Marshal(cl.body)
		if err != nil {
			// Nothing was sent, so nothing happened at Toss.
			return payment.Wrap(payment.EINTERNAL, err, "could not encode the Toss %s request", cl.op)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, c.baseURL+cl.path, body)
	if err != nil {
		return payment.Wrap(payment.EINTERNAL, err, "could not build the Toss %s request", cl.op)
	}
	if cl.body != nil {
		req.Header.Set("Content-Type", "application/json")
		// net/http resends, on its own, a request that has an
		// Idempotency-Key and a replayable body when a reused connection
		// dies before the answer: a second confirm or cancel behind our
		// back. Without GetBody the body is not replayable, so the
		// transport never repeats a POST; an unknown outcome reaches the
		// service, which looks the payment up.
		req.GetBody = nil
	}
	req.Header.Set("Authorization", c.auth)
	req.Header.Set("Accept", "application/json")
	if cl.idempotencyKey != "" {
		req.Header.Set("Idempotency-Key", cl.idempotencyKey)
	}

	resp, err := c.http.Do(req)
	if err != nil {
		c.logCall(ctx, cl, 0, start, err)
		return transportError(cl.op, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
	if err != nil {
		// The status line arrived, so Toss did handle the call; without
		// the body we cannot tell how.
		c.logCall(ctx, cl, resp.StatusCode, start, err)
		return transportError(cl.op, err)
	}
	switch {
	case len(data) > maxResponseBody:
		err = unreadableResponse(cl.op, resp.StatusCode, fmt.Errorf("body over %d bytes", maxResponseBody))
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		err = classify(cl.op, resp.StatusCode, data, c.key, c.auth)
	default:
		if jerr := json.Unmarshal(data, out); jerr != nil {
			err = unreadableResponse(cl.op, resp.StatusCode, jerr)
		}
	}
	c.logCall(ctx, cl, resp.StatusCode, start, err)
	return err
}

// logCall writes one debug line per call. Only the outcome is logged, never
// a body, which would carry buyer data.
func (c *Client) logCall(ctx context.Context, cl call, status int, start time.Time, err error) {
	provider.LogCall(ctx, c.log, provider.CallLog{Provider: payment.ProviderToss, Op: cl.op, PaymentID: cl.paymentID, Status: status}, start, err)
}
