package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// ErrBlocked is returned when a webhook destination is an address paybridge
// refuses to connect to (loopback, private, link-local, metadata…).
var ErrBlocked = errors.New("webhook: destination address is not allowed")

// blockedPrefixes are the ranges a merchant's URL may not reach: a webhook
// URL is chosen by the merchant, and without this check it would let anyone
// with an API key make paybridge call its own network (SSRF).
var blockedPrefixes = func() []netip.Prefix {
	var ps []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8",         // "this network", 0.0.0.0 reaches the local host
		"10.0.0.0/8",        // RFC 1918
		"100.64.0.0/10",     // CGNAT (RFC 6598)
		"127.0.0.0/8",       // loopback
		"169.254.0.0/16",    // link-local, with 169.254.169.254 (cloud metadata)
		"172.16.0.0/12",     // RFC 1918
		"192.0.0.0/24",      // IETF protocol assignments
		"192.168.0.0/16",    // RFC 1918
		"198.18.0.0/15",     // benchmarking
		"224.0.0.0/4",       // multicast
		"240.0.0.0/4",       // reserved, with 255.255.255.255
		"::/128",            // unspecified
		"::1/128",           // loopback
		"64:ff9b::/96",      // NAT64: embeds IPv4 addresses
		"fc00::/7",          // unique local
		"fe80::/10",         // link-local
		"ff00::/8",          // multicast
		"2001:db8::/32",     // documentation
		"fd00:ec2::254/128", // AWS metadata over IPv6 (inside fc00::/7 too)
	} {
		ps = append(ps, netip.MustParsePrefix(s))
	}
	return ps
}()

// Blocked reports whether ip is an address webhooks may not reach.
// IPv4-mapped IPv6 addresses (::ffff:127.0.0.1) are judged as the IPv4
// address they carry.
func Blocked(ip netip.Addr) bool {
	if !ip.IsValid() {
		return true
	}
	ip = ip.Unmap()
	for _, p := range blockedPrefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified()
}

// CheckURL is the check made when a URL is registered: http or https, a
// host, no credentials, and (unless allowPrivate) no literal address or
// name that is obviously local. The authoritative check is at dial time,
// on the address actually connected to.
func CheckURL(raw string, allowPrivate bool) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("url is not valid")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("url must start with https:// or http://")
	}
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("url must have a host")
	}
	if u.User != nil {
		return fmt.Errorf("url must not contain credentials")
	}
	if u.Fragment != "" {
		return fmt.Errorf("url must not contain a fragment")
	}
	if allowPrivate {
		return nil
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || strings.HasSuffix(host, ".internal") ||
		strings.HasSuffix(host, ".local") {
		return fmt.Errorf("url must not point to a local host")
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if Blocked(ip) {
			return fmt.Errorf("url must not point to a private, loopback or link-local address")
		}
		return nil
	}
	// Hosts such as 2130706433, 0177.0.0.1 or 0x7f.0.0.1 are IPv4 addresses
	// to some resolvers; none is a real public host name.
	if looksNumeric(host) {
		return fmt.Errorf("url must not use a numeric host in this form")
	}
	return nil
}

// looksNumeric reports whether every dot-separated label is a number in
// decimal, octal or hex, as inet_aton would read it.
func looksNumeric(host string) bool {
	for _, l := range strings.Split(host, ".") {
		l = strings.TrimPrefix(strings.TrimPrefix(l, "0x"), "0X")
		if l == "" || strings.Trim(l, "0123456789abcdefABCDEF") != "" {
			return false
		}
	}
	return true
}

// Dialer connects to webhook destinations. Names are resolved here and only
// allowed addresses are dialled, and the Control hook checks the address
// again at connect time, so neither a name resolving to a private address
// nor DNS rebinding between a check and the connect gets through.
type Dialer struct {
	// AllowPrivate turns the checks off (local development, tests).
	AllowPrivate bool
	// LookupIP resolves names (default: net.DefaultResolver.LookupNetIP).
	LookupIP func(ctx context.Context, host string) ([]netip.Addr, error)
	// Timeout bounds one connect (default 10 s, as smokescreen's).
	Timeout time.Duration
}

// DialContext dials network, addr as net.Dialer does, refusing blocked
// destinations with an error wrapping ErrBlocked.
func (d *Dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	timeout := d.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	nd := &net.Dialer{Timeout: timeout, Control: d.control}
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else {
		lookup := d.LookupIP
		if lookup == nil {
			lookup = func(ctx context.Context, host string) ([]netip.Addr, error) {
				return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
			}
		}
		if ips, err = lookup(ctx, host); err != nil {
			return nil, err
		}
	}
	var firstErr error
	for _, ip := range ips {
		if !d.AllowPrivate && Blocked(ip) {
			if firstErr == nil {
				firstErr = fmt.Errorf("dial %s (%s): %w", host, ip, ErrBlocked)
			}
			continue
		}
		c, err := nd.DialContext(ctx, network, net.JoinHostPort(ip.Unmap().String(), port))
		if err == nil {
			return c, nil
		}
		if firstErr == nil || errors.Is(firstErr, ErrBlocked) {
			firstErr = err
		}
	}
	if firstErr == nil {
		firstErr = fmt.Errorf("dial %s: no address", host)
	}
	return nil, firstErr
}

// control runs after the socket is made and before it connects: the last
// word on the address actually used.
func (d *Dialer) control(network, address string, _ syscall.RawConn) error {
	if d.AllowPrivate {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("dial %s: %w", address, ErrBlocked)
	}
	if Blocked(ap.Addr()) {
		return fmt.Errorf("dial %s: %w", address, ErrBlocked)
	}
	return nil
}
