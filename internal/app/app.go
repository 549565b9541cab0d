// Package app wires paybridge together: configuration, store, providers,
// the sandbox, the service, the HTTP server and the background sweep. The
// paybridge command and the end-to-end tests both start paybridge through it.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/httpapi"
	"github.com/paybridge/paybridge/internal/inbox"
	"github.com/paybridge/paybridge/internal/metrics"
	"github.com/paybridge/paybridge/internal/secretbox"
	"github.com/paybridge/paybridge/internal/service"
	"github.com/paybridge/paybridge/internal/store"
	"github.com/paybridge/paybridge/internal/web"
	"github.com/paybridge/paybridge/internal/webhook"
)

// App is a running paybridge.
type App struct {
	Config  config.Config
	Log     *slog.Logger
	Store   *store.Store
	Service *service.Service
	// Metrics are this instance's Prometheus collectors.
	Metrics *metrics.Metrics
	// Sandboxes are the mounted sandboxes by provider name (see Sandbox);
	// a provider with credentials has none, and live mode none at all.
	Sandboxes map[string]http.Handler
	// Webhooks sends merchants' outbound webhooks.
	Webhooks *webhook.Worker
	// SecretKeyFile is where the test-mode secret key was generated or
	// read ("" when PAYBRIDGE_SECRET_KEY is set).
	SecretKeyFile string
	// Inbox processes the providers' webhooks stored by the API.
	Inbox *inbox.Worker

	api           *httpapi.API
	server        *httpapi.Server
	metricsServer *httpapi.Server
	stopWorkers   context.CancelFunc
	workers       sync.WaitGroup
}

// Start opens the database (applying migrations unless told not to), builds
// every part and starts serving. It refuses a configuration that does not
// validate, the live-mode rules included.
func Start(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	for _, w := range cfg.Warnings() {
		log.Warn(w)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://localhost:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	}
	a := &App{Config: cfg, Log: log}
	if err := a.build(ctx, ln); err != nil {
		ln.Close()
		if a.metricsServer != nil {
			a.metricsServer.Shutdown(context.Background())
		}
		if a.stopWorkers != nil {
			a.stopWorkers()
			a.workers.Wait()
		}
		if a.Store != nil {
			a.Store.Close()
		}
		return nil, err
	}
	return a, nil
}

func (a *App) build(ctx context.Context, ln net.Listener) error {
	cfg, log := a.Config, a.Log
	box, err := a.secretBox()
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.DatabaseURL, cfg.StoreOptions())
	if err != nil {
		return fmt.Errorf("open database %s: %w", config.RedactURL(cfg.DatabaseURL), err)
	}
	a.Store = st
	st.SetEventRenderer(webhook.RenderEvent)
	st.SetSecretBox(box)
	a.Metrics = metrics.New(st.PendingDeliveries)
	st.SetObserver(store.Observer{Tx: a.Metrics.Tx, Transition: a.Metrics.Transition, Delivery: a.Metrics.Delivery})
	// Rows written before encryption at rest (or by a paybridge without a
	// key) are sealed now, before anything reads them.
	if n, err := st.SealStoredSecrets(ctx); err != nil {
		return err
	} else if n > 0 {
		log.Info("encrypted the secrets an older paybridge stored in plain text", "count", n)
	}

	mux := http.NewServeMux()
	var root http.Handler
	self := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { root.ServeHTTP(w, r) })
	provs, err := a.buildProviders(mux, self)
	if err != nil {
		return err
	}

	a.Service = service.New(st, provs, log, service.Config{
		PublicURL: cfg.PublicURL, ProviderTimeout: cfg.ProviderTimeout, ApproveWait: cfg.ApproveWait,
		Expiry: cfg.PaymentExpiry, SettleAfter: cfg.SettleAfter, GiveUpAfter: cfg.GiveUpAfter,
		SweepLease: cfg.SweepLease, RefundGiveUpAfter: cfg.RefundGiveUpAfter, UnknownAfter: cfg.UnknownAfter,
		LateCheckFor: cfg.LateCheckFor, LateCheckEvery: cfg.LateCheckEvery, SweepConcurrency: cfg.SweepConcurrency,
		Livemode: livemodes(cfg),
	})
	public := httpapi.NewPublicLimiter(httpapi.RateLimit{Rate: cfg.PublicRateLimit, Burst: cfg.PublicRateBurst}, cfg.ClientIPHeader)
	a.api = httpapi.New(a.Service, log, httpapi.DropInConfig{
		URLs:        service.DropInURLs{Success: cfg.DropInSuccessURL, Cancel: cfg.DropInCancelURL, Fail: cfg.DropInFailURL},
		CORSOrigins: cfg.CORSOrigins,
		Prices:      cfg.DropInPrices,
		Disabled:    !cfg.DropInEnabled(),
	})
	// A key's lock (PAYBRIDGE_IDEMPOTENCY_LOCK, validated to outlast the
	// longest request, its provider calls each bounded by the provider
	// timeout, plus one database statement timeout for its writes): a
	// request outliving it still cannot act twice.
	a.api.SetIdempotency(httpapi.IdempotencyConfig{Retention: cfg.IdempotencyRetention,
		Lock: max(cfg.IdempotencyLock, a.Service.LongestRequest()+cfg.DBStatementTimeout)})
	// An inbox entry's lookup may lead to a refund (a late charge): its
	// lease covers two requests' worth of provider calls and a statement.
	a.Inbox = inbox.New(st, func(ctx context.Context, id string) error {
		_, err := a.Service.Sync(ctx, id)
		return err
	}, log.With("component", "inbox"), inbox.Options{Lease: 2*a.Service.LongestRequest() + cfg.DBStatementTimeout})
	a.api.SetWebhookInbox(a.Inbox.Notify)
	a.api.SetRateLimit(httpapi.RateLimit{Rate: cfg.RateLimit, Burst: cfg.RateBurst})
	a.api.SetPublicLimiter(public)
	a.api.SetReadiness(st.Ready)
	a.api.SetWebhookAllowPrivate(cfg.WebhookAllowPrivate)
	a.api.Register(mux)
	https := strings.HasPrefix(cfg.PublicURL, "https://")
	web.New(a.Service, log, web.Options{
		Sandbox:       anySandbox(cfg),
		Providers:     enabledProviders(cfg),
		NoShop:        !cfg.DemoShopEnabled(),
		Limit:         public.Wrap,
		SecureCookies: https,
		Checkout:      checkouts(cfg),
	}).Register(mux)
	if cfg.MetricsAddr == "" {
		mux.Handle("GET /metrics", a.Metrics.Handler())
	} else if err := a.serveMetrics(); err != nil {
		return err
	}
	a.mountConsole(mux, self)

	wctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	a.stopWorkers = stop
	a.workers.Add(1)
	go a.sweepLoop(wctx)
	a.Webhooks = webhook.New(st, log.With("component", "webhooks"), webhook.Options{AllowPrivate: cfg.WebhookAllowPrivate,
		Timeout: cfg.WebhookTimeout, Concurrency: cfg.WebhookConcurrency, PerEndpoint: cfg.WebhookPerEndpoint})
	a.workers.Add(1)
	go func() { defer a.workers.Done(); a.Webhooks.Run(wctx) }()
	a.workers.Add(1)
	go func() { defer a.workers.Done(); a.Inbox.Run(wctx) }()

	root = httpapi.ObservedMiddleware(log, a.Metrics.ObserveHTTP, httpapi.SecurityHeaders(httpapi.Headers{HSTS: https}, mux))
	a.server = httpapi.ServeWrite(ln, root, max(60*time.Second, cfg.ApproveWait+cfg.ProviderTimeout+15*time.Second))
	attrs := []any{"addr", ln.Addr().String(), "public_url", cfg.PublicURL, "database", config.RedactURL(st.URL), "mode", cfg.Mode}
	for _, p := range cfg.Providers() {
		state := p.State
		if p.TestCredentials {
			state += " (test credentials)"
		}
		attrs = append(attrs, p.Name, state)
	}
	attrs = append(attrs, "demo_shop", cfg.DemoShopEnabled(), "dropin", cfg.DropInEnabled())
	if a.metricsServer != nil {
		attrs = append(attrs, "metrics_addr", a.metricsServer.Addr().String(), "pprof", cfg.Pprof)
	}
	log.Info("paybridge listening", attrs...)
	return nil
}

// secretBox loads the key that encrypts secrets at rest: the configured one,
// or, in test mode with SQLite, one generated once into a 0600 file beside
// the database (with a warning: the file is now as precious as the
// database). Live mode and PostgreSQL (several instances must share the key)
// need the key configured.
func (a *App) secretBox() (*secretbox.Box, error) {
	cfg := a.Config
	if cfg.SecretKey != "" {
		k, err := secretbox.ParseKey(cfg.SecretKey)
		if err != nil {
			return nil, fmt.Errorf("PAYBRIDGE_SECRET_KEY: %w", err)
		}
		return secretbox.New(k)
	}
	pg, err := store.ParseURL(cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.Live() || pg {
		return nil, fmt.Errorf("PAYBRIDGE_SECRET_KEY (or PAYBRIDGE_SECRET_KEY_FILE) is required %s: it encrypts webhook secrets at rest (generate one with: openssl rand -base64 32)",
			map[bool]string{true: "in live mode", false: "with PostgreSQL, and must be the same on every instance"}[cfg.Live()])
	}
	path := store.SQLitePath(cfg.DatabaseURL)
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	a.SecretKeyFile = path + ".secret-key"
	k, created, err := secretbox.LoadOrCreateFile(a.SecretKeyFile)
	if err != nil {
		return nil, err
	}
	if created {
		a.Log.Warn("TEST MODE: generated a key for secrets at rest beside the database; keep it with the database (losing it loses the webhook secrets), and set PAYBRIDGE_SECRET_KEY in production",
			"secret_key_file", a.SecretKeyFile)
	}
	return secretbox.New(k)
}

// serveMetrics starts the separate metrics listener: /metrics, and
// /debug/pprof/ when enabled (never on the main address).
func (a *App) serveMetrics() error {
	ln, err := net.Listen("tcp", a.Config.MetricsAddr)
	if err != nil {
		return fmt.Errorf("listen on %s (metrics): %w", a.Config.MetricsAddr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", a.Metrics.Handler())
	if a.Config.Pprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	a.metricsServer = httpapi.Serve(ln, httpapi.SecurityHeaders(httpapi.Headers{}, mux))
	return nil
}

// MetricsURL is the base URL of the separate metrics listener on loopback
// ("" without PAYBRIDGE_METRICS_ADDR).
func (a *App) MetricsURL() string {
	if a.metricsServer == nil {
		return ""
	}
	return "http://127.0.0.1:" + strconv.Itoa(a.metricsServer.Port())
}

// sweepLoop settles what no request will: unknown outcomes and expiries.
func (a *App) sweepLoop(ctx context.Context) {
	defer a.workers.Done()
	t := time.NewTicker(a.Config.SweepInterval)
	defer t.Stop()
	for {
		a.sweepOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (a *App) sweepOnce(ctx context.Context) {
	defer func() {
		if v := recover(); v != nil {
			a.Log.Error("sweep panicked", "panic", v)
		}
	}()
	r, err := a.Service.Sweep(ctx)
	if err != nil && !errors.Is(err, context.Canceled) {
		a.Log.Error("sweep failed", "error", err)
		return
	}
	a.Metrics.Sweep(err, map[string]int{"expired": r.Expired, "settled": r.Settled, "refunds": r.Refunds,
		"orphaned": r.Orphaned, "refunded": r.Refunded})
	if r != (service.SweepResult{}) {
		a.Log.Info("sweep", "expired", r.Expired, "settled", r.Settled, "refunds", r.Refunds, "orphaned", r.Orphaned, "refunded", r.Refunded, "late", r.Late)
	}
	n, err := a.Store.ReapIdempotent(ctx, a.Service.Now().Add(-a.Config.IdempotencyRetention), 1000)
	if err != nil && !errors.Is(err, context.Canceled) {
		a.Log.Error("reap idempotency keys failed", "error", err)
	} else if n > 0 {
		a.Log.Info("reaped idempotency keys", "count", n)
	}
}

// Routes returns the route patterns the API registered.
func (a *App) Routes() []string { return a.api.Routes() }

// URL is the base URL of the running server on loopback.
func (a *App) URL() string {
	return "http://127.0.0.1:" + strconv.Itoa(a.server.Port())
}

// Close shuts down in order: HTTP (letting requests in flight finish), then
// the workers, then the database.
func (a *App) Close(ctx context.Context) error {
	err := a.server.Shutdown(ctx)
	if a.metricsServer != nil {
		if merr := a.metricsServer.Shutdown(ctx); err == nil {
			err = merr
		}
	}
	a.stopWorkers()
	a.workers.Wait()
	if cerr := a.Store.Close(); err == nil {
		err = cerr
	}
	return err
}
