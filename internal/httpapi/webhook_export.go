package httpapi

import (
	"context"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/service"
	"github.com/paybridge/paybridge/internal/stdwebhook"
)

// WebhookEndpointParams is a new endpoint as another front end (the
// operator console) asks for it.
type WebhookEndpointParams struct {
	URL           string
	EnabledEvents []string // none: every event
	Description   string
	// Livemode makes a live endpoint: it receives only live events and
	// only live keys manage it. Otherwise a test endpoint.
	Livemode bool
}

// CreateWebhookEndpoint validates and stores a new endpoint of a merchant
// with the same rules as POST /v1/webhook_endpoints (URL checks, event
// names, the per-merchant limit). The returned endpoint carries its secret,
// to be shown once.
func CreateWebhookEndpoint(ctx context.Context, st service.EndpointStore, merchantID string, in WebhookEndpointParams, allowPrivate bool) (*payment.WebhookEndpoint, error) {
	a := &API{allowPrivate: allowPrivate}
	e, err := a.newWebhookEndpoint(merchantID, in.Livemode, createWebhookEndpointRequest{URL: in.URL, EnabledEvents: in.EnabledEvents, Description: in.Description})
	if err != nil {
		return nil, err
	}
	if err := service.AddWebhookEndpoint(ctx, st, e); err != nil {
		return nil, err
	}
	return e, nil
}

// RotateWebhookEndpointSecret gives an endpoint a new secret as POST
// /v1/webhook_endpoints/{id}/rotate_secret does: the old one keeps signing
// for the same overlap. The returned endpoint carries the new secret.
func RotateWebhookEndpointSecret(ctx context.Context, st payment.WebhookStore, merchantID, id string) (*payment.WebhookEndpoint, error) {
	return st.RotateWebhookSecret(ctx, merchantID, id, stdwebhook.NewSecret(), time.Now().Add(secretOverlap))
}
