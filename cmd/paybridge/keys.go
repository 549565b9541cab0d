package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/httpapi"
	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/store"
)

func runKeys(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprint(stderr, "Usage: paybridge keys create [--name N] [--live]\n")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			return nil
		}
		return fmt.Errorf("keys: want a subcommand: create")
	}
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return err
	}
	fs := newFlagSet("keys create", "Creates a secret API key for the default merchant and prints the key alone on\nstdout. Only its hash is stored: keep the key, it cannot be shown again.", stderr)
	name := fs.String("name", "", "a name to tell the key apart")
	live := fs.Bool("live", false, "make a live key (sk_live_…) instead of a test key (sk_test_…)")
	fs.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "database (PAYBRIDGE_DATABASE_URL)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.DatabaseURL, cfg.StoreOptions())
	if err != nil {
		return fmt.Errorf("open database %s: %w", config.RedactURL(cfg.DatabaseURL), err)
	}
	defer st.Close()
	key, rec := httpapi.NewAPIKey(payment.DefaultMerchantID, *name, *live, time.Now())
	if err := st.CreateAPIKey(ctx, rec); err != nil {
		return err
	}
	fmt.Fprintln(stdout, key)
	return nil
}
