package client

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// CreatePayment creates a payment; send the buyer to its RedirectURL.
func (c *Client) CreatePayment(ctx context.Context, p CreatePaymentParams) (*Payment, error) {
	return call[Payment](ctx, c, request{method: http.MethodPost, path: "/v1/payments", body: p, key: p.IdempotencyKey})
}

// GetPayment returns a payment with its cancellations.
func (c *Client) GetPayment(ctx context.Context, id string) (*Payment, error) {
	return call[Payment](ctx, c, request{method: http.MethodGet, path: "/v1/payments/" + pathEscape(id)})
}

// CancelPayment refunds a payment, all that remains or p.Amount. A refund
// the provider has accepted but not confirmed (HTTP 202) is not an error:
// the payment's PendingCancellation is then not nil.
func (c *Client) CancelPayment(ctx context.Context, id string, p CancelParams) (*Payment, error) {
	return call[Payment](ctx, c, request{method: http.MethodPost, path: "/v1/payments/" + pathEscape(id) + "/cancel", body: p, key: p.IdempotencyKey})
}

func (p ListPaymentsParams) query() url.Values {
	q := url.Values{}
	if p.Limit > 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("starting_after", p.StartingAfter)
	set("ending_before", p.EndingBefore)
	set("provider", p.Provider)
	set("order_id", p.OrderID)
	set("customer_id", p.CustomerID)
	if len(p.Statuses) > 0 {
		ss := make([]string, len(p.Statuses))
		for i, s := range p.Statuses {
			ss[i] = string(s)
		}
		q.Set("status", strings.Join(ss, ","))
	}
	for k, t := range map[string]time.Time{"created[gte]": p.CreatedGTE, "created[gt]": p.CreatedGT, "created[lte]": p.CreatedLTE, "created[lt]": p.CreatedLT} {
		if !t.IsZero() {
			q.Set(k, t.UTC().Format(time.RFC3339Nano))
		}
	}
	return q
}

// ListPayments returns one page of payments, newest first.
func (c *Client) ListPayments(ctx context.Context, p ListPaymentsParams) (*PaymentList, error) {
	return call[PaymentList](ctx, c, request{method: http.MethodGet, path: "/v1/payments", query: p.query()})
}

// AllPayments iterates over every payment p selects, fetching pages as it
// goes: older and older ones following starting_after, or, when
// p.EndingBefore is set, newer and newer pages following ending_before
// (each page newest first). An error is yielded once, and ends the
// iteration.
func (c *Client) AllPayments(ctx context.Context, p ListPaymentsParams) iter.Seq2[*Payment, error] {
	backward := p.EndingBefore != ""
	return paginate(func() ([]*Payment, bool, error) {
		page, err := c.ListPayments(ctx, p)
		if err != nil {
			return nil, false, err
		}
		return page.Data, page.HasMore, nil
	}, func(data []*Payment) {
		if backward {
			p.EndingBefore = data[0].ID
		} else {
			p.StartingAfter = data[len(data)-1].ID
		}
	})
}

// CreateWebhookEndpoint adds an endpoint of the key's mode (it receives
// only that mode's events); its Secret is only shown now.
func (c *Client) CreateWebhookEndpoint(ctx context.Context, p CreateWebhookEndpointParams) (*WebhookEndpoint, error) {
	return call[WebhookEndpoint](ctx, c, request{method: http.MethodPost, path: "/v1/webhook_endpoints", body: p, key: p.IdempotencyKey})
}

// ListWebhookEndpoints returns the merchant's endpoints of the key's mode
// (without secrets); the other mode's are neither listed nor reachable.
func (c *Client) ListWebhookEndpoints(ctx context.Context) (*WebhookEndpointList, error) {
	return call[WebhookEndpointList](ctx, c, request{method: http.MethodGet, path: "/v1/webhook_endpoints"})
}

// GetWebhookEndpoint returns one endpoint (without its secret).
func (c *Client) GetWebhookEndpoint(ctx context.Context, id string) (*WebhookEndpoint, error) {
	return call[WebhookEndpoint](ctx, c, request{method: http.MethodGet, path: "/v1/webhook_endpoints/" + pathEscape(id)})
}

// DeleteWebhookEndpoint removes an endpoint.
func (c *Client) DeleteWebhookEndpoint(ctx context.Context, id string) (*DeletedWebhookEndpoint, error) {
	return call[DeletedWebhookEndpoint](ctx, c, request{method: http.MethodDelete, path: "/v1/webhook_endpoints/" + pathEscape(id)})
}

// RotateWebhookEndpointSecret gives an endpoint a new secret, returned
// once; the old one keeps signing for a while (PreviousSecretExpiresAt).
func (c *Client) RotateWebhookEndpointSecret(ctx context.Context, id string) (*WebhookEndpoint, error) {
	return call[WebhookEndpoint](ctx, c, request{method: http.MethodPost, path: "/v1/webhook_endpoints/" + pathEscape(id) + "/rotate_secret"})
}

// ListEvents returns one page of events, newest first.
func (c *Client) ListEvents(ctx context.Context, p ListEventsParams) (*EventList, error) {
	q := url.Values{}
	if p.Limit > 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	if p.StartingAfter != "" {
		q.Set("starting_after", p.StartingAfter)
	}
	return call[EventList](ctx, c, request{method: http.MethodGet, path: "/v1/events", query: q})
}

// AllEvents iterates over every event from p.StartingAfter on, newest
// first, fetching pages as it goes.
func (c *Client) AllEvents(ctx context.Context, p ListEventsParams) iter.Seq2[*Event, error] {
	return paginate(func() ([]*Event, bool, error) {
		page, err := c.ListEvents(ctx, p)
		if err != nil {
			return nil, false, err
		}
		return page.Data, page.HasMore, nil
	}, func(data []*Event) { p.StartingAfter = data[len(data)-1].ID })
}

// paginate iterates over the items of a list page after page: list fetches
// the page the cursor points at (its items and whether more follow), next
// moves the cursor past a page. An error is yielded once, and ends the
// iteration.
func paginate[T any](list func() ([]*T, bool, error), next func([]*T)) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		for {
			data, more, err := list()
			if err != nil {
				yield(nil, err)
				return
			}
			for _, x := range data {
				if !yield(x, nil) {
					return
				}
			}
			if !more || len(data) == 0 {
				return
			}
			next(data)
		}
	}
}

// call sends one request and decodes the answer into a new T.
func call[T any](ctx context.Context, c *Client, r request) (*T, error) {
	var out T
	if _, err := c.do(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetEvent returns an event with its deliveries.
func (c *Client) GetEvent(ctx context.Context, id string) (*Event, error) {
	return call[Event](ctx, c, request{method: http.MethodGet, path: "/v1/events/" + pathEscape(id)})
}

// ResendEvent queues new deliveries of an event (same webhook-id and body).
func (c *Client) ResendEvent(ctx context.Context, id string, p ResendEventParams) (*Event, error) {
	r := request{method: http.MethodPost, path: "/v1/events/" + pathEscape(id) + "/resend", key: p.IdempotencyKey}
	if p.EndpointID != "" {
		r.body = p // the body is optional; none resends to every endpoint
	}
	return call[Event](ctx, c, r)
}
