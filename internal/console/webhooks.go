package console

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/paybridge/paybridge/internal/httpapi"
	"github.com/paybridge/paybridge/internal/payment"
)

// eventsPageSize is how many events the webhooks page lists at once.
const eventsPageSize = 30

type webhooksView struct {
	Merchant   string
	Merchants  []option
	Endpoints  []*payment.WebhookEndpoint
	Events     []*payment.WebhookEvent
	NextURL    string
	EventTypes []string
	Dead       int
	Error      string
}

// merchantFor picks the merchant a page works on: the operator's own when
// limited to one (asking for another is "not found"), else the one asked
// for, else the default merchant.
func (c *Console) merchantFor(r *http.Request, rc *reqCtx, asked string) (string, error) {
	if scope := rc.merchantScope(); scope != "" {
		if asked != "" && asked != scope {
			return "", payment.Errorf(payment.ENOTFOUND, "merchant not found")
		}
		return scope, nil
	}
	if asked == "" {
		asked = payment.DefaultMerchantID
	}
	if _, err := c.st.FindMerchantByID(r.Context(), asked); err != nil {
		return "", err
	}
	return asked, nil
}

// forMerchant runs h for the merchant the request names, where from says
// (resolved by merchantFor: an operator limited to one merchant gets that
// one; none named is the default merchant), and fails the request before h
// runs when the operator may not see that merchant.
func (c *Console) forMerchant(from func(*http.Request) string, h func(http.ResponseWriter, *http.Request, *reqCtx, string)) func(http.ResponseWriter, *http.Request, *reqCtx) {
	return func(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
		mid, err := c.merchantFor(r, rc, from(r))
		if err != nil {
			c.fail(w, r, rc, err)
			return
		}
		h(w, r, rc, mid)
	}
}

// Where a request names its merchant, for forMerchant.
func merchantInQuery(r *http.Request) string { return r.URL.Query().Get("merchant") }
func merchantInForm(r *http.Request) string  { return r.PostFormValue("merchant") }
func merchantInPath(r *http.Request) string  { return r.PathValue("id") }

func (c *Console) merchantOptions(r *http.Request, rc *reqCtx, selected string) ([]option, error) {
	if rc.merchantScope() != "" {
		return nil, nil
	}
	ms, err := c.st.FindMerchants(r.Context())
	if err != nil {
		return nil, err
	}
	var out []option
	for _, m := range ms {
		out = append(out, option{Value: m.ID, Label: m.Name, Selected: m.ID == selected})
	}
	return out, nil
}

func (c *Console) handleWebhooks(w http.ResponseWriter, r *http.Request, rc *reqCtx, mid string) {
	v := webhooksView{Merchant: mid, EventTypes: payment.EventTypes}
	var err error
	if v.Merchants, err = c.merchantOptions(r, rc, mid); err != nil {
		c.fail(w, r, rc, err)
		return
	}
	if v.Endpoints, err = c.st.FindWebhookEndpoints(r.Context(), mid); err != nil {
		c.fail(w, r, rc, err)
		return
	}
	evs, err := c.st.FindWebhookEvents(r.Context(), payment.WebhookEventFilter{MerchantID: mid,
		StartingAfter: r.URL.Query().Get("after"), Limit: eventsPageSize + 1})
	if err != nil {
		c.fail(w, r, rc, err)
		return
	}
	if len(evs) > eventsPageSize {
		evs = evs[:eventsPageSize]
		v.NextURL = "/console/webhooks?" + url.Values{"merchant": {mid}, "after": {evs[len(evs)-1].ID}}.Encode()
	}
	v.Events = evs
	for _, e := range evs {
		for _, d := range e.Deliveries {
			if d.Status == payment.DeliveryDead {
				v.Dead++
			}
		}
	}
	c.render(w, r, rc, http.StatusOK, "webhooks", "Webhooks", v)
}

// modeName is how the audit log names an endpoint's mode.
func modeName(live bool) string {
	if live {
		return "live"
	}
	return "test"
}

func webhooksPage(mid string) string {
	return "/console/webhooks?" + url.Values{"merchant": {mid}}.Encode()
}

func (c *Console) handleEndpointCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx, mid string) {
	events := r.PostForm["events"]
	e, err := httpapi.CreateWebhookEndpoint(r.Context(), c.st, mid, httpapi.WebhookEndpointParams{
		URL: strings.TrimSpace(r.PostFormValue("url")), EnabledEvents: events, Description: strings.TrimSpace(r.PostFormValue("description")),
		Livemode: r.PostFormValue("live") == "yes"},
		c.opts.WebhookAllowPrivate)
	if err != nil {
		c.fail(w, r, rc, err)
		return
	}
	c.audit(r.Context(), r, rc.Op, "", mid, "webhook_endpoint_created", e.ID, modeName(e.Livemode)+" "+e.URL)
	c.showSecret(w, r, rc, secretView{Kind: "webhook", ID: e.ID, Secret: e.Secret, Back: webhooksPage(mid), Label: e.URL})
}

func (c *Console) handleEndpointStatus(w http.ResponseWriter, r *http.Request, rc *reqCtx, mid string) {
	status := r.PostFormValue("status")
	e, err := c.st.SetWebhookEndpointStatus(r.Context(), mid, r.PathValue("id"), status, "disabled by "+rc.Op.Email)
	if err != nil {
		c.fail(w, r, rc, err)
		return
	}
	action := "webhook_endpoint_enabled"
	if status == payment.EndpointDisabled {
		action = "webhook_endpoint_disabled"
	}
	c.audit(r.Context(), r, rc.Op, "", mid, action, e.ID, e.URL)
	back(w, r, webhooksPage(mid), "endpoint."+status)
}

func (c *Console) handleEndpointRotate(w http.ResponseWriter, r *http.Request, rc *reqCtx, mid string) {
	e, err := httpapi.RotateWebhookEndpointSecret(r.Context(), c.st, mid, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, rc, err)
		return
	}
	c.audit(r.Context(), r, rc.Op, "", mid, "webhook_secret_rotated", e.ID, e.URL)
	c.showSecret(w, r, rc, secretView{Kind: "webhook", ID: e.ID, Secret: e.Secret, Back: webhooksPage(mid), Label: e.URL, Rotated: true})
}

func (c *Console) handleEndpointDelete(w http.ResponseWriter, r *http.Request, rc *reqCtx, mid string) {
	id := r.PathValue("id")
	if err := c.st.DeleteWebhookEndpoint(r.Context(), mid, id); err != nil {
		c.fail(w, r, rc, err)
		return
	}
	c.audit(r.Context(), r, rc.Op, "", mid, "webhook_endpoint_deleted", id, "")
	back(w, r, webhooksPage(mid), "endpoint.deleted")
}

// handleEventResend queues the event again to the merchant's subscribed
// endpoints, through the same store method as POST /v1/events/{id}/resend.
func (c *Console) handleEventResend(w http.ResponseWriter, r *http.Request, rc *reqCtx, mid string) {
	e, err := c.st.ResendWebhookEvent(r.Context(), mid, r.PathValue("id"), r.PostFormValue("endpoint"))
	if err != nil {
		c.fail(w, r, rc, err)
		return
	}
	c.audit(r.Context(), r, rc.Op, "", mid, "webhook_resent", e.PaymentID, e.ID+" ("+e.Type+")")
	target := r.PostFormValue("back")
	if !safeNext(target) {
		target = webhooksPage(mid)
	}
	back(w, r, target, "event.resent")
}

// secretView shows a secret once: a new webhook secret, API key or
// operator password.
type secretView struct {
	Kind    string // webhook, key, password
	ID      string
	Label   string
	Secret  string
	Back    string
	Rotated bool
}

func (c *Console) showSecret(w http.ResponseWriter, r *http.Request, rc *reqCtx, v secretView) {
	c.render(w, r, rc, http.StatusOK, "secret", "Shown once", v)
}
