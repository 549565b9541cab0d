package main

import (
	"context"
	"io"

	"github.com/paybridge/paybridge/client"
)

const eventsUsage = `Usage:
  paybridge events list [--limit N] [--starting-after ID] [--all]
  paybridge events get ID
  paybridge events resend ID [--endpoint ENDPOINT_ID]
` + apiFlagsUsage

// eventsGroup is "paybridge events" and its subcommands.
var eventsGroup = group{name: "events", usage: eventsUsage, subs: []subInfo{
	{"list", "", "Prints a page of outbound webhook events, newest first, with their deliveries."},
	{"get", " ID", "Prints an event with its deliveries."},
	{"resend", " ID", "Sends an event again (same webhook-id, same body) to every enabled endpoint\nsubscribed to it, or to --endpoint only."},
}}

func runEvents(ctx context.Context, cmd *command, af *apiFlags, stdout io.Writer) error {
	sub, fs, rest, name := cmd.sub, cmd.fs, cmd.args, cmd.name
	var (
		p        client.ListEventsParams
		all      *bool
		endpoint string
	)
	switch sub {
	case "list":
		fs.IntVar(&p.Limit, "limit", 0, "page size, 1–100 (server default 10)")
		fs.StringVar(&p.StartingAfter, "starting-after", "", "the page after this event id")
		all = fs.Bool("all", false, "follow the pages and print every event")
	case "resend":
		fs.StringVar(&endpoint, "endpoint", "", "send to this webhook endpoint only")
	}
	want := 1
	if sub == "list" {
		want = 0
	}
	pos, err := parseArgs(fs, name, rest, want, "the event's id")
	if err != nil {
		return err
	}
	return af.call(stdout, func(c *client.Client) (any, error) {
		switch sub {
		case "list":
			if !*all {
				return c.ListEvents(ctx, p)
			}
			data, err := collect(c.AllEvents(ctx, p))
			return &client.EventList{Object: "list", Data: data, URL: "/v1/events"}, err
		case "get":
			return c.GetEvent(ctx, pos[0])
		default: // resend
			return c.ResendEvent(ctx, pos[0], client.ResendEventParams{EndpointID: endpoint})
		}
	})
}
