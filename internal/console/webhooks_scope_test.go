package console_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/httpapi"
	"github.com/paybridge/paybridge/internal/payment"
)

// Ensure an operator limited to merchant A can neither see nor act on
// merchant B's webhook endpoints, events and deliveries: every webhook
// action with one of B's ids is "not found" (404, so ids cannot be probed),
// whether the form names B, A or no merchant, and afterwards B's endpoint
// and events are exactly as they were and no action was audited. An
// operator not limited to a merchant does the same action on B (so the ids
// are right and only the scope refused them).
func TestConsole_WebhooksOfAnotherMerchantAreNotFound(t *testing.T) {
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.Copy(io.Discard, r.Body) }))
	defer shop.Close()
	a := start(t)
	ctx := context.Background()
	const mine, theirs = "mer_a", "mer_b"
	mkMerchant(t, a, mine)
	mkMerchant(t, a, theirs)
	endpoint := func(mid string) *payment.WebhookEndpoint {
		e, err := httpapi.CreateWebhookEndpoint(ctx, a.Store, mid, httpapi.WebhookEndpointParams{URL: shop.URL + "/" + mid}, true)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	event := func(mid string) *payment.WebhookEvent {
		p := paidPayment(t, a, mid, "Tea of "+mid, 5000)
		evs, err := a.Store.FindWebhookEventsOfPayment(ctx, p.ID)
		if err != nil || len(evs) != 1 || len(evs[0].Deliveries) != 1 {
			t.Fatalf("events of %s's payment: %+v, %v", mid, evs, err)
		}
		return evs[0]
	}
	myEndpoint, theirEndpoint := endpoint(mine), endpoint(theirs)
	myEvent, theirEvent := event(mine), event(theirs)

	// What must not change: B's endpoint, the deliveries of B's event and
	// of A's event (A's could be resent to B's endpoint).
	type snapshot struct {
		endpoint   payment.WebhookEndpoint
		endpoints  int
		deliveries map[string][]string // event id → delivery ids
	}
	take := func() snapshot {
		t.Helper()
		e, err := a.Store.FindWebhookEndpointByID(ctx, theirs, theirEndpoint.ID)
		if err != nil {
			t.Fatalf("B's endpoint: %v", err)
		}
		eps, _ := a.Store.FindWebhookEndpoints(ctx, theirs)
		s := snapshot{endpoint: *e, endpoints: len(eps), deliveries: map[string][]string{}}
		for _, ev := range []*payment.WebhookEvent{myEvent, theirEvent} {
			got, err := a.Store.FindWebhookEventByID(ctx, ev.MerchantID, ev.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range got.Deliveries {
				s.deliveries[ev.ID] = append(s.deliveries[ev.ID], d.ID)
			}
		}
		return s
	}
	before := take()

	b := signInNew(t, a, "a-admin@example.com", payment.RoleAdmin, mine)

	// The webhooks page shows A's, never B's.
	resp, page := b.get("/console/webhooks")
	mustStatus(t, resp, page, http.StatusOK)
	if !strings.Contains(page, myEndpoint.ID) || !strings.Contains(page, myEvent.ID) {
		t.Fatal("the webhooks page lacks A's own endpoint or event")
	}
	for _, leak := range []string{theirEndpoint.ID, theirEndpoint.URL, theirEvent.ID} {
		if strings.Contains(page, leak) {
			t.Fatalf("the webhooks page shows B's %s", leak)
		}
	}
	for _, path := range []string{"/console/webhooks?merchant=" + theirs, "/console/webhooks?merchant=" + theirs + "&after=" + theirEvent.ID,
		"/console/payments/" + theirEvent.PaymentID} {
		resp, body := b.get(path)
		mustStatus(t, resp, body, http.StatusNotFound)
		if strings.Contains(body, theirEndpoint.ID) || strings.Contains(body, theirEndpoint.URL) {
			t.Fatalf("%s: the 404 page shows B's endpoint", path)
		}
	}

	// Every action, with each way of naming the merchant.
	type action struct {
		path string
		form url.Values
	}
	var actions []action
	for _, named := range []string{theirs, mine, ""} {
		form := func(kv ...string) url.Values {
			v := url.Values{}
			if named != "" {
				v.Set("merchant", named)
			}
			for i := 0; i+1 < len(kv); i += 2 {
				v.Set(kv[i], kv[i+1])
			}
			return v
		}
		actions = append(actions,
			action{"/console/webhooks/endpoints/" + theirEndpoint.ID + "/status", form("status", payment.EndpointDisabled)},
			action{"/console/webhooks/endpoints/" + theirEndpoint.ID + "/rotate", form()},
			action{"/console/webhooks/endpoints/" + theirEndpoint.ID + "/delete", form()},
			action{"/console/events/" + theirEvent.ID + "/resend", form()},
			action{"/console/events/" + theirEvent.ID + "/resend", form("endpoint", theirEndpoint.ID)},
			// A's own event, to B's endpoint.
			action{"/console/events/" + myEvent.ID + "/resend", form("endpoint", theirEndpoint.ID)},
		)
	}
	// Adding an endpoint to B.
	actions = append(actions, action{"/console/webhooks/endpoints", url.Values{"merchant": {theirs}, "url": {shop.URL + "/sneaky"}}})
	for _, act := range actions {
		resp, body := b.post(act.path, act.form)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s %v: %d, want 404", act.path, act.form, resp.StatusCode)
		}
		if strings.Contains(body, "whsec_") {
			t.Fatalf("POST %s %v: a secret is shown", act.path, act.form)
		}
	}

	after := take()
	if after.endpoint.Status != before.endpoint.Status || after.endpoint.Secret != before.endpoint.Secret ||
		after.endpoint.PreviousSecret != before.endpoint.PreviousSecret || !after.endpoint.UpdatedAt.Equal(before.endpoint.UpdatedAt) {
		t.Errorf("B's endpoint changed: %+v, was %+v", after.endpoint, before.endpoint)
	}
	if after.endpoints != before.endpoints {
		t.Errorf("B has %d endpoints, had %d", after.endpoints, before.endpoints)
	}
	for id, ds := range before.deliveries {
		if !slices.Equal(after.deliveries[id], ds) {
			t.Errorf("deliveries of %s: %v, were %v", id, after.deliveries[id], ds)
		}
	}
	for _, act := range []string{"webhook_endpoint_created", "webhook_endpoint_disabled", "webhook_endpoint_enabled",
		"webhook_secret_rotated", "webhook_endpoint_deleted", "webhook_resent"} {
		if n := countAudit(t, a, act); n != 0 {
			t.Errorf("%d × %s audited, want none", n, act)
		}
	}

	// An operator of every merchant does reach B's endpoint and event.
	all := signInNew(t, a, "admin@example.com", payment.RoleAdmin, "")
	resp, body := all.post("/console/events/"+theirEvent.ID+"/resend", url.Values{"merchant": {theirs}, "endpoint": {theirEndpoint.ID}})
	mustStatus(t, resp, body, http.StatusSeeOther)
	resp, body = all.post("/console/webhooks/endpoints/"+theirEndpoint.ID+"/status", url.Values{"merchant": {theirs}, "status": {payment.EndpointDisabled}})
	mustStatus(t, resp, body, http.StatusSeeOther)
	if e, _ := a.Store.FindWebhookEndpointByID(ctx, theirs, theirEndpoint.ID); e.Status != payment.EndpointDisabled {
		t.Fatalf("an unlimited operator could not disable B's endpoint: %s", e.Status)
	}
	if got, _ := a.Store.FindWebhookEventByID(ctx, theirs, theirEvent.ID); len(got.Deliveries) != len(before.deliveries[theirEvent.ID])+1 {
		t.Fatalf("an unlimited operator's resend of B's event: %d deliveries", len(got.Deliveries))
	}
}
