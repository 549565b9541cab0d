package portone

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

// maxResponseBody bounds what is read from PortOne. A payment with its
// cancellations is a few kilobytes; anything larger is not PortOne's answer.
const maxResponseBody = 1 << 20

// PortOne API operations, named after the API's operationIds. The sandbox
// counts calls under the same names.
const (
	opPreRegister = "preRegister"
	opGetPayment  = "getPayment"
	opCancel      = "cancel"
)

// Client talks to PortOne's V2 API. It implements payment.Provider and
// payment.WebhookParser and is safe for concurrent use.
type Client struct {
	secret         string // kept to build auth and to redact it from anything PortOne echoes
	auth           string // the whole Authorization header value
	storeID        string
	webhookSecrets []string
	baseURL        string // without a trailing slash; any path prefix kept
	windowURL      string // without a trailing slash; "" with real credentials
	http           *http.Client
	log            *slog.Logger
	now            func() time.Time
	// lookupBackoff are the pauses before each lookup retry; its length is
	// the number of retries. A field so that tests can shorten it.
	lookupBackoff []time.Duration
	// acceptTest lets test-channel payments count (Config.AcceptTestPayments).
	acceptTest bool
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
		secret:         c.APISecret,
		auth:           "PortOne " + c.APISecret,
		storeID:        c.StoreID,
		webhookSecrets: append([]string(nil), c.WebhookSecrets...),
		baseURL:        strings.TrimRight(c.BaseURL, "/"),
		windowURL:      strings.TrimRight(c.WindowURL, "/"),
		http:           c.HTTPClient,
		log:            c.Logger,
		now:            c.Now,
		lookupBackoff:  []time.Duration{100 * time.Millisecond, 300 * time.Millisecond},
		acceptTest:     c.AcceptTestPayments,
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
	return cl, nil
}

// Name is the provider's name in paybridge, "portone".
func (c *Client) Name() string { return payment.ProviderPortOne }

// Finishing implements payment.Provider: the buyer pays inside PortOne's
// window, which does not close with paybridge's expiry; paybridge only
// verifies.
func (c *Client) Finishing() payment.Finishing {
	return payment.Finishing{Verifies: true, WindowOutlivesExpiry: true}
}

// paymentURL is the URL of /payments/{paymentId}{suffix}. The id is
// path-escaped (docs/providers.md §5.19): an id with a "/" or "?" must not
// address another resource.
func (c *Client) paymentURL(paymentID, suffix string, query url.Values) string {
	u := c.baseURL + "/payments/" + url.PathEscape(paymentID) + suffix
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	return u
}

// call sends one request and decodes a 2xx answer into out (nil: the body is
// ignored). Every failure comes back as a classified *payment.Error; see
// errors.go. call never retries: whether that is safe depends on op.
func (c *Client) call(ctx context.Context, op, method, target, paymentID string, in, out any) error {
	start := time.Now()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			// Nothing was sent, so nothing happened at PortOne.
			return payment.Wrap(payment.EINTERNAL, err, "could not encode the PortOne %s request", op)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return payment.Wrap(payment.EINTERNAL, err, "could not build the PortOne %s request", op)
	}
	req.Header.Set("Authorization", c.auth)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}

	resp, err := c.http.Do(req)
	if err != nil {
		c.logCall(ctx, op, paymentID, 0, start, err)
		return transportError(op, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
	if err != nil {
		// The status line arrived, so PortOne did handle the call; without
		// the body we cannot tell how.
		c.logCall(ctx, op, paymentID, resp.StatusCode, start, err)
		return transportError(op, err)
	}
	switch {
	case len(data) > maxResponseBody:
		err = unreadableResponse(op, resp.StatusCode, fmt.Errorf("body over %d bytes", maxResponseBody))
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		err = classify(op, resp.StatusCode, data, c.secret)
	case out != nil:
		// Unknown fields are ignored: PortOne adds fields and union
		// members without notice (docs/providers.md §3.1, §5.16).
		if jerr := json.Unmarshal(data, out); jerr != nil {
			err = unreadableResponse(op, resp.StatusCode, jerr)
		}
	}
	c.logCall(ctx, op, paymentID, resp.StatusCode, start, err)
	return err
}

// logCall writes one debug line per call. Only the outcome is logged, never
// a request or response body, which would carry buyer data.
func (c *Client) logCall(ctx context.Context, op, paymentID string, status int, start time.Time, err error) {
	provider.LogCall(ctx, c.log, provider.CallLog{Provider: payment.ProviderPortOne, Op: op, PaymentID: paymentID, Status: status}, start, err)
}
