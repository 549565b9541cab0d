package webhook_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/webhook"
)

// canary is a listener on loopback that counts the connections it accepts.
// Loopback is the point: it is where an SSRF would land.
func canary(t *testing.T) (port string, accepts *atomic.Int64) {
	accepts = new(atomic.Int64)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			accepts.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	_, port, _ = net.SplitHostPort(srv.Listener.Addr().String())
	return port, accepts
}

// TestWorker_SSRF sends real deliveries to a corpus of URLs that all lead
// to the canary (or to other private addresses) and checks that not one
// connection arrives.
func TestWorker_SSRF(t *testing.T) {
	port, accepts := canary(t)
	lookup := func(_ context.Context, host string) ([]netip.Addr, error) {
		switch host {
		case "shop.example.test": // a public-looking name resolving to loopback
			return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
		case "mixed.example.test": // one private answer among others
			return []netip.Addr{netip.MustParseAddr("10.1.2.3"), netip.MustParseAddr("::ffff:127.0.0.1")}, nil
		case "metadata.example.test":
			return []netip.Addr{netip.MustParseAddr("169.254.169.254")}, nil
		case "localhost":
			return []netip.Addr{netip.MustParseAddr("::1"), netip.MustParseAddr("127.0.0.1")}, nil
		case "2130706433", "0177.0.0.1", "0x7f.0.0.1", "0x7f000001":
			// What a resolver reading numbers as inet_aton does (glibc).
			return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
		case "0":
			return []netip.Addr{netip.MustParseAddr("0.0.0.0")}, nil
		}
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	corpus := []string{
		"http://127.0.0.1:" + port,
		"http://127.1.2.3:" + port,
		"http://localhost:" + port,
		"http://0.0.0.0:" + port,
		"http://0:" + port,
		"http://2130706433:" + port,
		"http://0177.0.0.1:" + port,
		"http://0x7f.0.0.1:" + port,
		"http://0x7f000001:" + port,
		"http://[::1]:" + port,
		"http://[::ffff:127.0.0.1]:" + port,
		"http://[::ffff:7f00:1]:" + port,
		"http://[::]:" + port,
		"http://10.0.0.1:" + port,
		"http://172.16.0.1:" + port,
		"http://192.168.1.1:" + port,
		"http://100.64.0.1:" + port,
		"http://169.254.169.254:" + port,
		"http://[fd00::1]:" + port,
		"http://[fe80::1]:" + port,
		"http://shop.example.test:" + port,
		"http://mixed.example.test:" + port,
		"http://metadata.example.test:" + port,
		"https://127.0.0.1:" + port,
	}
	e := newEnv(t, webhook.Options{Dialer: webhook.Dialer{LookupIP: lookup}})
	for _, u := range corpus {
		e.endpoint(u, "*")
	}
	e.pay()
	if n := e.deliverDue(); n != len(corpus) {
		t.Fatalf("attempted %d, want %d", n, len(corpus))
	}
	if n := accepts.Load(); n != 0 {
		t.Fatalf("%d connections reached the canary", n)
	}
	blocked := 0
	for _, d := range e.events()[0].Deliveries {
		if d.Status != payment.DeliveryPending || d.LastStatusCode != 0 || d.LastError == "" || strings.Contains(d.LastError, "http") {
			t.Errorf("delivery = %+v, want a failed attempt", d)
		}
		t.Logf("%s", d.LastError)
		if strings.Contains(d.LastError, webhook.ErrBlocked.Error()) {
			blocked++
		}
	}
	if blocked != len(corpus) {
		t.Errorf("only %d of %d refused as blocked", blocked, len(corpus))
	}

	t.Run("AllowPrivate", func(t *testing.T) {
		// The same canary is reached when private addresses are allowed,
		// so the zero above is not an accident of the test.
		e := newEnv(t, webhook.Options{AllowPrivate: true})
		e.endpoint("http://127.0.0.1:"+port, "*")
		e.pay()
		e.deliverDue()
		if accepts.Load() == 0 {
			t.Fatal("with AllowPrivate the canary saw no connection")
		}
	})
}
