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
	"strconv"
	"sync"
	"time"

	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/httpapi"
	"github.com/paybridge/paybridge/internal/inbox"
	"github.com/paybridge/paybridge/internal/payment"
	sbiamport "github.com/paybridge/paybridge/internal/sandbox/iamport"
	sbkakaopay "github.com/paybridge/paybridge/internal/sandbox/kakaopay"
	sbportone "github.com/paybridge/paybridge/internal/sandbox/portone"
	sbtoss "github.com/paybridge/paybridge/internal/sandbox/toss"
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
	// The mounted sandboxes; each is nil when its provider has credentials.
	KakaoPaySandbox *sbkakaopay.Sandbox
	IamportSandbox  *sbiamport.Sandbox
	PortOneSandbox  *sbportone.Sandbox
	TossSandbox     *sbtoss.Sandbox
	// Webhooks sends merchants' outbound webhooks.
	Webhooks *webhook.Worker
	// Inbox processes the providers' webhooks stored by the API.
	Inbox *inbox.Worker

	api         *httpapi.API
	server      *httpapi.Server
	stopWorkers context.CancelFunc
	workers     sync.WaitGroup
}

// Start opens the database (applying migrations unless told not to), builds
// every part and starts serving. cfg must be validated.
func Start(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
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
		if a.Store != nil {
			a.Store.Close()
		}
		return nil, err
	}
	return a, nil
}

func (a *App) build(ctx context.Context, ln net.Listener) error {
	cfg, log := a.Config, a.Log
	st, err := store.Open(ctx, cfg.DatabaseURL, cfg.StoreOptions())
	if err != nil {
		return fmt.Errorf("open database %s: %w", config.RedactURL(cfg.DatabaseURL), err)
	}
	a.Store = st
	st.SetEventRenderer(httpapi.RenderEvent)

	mux := http.NewServeMux()
	var root http.Handler
	self := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { root.ServeHTTP(w, r) })
	provs, err := a.buildProviders(mux, self)
	if err != nil {
		return err
	}

	a.Service = service.New(st, provs, log, service.Config{PublicURL: cfg.PublicURL})
	a.api = httpapi.New(a.Service, log, httpapi.DropInConfig{
		URLs:        service.DropInURLs{Success: cfg.DropInSuccessURL, Cancel: cfg.DropInCancelURL, Fail: cfg.DropInFailURL},
		CORSOrigins: cfg.CORSOrigins,
	})
	// A key's lock outlasts the longest request (its provider calls, each
	// bounded by the provider timeout) plus one database statement timeout
	// for its writes; a request outliving it still cannot act twice.
	a.api.SetIdempotency(httpapi.IdempotencyConfig{Retention: cfg.IdempotencyRetention,
		Lock: a.Service.LongestRequest() + cfg.DBStatementTimeout})
	// An inbox entry's lookup may lead to a refund (a late charge): its
	// lease covers two requests' worth of provider calls and a statement.
	a.Inbox = inbox.New(st, func(ctx context.Context, id string) error {
		_, err := a.Service.Sync(ctx, id)
		return err
	}, log.With("component", "inbox"), inbox.Options{Lease: 2*a.Service.LongestRequest() + cfg.DBStatementTimeout})
	a.api.SetWebhookInbox(a.Inbox.Notify)
	a.api.SetRateLimit(httpapi.RateLimit{Rate: cfg.RateLimit, Burst: cfg.RateBurst})
	a.api.SetWebhookAllowPrivate(cfg.WebhookAllowPrivate)
	a.api.Register(mux)
	web.New(a.Service, log, web.Options{
		Sandbox:   anySandbox(cfg),
		Providers: []string{payment.ProviderKakaoPay, payment.ProviderPortOne, payment.ProviderIamport, payment.ProviderToss},
		SDK: web.SDKKeys{
			IamportMerchantCode: cfg.PortOneV1.MerchantCode, IamportPG: cfg.PortOneV1.PG,
			PortOneStoreID: cfg.PortOne.StoreID, PortOneChannelKey: cfg.PortOne.ChannelKey, TossClientKey: cfg.Toss.ClientKey,
		},
	}).Register(mux)
	a.mountConsole(mux, self)

	wctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	a.stopWorkers = stop
	a.workers.Add(1)
	go a.sweepLoop(wctx)
	a.Webhooks = webhook.New(st, log.With("component", "webhooks"), webhook.Options{AllowPrivate: cfg.WebhookAllowPrivate})
	a.workers.Add(1)
	go func() { defer a.workers.Done(); a.Webhooks.Run(wctx) }()
	a.workers.Add(1)
	go func() { defer a.workers.Done(); a.Inbox.Run(wctx) }()

	root = httpapi.Middleware(log, mux)
	a.server = httpapi.Serve(ln, root)
	log.Info("paybridge listening", "addr", ln.Addr().String(), "public_url", cfg.PublicURL,
		"database", config.RedactURL(st.URL), "kakaopay", mode(cfg.KakaoPay.Sandbox(), "real"),
		"portone", mode(cfg.PortOne.Sandbox(), "real"), "iamport", mode(cfg.PortOneV1.Sandbox(), "real"),
		"toss", mode(cfg.Toss.Sandbox(), "real"))
	return nil
}

func mode(sandbox bool, real string) string {
	if sandbox {
		return "built-in sandbox"
	}
	return real
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
	a.stopWorkers()
	a.workers.Wait()
	if cerr := a.Store.Close(); err == nil {
		err = cerr
	}
	return err
}
