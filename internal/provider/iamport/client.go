package iamport

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
)

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
	windowURL string // without a trailing slash; "" with real credentials
	t         *provider.Transport
	now       func() time.Time
	// acceptTest lets test-channel payments count (Config.AcceptTestPayments).
	acceptTest bool
	tokens     tokenCache
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
		apiKey:     c.APIKey,
		apiSecret:  c.APISecret,
		windowURL:  strings.TrimRight(c.WindowURL, "/"),
		acceptTest: c.AcceptTestPayments,
		now:        c.Now,
	}
	// imp_key is among the secrets: PortOne's getToken errors quote it,
	// and from there it would reach the payment's
	// failure.provider_message, its events and the command line.
	cl.t = provider.NewTransport(provider.Transport{
		Provider: payment.ProviderIamport, Label: "PortOne", BaseURL: cmp.Or(c.BaseURL, DefaultBaseURL),
		HTTP: c.HTTPClient, Log: c.Logger, Secrets: []string{c.APISecret, c.APIKey}, LookupOp: opPayment,
	})
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

// call sends req with a cached access token and decodes the envelope's
// response into out. A 401 means the token was refused: it is dropped so
// the next call fetches a fresh one, and only a read (GET, which changes
// nothing) is sent once more with it. A cancel answered 401 was not carried
// out, but it is not repeated behind the caller's back: the caller decides.
func (c *Client) call(ctx context.Context, req provider.Call, out any) error {
	for attempt := 0; ; attempt++ {
		tok, err := c.tokens.get(ctx)
		if err != nil {
			return err
		}
		err = c.send(ctx, req, tok, out)
		if pe := payment.AsProviderError(err); pe != nil && pe.HTTPStatus == http.StatusUnauthorized {
			c.tokens.invalidate(tok)
			if req.Method == http.MethodGet && attempt == 0 {
				c.t.Log.WarnContext(ctx, "iamport access token refused, fetching a new one",
					"provider", payment.ProviderIamport, "op", req.Op, "payment_id", req.PaymentID)
				continue
			}
		}
		return err
	}
}

// send makes one HTTP exchange. token is "" for getToken itself. Every
// failure comes back as a classified *payment.Error (see errors.go).
func (c *Client) send(ctx context.Context, req provider.Call, token string, out any) error {
	if token != "" {
		// The docs' form (§2.2). The official sample and Java client send
		// the raw token instead; PortOne accepts both.
		req.Auth = "Bearer " + token
	}
	return c.t.Do(ctx, req, func(status int, body []byte) error { return c.decode(req.Op, status, body, token, out) })
}

// decode reads the envelope: success only with a 2xx, code 0 and a
// response that decodes into out.
func (c *Client) decode(op string, status int, data []byte, token string, out any) error {
	var env envelope
	jerr := json.Unmarshal(data, &env)
	code, ok := provider.Code(env.Code)
	switch {
	case (jerr != nil || !ok) && status == http.StatusUnauthorized:
		// The swagger documents getToken's 401 without a body: a refusal
		// of our credentials whatever the body says.
		return classify(op, status, "", "HTTP 401 without a PortOne envelope")
	case jerr != nil:
		// A proxy's HTML page or a truncated body: nobody can say what
		// happened.
		return c.t.Unreadable(op, status, "not a PortOne envelope")
	case !ok:
		return c.t.Unreadable(op, status, "envelope without a code")
	}
	msg := ""
	if env.Message != nil {
		msg = c.t.Redact(*env.Message, token)
	}
	if status < 200 || status > 299 || code != "0" {
		e := classify(op, status, code, msg)
		if status == http.StatusNotFound && code == codeFailed && env.hasNullResponse() {
			// PortOne's own envelope saying it has no such payment; a
			// gateway's JSON 404 is not (see isNotFound).
			e.Err = fmt.Errorf("%w: %w", errUnknownPayment, e.Err)
		}
		return e
	}
	if r := bytes.TrimSpace(env.Response); len(r) == 0 || string(r) == "null" {
		return c.t.Unreadable(op, status, "code 0 without a response")
	}
	if jerr := json.Unmarshal(env.Response, out); jerr != nil {
		return c.t.Unreadable(op, status, c.t.Redact(jerr.Error(), token))
	}
	return nil
}
