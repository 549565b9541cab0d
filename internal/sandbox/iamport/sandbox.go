package iamport

import (
	"cmp"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/paybridge/paybridge/internal/sandbox"
)

// Options configure a Sandbox. The zero value is a working sandbox that
// accepts any non-empty imp_key and imp_secret.
type Options struct {
	// APIKey and APISecret, if APIKey is non-empty, are the only imp_key
	// and imp_secret pair that gets a token; otherwise any non-empty pair
	// does.
	APIKey    string
	APISecret string
	// PublicURL is the absolute URL at which a browser reaches the handler's
	// root, e.g. "http://localhost:8080/sandbox/iamport"; it is used in
	// receipt_url. If empty it is derived per request as "http://" (https
	// over TLS) + Host + X-Forwarded-Prefix.
	PublicURL string
	// NoticeURL, if set, receives V1 webhooks: a POST of
	// {"imp_uid","merchant_uid","status"} after a payment becomes paid in
	// the window, and after a cancel made with enable_webhook=true. Never
	// for a failure, as PortOne does not send those (docs/providers.md §2.6).
	NoticeURL string
	// WebhookClient sends the webhooks; a client with a 10 s timeout if nil
	// (PortOne's own first attempt connects within 10 s).
	WebhookClient *http.Client
	// Now is the clock; time.Now if nil.
	Now func() time.Time
	// Logger receives state changes; nil discards them. Secrets and tokens
	// are never logged.
	Logger *slog.Logger
}

// Sandbox is the emulator. It is an http.Handler; all its methods are safe
// for concurrent use.
type Sandbox struct {
	apiKey    string
	apiSecret string
	publicURL string
	noticeURL string
	webhook   *http.Client
	now       func() time.Time
	log       *slog.Logger

	// mu guards everything below. One lock keeps the emulator simple and
	// makes each operation atomic, which is what tests of concurrent
	// cancels rely on.
	mu                      sync.Mutex
	tokens                  map[string]*token       // by access_token
	keyTokens               map[string]*token       // by imp_key: the one live token per key
	prepared                map[string]*prepared    // by merchant_uid
	payments                map[string]*payment     // by imp_uid
	byMerchant              map[string][]*payment   // by merchant_uid, in the order the windows opened
	ids                     map[string]bool         // every id handed out, to keep them unique
	ctl                     *sandbox.Control[Fault] // calls counted, faults queued: locked on its own
	sandbox.Injector[Fault]                         // InjectFault, ClearFaults: over ctl
	seq                     int                     // creation order of payments, for stable sorting
}

// New returns a Sandbox configured by o.
func New(o Options) *Sandbox {
	s := &Sandbox{
		apiKey:     o.APIKey,
		apiSecret:  o.APISecret,
		publicURL:  strings.TrimRight(o.PublicURL, "/"),
		noticeURL:  o.NoticeURL,
		webhook:    cmp.Or(o.WebhookClient, &http.Client{Timeout: 10 * time.Second}),
		now:        sandbox.Clock(o.Now),
		log:        sandbox.Logger(o.Logger),
		tokens:     map[string]*token{},
		keyTokens:  map[string]*token{},
		prepared:   map[string]*prepared{},
		payments:   map[string]*payment{},
		byMerchant: map[string][]*payment{},
		ids:        map[string]bool{},
	}
	s.ctl = sandbox.NewControl(control, s.log)
	s.Injector = s.ctl.Injector()
	return s
}

// API operation names, as used by Calls, CallsFor and Fault.Op.
const (
	opGetToken = "getToken" // POST /users/getToken
	opPrepare  = "prepare"  // POST /payments/prepare, GET /payments/prepare/{merchant_uid}
	opPayment  = "payment"  // GET /payments/{imp_uid}, GET /payments/find/{merchant_uid}[/{status}]
	opCancel   = "cancel"   // POST /payments/cancel
)

// ServeHTTP routes a request. Paths are relative to the handler root (see
// the package documentation for the list). Segments are matched on the
// escaped path and unescaped one by one, so an id holding "/" (as %2F)
// cannot move to another route.
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	segs, ok := segments(r.URL.EscapedPath())
	if !ok {
		writeError(w, errNoRoute(r))
		return
	}
	n := len(segs)
	switch {
	case n == 2 && segs[0] == "users" && segs[1] == "getToken":
		s.serveAPI(w, r, http.MethodPost, s.getTokenRoute())
	case n == 2 && segs[0] == "payments" && segs[1] == "prepare":
		s.serveAPI(w, r, http.MethodPost, s.prepareRoute())
	case n == 3 && segs[0] == "payments" && segs[1] == "prepare":
		r.SetPathValue("merchant_uid", segs[2])
		s.serveAPI(w, r, http.MethodGet, s.getPrepareRoute())
	case n == 2 && segs[0] == "payments" && segs[1] == "cancel":
		s.serveAPI(w, r, http.MethodPost, s.cancelRoute())
	case (n == 3 || n == 4) && segs[0] == "payments" && segs[1] == "find":
		r.SetPathValue("merchant_uid", segs[2])
		if n == 4 {
			r.SetPathValue("payment_status", segs[3])
		}
		s.serveAPI(w, r, http.MethodGet, s.findRoute())
	case n == 2 && segs[0] == "payments":
		r.SetPathValue("imp_uid", segs[1])
		s.serveAPI(w, r, http.MethodGet, s.paymentRoute())
	case n == 1 && segs[0] == "checkout":
		s.serveCheckout(w, r)
	case n == 2 && segs[0] == "receipt":
		s.serveReceipt(w, r, segs[1])
	case n == 2 && sandbox.IsControlPath("/"+segs[0]+"/"+segs[1]):
		s.ctl.ServeHTTP(w, r)
	default:
		writeError(w, errNoRoute(r))
	}
}

// segments splits an escaped path into unescaped segments. It fails on an
// empty segment or a bad escape: no route has either.
func segments(escaped string) ([]string, bool) {
	escaped = strings.TrimPrefix(escaped, "/")
	if escaped == "" {
		return nil, false
	}
	parts := strings.Split(escaped, "/")
	for i, p := range parts {
		u, err := url.PathUnescape(p)
		if err != nil || u == "" {
			return nil, false
		}
		parts[i] = u
	}
	return parts, true
}

// Calls returns how many calls of op ("getToken", "prepare", "payment",
// "cancel") were made. API calls count once they pass authorisation,
// whether or not they then succeed; getToken counts every request, since
// it is the authorisation.
func (s *Sandbox) Calls(op string) int { return s.ctl.Of(op) }

// CallsFor returns how many calls of op named id (an imp_uid or a
// merchant_uid; a cancel counts under both it was given) and passed
// authorisation.
func (s *Sandbox) CallsFor(op, id string) int { return s.ctl.For(op, id) }

// baseURL is where a browser reaches the handler root.
func (s *Sandbox) baseURL(r *http.Request) string { return sandbox.BaseURL(r, s.publicURL) }
