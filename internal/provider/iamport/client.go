package iamport

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
)

// maxResponseBody bounds what is read from PortOne. A payment with a long
// cancel history is a few kilobytes.
const maxResponseBody = 1 << 20

// PortOne V1 operations, named as the sandbox counts them.
const (
	opGetToken = "getToken" // POST /users/getToken
	opPrepare  = "prepare"  // POST /payments/prepare, GET /payments/prepare/{merchant_uid}
	opPayment  = "payment"  // GET /payments/{imp_uid}, GET /payments/find/{merchant_uid}
	opCancel   = "cancel"   // POST /payments/cancel
)

// Client talks to PortOne V1's REST API (api.iamport.kr). It implements
// payment.Provider and payment.WebhookParser and is safe for concurrent use.
type Client struct {
	apiKey    string
	apiSecret string
	baseURL   string // without a trailing slash; any path prefix kept
	windowURL string // without a trailing slash; "" with real credentials
	http      *http.Client
	log       *slog.Logger
	now       func() time.Time
	// acceptTest lets test-channel payments count (Config.AcceptTestPayments).
	acceptTest bool
	tokens     tokenCache
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
		apiKey:        c.APIKey,
		apiSecret:     c.APISecret,
		baseURL:       strings.TrimRight(c.BaseURL, "/"),
		windowURL:     strings.TrimRight(c.WindowURL, "/"),
		acceptTest:    c.AcceptTestPayments,
		http:          c.HTTPClient,
		log:           c.Logger,
		now:           c.Now,
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
	if cl.now == nil {
		cl.now = time.Now
	}
	cl.tokens.fetch = cl.fetchToken
	cl.tokens.now = cl.now
	return cl, nil
}

// Name is the provider's name in paybridge, "iamport".
func (c *Client) Name() string { return payment.ProviderIamport }

// Finishing implements payment.Provider: the buyer pays inside PortOne's
// window, which does not close with paybridge's expiry; paybridge only
// verifies.
func (c *Client) Finishing() payment.Finishing {
	return payment.Finishing{Verifies: true, WindowOutlivesExpiry: true}
}

// request is one API call.
type request struct {
	op        string
	method    string
	path      string     // escaped, from the API root: "/payments/imp_123"
	query     url.Values // nil for none
	body      any        // JSON-encoded when non-nil
	paymentID string     // for log lines
}

// call sends req with a cached access token and decodes the envelope's
// response into out. A 401 means the token was refused: it is dropped so
// the next call fetches a fresh one, and only a read (GET, which changes
// nothing) is sent once more with it. A cancel answered 401 was not carried
// out, but it is not repeated behind the caller's back: the caller decides.
func (c *Client) call(ctx context.Context, req request, out any) error {
	for attempt := 0; ; attempt++ {
		tok, err := c.tokens.get(ctx)
		if err != nil {
			return err
		}
		err = c.send(ctx, req, tok, out)
		if pe := payment.AsProviderError(err); pe != nil && pe.HTTPStatus == http.StatusUnauthorized {
			c.tokens.invalidate(tok)
			if req.method == http.MethodGet && attempt == 0 {
				c.log.WarnContext(ctx, "iamport access token refused, fetching a new one",
					"provider", payment.ProviderIamport, "op", req.op, "payment_id", req.paymentID)
				continue
			}
		}
		return err
	}
}

// send makes one HTTP exchange. token is "" for getToken itself. Every
// failure comes back as a classified *payment.Error (see errors.go).
func (c *Client) send(ctx context.Context, req request, token string, out any) error {
	start := time.Now()
	var body io.Reader
	if req.body != nil {
		b, err := json.Marshal(req.body)
		if err != nil {
			// Nothing was sent, so nothing happened at PortOne.
			return payment.Wrap(payment.EINTERNAL, err, "could not encode the PortOne %s request", req.op)
		}
		body = bytes.NewReader(b)
	}
	u := c.baseURL + req.path
	if len(req.query) > 0 {
		u += "?" + req.query.Encode()
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, u, body)
	if err != nil {
		return payment.Wrap(payment.EINTERNAL, err, "could not build the PortOne %s request", req.op)
	}
	if req.body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	hr.Header.Set("Accept", "application/json")
	if token != "" {
		// The docs' form (§2.2). The official sample and Java client send
		// the raw token instead; PortOne accepts both.
		hr.Header.Set("Authorization", "Bearer "+token)
	}

	resp, err := c.http.Do(hr)
	if err != nil {
		err = transportError(req.op, err)
		c.logCall(ctx, req, 0, start, err)
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
	switch {
	case err != nil:
		// The status line arrived, so PortOne did handle the call; without
		// the body we cannot tell how.
		err = transportError(req.op, err)
	case len(data) > maxResponseBody:
		err = unreadable(req.op, resp.StatusCode, fmt.Sprintf("body over %d bytes", maxResponseBody))
	default:
		err = c.decode(req.op, resp.StatusCode, data, token, out)
	}
	c.logCall(ctx, req, resp.StatusCode, start, err)
	return err
}

// decode reads the envelope: success only with a 2xx, code 0 and a
// response that decodes into out.
func (c *Client) decode(op string, status int, data []byte, token string, out any) error {
	var env envelope
	jerr := json.Unmarshal(data, &env)
	code, ok := envelopeCode(env.Code)
	switch {
	case (jerr != nil || !ok) && status == http.StatusUnauthorized:
		// The swagger documents getToken's 401 without a body: a refusal
		// of our credentials whatever the body says.
		return classify(op, status, "", "HTTP 401 without a PortOne envelope")
	case jerr != nil:
		// A proxy's HTML page or a truncated body: nobody can say what
		// happened.
		return unreadable(op, status, "not a PortOne envelope")
	case !ok:
		return unreadable(op, status, "envelope without a code")
	}
	msg := ""
	if env.Message != nil {
		msg = c.redact(*env.Message, token)
	}
	if status < 200 || status > 299 || code != "0" {
		return classify(op, status, code, msg)
	}
	if r := bytes.TrimSpace(env.Response); len(r) == 0 || string(r) == "null" {
		return unreadable(op, status, "code 0 without a response")
	}
	if jerr := json.Unmarshal(env.Response, out); jerr != nil {
		return unreadable(op, status, c.redact(jerr.Error(), token))
	}
	return nil
}

// redact removes the credentials and the token from s, in case PortOne (or
// a proxy) ever echoes a request back. imp_key is among them: PortOne's
// getToken errors quote it, and from there it would reach the payment's
// failure.provider_message, its events and the command line.
func (c *Client) redact(s, token string) string {
	for _, secret := range []string{c.apiSecret, c.apiKey, token} {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	return s
}

// logCall writes one debug line per call: the outcome only, never a body,
// which would carry buyer data.
func (c *Client) logCall(ctx context.Context, req request, status int, start time.Time, err error) {
	provider.LogCall(ctx, c.log, provider.CallLog{Provider: payment.ProviderIamport, Op: req.op, PaymentID: req.paymentID, Status: status}, start, err)
}
