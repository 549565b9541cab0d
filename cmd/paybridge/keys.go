package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/httpapi"
	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/store"
)

const keysUsage = `Usage:
  paybridge keys create [--merchant ID] [--name N] [--live]   print a new secret key, alone on stdout
  paybridge keys list   [--merchant ID]                       list a merchant's keys (never the keys themselves)
  paybridge keys revoke [--merchant ID] KEY_ID                revoke a key at once
Without --merchant, the default merchant.
`

// openStore opens the configured database for a CLI command. A SQLite file
// that does not exist yet is created (and migrated); openStore says so on
// stderr, with the file's absolute path, because a key created into a new
// file next to where the command happened to run is a key the server,
// started elsewhere, will never see.
func openStore(ctx context.Context, cfg config.Config, stderr io.Writer) (*store.Store, error) {
	created := ""
	if !store.IsPostgres(cfg.DatabaseURL) {
		path := store.SQLitePath(cfg.DatabaseURL)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			created = path
			if abs, err := filepath.Abs(path); err == nil {
				created = abs
			}
		}
	}
	st, err := store.Open(ctx, cfg.DatabaseURL, cfg.StoreOptions())
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", config.RedactURL(cfg.DatabaseURL), err)
	}
	if created != "" {
		fmt.Fprintf(stderr, "paybridge: created a new database %s (PAYBRIDGE_DATABASE_URL or --database-url chooses another; the server must use the same one)\n", created)
	}
	return st, nil
}

// cliError shows an application error's message, as the API would.
func cliError(err error) error {
	var e *payment.Error
	if errors.As(err, &e) && e.Code != payment.EINTERNAL {
		return errors.New(e.Message)
	}
	return err
}

// keysGroup is "paybridge keys" and its subcommands.
var keysGroup = group{name: "keys", usage: keysUsage, subs: []subInfo{
	{"create", "", "Creates a secret API key for a merchant and prints the key alone on stdout. Only its\nhash is stored: keep the key, it cannot be shown again."},
	{"list", "", "Lists a merchant's keys: id, name, prefix, created and revoked times. The keys\nthemselves are never stored, so never shown."},
	{"revoke", "", "Revokes a key: requests with it are refused from now on."},
}}

func runKeys(ctx context.Context, cmd *command, cfg *config.Config, stdout, stderr io.Writer) error {
	sub, fs := cmd.sub, cmd.fs
	merchant := fs.String("merchant", payment.DefaultMerchantID, "merchant id")
	name := fs.String("name", "", "a name to tell the key apart (create)")
	live := fs.Bool("live", false, "make a live key (sk_live_…) instead of a test key (sk_test_…) (create)")
	st, err := cmd.open(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.FindMerchantByID(ctx, *merchant); err != nil {
		return cliError(err)
	}
	switch sub {
	case "create":
		key, rec := httpapi.NewAPIKey(*merchant, *name, *live, time.Now())
		if err := st.CreateAPIKey(ctx, rec); err != nil {
			return cliError(err)
		}
		fmt.Fprintln(stdout, key)
		if cfg.Live() && !*live {
			fmt.Fprintln(stderr, "note: PAYBRIDGE_MODE is live but this is a test key (sk_test_): it sees and creates only payments that move no money; add --live for a live key")
		}
	case "list":
		keys, err := st.FindAPIKeys(ctx, *merchant)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "id\tname\tprefix\tcreated\trevoked")
		for _, k := range keys {
			fmt.Fprintf(tw, "%s\t%s\t%s…\t%s\t%s\n", k.ID, k.Name, k.Prefix, k.CreatedAt.Format(time.RFC3339), timeOrDash(k.RevokedAt))
		}
		tw.Flush()
	case "revoke":
		if fs.NArg() != 1 {
			return errors.New("keys revoke: give the key's id (see paybridge keys list)")
		}
		if err := st.RevokeAPIKey(ctx, *merchant, fs.Arg(0)); err != nil {
			return cliError(err)
		}
		fmt.Fprintln(stdout, "revoked", fs.Arg(0))
	}
	return nil
}

func timeOrDash(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format(time.RFC3339)
}
