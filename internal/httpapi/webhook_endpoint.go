package httpapi

import (
	"net/http"
	"slices"
	"time"

	"github.com/paybridge/paybridge/client"
	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/stdwebhook"
	"github.com/paybridge/paybridge/internal/webhook"
)

// Limits of webhook endpoints.
const (
	maxWebhookURLLen      = 2048
	maxWebhookDescription = 500
	// secretOverlap is how long a rotated-out secret keeps signing (as
	// Stripe's roll), so a shop can deploy the new one without a gap.
	secretOverlap = 24 * time.Hour
)

// SetWebhookAllowPrivate lets endpoint URLs name loopback and private
// addresses (local development and tests). The worker's dialer enforces
// the same rule when it connects.
func (a *API) SetWebhookAllowPrivate(allow bool) { a.allowPrivate = allow }

func (a *API) webhookAllowPrivate() bool { return a.allowPrivate }

// webhookEndpointJSON is a webhook endpoint of the API: the client
// package's type, one definition of the JSON for the server and the Go
// client. DisabledReason says why paybridge disabled the endpoint (a 410);
// Secret is only in the answer to a creation or a rotation.
type webhookEndpointJSON = client.WebhookEndpoint

func toWebhookEndpointJSON(e *payment.WebhookEndpoint, withSecret bool) *webhookEndpointJSON {
	j := &webhookEndpointJSON{
		ID: e.ID, Object: "webhook_endpoint", URL: e.URL, Description: e.Description, EnabledEvents: e.EnabledEvents,
		Status: e.Status, DisabledReason: e.DisabledReason, Livemode: e.Livemode, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt,
	}
	if withSecret {
		j.Secret = e.Secret
	}
	if e.PreviousSecret != "" && time.Now().Before(e.PreviousSecretExpiresAt) {
		j.PreviousSecretExpiresAt = timePtr(e.PreviousSecretExpiresAt)
	}
	return j
}

type createWebhookEndpointRequest struct {
	URL           string   `json:"url"`
	EnabledEvents []string `json:"enabled_events"`
	Description   string   `json:"description"`
}

func (a *API) handleWebhookEndpointCreate(w http.ResponseWriter, r *http.Request) {
	var req createWebhookEndpointRequest
	if err := DecodeJSON(w, r, &req); err != nil {
		WriteError(w, r, a.log, err)
		return
	}
	ctx, merchantID := r.Context(), MerchantID(r.Context())
	live, _ := payment.LivemodeFrom(ctx)
	e, err := a.newWebhookEndpoint(merchantID, live, req)
	if err != nil {
		WriteError(w, r, a.log, err)
		return
	}
	if err := a.svc.CreateWebhookEndpoint(ctx, e); err != nil {
		WriteError(w, r, a.log, err)
		return
	}
	WriteJSON(w, http.StatusCreated, toWebhookEndpointJSON(e, true))
}

// newWebhookEndpoint validates a creation request for an endpoint of the
// given mode (the key's: a test key creates test endpoints).
func (a *API) newWebhookEndpoint(merchantID string, live bool, req createWebhookEndpointRequest) (*payment.WebhookEndpoint, error) {
	switch {
	case req.URL == "":
		return nil, payment.Errorf(payment.EINVALID, "url is required")
	case len(req.URL) > maxWebhookURLLen:
		return nil, payment.Errorf(payment.EINVALID, "url must be at most %d bytes", maxWebhookURLLen)
	case len(req.Description) > maxWebhookDescription:
		return nil, payment.Errorf(payment.EINVALID, "description must be at most %d bytes", maxWebhookDescription)
	}
	if err := webhook.CheckURL(req.URL, a.webhookAllowPrivate()); err != nil {
		return nil, payment.Errorf(payment.EINVALID, "%s", err.Error())
	}
	events, err := parseEnabledEvents(req.EnabledEvents)
	if err != nil {
		return nil, err
	}
	return &payment.WebhookEndpoint{
		ID: payment.NewID("we", time.Now()), MerchantID: merchantID, URL: req.URL, Description: req.Description,
		EnabledEvents: events, Secret: stdwebhook.NewSecret(), Status: payment.EndpointEnabled, Livemode: live,
	}, nil
}

// parseEnabledEvents checks the event filter; none means every event.
func parseEnabledEvents(in []string) ([]string, error) {
	if len(in) == 0 {
		return []string{"*"}, nil
	}
	var out []string
	for _, t := range in {
		if t != "*" && !slices.Contains(payment.EventTypes, t) {
			return nil, payment.Errorf(payment.EINVALID, "enabled_events: unknown event type %q", truncate(t, 64))
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	if slices.Contains(out, "*") {
		return []string{"*"}, nil
	}
	return out, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// keySees reports whether the request's key may see and manage endpoint
// e: only a key of the endpoint's mode may. A live endpoint's secret signs
// real payment.paid deliveries; a test key that could list, rotate, delete
// or replace it could forge them or silence the shop. Requests without a
// key mode (none reach these handlers) see nothing.
func keySees(r *http.Request, e *payment.WebhookEndpoint) bool {
	live, ok := payment.LivemodeFrom(r.Context())
	return ok && live == e.Livemode
}

// endpointOfKey returns the merchant's endpoint id if the request's key
// may manage it, and ENOTFOUND otherwise, as for another merchant's
// endpoint. An endpoint's mode never changes, so the check holds for the
// deletion or rotation that follows it.
func (a *API) endpointOfKey(r *http.Request, id string) (*payment.WebhookEndpoint, error) {
	e, err := a.svc.WebhookEndpoint(r.Context(), MerchantID(r.Context()), id)
	if err != nil {
		return nil, err
	}
	if !keySees(r, e) {
		return nil, payment.Errorf(payment.ENOTFOUND, "webhook endpoint not found")
	}
	return e, nil
}

func (a *API) handleWebhookEndpointList(w http.ResponseWriter, r *http.Request) {
	es, err := a.svc.WebhookEndpoints(r.Context(), MerchantID(r.Context()))
	if err != nil {
		WriteError(w, r, a.log, err)
		return
	}
	data := make([]*webhookEndpointJSON, 0, len(es))
	for _, e := range es {
		if keySees(r, e) {
			data = append(data, toWebhookEndpointJSON(e, false))
		}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"object": "list", "data": data, "has_more": false, "url": "/v1/webhook_endpoints"})
}

func (a *API) handleWebhookEndpointGet(w http.ResponseWriter, r *http.Request) {
	e, err := a.endpointOfKey(r, r.PathValue("id"))
	if err != nil {
		WriteError(w, r, a.log, err)
		return
	}
	WriteJSON(w, http.StatusOK, toWebhookEndpointJSON(e, false))
}

func (a *API) handleWebhookEndpointDelete(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := a.endpointOfKey(r, id); err != nil {
		WriteError(w, r, a.log, err)
		return
	}
	if err := a.svc.DeleteWebhookEndpoint(r.Context(), MerchantID(r.Context()), id); err != nil {
		WriteError(w, r, a.log, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"id": id, "object": "webhook_endpoint", "deleted": true})
}

// handleWebhookEndpointRotate gives the endpoint a new secret, shown once;
// the old one keeps signing for secretOverlap, both signatures being sent.
func (a *API) handleWebhookEndpointRotate(w http.ResponseWriter, r *http.Request) {
	if _, err := a.endpointOfKey(r, r.PathValue("id")); err != nil {
		WriteError(w, r, a.log, err)
		return
	}
	e, err := a.svc.RotateWebhookSecret(r.Context(), MerchantID(r.Context()), r.PathValue("id"),
		stdwebhook.NewSecret(), time.Now().Add(secretOverlap))
	if err != nil {
		WriteError(w, r, a.log, err)
		return
	}
	WriteJSON(w, http.StatusOK, toWebhookEndpointJSON(e, true))
}
