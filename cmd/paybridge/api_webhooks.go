package main

import (
	"context"
	"errors"
	"io"

	"github.com/paybridge/paybridge/client"
)

const webhooksUsage = `Usage:
  paybridge webhooks create --endpoint-url URL [--events e1,e2] [--description D]
  paybridge webhooks list
  paybridge webhooks delete ID
  paybridge webhooks rotate ID
` + apiFlagsUsage

// webhooksGroup is "paybridge webhooks" and its subcommands.
var webhooksGroup = group{name: "webhooks", usage: webhooksUsage, subs: []subInfo{
	{"create", "", "Adds a webhook endpoint (--endpoint-url, where paybridge will POST events) and prints\nit with its signing secret, shown only now. The endpoint has the key's mode: a live key's\nreceives only live events, a test key's only test events (\"livemode\" in the answer)."},
	{"list", "", "Prints the webhook endpoints of the key's mode (never their secrets)."},
	{"delete", " ID", "Deletes a webhook endpoint."},
	{"rotate", " ID", "Gives an endpoint a new signing secret, printed once; the old one keeps signing for 24 hours."},
}}

func runWebhooks(ctx context.Context, cmd *command, af *apiFlags, stdout io.Writer) error {
	sub, fs, rest, name := cmd.sub, cmd.fs, cmd.args, cmd.name
	var p client.CreateWebhookEndpointParams
	var events string
	if sub == "create" {
		fs.StringVar(&p.URL, "endpoint-url", "", "the endpoint's URL, where paybridge POSTs events (required)")
		fs.StringVar(&events, "events", "", "event types to send, comma-separated (default: all)")
		fs.StringVar(&p.Description, "description", "", "a note about the endpoint")
	}
	want := 1
	if sub == "create" || sub == "list" {
		want = 0
	}
	pos, err := parseArgs(fs, name, rest, want, "the endpoint's id")
	if err != nil {
		return err
	}
	if sub == "create" {
		if p.URL == "" {
			return errors.New(name + ": --endpoint-url is required (--url is the paybridge server)")
		}
		p.EnabledEvents = commaList[string](events)
	}
	return af.call(stdout, func(c *client.Client) (any, error) {
		switch sub {
		case "create":
			return c.CreateWebhookEndpoint(ctx, p)
		case "list":
			return c.ListWebhookEndpoints(ctx)
		case "delete":
			return c.DeleteWebhookEndpoint(ctx, pos[0])
		default: // rotate
			return c.RotateWebhookEndpointSecret(ctx, pos[0])
		}
	})
}
