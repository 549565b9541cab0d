package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

type contextKey int

const requestIDKey contextKey = iota

// RequestID returns the request id set by the middleware, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Middleware gives every request an id (X-Request-Id, also in the log line),
// logs method, path, status and duration — never bodies, query strings or
// headers, which may carry tokens — and turns a panic into a 500.
func Middleware(log *slog.Logger, next http.Handler) http.Handler {
	return ObservedMiddleware(log, nil, next)
}

// RequestObserver hears every request served: the route pattern the mux
// matched ("" for none), the method, the status and the duration.
type RequestObserver func(route, method string, status int, d time.Duration)

// ObservedMiddleware is Middleware that also reports each request to obs
// (metrics), by route pattern rather than path, so ids never become labels.
func ObservedMiddleware(log *slog.Logger, obs RequestObserver, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := payment.NewID("req", start)
		w.Header()["X-Request-Id"] = []string{id} // Set, without canonicalizing a canonical key
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey, id))
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Error("panic in handler", "request_id", id, "path", r.URL.Path, "panic", v)
				if rec.status == 0 {
					WriteError(rec, r, log, payment.Errorf(payment.EINTERNAL, "Internal error."))
				}
			}
			d := time.Since(start)
			// Checked first: the line's arguments are built (and escape to
			// the heap) before Info could find its level off, on every
			// request.
			if log.Enabled(context.Background(), slog.LevelInfo) {
				log.Info("http request", "request_id", id, "method", r.Method, "path", r.URL.Path,
					"status", rec.status, "duration_ms", d.Milliseconds())
			}
			if obs != nil {
				status := rec.status
				if status == 0 {
					status = http.StatusOK
				}
				obs(r.Pattern, r.Method, status, d)
			}
		}()
		next.ServeHTTP(rec, r)
	})
}
