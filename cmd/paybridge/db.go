package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/store"
)

const dbUsage = `Usage:
  paybridge db copy --from URL --to URL
                                   copy every row of one paybridge database into another, empty one
`

// dbGroup is "paybridge db" and its subcommands.
var dbGroup = group{name: "db", usage: dbUsage, subs: []subInfo{
	{"copy", "", "Copies every row of one paybridge database into another, empty one, e.g. from the\nembedded SQLite to PostgreSQL. The source is read as one consistent snapshot (a\nrunning paybridge may keep using it); the destination is migrated, filled in one\ntransaction, and committed only if every table's row count and SHA-256 checksum\nmatch the source's. Both are printed."},
}}

// runDB is "paybridge db": its one subcommand names both databases with
// flags of its own, so it does not take dbCommand's --database-url.
func runDB(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd, err := dbGroup.start(args, stdout, stderr)
	if cmd == nil {
		return err
	}
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return err
	}
	fs := cmd.fs
	from := fs.String("from", "", "source database URL, e.g. sqlite:paybridge.db")
	to := fs.String("to", "", "destination database URL, e.g. postgres://user:pass@host/paybridge")
	if err := fs.Parse(cmd.args); err != nil {
		return err
	}
	if *from == "" || *to == "" {
		return errors.New("db copy: --from and --to are both required")
	}
	// Both URLs are checked before either is opened, so a bad destination
	// never leaves a file behind; a SQLite source must already exist.
	srcPG, err := store.ParseURL(*from)
	if err != nil {
		return fmt.Errorf("--from: %w", err)
	}
	if _, err := store.ParseURL(*to); err != nil {
		return fmt.Errorf("--to: %w", err)
	}
	if !srcPG {
		if _, err := os.Stat(sqliteFile(*from)); err != nil {
			return fmt.Errorf("--from: the source database %s does not exist", config.RedactURL(*from))
		}
	}
	srcOpts := cfg.StoreOptions()
	srcOpts.NoMigrate, srcOpts.SkipCheck = true, true // never change the source
	src, err := store.Open(ctx, *from, srcOpts)
	if err != nil {
		return fmt.Errorf("open source %s: %w", config.RedactURL(*from), err)
	}
	defer src.Close()
	dstOpts := cfg.StoreOptions()
	dstOpts.NoMigrate = false
	dst, err := store.Open(ctx, *to, dstOpts)
	if err != nil {
		return fmt.Errorf("open destination %s: %w", config.RedactURL(*to), err)
	}
	defer dst.Close()

	report, err := store.Copy(ctx, src, dst)
	if len(report) == 0 {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "table\tsource rows\tdestination rows\tsource sha256\tdestination sha256\n")
	for _, r := range report {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\n", r.Table, r.SourceRows, r.DestRows, r.SourceHash, r.DestHash)
	}
	tw.Flush()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "copied %s to %s: every table matches\n", src.URL, dst.URL)
	return nil
}

// sqliteFile is the file of a SQLite database URL.
func sqliteFile(u string) string {
	p := store.SQLitePath(u)
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	return p
}
