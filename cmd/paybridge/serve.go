package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/app"
	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/provider/registry"
)

func runServe(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, err := loadConfig("serve", "Runs paybridge: the merchant API, and in test mode the demo shop at / and, for each\nprovider without credentials, its built-in sandbox under /sandbox/<provider>/ ("+
		strings.Join(registry.Names(), ", ")+").\nEvery setting is a flag, which overrides the PAYBRIDGE_… variable named after it.", args, getenv, stderr)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	tuneGC(getenv)
	a, err := app.Start(ctx, cfg, log)
	if err != nil {
		return err
	}
	if cfg.DebugAddr != "" {
		stop, err := serveDebug(cfg.DebugAddr, a.Store, log)
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

// loadConfig reads the environment, then the flags of every setting over it.
func loadConfig(name, summary string, args []string, getenv func(string) string, stderr io.Writer) (config.Config, error) {
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return cfg, err
	}
	fs := newFlagSet(name, summary, stderr)
	config.RegisterFlags(fs, &cfg)
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return cfg, nil
}
