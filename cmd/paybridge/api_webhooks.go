package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"strings"

	"github.com/paybridge/paybridge/client"
)

const webhooksUsage = `Usage:
  paybridge webhooks create --endpoint-url URL [--events e1,e2] [--description D]
  paybridge webhooks list
  paybridge webhooks delete ID
  paybridge webhooks rotate ID
` + apiFlagsUsage

func runWebhooks(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	sub, rest, err := subcommand("webhooks", webhooksUsage, []string{"create", "list", "delete", "rotate"}, args, stdout, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	summaries := map[string]string{
		"create": "Adds a webhook endpoint (--endpoint-url, where paybridge will POST events) and prints\nit with its signing secret, shown only now.",
		"list":   "Prints the webhook endpoints (never their secrets).",
		"delete": "Deletes a webhook endpoint.",
		"rotate": "Gives an endpoint a new signing secret, printed once; the old one keeps signing for 24 hours.",
	}
	usageArgs := map[string]string{"delete": " ID", "rotate": " ID"}
	fs := newFlagSet("webhooks "+sub+usageArgs[sub], summaries[sub], stderr)
	var af apiFlags
	af.register(fs, getenv)
	name := "webhooks " + sub
	var p client.CreateWebhookEndpointParams
	var events string
	if sub == "create" {
		fs.StringVar(&p.URL, "endpoint-url", "", "the endpoint's URL, where paybridge POSTs events (required)")
		fs.StringVar(&events, "events", "", "event types to send, comma-separated (default: all)")
		fs.StringVar(&p.Description, "description", "", "a note about the endpoint")
	}
	pos, err := parseInterleaved(fs, rest)
	if err != nil {
		return err
	}
	want := 1
	if sub == "create" || sub == "list" {
		want = 0
	}
	if err := wantArgs(name, pos, want, "the endpoint's id"); err != nil {
		return err
	}
	if sub == "create" {
		if p.URL == "" {
			return errors.New(name + ": --endpoint-url is required (--url is the paybridge server)")
		}
		for e := range strings.SplitSeq(events, ",") {
			if e = strings.TrimSpace(e); e != "" {
				p.EnabledEvents = append(p.EnabledEvents, e)
			}
		}
	}
	c, err := af.client()
	if err != nil {
		return err
	}
	var out any
	switch sub {
	case "create":
		out, err = c.CreateWebhookEndpoint(ctx, p)
	case "list":
		out, err = c.ListWebhookEndpoints(ctx)
	case "delete":
		out, err = c.DeleteWebhookEndpoint(ctx, pos[0])
	case "rotate":
		out, err = c.RotateWebhookEndpointSecret(ctx, pos[0])
	}
	if err != nil {
		return apiError(err)
	}
	return printJSON(stdout, out)
}
