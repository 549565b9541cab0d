package toss

import (
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/paybridge/paybridge/internal/sandbox"
)

// Options configure a Sandbox. The zero value is a working sandbox that
// accepts any test secret key.
type Options struct {
	// SecretKey, if non-empty, is the only secret key accepted; otherwise
	// any key starting with test_sk_ or test_gsk_ is.
	SecretKey string
	// ConfirmWindow is how long after the buyer's authentication a confirm
	// is accepted; 10 minutes if zero. A confirm after it answers 404
	// NOT_FOUND_PAYMENT_SESSION and the payment becomes EXPIRED.
	ConfirmWindow time.Duration
	// PublicURL is the absolute URL at which a browser reaches the handler's
	// root, e.g. "http://localhost:8080/sandbox/toss". If empty it is
	// derived per request as "http://" (https over TLS) + Host +
	// X-Forwarded-Prefix. It is used for checkout.url and receipt.url.
	PublicURL string
	// Now is the clock; time.Now if nil.
	Now func() time.Time
	// Logger receives state changes; nil discards them. Keys are never logged.
	Logger *slog.Logger
}

// Sandbox is the emulator. It is an http.Handler; all its methods are safe
// for concurrent use.
type Sandbox struct {
	secretKey string
	window    time.Duration
	publicURL string
	now       func() time.Time
	log       *slog.Logger

	// mu guards everything below. One lock makes each operation atomic,
	// idempotent replays included: two requests with the same
	// Idempotency-Key never both act.
	mu                      sync.Mutex
	payments                map[string]*payment     // by paymentKey
	byOrder                 map[string][]string     // orderId → paymentKeys, oldest first
	ids                     map[string]bool         // every id issued, to keep them unique
	ctl                     *sandbox.Control[Fault] // calls counted, faults queued: locked on its own
	sandbox.Injector[Fault]                         // InjectFault, ClearFaults: over ctl
	replays                 map[replayScope]*replay
}

// New returns a Sandbox configured by o.
func New(o Options) *Sandbox {
	s := &Sandbox{
		secretKey: o.SecretKey,
		window:    o.ConfirmWindow,
		publicURL: strings.TrimRight(o.PublicURL, "/"),
		now:       sandbox.Clock(o.Now),
		log:       sandbox.Logger(o.Logger),
		payments:  map[string]*payment{},
		byOrder:   map[string][]string{},
		ids:       map[string]bool{},
		replays:   map[replayScope]*replay{},
	}
	if s.window <= 0 {
		s.window = 10 * time.Minute
	}
	s.ctl = sandbox.NewControl(control, s.log)
	s.Injector = s.ctl.Injector()
	return s
}

// API operation names, as used by Calls, CallsFor and Fault.Op.
const (
	opConfirm = "confirm"
	opGet     = "get" // both lookups: by paymentKey and by orderId
	opCancel  = "cancel"
)

// ServeHTTP routes a request. Paths are relative to the handler root (see
// the package documentation for the list).
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case strings.HasPrefix(path, "/v1/payments/"):
		rt, ok := route(r.Method, strings.TrimPrefix(path, "/v1/payments/"))
		if !ok {
			writeError(w, errNoRoute())
			return
		}
		s.serveAPI(w, r, rt)
	case path == "/checkout":
		s.serveCheckout(w, r)
	case strings.HasPrefix(path, "/receipt/"):
		s.serveReceipt(w, r, strings.TrimPrefix(path, "/receipt/"))
	case sandbox.IsControlPath(path):
		s.ctl.ServeHTTP(w, r)
	default:
		writeError(w, errNoRoute())
	}
}

// Calls returns how many calls of op ("confirm", "get", "cancel") passed
// authorisation, whether or not they then succeeded. Idempotent replays
// count: they are calls too.
func (s *Sandbox) Calls(op string) int { return s.ctl.Of(op) }

// CallsFor returns how many calls of op named id and passed authorisation.
// A confirm names its body's paymentKey and orderId; a lookup or cancel the
// paymentKey or orderId in its path.
func (s *Sandbox) CallsFor(op, id string) int { return s.ctl.For(op, id) }

// baseURL is where a browser reaches the handler root.
func (s *Sandbox) baseURL(r *http.Request) string { return sandbox.BaseURL(r, s.publicURL) }
