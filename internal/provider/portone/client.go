package portone

import (
	"cmp"
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
)

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
	storeID        string
	webhookSecrets []string
	windowURL      string // without a trailing slash; "" with real credentials
	t              *provider.Transport
	now            func() time.Time
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
		storeID:        c.StoreID,
		webhookSecrets: append([]string(nil), c.WebhookSecrets...),
		windowURL:      strings.TrimRight(c.WindowURL, "/"),
		now:            c.Now,
		acceptTest:     c.AcceptTestPayments,
	}
	cl.t = provider.NewTransport(provider.Transport{
		Provider: payment.ProviderPortOne, Label: "PortOne", BaseURL: cmp.Or(c.BaseURL, DefaultBaseURL),
		HTTP: c.HTTPClient, Log: c.Logger, Auth: "PortOne " + c.APISecret, Secrets: []string{c.APISecret},
		Retryable: retryable, LookupOp: opGetPayment,
	})
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

// paymentPath is the path of /payments/{paymentId}{suffix}. The id is
// path-escaped (docs/providers.md §5.19): an id with a "/" or "?" must not
// address another resource.
func paymentPath(paymentID, suffix string) string {
	return "/payments/" + url.PathEscape(paymentID) + suffix
}

// call sends cl and decodes a 2xx answer into out (nil: the body is
// ignored; unknown fields are too, as PortOne adds fields and union members
// without notice, docs/providers.md §3.1, §5.16). Every failure comes back
// as a classified *payment.Error; see errors.go. call never retries:
// whether that is safe depends on the operation.
func (c *Client) call(ctx context.Context, cl provider.Call, out any) error {
	return c.t.JSON(ctx, cl, func(status int, body []byte) error { return c.classify(cl.Op, status, body) }, out)
}
