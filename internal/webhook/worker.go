// Package webhook is paybridge's outbound webhooks to merchants' shops: what
// each one says (event.go: the body the store writes with each change, and
// the payment object it carries, which the API answers with too), and
// their delivery the Standard Webhooks way: the worker claims due
// deliveries from the store's outbox, signs and POSTs each one, and
// records the outcome, retrying with backoff for three days. Destinations are checked at dial time (see
// Dialer) so a merchant's URL cannot reach paybridge's own network.
package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/stdwebhook"
)

// Store is what the worker needs of the store.
type Store interface {
	ClaimWebhookDeliveries(ctx context.Context, c payment.Claim, f payment.WebhookClaimFilter) ([]*payment.WebhookJob, error)
	RecordWebhookAttempt(ctx context.Context, a payment.WebhookAttempt) error
}

// Options tune a Worker. Zero fields take the defaults.
type Options struct {
	// AllowPrivate lets webhooks reach loopback and private addresses
	// (PAYBRIDGE_WEBHOOK_ALLOW_PRIVATE=1: local development and tests).
	AllowPrivate bool
	// Timeout bounds one attempt, response included (default 15 s).
	Timeout time.Duration
	// Concurrency is how many attempts run at once (default 8). A slow
	// endpoint holds one slot for at most Timeout; the others go on.
	Concurrency int
	// PerEndpoint caps the attempts to one endpoint in flight at once,
	// across instances (default 2), so that a slow endpoint with a backlog
	// holds at most that many slots.
	PerEndpoint int
	// PollInterval is how often Run looks for due deliveries (default 1 s).
	PollInterval time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Rand draws the jitter in [0, 1) (default math/rand/v2).
	Rand func() float64
	// Owner names this instance in leases (default a random name).
	Owner string
	// HTTPClient replaces the SSRF-checking client (tests). Redirects are
	// never followed either way.
	HTTPClient *http.Client
	// Dialer configures the default client's dialer (its LookupIP lets
	// tests resolve names); its AllowPrivate is taken from AllowPrivate.
	Dialer Dialer
}

// Worker delivers webhooks.
type Worker struct {
	store  Store
	log    *slog.Logger
	o      Options
	client *http.Client
	sem    chan struct{}
	wg     sync.WaitGroup
}

// UserAgent is sent with every webhook.
const UserAgent = "paybridge-webhooks"

// New returns a worker; call Run to start it.
func New(store Store, log *slog.Logger, o Options) *Worker {
	if o.Timeout <= 0 {
		o.Timeout = 15 * time.Second
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.PerEndpoint <= 0 {
		o.PerEndpoint = 2
	}
	if o.PollInterval <= 0 {
		o.PollInterval = time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.Float64
	}
	if o.Owner == "" {
		o.Owner = "webhook-" + payment.RandomToken(12)
	}
	noRedirect := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	var client *http.Client
	if o.HTTPClient != nil {
		c := *o.HTTPClient
		c.CheckRedirect = noRedirect
		client = &c
	} else {
		d := o.Dialer
		d.AllowPrivate = o.AllowPrivate
		client = &http.Client{
			Timeout:       o.Timeout,
			CheckRedirect: noRedirect,
			Transport: &http.Transport{
				// No proxy from the environment: a proxy would connect for
				// us, past the dial-time check.
				Proxy:                 nil,
				DialContext:           d.DialContext,
				TLSHandshakeTimeout:   10 * time.Second,
				ResponseHeaderTimeout: o.Timeout,
				MaxIdleConnsPerHost:   2,
				IdleConnTimeout:       90 * time.Second,
				ForceAttemptHTTP2:     true,
			},
		}
	}
	return &Worker{store: store, log: log, o: o, client: client, sem: make(chan struct{}, o.Concurrency)}
}

func (w *Worker) claim() payment.Claim {
	return payment.Claim{Owner: w.o.Owner, Now: w.o.Now(), Lease: w.lease()}
}

// lease is how long a claimed delivery is ours: one attempt, with margin.
func (w *Worker) lease() time.Duration { return 2*w.o.Timeout + 30*time.Second }

// Run delivers due webhooks until ctx is cancelled, then waits for the
// attempts in flight (cancelled with ctx) to end. It claims only as many
// deliveries as it has free slots, and never waits for a batch to finish,
// so a slow endpoint delays nothing but itself.
func (w *Worker) Run(ctx context.Context) {
	t := time.NewTicker(w.o.PollInterval)
	defer t.Stop()
	for {
		w.dispatch(ctx)
		select {
		case <-ctx.Done():
			w.wg.Wait()
			return
		case <-t.C:
		}
	}
}

// dispatch claims due deliveries for the free slots and starts them,
// again while it finds some: a batch capped per endpoint may leave slots
// that the next claim, passing over endpoints at their cap, can fill.
func (w *Worker) dispatch(ctx context.Context) {
	for w.dispatchOnce(ctx) > 0 {
	}
}

func (w *Worker) dispatchOnce(ctx context.Context) int {
	free := cap(w.sem) - len(w.sem)
	if free <= 0 || ctx.Err() != nil {
		return 0
	}
	jobs, err := w.store.ClaimWebhookDeliveries(ctx, w.claim(), payment.WebhookClaimFilter{Limit: free, PerEndpoint: w.o.PerEndpoint})
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			w.log.Error("claim webhook deliveries failed", "error", err)
		}
		return 0
	}
	for _, j := range jobs {
		w.sem <- struct{}{} // never blocks long: only dispatch takes slots
		w.wg.Add(1)
		go func() {
			defer func() { <-w.sem; w.wg.Done() }()
			w.attempt(ctx, j)
		}()
	}
	return len(jobs)
}

// DeliverDue attempts every delivery due now, concurrently within the
// pool, waits for them and returns how many it attempted (tests).
func (w *Worker) DeliverDue(ctx context.Context) (int, error) {
	jobs, err := w.store.ClaimWebhookDeliveries(ctx, w.claim(), payment.WebhookClaimFilter{Limit: 1000})
	if err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	for _, j := range jobs {
		w.sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-w.sem; wg.Done() }()
			w.attempt(ctx, j)
		}()
	}
	wg.Wait()
	return len(jobs), nil
}

// Deliver attempts one pending delivery now, due or not.
func (w *Worker) Deliver(ctx context.Context, deliveryID string) error {
	jobs, err := w.store.ClaimWebhookDeliveries(ctx, w.claim(), payment.WebhookClaimFilter{DeliveryID: deliveryID, Limit: 1})
	if err != nil {
		return err
	}
	if len(jobs) == 0 {
		return payment.Errorf(payment.ECONFLICT, "webhook delivery %s is not pending or is being attempted", deliveryID)
	}
	w.attempt(ctx, jobs[0])
	return nil
}

// attempt sends one delivery and records the outcome.
func (w *Worker) attempt(ctx context.Context, j *payment.WebhookJob) {
	defer func() {
		if v := recover(); v != nil {
			w.log.Error("webhook attempt panicked", "delivery_id", j.Delivery.ID, "panic", v)
		}
	}()
	d := j.Delivery
	a := payment.WebhookAttempt{DeliveryID: d.ID, Owner: w.o.Owner}
	var retryAfter string
	switch {
	case j.Endpoint == nil:
		a.Status, a.Error = payment.DeliveryDead, "endpoint deleted"
	case j.Endpoint.Status != payment.EndpointEnabled:
		a.Status, a.Error = payment.DeliveryDead, "endpoint disabled"
	default:
		var err error
		a.StatusCode, retryAfter, err = w.send(ctx, j)
		if ctx.Err() != nil {
			// Shutting down: record nothing; the lease runs out and the
			// delivery is attempted again, by us or another instance.
			return
		}
		if err != nil {
			a.Error = err.Error()
		}
	}
	a.At = w.o.Now()
	if a.Status == "" {
		w.judge(&a, d, retryAfter)
	}
	if err := w.store.RecordWebhookAttempt(ctx, a); err != nil {
		w.log.Error("record webhook attempt failed", "delivery_id", d.ID, "event_id", d.EventID, "error", err)
		return
	}
	log := w.log.Debug
	if a.Status != payment.DeliverySucceeded {
		log = w.log.Warn
	}
	log("webhook attempt", "delivery_id", d.ID, "event_id", d.EventID, "endpoint_id", d.EndpointID,
		"attempt", d.Attempts+1, "status_code", a.StatusCode, "outcome", a.Status, "error", a.Error)
}

// judge decides what an answer means: only 2xx is a success; 410 Gone
// disables the endpoint; anything else is retried on the schedule (no
// sooner than a 429 or 503's Retry-After) until Window has passed.
func (w *Worker) judge(a *payment.WebhookAttempt, d *payment.WebhookDelivery, retryAfter string) {
	switch code := a.StatusCode; {
	case a.Error == "" && code >= 200 && code < 300:
		a.Status = payment.DeliverySucceeded
		return
	case a.Error == "" && code == http.StatusGone:
		a.Status, a.DisableEndpoint, a.Error = payment.DeliveryDead, true, "the endpoint answered 410 Gone"
		return
	case a.Error == "":
		a.Error = fmt.Sprintf("the endpoint answered %d", code)
	}
	if a.At.Sub(d.CreatedAt) >= Window {
		a.Status = payment.DeliveryDead
		return
	}
	a.Status = payment.DeliveryPending
	wait := Backoff(d.Attempts+1, w.o.Rand)
	if a.StatusCode == http.StatusTooManyRequests || a.StatusCode == http.StatusServiceUnavailable {
		if ra, ok := RetryAfter(retryAfter, a.At); ok && ra > wait {
			wait = ra
		}
	}
	a.NextAttemptAt = a.At.Add(wait)
}

// send POSTs the event's payload, signed with every active secret.
func (w *Worker) send(ctx context.Context, j *payment.WebhookJob) (int, string, error) {
	now := w.o.Now()
	body := j.Event.Payload
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.Endpoint.URL, bytes.NewReader(body))
	if err != nil {
		return 0, "", fmt.Errorf("bad endpoint url")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	if err := stdwebhook.SignHeaders(req.Header, j.Endpoint.Secrets(now), j.Event.ID, now, body); err != nil {
		return 0, "", fmt.Errorf("sign: %w", err)
	}
	resp, err := w.client.Do(req)
	if err != nil {
		// The URL may carry the merchant's own token: keep it out of the
		// recorded error and the log.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return 0, "", err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, resp.Header.Get("Retry-After"), nil
}
