package portone

import (
	"cmp"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/paybridge/paybridge/internal/sandbox"
	"github.com/paybridge/paybridge/internal/stdwebhook"
)

// DefaultStoreID is the store the sandbox answers for when Options.StoreID
// is empty.
const DefaultStoreID = "store-00000000-0000-4000-8000-000000000001"

// merchantID is the merchant every sandbox payment belongs to.
const merchantID = "merchant-00000000-0000-4000-8000-000000000001"

// Options configure a Sandbox. The zero value is a working sandbox that
// accepts any well-formed API secret and sends no webhooks.
type Options struct {
	// APISecret, if non-empty, is the only secret accepted
	// ("Authorization: PortOne {APISecret}"); otherwise any is.
	APISecret string
	// StoreID, if non-empty, is the only storeId accepted in requests and
	// in the buyer window, and the one payments report. If empty, any
	// storeId is accepted and kept, and a payment without one reports
	// DefaultStoreID.
	StoreID string
	// WebhookURL, if non-empty, receives a signed webhook (Standard
	// Webhooks, 2024-04-25 body) whenever a payment becomes PAID, FAILED,
	// PARTIAL_CANCELLED or CANCELLED, and when a cancellation is REQUESTED.
	WebhookURL string
	// WebhookSecret signs the webhooks ("whsec_…", see stdwebhook.NewSecret).
	// Required when WebhookURL is set.
	WebhookSecret string
	// WebhookClient sends the webhooks; a client with a 30 s timeout (as
	// PortOne's) if nil.
	WebhookClient *http.Client
	// AsyncCancel makes every cancellation come back REQUESTED; it
	// completes (SUCCEEDED) on the next GET of the payment. It exercises
	// clients against PortOne's asynchronous refunds (docs/providers.md §5.17).
	AsyncCancel bool
	// PublicURL is the absolute URL at which a browser reaches the
	// handler's root, e.g. "http://localhost:8080/sandbox/portone"; it is
	// used for receipt links. If empty it is derived per request from Host
	// and X-Forwarded-Prefix.
	PublicURL string
	// Now is the clock; time.Now if nil.
	Now func() time.Time
	// Logger receives state changes; nil discards them. Secrets are never
	// logged.
	Logger *slog.Logger
}

// Validate reports what would make New panic.
func (o Options) Validate() error {
	var errs []error
	if o.WebhookURL != "" {
		u, err := url.Parse(o.WebhookURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, errors.New("portone sandbox: WebhookURL must be an absolute http(s) URL"))
		}
		if _, err := stdwebhook.Sign(o.WebhookSecret, "check", time.Unix(0, 0), nil); err != nil {
			errs = append(errs, errors.New("portone sandbox: WebhookURL needs a base64 WebhookSecret (whsec_…)"))
		}
	}
	return errors.Join(errs...)
}

// Sandbox is the emulator. It is an http.Handler; all its methods are safe
// for concurrent use.
type Sandbox struct {
	opts Options
	now  func() time.Time
	log  *slog.Logger
	hook *http.Client
	// mu guards everything below. One lock makes each operation atomic,
	// which is what tests of concurrent cancels rely on.
	mu sync.Mutex
	// webhookDelays are the pauses before each webhook attempt; a field so
	// that tests can shorten them.
	webhookDelays           []time.Duration
	payments                map[string]*payment
	ctl                     *sandbox.Control[Fault] // calls counted, faults queued: locked on its own
	sandbox.Injector[Fault]                         // InjectFault, ClearFaults: over ctl
	sequence                int                     // for readable pgTxIds and cancellation ids
}

// New returns a Sandbox configured by o. It panics if o is invalid (see
// Options.Validate): a sandbox that silently sends no webhooks is worse.
func New(o Options) *Sandbox {
	if err := o.Validate(); err != nil {
		panic(err)
	}
	o.PublicURL = strings.TrimRight(o.PublicURL, "/")
	s := &Sandbox{
		opts:          o,
		now:           sandbox.Clock(o.Now),
		log:           sandbox.Logger(o.Logger),
		hook:          cmp.Or(o.WebhookClient, &http.Client{Timeout: 30 * time.Second}),
		webhookDelays: []time.Duration{0, time.Second, 4 * time.Second},
		payments:      map[string]*payment{},
	}
	s.ctl = sandbox.NewControl(control, s.log)
	s.Injector = s.ctl.Injector()
	return s
}

// API operation names, as used by Calls, CallsFor and Fault.Op. They are
// the operationIds of PortOne's schema.
const (
	opPreRegister = "preRegister"
	opGetPayment  = "getPayment"
	opCancel      = "cancel"
)

// ServeHTTP routes a request. Paths are relative to the handler root (see
// the package documentation for the list).
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.EscapedPath()
	switch {
	case path == "/checkout":
		s.serveCheckout(w, r)
	case strings.HasPrefix(path, "/receipts/"):
		s.serveReceipt(w, r, strings.TrimPrefix(path, "/receipts/"))
	case sandbox.IsControlPath(path):
		s.ctl.ServeHTTP(w, r)
	case strings.HasPrefix(path, "/payments/"):
		s.routePayment(w, r, strings.TrimPrefix(path, "/payments/"))
	default:
		writeError(w, errNoRoute())
	}
}

// routePayment serves /payments/{paymentId}[/pre-register|/cancel]. The id
// is one path segment, URL-decoded.
func (s *Sandbox) routePayment(w http.ResponseWriter, r *http.Request, rest string) {
	rawID, suffix, _ := strings.Cut(rest, "/")
	id, err := url.PathUnescape(rawID)
	if err != nil || id == "" {
		writeError(w, errNoRoute())
		return
	}
	var op, method string
	switch suffix {
	case "":
		op, method = opGetPayment, http.MethodGet
	case "pre-register":
		op, method = opPreRegister, http.MethodPost
	case "cancel":
		op, method = opCancel, http.MethodPost
	default:
		writeError(w, errNoRoute())
		return
	}
	if r.Method != method {
		w.Header().Set("Allow", method)
		writeError(w, errMethod(method))
		return
	}
	s.serveAPI(w, r, op, id)
}

// Calls returns how many calls of op ("preRegister", "getPayment",
// "cancel") passed authorisation, whether or not they then succeeded.
func (s *Sandbox) Calls(op string) int { return s.ctl.Of(op) }

// CallsFor returns how many calls of op named paymentID and passed
// authorisation.
func (s *Sandbox) CallsFor(op, paymentID string) int { return s.ctl.For(op, paymentID) }

// baseURL is where a browser reaches the handler root.
func (s *Sandbox) baseURL(r *http.Request) string { return sandbox.BaseURL(r, s.opts.PublicURL) }

// storeFor is the store a request names, checked against the configured
// one. ok is false when the request names a store this sandbox does not
// serve.
func (s *Sandbox) storeFor(requested string) (store string, ok bool) {
	switch {
	case s.opts.StoreID == "" && requested == "":
		return DefaultStoreID, true
	case s.opts.StoreID == "":
		return requested, true
	case requested == "" || requested == s.opts.StoreID:
		return s.opts.StoreID, true
	default:
		return "", false
	}
}
