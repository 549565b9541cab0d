package kakaopay

import (
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/paybridge/paybridge/internal/sandbox"
)

// Options configure a Sandbox. The zero value is a working sandbox that
// accepts any well-formed key.
type Options struct {
	// SecretKey, if non-empty, is the only key accepted on the current API
	// (SECRET_KEY or DEV_SECRET_KEY); otherwise any well-formed key is.
	SecretKey string
	// AdminKey, if non-empty, is the only key accepted on the legacy API
	// (KakaoAK); otherwise any well-formed key is.
	AdminKey string
	// PublicURL is the absolute URL at which a browser reaches the handler's
	// root, e.g. "http://localhost:8080/sandbox/kakaopay". If empty it is
	// derived per request as "http://" (https over TLS) + Host +
	// X-Forwarded-Prefix.
	PublicURL string
	// Now is the clock; time.Now if nil.
	Now func() time.Time
	// Expiry is a tid's lifetime from ready; 15 minutes if zero.
	Expiry time.Duration
	// Logger receives state changes; nil discards them. Keys are never logged.
	Logger *slog.Logger
}

// Sandbox is the emulator. It is an http.Handler; all its methods are safe
// for concurrent use.
type Sandbox struct {
	secretKey string
	adminKey  string
	publicURL string
	now       func() time.Time
	expiry    time.Duration
	log       *slog.Logger

	// mu guards everything below. One lock keeps the emulator simple and
	// makes each operation atomic, which is what the tests of concurrent
	// approves rely on.
	mu                      sync.Mutex
	payments                map[string]*payment
	ids                     map[string]bool
	ctl                     *sandbox.Control[Fault] // calls counted, faults queued: locked on its own
	sandbox.Injector[Fault]                         // InjectFault, ClearFaults: over ctl
}

// New returns a Sandbox configured by o.
func New(o Options) *Sandbox {
	s := &Sandbox{
		secretKey: o.SecretKey,
		adminKey:  o.AdminKey,
		publicURL: strings.TrimRight(o.PublicURL, "/"),
		now:       sandbox.Clock(o.Now),
		expiry:    o.Expiry,
		log:       sandbox.Logger(o.Logger),
		payments:  map[string]*payment{},
		ids:       map[string]bool{},
	}
	if s.expiry <= 0 {
		s.expiry = 15 * time.Minute
	}
	s.ctl = sandbox.NewControl(control, s.log)
	s.Injector = s.ctl.Injector()
	return s
}

// generation is the KakaoPay API generation a request was addressed to.
type generation int

const (
	legacy  generation = iota // kapi.kakao.com: KakaoAK, form bodies, {code,msg}
	current                   // open-api.kakaopay.com: SECRET_KEY, JSON, {error_code,error_message}
)

// API operation names, as used by Calls, CallsFor and Fault.Op.
const (
	opReady   = "ready"
	opApprove = "approve"
	opCancel  = "cancel"
	opOrder   = "order"
)

// ServeHTTP routes a request. Paths are relative to the handler root (see
// the package documentation for the list).
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case strings.HasPrefix(path, "/online/v1/payment/"):
		s.serveAPI(w, r, current, strings.TrimPrefix(path, "/online/v1/payment/"))
	case strings.HasPrefix(path, "/v1/payment/"):
		s.serveAPI(w, r, legacy, strings.TrimPrefix(path, "/v1/payment/"))
	case strings.HasPrefix(path, "/checkout/"):
		s.serveCheckout(w, r, strings.TrimPrefix(path, "/checkout/"))
	case sandbox.IsControlPath(path):
		s.ctl.ServeHTTP(w, r)
	default:
		gen := legacy
		if strings.HasPrefix(path, "/online/") {
			gen = current
		}
		writeError(w, gen, errNotFound())
	}
}

// Calls returns how many calls of op ("ready", "approve", "cancel", "order")
// passed authorisation, whether or not they then succeeded.
func (s *Sandbox) Calls(op string) int { return s.ctl.Of(op) }

// CallsFor returns how many calls of op named tid and passed authorisation.
func (s *Sandbox) CallsFor(op, tid string) int { return s.ctl.For(op, tid) }

// baseURL is where a browser reaches the handler root, for the buyer page
// links handed out by ready.
func (s *Sandbox) baseURL(r *http.Request) string { return sandbox.BaseURL(r, s.publicURL) }
