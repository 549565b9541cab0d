// Package client is a Go client for paybridge's merchant API (/v1).
//
//	c := client.New("http://localhost:8080", os.Getenv("PAYBRIDGE_API_KEY"))
//	p, err := c.CreatePayment(ctx, client.CreatePaymentParams{
//		Provider: "kakaopay", OrderID: "order-1", OrderName: "Americano",
//		Amount: 4500, Quantity: 1, CustomerID: "cust-1",
//	})
//	if client.IsConflict(err) { … }
//
// Every POST carries an Idempotency-Key (a random UUIDv4 per call unless
// the params set one), and a retried POST reuses the call's key, so a
// payment is never created or refunded twice by a retry. Requests are
// retried on network errors, 409 idempotency_in_progress and 429, and GETs
// also on 5xx, with exponential backoff and jitter (Retry-After is
// honoured). A POST's 5xx is returned at once: the server stored it under
// the key and would only replay it. Other 4xx answers are returned at once
// as *Error.
//
// Responses are decoded leniently: fields the client does not know are
// ignored, so a newer server does not break an older client.
package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Version is the client's version, sent in the default User-Agent.
const Version = "0.1.0"

// Defaults of a Client.
const (
	DefaultRetries    = 3
	DefaultMinBackoff = 500 * time.Millisecond
	DefaultMaxBackoff = 8 * time.Second
	// MaxRetryAfter caps how long a Retry-After header makes the client wait.
	MaxRetryAfter = time.Minute
)

// maxResponseBytes bounds a response body the client reads.
const maxResponseBytes = 32 << 20

// Client calls one paybridge server with one API key. It is safe for
// concurrent use.
type Client struct {
	baseURL    string
	apiKey     string
	hc         *http.Client
	retries    int
	userAgent  string
	minBackoff time.Duration
	maxBackoff time.Duration
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient makes the client send its requests with hc
// (default: a client with a 60 s timeout).
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.hc = hc } }

// WithRetries sets how many times a failed request is retried (default 3;
// 0 disables retries).
func WithRetries(n int) Option {
	return func(c *Client) {
		if n < 0 {
			n = 0
		}
		c.retries = n
	}
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return func(c *Client) { c.userAgent = ua } }

// WithBackoff sets the first retry's delay and the longest delay between
// retries (defaults 500 ms and 8 s). Each delay doubles the previous one,
// with jitter, up to max.
func WithBackoff(min, max time.Duration) Option {
	return func(c *Client) {
		if min > 0 {
			c.minBackoff = min
		}
		if max > 0 {
			c.maxBackoff = max
		}
		if c.maxBackoff < c.minBackoff {
			c.maxBackoff = c.minBackoff
		}
	}
}

// New returns a client of the paybridge at baseURL (such as
// "http://localhost:8080") authenticating with apiKey.
func New(baseURL, apiKey string, opts ...Option) *Client {
	c := &Client{
		baseURL:    strings.TrimRight(baseURL, "/"),
		apiKey:     apiKey,
		hc:         &http.Client{Timeout: 60 * time.Second},
		retries:    DefaultRetries,
		userAgent:  "paybridge-go/" + Version,
		minBackoff: DefaultMinBackoff,
		maxBackoff: DefaultMaxBackoff,
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// NewIdempotencyKey returns a random UUIDv4, the key the client makes for
// a POST when the params give none.
func NewIdempotencyKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// request is one logical call, sent once plus its retries.
type request struct {
	method string
	path   string
	query  url.Values
	body   any    // JSON-encoded when not nil
	key    string // Idempotency-Key for a POST; made when empty
}

// do sends r, retrying as the package doc says, and decodes a 2xx answer
// into out. It returns the final status.
func (c *Client) do(ctx context.Context, r request, out any) (int, error) {
	var body []byte
	if r.body != nil {
		var err error
		if body, err = json.Marshal(r.body); err != nil {
			return 0, fmt.Errorf("paybridge: encode request: %w", err)
		}
	}
	u := c.baseURL + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	key := r.key
	if r.method == http.MethodPost && key == "" {
		key = NewIdempotencyKey()
	}
	for attempt := 0; ; attempt++ {
		status, retryAfter, err := c.once(ctx, r.method, u, body, key, out)
		if err == nil {
			return status, nil
		}
		if attempt >= c.retries || !retryable(ctx, r.method, err) {
			return status, err
		}
		wait := c.backoff(attempt)
		if retryAfter > 0 {
			if retryAfter > MaxRetryAfter {
				return status, err // the server asks for longer than we wait
			}
			wait = max(wait, retryAfter)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return status, err
		case <-t.C:
		}
	}
}

// once sends one attempt. retryAfter is the Retry-After header's delay, if any.
func (c *Client) once(ctx context.Context, method, u string, body []byte, key string, out any) (status int, retryAfter time.Duration, err error) {
	var rd io.Reader = http.NoBody
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return 0, 0, fmt.Errorf("paybridge: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.apiKey)
	req.Header.Set("Accept", "application/json")
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, 0, &netError{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return resp.StatusCode, 0, &netError{err: fmt.Errorf("read response: %w", err)}
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if out != nil {
			if err := json.Unmarshal(b, out); err != nil {
				return resp.StatusCode, 0, fmt.Errorf("paybridge: decode %s %s response: %w", method, req.URL.Path, err)
			}
		}
		return resp.StatusCode, 0, nil
	}
	return resp.StatusCode, parseRetryAfter(resp.Header.Get("Retry-After")), decodeError(resp, b)
}

// netError is a request that got no HTTP answer: retryable.
type netError struct{ err error }

func (e *netError) Error() string { return "paybridge: " + e.err.Error() }
func (e *netError) Unwrap() error { return e.err }

// retryable says whether err is worth another attempt. A POST's 5xx is
// not: the server stored that answer under the idempotency key and would
// only replay it. Network errors (the request may never have arrived),
// idempotency_in_progress and 429 (nothing was done) are.
func retryable(ctx context.Context, method string, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var ne *netError
	if errors.As(err, &ne) {
		return true
	}
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch {
	case e.StatusCode == http.StatusConflict:
		return e.Code == CodeIdempotencyInProgress
	case e.StatusCode == http.StatusTooManyRequests:
		return true
	case e.StatusCode >= 500:
		return method != http.MethodPost
	}
	return false
}

// backoff is the delay before retry attempt+1: min·2^attempt capped at
// max, with "equal jitter" (half fixed, half random).
func (c *Client) backoff(attempt int) time.Duration {
	d := c.minBackoff
	for i := 0; i < attempt && d < c.maxBackoff; i++ {
		d *= 2
	}
	d = min(d, c.maxBackoff)
	half := d / 2
	return half + mrand.N(half+1)
}

// parseRetryAfter reads delay-seconds or an HTTP date; 0 when absent or bad.
func parseRetryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(min(s, 1<<20)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

func pathEscape(id string) string { return url.PathEscape(id) }
