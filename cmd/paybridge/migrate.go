package main

import (
	"context"
	"fmt"
	"io"

	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/store"
)

func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate", "Applies the database migrations this paybridge knows and prints each one applied.", stderr)
	cfg, err := databaseFlag(fs, getenv)
	if err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	opts := cfg.StoreOptions()
	opts.NoMigrate, opts.SkipCheck = true, true
	st, err := store.Open(ctx, cfg.DatabaseURL, opts)
	if err != nil {
		return fmt.Errorf("open database %s: %w", config.RedactURL(cfg.DatabaseURL), err)
	}
	defer st.Close()
	applied, err := st.Migrate(ctx)
	for _, name := range applied {
		fmt.Fprintln(stdout, "applied", name)
	}
	if err != nil {
		return err
	}
	v, err := st.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "schema is at version %d\n", v)
	return nil
}
