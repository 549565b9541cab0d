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

// merchantsGroup is "paybridge merchants" and its subcommands.
var merchantsGroup = group{name: "merchants", usage: merchantsUsage, subs: []subInfo{
	{"create", "", "Creates a merchant (a shop with its own keys, payments and webhooks) and prints its id."},
	{"list", "", "Lists the merchants."},
}}

func runMerchants(ctx context.Context, cmd *command, cfg *config.Config, stdout, stderr io.Writer) error {
	sub, fs := cmd.sub, cmd.fs
	name := fs.String("name", "", "the merchant's name (create)")
	st, err := cmd.open(ctx, cfg, stderr)
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
