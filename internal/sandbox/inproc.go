// Package sandbox holds paybridge's provider emulators (one subpackage per
// provider) and what they share.
package sandbox

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// Transport returns an http.RoundTripper that serves every request by
// calling h in-process: no listener, no network hop. paybridge serve uses it
// to call its own mounted sandbox.
//
// It behaves like a connection to a real server where that matters to a
// client: the request's context is honoured (the round trip returns when it
// ends, while the handler sees the same context), and a handler that panics
// with http.ErrAbortHandler, the way net/http handlers drop a connection,
// makes RoundTrip return an error wrapping io.ErrUnexpectedEOF, as if the
// connection closed without a response. Any other panic is reported the same
// way instead of crashing the process, as net/http's server would.
func Transport(h http.Handler) http.RoundTripper { return inproc{h: h} }

type inproc struct{ h http.Handler }

// RoundTrip implements http.RoundTripper.
func (t inproc) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if req.Body != nil {
		// RoundTrip must close the body, even on error.
		defer req.Body.Close()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sreq := serverRequest(req)
	rec := &recorder{header: http.Header{}}
	done := make(chan error, 1)
	go func() {
		done <- serve(t.h, rec, sreq)
	}()
	select {
	case err := <-done:
		if err != nil {
			return nil, err
		}
		return rec.response(req), nil
	case <-ctx.Done():
		// The handler keeps running until it notices ctx; its answer is
		// dropped, as a server's is when the client hangs up.
		return nil, ctx.Err()
	}
}

// serverRequest turns a client request into what a handler receives from
// net/http's server.
func serverRequest(req *http.Request) *http.Request {
	s := req.Clone(req.Context())
	s.RequestURI = req.URL.RequestURI()
	if s.Host == "" {
		s.Host = req.URL.Host
	}
	if s.Body == nil {
		s.Body = http.NoBody
	} else {
		// The client still owns and closes the body; the handler must not.
		s.Body = io.NopCloser(req.Body)
	}
	if s.Proto == "" {
		s.Proto, s.ProtoMajor, s.ProtoMinor = "HTTP/1.1", 1, 1
	}
	s.RemoteAddr = "127.0.0.1:0"
	return s
}

// serve runs h and turns a panic into the error a client of a real server
// would see.
func serve(h http.Handler, w http.ResponseWriter, r *http.Request) (err error) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				err = fmt.Errorf("sandbox: %s %s: connection closed without a response: %w", r.Method, r.URL, io.ErrUnexpectedEOF)
				return
			}
			err = fmt.Errorf("sandbox: %s %s: handler panic (%v): %w", r.Method, r.URL, v, io.ErrUnexpectedEOF)
		}
	}()
	h.ServeHTTP(w, r)
	return nil
}

// recorder is a minimal http.ResponseWriter that keeps the response in
// memory. The header is frozen when the status is written, as on the wire.
type recorder struct {
	header http.Header
	sent   http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.sent != nil {
		return
	}
	r.status = status
	r.sent = r.header.Clone()
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.sent == nil {
		if r.header.Get("Content-Type") == "" && len(b) > 0 {
			r.header.Set("Content-Type", http.DetectContentType(b))
		}
		r.WriteHeader(http.StatusOK)
	}
	return r.body.Write(b)
}

// Flush implements http.Flusher as a no-op: the response is delivered
// whole when the handler returns.
func (r *recorder) Flush() {}

func (r *recorder) response(req *http.Request) *http.Response {
	if r.sent == nil {
		r.WriteHeader(http.StatusOK)
	}
	body := r.body.Bytes()
	if req.Method == http.MethodHead {
		body = nil
	}
	h := r.sent
	if h.Get("Content-Length") == "" && req.Method != http.MethodHead {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	return &http.Response{
		Status:        strconv.Itoa(r.status) + " " + http.StatusText(r.status),
		StatusCode:    r.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}
}
