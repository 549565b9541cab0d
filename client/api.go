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
	var out Payment
	if _, err := c.do(ctx, request{method: http.MethodPost, path: "/v1/payments", body: p, key: p.IdempotencyKey}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetPayment returns a payment with its cancellations.
func (c *Client) GetPayment(ctx context.Context, id string) (*Payment, error) {
	var out Payment
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/v1/payments/" + pathEscape(id)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CancelPayment refunds a payment, all that remains or p.Amount. A refund
// the provider has accepted but not confirmed (HTTP 202) is not an error:
// the payment's PendingCancellation is then not nil.
func (c *Client) CancelPayment(ctx context.Context, id string, p CancelParams) (*Payment, error) {
	var out Payment
	if _, err := c.do(ctx, request{method: http.MethodPost, path: "/v1/payments/" + pathEscape(id) + "/cancel", body: p, key: p.IdempotencyKey}, &out); err != nil {
		return nil, err
	}
	return &out, nil
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
	var out PaymentList
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/v1/payments", query: p.query()}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AllPayments iterates over every payment p selects, fetching pages as it
// goes: older and older ones following starting_after, or, when
// p.EndingBefore is set, newer and newer pages following ending_before
// (each page newest first). An error is yielded once, and ends the
// iteration.
func (c *Client) AllPayments(ctx context.Context, p ListPaymentsParams) iter.Seq2[*Payment, error] {
	return func(yield func(*Payment, error) bool) {
		backward := p.EndingBefore != ""
		for {
			page, err := c.ListPayments(ctx, p)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, x := range page.Data {
				if !yield(x, nil) {
					return
				}
			}
			if !page.HasMore || len(page.Data) == 0 {
				return
			}
			if backward {
				p.EndingBefore = page.Data[0].ID
			} else {
				p.StartingAfter = page.Data[len(page.Data)-1].ID
			}
		}
	}
}

// CreateWebhookEndpoint adds an endpoint; its Secret is only shown now.
func (c *Client) CreateWebhookEndpoint(ctx context.Context, p CreateWebhookEndpointParams) (*WebhookEndpoint, error) {
	var out WebhookEndpoint
	if _, err := c.do(ctx, request{method: http.MethodPost, path: "/v1/webhook_endpoints", body: p, key: p.IdempotencyKey}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListWebhookEndpoints returns the merchant's endpoints (without secrets).
func (c *Client) ListWebhookEndpoints(ctx context.Context) (*WebhookEndpointList, error) {
	var out WebhookEndpointList
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/v1/webhook_endpoints"}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetWebhookEndpoint returns one endpoint (without its secret).
func (c *Client) GetWebhookEndpoint(ctx context.Context, id string) (*WebhookEndpoint, error) {
	var out WebhookEndpoint
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/v1/webhook_endpoints/" + pathEscape(id)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteWebhookEndpoint removes an endpoint.
func (c *Client) DeleteWebhookEndpoint(ctx context.Context, id string) (*DeletedWebhookEndpoint, error) {
	var out DeletedWebhookEndpoint
	if _, err := c.do(ctx, request{method: http.MethodDelete, path: "/v1/webhook_endpoints/" + pathEscape(id)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// RotateWebhookEndpointSecret gives an endpoint a new secret, returned
// once; the old one keeps signing for a while (PreviousSecretExpiresAt).
func (c *Client) RotateWebhookEndpointSecret(ctx context.Context, id string) (*WebhookEndpoint, error) {
	var out WebhookEndpoint
	if _, err := c.do(ctx, request{method: http.MethodPost, path: "/v1/webhook_endpoints/" + pathEscape(id) + "/rotate_secret"}, &out); err != nil {
		return nil, err
	}
	return &out, nil
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
	var out EventList
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/v1/events", query: q}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AllEvents iterates over every event from p.StartingAfter on, newest
// first, fetching pages as it goes.
func (c *Client) AllEvents(ctx context.Context, p ListEventsParams) iter.Seq2[*Event, error] {
	return func(yield func(*Event, error) bool) {
		for {
			page, err := c.ListEvents(ctx, p)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, e := range page.Data {
				if !yield(e, nil) {
					return
				}
			}
			if !page.HasMore || len(page.Data) == 0 {
				return
			}
			p.StartingAfter = page.Data[len(page.Data)-1].ID
		}
	}
}

// GetEvent returns an event with its deliveries.
func (c *Client) GetEvent(ctx context.Context, id string) (*Event, error) {
	var out Event
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/v1/events/" + pathEscape(id)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ResendEvent queues new deliveries of an event (same webhook-id and body).
func (c *Client) ResendEvent(ctx context.Context, id string, p ResendEventParams) (*Event, error) {
	r := request{method: http.MethodPost, path: "/v1/events/" + pathEscape(id) + "/resend", key: p.IdempotencyKey}
	if p.EndpointID != "" {
		r.body = p // the body is optional; none resends to every endpoint
	}
	var out Event
	if _, err := c.do(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
