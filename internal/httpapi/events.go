package httpapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/paybridge/paybridge/client"
	"github.com/paybridge/paybridge/internal/payment"
)

// Bounds of GET /v1/events pages.
const (
	defaultEventsLimit = 10
	maxEventsLimit     = 100
)

// eventJSON is an event of GET /v1/events with its deliveries so far per
// endpoint (several for one endpoint after a re-send): the client package's
// type, one definition of the JSON for the server and the Go client.
type eventJSON = client.Event

func toEventJSON(e *payment.WebhookEvent) *eventJSON {
	j := &eventJSON{ID: e.ID, Object: "event", Type: e.Type, PaymentID: e.PaymentID, Livemode: e.Livemode, CreatedAt: e.CreatedAt,
		Deliveries: make([]*client.Delivery, 0, len(e.Deliveries))}
	// data is the payload's, so the event reads here as it was sent.
	var body struct {
		Data json.RawMessage `json:"data"`
	}
	if json.Unmarshal(e.Payload, &body) == nil {
		j.Data = body.Data
	}
	for _, d := range e.Deliveries {
		dj := &client.Delivery{ID: d.ID, EndpointID: d.EndpointID, Status: d.Status, Attempts: d.Attempts,
			LastStatusCode: d.LastStatusCode, LastError: d.LastError, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
		if d.Status == payment.DeliveryPending {
			dj.NextAttemptAt = timePtr(d.NextAttemptAt)
		}
		j.Deliveries = append(j.Deliveries, dj)
	}
	return j
}

// handleEventList serves GET /v1/events: the merchant's events, newest
// first, with limit and starting_after (an event id).
func (a *API) handleEventList(w http.ResponseWriter, r *http.Request) {
	vals, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		WriteError(w, r, a.log, payment.Errorf(payment.EINVALID, "malformed query string"))
		return
	}
	f := payment.WebhookEventFilter{MerchantID: MerchantID(r.Context()), Limit: defaultEventsLimit}
	if live, ok := payment.LivemodeFrom(r.Context()); ok {
		f.Livemode = &live
	}
	for k, v := range vals {
		if len(v) != 1 || len(v[0]) > maxListParamLen {
			WriteError(w, r, a.log, payment.Errorf(payment.EINVALID, "%s must be given once, at most %d bytes", k, maxListParamLen))
			return
		}
		switch k {
		case "limit":
			n, err := strconv.Atoi(v[0])
			if err != nil || n < 1 || n > maxEventsLimit {
				WriteError(w, r, a.log, payment.Errorf(payment.EINVALID, "limit must be an integer from 1 to %d", maxEventsLimit))
				return
			}
			f.Limit = n
		case "starting_after":
			f.StartingAfter = v[0]
		default:
			WriteError(w, r, a.log, payment.Errorf(payment.EINVALID, "unknown query parameter %s", truncate(k, 64)))
			return
		}
	}
	limit := f.Limit
	f.Limit++ // one more tells whether there is a next page
	evs, err := a.svc.WebhookEvents(r.Context(), f)
	if err != nil {
		WriteError(w, r, a.log, err)
		return
	}
	more := len(evs) > limit
	if more {
		evs = evs[:limit]
	}
	data := make([]*eventJSON, 0, len(evs))
	for _, e := range evs {
		data = append(data, toEventJSON(e))
	}
	WriteJSON(w, http.StatusOK, map[string]any{"object": "list", "data": data, "has_more": more, "url": "/v1/events"})
}

// findEvent returns one of the merchant's events of the key's mode.
func (a *API) findEvent(r *http.Request) (*payment.WebhookEvent, error) {
	e, err := a.svc.WebhookEvent(r.Context(), MerchantID(r.Context()), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if live, ok := payment.LivemodeFrom(r.Context()); ok && live != e.Livemode {
		return nil, payment.Errorf(payment.ENOTFOUND, "event not found")
	}
	return e, nil
}

func (a *API) handleEventGet(w http.ResponseWriter, r *http.Request) {
	e, err := a.findEvent(r)
	if err != nil {
		WriteError(w, r, a.log, err)
		return
	}
	WriteJSON(w, http.StatusOK, toEventJSON(e))
}

type resendEventRequest struct {
	EndpointID string `json:"endpoint_id"`
}

// handleEventResend serves POST /v1/events/{id}/resend: new pending
// deliveries of the event (same webhook-id, same body) to the merchant's
// enabled endpoints subscribed to it, or to the one endpoint_id given.
// The body is optional.
func (a *API) handleEventResend(w http.ResponseWriter, r *http.Request) {
	var req resendEventRequest
	if r.ContentLength != 0 {
		if err := DecodeJSON(w, r, &req); err != nil {
			WriteError(w, r, a.log, err)
			return
		}
	}
	if _, err := a.findEvent(r); err != nil {
		WriteError(w, r, a.log, err)
		return
	}
	e, err := a.svc.ResendWebhookEvent(r.Context(), MerchantID(r.Context()), r.PathValue("id"), req.EndpointID)
	if err != nil {
		WriteError(w, r, a.log, err)
		return
	}
	WriteJSON(w, http.StatusOK, toEventJSON(e))
}
