package toss

import (
	"cmp"
	"context"
	"encoding/base64"
	"strings"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
)

// Operations, for logs and error messages.
const (
	opConfirm = "confirm"
	opGet     = "lookup"
	opCancel  = "cancel"
)

// Client talks to Toss Payments' core API v1. It implements
// payment.Provider and payment.WebhookParser and is safe for concurrent use.
type Client struct {
	clientKey string
	windowURL string // "" with real credentials
	t         *provider.Transport
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
	// Basic auth with the secret key as user and an empty password:
	// the colon is mandatory (docs/providers.md §4.1, §5 item 21). Without
	// it Toss answers 401 to every call.
	credential := base64.StdEncoding.EncodeToString([]byte(c.SecretKey + ":"))
	auth := "Basic " + credential
	cl := &Client{clientKey: c.ClientKey, windowURL: strings.TrimRight(c.WindowURL, "/")}
	cl.t = provider.NewTransport(provider.Transport{
		Provider: payment.ProviderToss, Label: "Toss", BaseURL: cmp.Or(c.BaseURL, DefaultBaseURL),
		HTTP: c.HTTPClient, Log: c.Logger, Auth: auth,
		// The bare credential too, not only the whole header: a message
		// that quotes just the token ("invalid credential <token>") would
		// otherwise keep it, and it decodes to the secret key.
		Secrets:   []string{c.SecretKey, auth, credential},
		Retryable: retryable, LookupOp: opGet,
	})
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

// do sends cl and decodes a 2xx answer into out. Every failure comes back
// as a classified *payment.Error; see errors.go. do never retries: whether
// that is safe depends on the operation. Confirm and cancel carry an
// Idempotency-Key so that Toss answers a repeated request with the first
// result instead of acting twice (docs/providers.md §4.2).
func (c *Client) do(ctx context.Context, cl provider.Call, out any) error {
	return c.t.JSON(ctx, cl, func(status int, body []byte) error { return c.classify(cl.Op, status, body) }, out)
}
