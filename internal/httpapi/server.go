package httpapi

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// Server owns the listener and the http.Server.
type Server struct {
	ln  net.Listener
	srv *http.Server
	err chan error
}

// Serve starts serving h on ln.
func Serve(ln net.Listener, h http.Handler) *Server { return ServeWrite(ln, h, 0) }

// ServeWrite is Serve with another write timeout (0: 60 s), which must
// outlast the slowest answer: a buyer's return waiting on a concurrent
// approve (PAYBRIDGE_APPROVE_WAIT) that itself waits on the provider.
func ServeWrite(ln net.Listener, h http.Handler, write time.Duration) *Server {
	if write <= 0 {
		write = 60 * time.Second
	}
	s := &Server{
		ln: ln,
		srv: &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       30 * time.Second,
			// Long enough for a return that waits on a concurrent approve.
			WriteTimeout:   write,
			IdleTimeout:    120 * time.Second,
			MaxHeaderBytes: 64 << 10,
		},
		err: make(chan error, 1),
	}
	go func() {
		err := s.srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.err <- err
	}()
	return s
}

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Port is the port the server listens on.
func (s *Server) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// Shutdown stops accepting requests and waits for those in flight.
func (s *Server) Shutdown(ctx context.Context) error {
	if err := s.srv.Shutdown(ctx); err != nil {
		return err
	}
	return <-s.err
}
