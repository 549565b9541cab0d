package provider

import (
	"net"
	"net/http"
	"time"
)

// Timeouts of the HTTP client every adapter uses by default. 15 s is
// paybridge's ceiling for one provider call (KakaoPay's own platform timeout
// is 11 s; the others publish none); a call abandoned by a timeout has an
// unknown outcome, which the service settles by a lookup.
const (
	Timeout               = 15 * time.Second
	DialTimeout           = 5 * time.Second
	TLSHandshakeTimeout   = 5 * time.Second
	ResponseHeaderTimeout = 13 * time.Second
	// MaxIdleConnsPerHost keeps connections to a provider for reuse.
	MaxIdleConnsPerHost = 64
)

// NewHTTPClient returns the default client for a provider: explicit
// timeouts at every stage, and redirects never followed (a provider API
// that redirects is misconfigured, and a followed redirect could resend a
// request that moves money).
func NewHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: DialTimeout, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = TLSHandshakeTimeout
	t.ResponseHeaderTimeout = ResponseHeaderTimeout
	// Every call of an adapter goes to one host. Go keeps only 2 idle
	// connections per host by default, so under concurrent checkouts most
	// connections were closed after one call and dialled (and TLS-shaken)
	// again for the next.
	t.MaxIdleConnsPerHost = MaxIdleConnsPerHost
	return &http.Client{
		Timeout:   Timeout,
		Transport: t,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
