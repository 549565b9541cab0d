package main

import (
	"context"
	"errors"
	"flag"
	"io"

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

// paymentsGroup is "paybridge payments" and its subcommands.
var paymentsGroup = group{name: "payments", usage: paymentsUsage, subs: []subInfo{
	{"create", "", "Creates a payment and prints it; send the buyer to its redirect_url. A retry with the\nsame --idempotency-key returns the same payment."},
	{"get", " ID", "Prints a payment with its cancellations."},
	{"list", "", "Prints a page of payments, newest first; --all follows the pages to the end."},
	{"cancel", " ID", "Refunds a payment: --amount of it, or all that remains, and prints the payment."},
}}

func runPayments(ctx context.Context, cmd *command, af *apiFlags, stdout io.Writer) error {
	sub, fs, rest, name := cmd.sub, cmd.fs, cmd.args, cmd.name
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
		if _, err := parseArgs(fs, name, rest, 0, ""); err != nil {
			return err
		}
		if !flagSet(fs, "amount") {
			return errors.New(name + ": --amount is required")
		}
		return af.call(stdout, func(c *client.Client) (any, error) { return c.CreatePayment(ctx, p) })

	case "get":
		pos, err := parseArgs(fs, name, rest, 1, "the payment's id")
		if err != nil {
			return err
		}
		return af.call(stdout, func(c *client.Client) (any, error) { return c.GetPayment(ctx, pos[0]) })

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
		if _, err := parseArgs(fs, name, rest, 0, ""); err != nil {
			return err
		}
		p.Statuses = commaList[client.Status](status)
		return af.call(stdout, func(c *client.Client) (any, error) {
			if !*all {
				return c.ListPayments(ctx, p)
			}
			data, err := collect(c.AllPayments(ctx, p))
			return &client.PaymentList{Object: "list", Data: data, URL: "/v1/payments"}, err
		})

	case "cancel":
		var p client.CancelParams
		amount := fs.Int64("amount", 0, "amount to refund (default: all that remains)")
		taxFree := fs.Int64("tax-free-amount", 0, "tax-free part of the refund (default: paybridge chooses)")
		fs.StringVar(&p.Reason, "reason", "", "why (required)")
		fs.StringVar(&p.IdempotencyKey, "idempotency-key", "", "Idempotency-Key (default: a random one)")
		pos, err := parseArgs(fs, name, rest, 1, "the payment's id")
		if err != nil {
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
		return af.call(stdout, func(c *client.Client) (any, error) { return c.CancelPayment(ctx, pos[0], p) })
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
