package httpapi

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// Headers are the security headers every response carries.
type Headers struct {
	// HSTS adds Strict-Transport-Security (the public URL is https).
	HSTS bool
}

// SecurityHeaders sets, on every response: X-Content-Type-Options: nosniff
// (no browser guesses a JSON error into HTML), a Referrer-Policy that keeps
// payment ids and tokens in URLs from leaking to other sites, and HSTS when
// paybridge is served over https.
//
// The values are built once and shared by every response, under their
// canonical keys, as Header.Set would store them: net/http only reads them,
// and Set, Add and Del on a response's header replace, copy or drop a
// value, never write into it.
func SecurityHeaders(h Headers, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd["X-Content-Type-Options"] = nosniff
		hd["Referrer-Policy"] = referrerPolicy
		if h.HSTS {
			hd["Strict-Transport-Security"] = hsts
		}
		next.ServeHTTP(w, r)
	})
}

// The values of SecurityHeaders.
var (
	nosniff        = []string{"nosniff"}
	referrerPolicy = []string{"strict-origin-when-cross-origin"}
	hsts           = []string{"max-age=63072000; includeSubDomains"}
)

// ClientAddr returns the address a request came from, whole: the
// connection's, or, behind a trusted proxy, the one it put in header. For
// X-Forwarded-For the last entry is taken, the one the proxy itself
// appended: earlier entries are whatever the client sent. It is what a log
// or an audit entry records; a limit keys on ClientIP.
func ClientAddr(r *http.Request, header string) string {
	if header != "" {
		if v := r.Header.Values(header); len(v) > 0 {
			last := v[len(v)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			if a, err := netip.ParseAddr(strings.TrimSpace(last)); err == nil {
				return a.Unmap().String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return a.Unmap().String()
	}
	return host
}

// ClientIP is the key a per-client limit counts under: ClientAddr, with an
// IPv6 address cut to its /64. One IPv6 client holds a whole /64: limit
// the prefix, or a client could rotate addresses to escape the limit. The
// public limit and the console's sign-in limit both key on it.
func ClientIP(r *http.Request, header string) string {
	addr := ClientAddr(r, header)
	if a, err := netip.ParseAddr(addr); err == nil && a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return addr
}

// PublicLimiter bounds, per client IP, the routes anyone may call without a
// key and that make paybridge call a provider (each call spends the
// operator's provider quota): a token bucket per address, 429 past it.
type PublicLimiter struct {
	l      *rateLimiter
	header string
}

// NewPublicLimiter returns a limiter; a zero Rate lets everything through.
func NewPublicLimiter(rl RateLimit, clientIPHeader string) *PublicLimiter {
	return &PublicLimiter{l: newRateLimiter(rl, time.Now), header: clientIPHeader}
}

// Allow reports whether the request's client may go on, answering 429 with
// Retry-After when it may not.
func (p *PublicLimiter) Allow(w http.ResponseWriter, r *http.Request) bool {
	if p == nil {
		return true
	}
	ok, wait := p.l.allow(ClientIP(r, p.header))
	if ok {
		return true
	}
	secs := retryAfterSeconds(wait)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	WriteJSON(w, http.StatusTooManyRequests, errorBody{Error: errorDetail{Code: payment.ERATELIMITED,
		Message: "too many requests from this address: retry after " + strconv.Itoa(secs) + " s"}})
	return false
}

// Wrap returns next behind the limit.
func (p *PublicLimiter) Wrap(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if p.Allow(w, r) {
			next(w, r)
		}
	}
}

// SetPublicLimiter limits the unauthenticated routes that call a provider:
// the drop-in /ready and /approve and the unsigned provider webhooks.
// Call it before Register.
func (a *API) SetPublicLimiter(p *PublicLimiter) { a.public = p }

// SetReadiness sets what GET /readyz checks (the database); call it before
// Register.
func (a *API) SetReadiness(check func(ctx context.Context) error) { a.ready = check }

// handleReady serves GET /readyz: 200 when the database answers and its
// schema is current, else 503 (a load balancer then sends no traffic here).
func (a *API) handleReady(w http.ResponseWriter, r *http.Request) {
	if a.ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		if err := a.ready(ctx); err != nil {
			a.log.Warn("not ready", "request_id", RequestID(r.Context()), "error", err)
			w.Header().Set("Cache-Control", "no-store")
			WriteError(w, r, a.log, payment.Errorf(payment.EUNAVAILABLE, "not ready: the database does not answer or its schema is not current"))
			return
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
