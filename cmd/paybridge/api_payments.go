package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"strings"

	"github.com/paybridge/paybridge/client"
)

const paymentsUsage = `Usage:
  paybridge payments create --order-id ID --order-name N --amount N [--quantity N] --customer-id ID
                            [--provider P] [--success-url U] [--fail-url U] [--cancel-url U]
                            [--tax-free-amount N] [--idempotency-key K]
  paybridge payments get ID
  paybridge payments list [--limit N] [--status S[,S…]] [--provider P] [--order-id ID]
                          [--customer-id ID] [--starting-after ID] [--all]
  paybridge payments cancel ID [--amount N] --reason R [--idempotency-key K]
` + apiFlagsUsage

func runPayments(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	sub, rest, err := subcommand("payments", paymentsUsage, []string{"create", "get", "list", "cancel"}, args, stdout, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	summaries := map[string]string{
		"create": "Creates a payment and prints it; send the buyer to its redirect_url. A retry with the\nsame --idempotency-key returns the same payment.",
		"get":    "Prints a payment with its cancellations.",
		"list":   "Prints a page of payments, newest first; --all follows the pages to the end.",
		"cancel": "Refunds a payment: --amount of it, or all that remains, and prints the payment.",
	}
	usageArgs := map[string]string{"get": " ID", "cancel": " ID"}
	fs := newFlagSet("payments "+sub+usageArgs[sub], summaries[sub], stderr)
	var af apiFlags
	af.register(fs, getenv)
	name := "payments " + sub
	switch sub {
	case "create":
		var p client.CreatePaymentParams
		fs.StringVar(&p.Provider, "provider", "kakaopay", "payment provider")
		fs.StringVar(&p.OrderID, "order-id", "", "the shop's order id, unique per merchant (required)")
		fs.StringVar(&p.OrderName, "order-name", "", "what the buyer sees (required)")
		fs.Int64Var(&p.Amount, "amount", 0, "total in won (required)")
		fs.Int64Var(&p.Quantity, "quantity", 1, "number of items")
		fs.Int64Var(&p.TaxFreeAmount, "tax-free-amount", 0, "tax-free part of the amount")
		fs.StringVar(&p.CustomerID, "customer-id", "", "the shop's customer id (required)")
		fs.StringVar(&p.SuccessURL, "success-url", "", "where the buyer goes after paying")
		fs.StringVar(&p.FailURL, "fail-url", "", "where the buyer goes when the payment fails")
		fs.StringVar(&p.CancelURL, "cancel-url", "", "where the buyer goes after giving up")
		fs.StringVar(&p.IdempotencyKey, "idempotency-key", "", "Idempotency-Key (default: a random one)")
		pos, err := parseInterleaved(fs, rest)
		if err != nil {
			return err
		}
		if err := wantArgs(name, pos, 0, ""); err != nil {
			return err
		}
		if !flagSet(fs, "amount") {
			return errors.New(name + ": --amount is required")
		}
		c, err := af.client()
		if err != nil {
			return err
		}
		pay, err := c.CreatePayment(ctx, p)
		if err != nil {
			return apiError(err)
		}
		return printJSON(stdout, pay)

	case "get":
		pos, err := parseInterleaved(fs, rest)
		if err != nil {
			return err
		}
		if err := wantArgs(name, pos, 1, "the payment's id"); err != nil {
			return err
		}
		c, err := af.client()
		if err != nil {
			return err
		}
		pay, err := c.GetPayment(ctx, pos[0])
		if err != nil {
			return apiError(err)
		}
		return printJSON(stdout, pay)

	case "list":
		var p client.ListPaymentsParams
		var status string
		fs.IntVar(&p.Limit, "limit", 0, "page size, 1–100 (server default 10)")
		fs.StringVar(&status, "status", "", "only these statuses, comma-separated")
		fs.StringVar(&p.Provider, "provider", "", "only this provider")
		fs.StringVar(&p.OrderID, "order-id", "", "only this order id")
		fs.StringVar(&p.CustomerID, "customer-id", "", "only this customer")
		fs.StringVar(&p.StartingAfter, "starting-after", "", "the page after this payment id")
		fs.StringVar(&p.EndingBefore, "ending-before", "", "the page before this payment id")
		all := fs.Bool("all", false, "follow the pages and print every payment")
		pos, err := parseInterleaved(fs, rest)
		if err != nil {
			return err
		}
		if err := wantArgs(name, pos, 0, ""); err != nil {
			return err
		}
		for s := range strings.SplitSeq(status, ",") {
			if s = strings.TrimSpace(s); s != "" {
				p.Statuses = append(p.Statuses, client.Status(s))
			}
		}
		c, err := af.client()
		if err != nil {
			return err
		}
		if !*all {
			l, err := c.ListPayments(ctx, p)
			if err != nil {
				return apiError(err)
			}
			return printJSON(stdout, l)
		}
		l := &client.PaymentList{Object: "list", Data: []*client.Payment{}, URL: "/v1/payments"}
		for pay, err := range c.AllPayments(ctx, p) {
			if err != nil {
				return apiError(err)
			}
			l.Data = append(l.Data, pay)
		}
		return printJSON(stdout, l)

	case "cancel":
		var p client.CancelParams
		amount := fs.Int64("amount", 0, "amount to refund (default: all that remains)")
		taxFree := fs.Int64("tax-free-amount", 0, "tax-free part of the refund (default: paybridge chooses)")
		fs.StringVar(&p.Reason, "reason", "", "why (required)")
		fs.StringVar(&p.IdempotencyKey, "idempotency-key", "", "Idempotency-Key (default: a random one)")
		pos, err := parseInterleaved(fs, rest)
		if err != nil {
			return err
		}
		if err := wantArgs(name, pos, 1, "the payment's id"); err != nil {
			return err
		}
		if p.Reason == "" {
			return errors.New(name + ": --reason is required")
		}
		if flagSet(fs, "amount") {
			p.Amount = amount
		}
		if flagSet(fs, "tax-free-amount") {
			p.TaxFreeAmount = taxFree
		}
		c, err := af.client()
		if err != nil {
			return err
		}
		pay, err := c.CancelPayment(ctx, pos[0], p)
		if err != nil {
			return apiError(err)
		}
		return printJSON(stdout, pay)
	}
	return nil
}

// flagSet reports whether the flag name was given.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}
