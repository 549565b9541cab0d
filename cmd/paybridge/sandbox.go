package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/httpapi"
	"github.com/paybridge/paybridge/internal/provider"
	"github.com/paybridge/paybridge/internal/provider/registry"
)

// sandboxSummary names the registry's providers.
func sandboxSummary() string {
	var labels, prefixes, addrs []string
	for _, r := range registry.All() {
		labels = append(labels, r.Label["en"])
		prefixes = append(prefixes, r.Sandbox.Prefix+"/")
		addrs = append(addrs, "--"+r.Name+"-addr")
	}
	return "Runs the " + countWord(len(labels)) + " provider sandboxes (" + strings.Join(labels, ", ") + `) without paybridge, for
anyone who develops against these providers offline. With --addr alone, one address serves
every one under its prefix (` + strings.Join(prefixes, ", ") + `), and KakaoPay also at the root.
Real client libraries join absolute paths onto a host (PortOne's server SDK builds
new URL('/payments/…', baseUrl)), so each provider can also get an address of its own
where it answers at the root: ` + strings.Join(addrs, ", ") + "."
}

// countWord spells a small count, as the help's prose does.
func countWord(n int) string {
	if words := []string{"no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}; n < len(words) {
		return words[n]
	}
	return strconv.Itoa(n)
}

func runSandbox(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	fs := newFlagSet("sandbox", sandboxSummary(), stderr)
	addr := fs.String("addr", ":9090", "address serving every sandbox under /sandbox/<provider>/ (empty: none)")
	publicURL := fs.String("public-url", "", "URL browsers reach --addr at (default: from each request's Host)")
	// Per provider of the registry: an address of its own, and its own
	// flags (keys to accept, where to send webhooks).
	type sandboxFlags struct {
		r     *provider.Registration
		addr  *string
		build provider.StandaloneFunc
	}
	var sbs []sandboxFlags
	for _, r := range registry.All() {
		sbs = append(sbs, sandboxFlags{r: r,
			addr:  fs.String(r.Name+"-addr", "", "address serving the "+r.Label["en"]+" sandbox at its root"),
			build: r.Sandbox.Flags(fs)})
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	logCfg := config.Defaults
	if lv := getenv("PAYBRIDGE_LOG_LEVEL"); lv != "" {
		logCfg.LogLevel = lv
	}
	log := newLogger(logCfg, stderr)

	type listener struct {
		name, addr string
		h          http.Handler
	}
	var ls []listener
	var mux *http.ServeMux
	if *addr != "" {
		mux = http.NewServeMux()
		ls = append(ls, listener{"all", *addr, mux})
	}
	var keys []any
	for _, sb := range sbs {
		// One sandbox per provider, shared by every address that serves it.
		pub := ""
		if *publicURL != "" {
			pub = *publicURL + sb.r.Sandbox.Prefix
		}
		h, k, err := sb.build(provider.SandboxOptions{PublicURL: pub, Logger: log})
		if err != nil {
			return err
		}
		keys = append(keys, k...)
		if mux != nil {
			mux.Handle(sb.r.Sandbox.Prefix+"/", http.StripPrefix(sb.r.Sandbox.Prefix, h))
			if sb.r.Sandbox.AtRoot {
				mux.Handle("/", h) // where clients of the first sandbox found it
			}
		}
		if *sb.addr != "" {
			ls = append(ls, listener{sb.r.Name, *sb.addr, h})
		}
	}
	if len(ls) == 0 {
		return errors.New("sandbox: no address to serve: give --addr or a --<provider>-addr")
	}
	var servers []*httpapi.Server
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for _, s := range servers {
			s.Shutdown(sctx)
		}
	}()
	for _, l := range ls {
		ln, err := net.Listen("tcp", l.addr)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", l.addr, err)
		}
		servers = append(servers, httpapi.Serve(ln, httpapi.Middleware(log, l.h)))
		log.Info("sandbox listening", "serves", l.name, "addr", ln.Addr().String())
	}
	log.Info("sandbox keys", keys...)
	<-ctx.Done()
	return nil
}
