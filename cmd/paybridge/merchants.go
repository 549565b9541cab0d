package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/payment"
)

const merchantsUsage = `Usage:
  paybridge merchants create --name N   create a merchant and print its id alone on stdout
  paybridge merchants list              list the merchants
`

func runMerchants(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, merchantsUsage)
		return errors.New("merchants: want a subcommand: create or list")
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "create", "list":
	case "-h", "--help", "help":
		fmt.Fprint(stdout, merchantsUsage)
		return nil
	default:
		fmt.Fprint(stderr, merchantsUsage)
		return fmt.Errorf("merchants: unknown subcommand %q", sub)
	}
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return err
	}
	fs := newFlagSet("merchants "+sub, map[string]string{
		"create": "Creates a merchant (a shop with its own keys, payments and webhooks) and prints its id.",
		"list":   "Lists the merchants.",
	}[sub], stderr)
	name := fs.String("name", "", "the merchant's name (create)")
	fs.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "database (PAYBRIDGE_DATABASE_URL)")
	if err := fs.Parse(rest); err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "create":
		n := strings.TrimSpace(*name)
		if n == "" || len([]rune(n)) > 100 {
			return errors.New("merchants create: --name is required, at most 100 characters")
		}
		m := &payment.Merchant{ID: payment.NewID("mer", time.Now()), Name: n}
		if err := st.CreateMerchant(ctx, m); err != nil {
			return cliError(err)
		}
		fmt.Fprintln(stdout, m.ID)
	case "list":
		ms, err := st.FindMerchants(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "id\tname\tcreated")
		for _, m := range ms {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", m.ID, m.Name, m.CreatedAt.Format(time.RFC3339))
		}
		tw.Flush()
	}
	return nil
}
