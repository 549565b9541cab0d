package provider

import (
	"net/http"
	"strings"
	"time"
)

// Observer is told about every HTTP call an adapter makes: which provider,
// which operation (see Operation), how it ended and how long it took. The
// app feeds it into metrics; adapters know nothing of it.
type Observer func(provider, op, outcome string, d time.Duration)

// Outcomes of one call, as the observer hears them.
const (
	OutcomeOK          = "ok"           // 2xx
	OutcomeClientError = "client_error" // 4xx: the provider refused
	OutcomeServerError = "server_error" // 5xx
	OutcomeError       = "error"        // no answer: timeout, connection lost
)

// Instrument returns a copy of c whose every request is reported to obs
// under the provider's name. A nil obs returns c unchanged.
func Instrument(name string, c *http.Client, obs Observer) *http.Client {
	if obs == nil {
		return c
	}
	cc := *c
	rt := c.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	cc.Transport = observed{name: name, next: rt, obs: obs}
	return &cc
}

type observed struct {
	name string
	next http.RoundTripper
	obs  Observer
}

func (o observed) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := o.next.RoundTrip(r)
	outcome := OutcomeError
	if err == nil {
		switch {
		case resp.StatusCode >= 500:
			outcome = OutcomeServerError
		case resp.StatusCode >= 400:
			outcome = OutcomeClientError
		default:
			outcome = OutcomeOK
		}
	}
	o.obs(o.name, Operation(r), outcome, time.Since(start))
	return resp, err
}

// operations are the last path segments that name an operation in the
// providers' APIs (KakaoPay ready/approve/cancel/order, PortOne V1
// getToken/prepare/cancel, PortOne V2 pre-register/cancel, Toss
// confirm/cancel). Any other path is a lookup of one payment by an id, so
// the label never carries an id and its values stay few.
var operations = map[string]string{
	"ready": "ready", "approve": "approve", "cancel": "cancel", "order": "order",
	"getToken": "get_token", "prepare": "prepare", "pre-register": "pre_register", "confirm": "confirm",
}

// Operation names the provider operation of a request, for metrics.
func Operation(r *http.Request) string {
	p := strings.TrimRight(r.URL.Path, "/")
	if op, ok := operations[p[strings.LastIndexByte(p, '/')+1:]]; ok {
		return op
	}
	return "lookup"
}

// NewHTTPClientTimeout is NewHTTPClient with another overall timeout for one
// call (the response-header timeout shrinks with it).
func NewHTTPClientTimeout(d time.Duration) *http.Client {
	c := NewHTTPClient()
	if d > 0 {
		c.Timeout = d
		if t, ok := c.Transport.(*http.Transport); ok && t.ResponseHeaderTimeout > d {
			t.ResponseHeaderTimeout = d
		}
	}
	return c
}
