package main

import (
	"context"
	"io"
	"time"

	"github.com/paybridge/paybridge/internal/app"
	"github.com/paybridge/paybridge/internal/config"
)

func runServe(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return err
	}
	fs := newFlagSet("serve", "Runs paybridge: the merchant API, the demo shop at /, and, for each provider without\ncredentials, its built-in sandbox under /sandbox/<provider>/ (kakaopay, portone,\niamport, toss). The flags override the PAYBRIDGE_… variables named after them.", stderr)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address (PAYBRIDGE_ADDR)")
	fs.StringVar(&cfg.PublicURL, "public-url", cfg.PublicURL, "URL buyers' browsers reach paybridge at (PAYBRIDGE_PUBLIC_URL; default http://localhost:<port>)")
	fs.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "database (PAYBRIDGE_DATABASE_URL)")
	fs.BoolVar(&cfg.NoMigrate, "no-migrate", cfg.NoMigrate, "do not apply migrations on start (PAYBRIDGE_NO_MIGRATE)")
	debugAddr := fs.String("debug-addr", getenv("PAYBRIDGE_DEBUG_ADDR"), "serve /debug/pprof/ and /debug/store (the store's counters) here, e.g. 127.0.0.1:6060; never expose it (PAYBRIDGE_DEBUG_ADDR)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	a, err := app.Start(ctx, cfg, log)
	if err != nil {
		return err
	}
	if *debugAddr != "" {
		stop, err := serveDebug(*debugAddr, a.Store, log)
		if err != nil {
			a.Close(context.Background())
			return err
		}
		defer stop()
	}
	<-ctx.Done()
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return a.Close(sctx)
}
